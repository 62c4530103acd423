"""The outline: sections, scenes (with scene numbers) and synopses, each with its page and
estimated screen time. Enter (or a click) on an entry jumps the editor there."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from engine.fountain import Kind, Outline
from ..keymap import OUTLINE, bindings


def duration_text(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def entry_prompt(entry: Outline, ordinal: int | None, width: int) -> Text:
    """How one outline entry reads in the panel (``width`` cells): a title line, and under it
    the page and estimated screen time."""
    meta = f"p.{entry.page} · {duration_text(entry.duration_s)}"
    if entry.kind is Kind.SECTION:
        indent = " " * max(0, entry.level - 1)
        marks = "#" * max(1, entry.level) + " "
        title = fit(entry.text or "(section)", width - len(indent) - len(marks))
        return Text.assemble((indent + marks, "dim"), (title, "bold"), "\n", (fit(f"{indent}  {meta}", width), "dim"))
    if entry.kind is Kind.SYNOPSIS:
        return Text.assemble(("  = ", "dim"), (fit(entry.text, width - 4), "italic dim"))
    number = entry.scene_number or (str(ordinal) if ordinal is not None else "")
    head = f"{number:>3} "
    return Text.assemble(
        (head, "bold"), fit(entry.text, width - len(head)), "\n", (fit(f"    {meta}", width), "dim"),
    )


class OutlinePanel(OptionList):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS = bindings(OUTLINE)

    class Jump(Message):
        """The writer chose an outline entry: go to ``line`` (0-based)."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    class Leave(Message):
        """The writer wants to go back to the script without jumping."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list[Outline] = []
        self._key: tuple = ()
        self._rendered_width = 0
        self.border_title = "Outline"

    def set_entries(self, entries: list[Outline]) -> None:
        key = tuple((e.kind, e.text, e.line, e.level, e.scene_number, e.page, e.duration_s) for e in entries)
        if key == self._key:
            return
        self._key = key
        self.entries = list(entries)
        self._render_entries()

    def _entry_width(self) -> int:
        width = self.scrollable_content_region.width
        return (width if width > 4 else 33) - 1

    def on_resize(self) -> None:
        if self._rendered_width != self._entry_width():
            self._render_entries()

    def _render_entries(self) -> None:
        width = self._rendered_width = self._entry_width()
        highlighted = self.highlighted
        options = []
        ordinal = 0
        for index, entry in enumerate(self.entries):
            if entry.kind is Kind.SCENE_HEADING:
                ordinal += 1
            prompt = entry_prompt(entry, ordinal if entry.kind is Kind.SCENE_HEADING else None, width)
            options.append(Option(prompt, id=f"entry-{index}"))
        self.clear_options()
        self.add_options(options)
        if not options:
            self.add_option(Option(Text("No scenes yet: start a line with INT. or EXT.", style="dim"),
                                   disabled=True))
        elif highlighted is not None:
            self.highlighted = min(highlighted, len(options) - 1)

    def entry_index_at(self, row: int) -> int | None:
        """The last entry at or above ``row``."""
        found = None
        for index, entry in enumerate(self.entries):
            if entry.line <= row:
                found = index
            else:
                break
        return found

    def follow(self, row: int) -> None:
        """Highlight the entry the cursor is in (while the panel is not being used)."""
        if self.has_focus or not self.entries:
            return
        index = self.entry_index_at(row)
        if index is not None and index != self.highlighted:
            self.highlighted = index

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        if 0 <= index < len(self.entries):
            self.post_message(self.Jump(self.entries[index].line))

    def action_back_to_script(self) -> None:
        self.post_message(self.Leave())
