"""One line at the bottom: file, unsaved mark, current element, scene, page x of y, runtime."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

ELEMENT_NAMES = {
    "title": "Title page",
    "scene_heading": "Scene heading",
    "action": "Action",
    "character": "Character",
    "dialogue": "Dialogue",
    "parenthetical": "Parenthetical",
    "transition": "Transition",
    "centered": "Centered",
    "lyrics": "Lyrics",
    "section": "Section",
    "synopsis": "Synopsis",
    "note": "Note",
    "boneyard": "Boneyard",
    "page_break": "Page break",
}


@dataclass(frozen=True)
class StatusInfo:
    file: str = ""
    modified: bool = False
    element: str | None = None  # Kind value, None on a blank line
    scene: str | None = None  # "3 of 12" or "#4 of 12"
    page: int | None = None
    pages: int | None = None
    runtime: str | None = None  # "1:52"
    message: str | None = None  # "Saved", "Saving…"
    revision: str | None = None  # "Rev Blue" while revision mode is on


class StatusBar(Static):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.info = StatusInfo()

    def set(self, **changes) -> None:
        info = replace(self.info, **changes)
        if info != self.info:
            self.info = info
            self.update(self.render_info(info))

    @staticmethod
    def render_info(info: StatusInfo) -> Text:
        sep = (" │ ", "dim")
        parts: list = [(info.file or "untitled", "bold")]
        if info.modified:
            parts.append((" ●", "bold"))
        if info.revision:
            parts += [sep, (info.revision, "bold")]
        parts += [sep, ELEMENT_NAMES.get(info.element or "", "—")]
        if info.scene:
            parts += [sep, f"Scene {info.scene}"]
        if info.page is not None and info.pages:
            parts += [sep, f"Page {info.page} of {info.pages}"]
        if info.runtime:
            parts += [sep, f"≈ {info.runtime}"]
        if info.message:
            parts += [sep, (info.message, "italic")]
        return Text.assemble(*parts, no_wrap=True, overflow="ellipsis")
