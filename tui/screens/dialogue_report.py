"""The dialogue analysis: each character's share of the dialogue, the split by the writer's
gender and role tags, and who speaks in each scene.

``g`` / ``r`` cycle the highlighted character's gender and role tags (woman, man, non-binary,
none; lead, supporting, minor, none); other words can be written in the script's
``.anchors.toml`` (``[cast.NAME]``). Tags are kept with the anchors when the screen closes.
The report is computed from the elements the editor already has, so opening it costs no parse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from engine.export.dialogue import DialogueReport, dialogue_report, share_bar
from engine.fountain import Element, ParseResult
from engine.steering import AnchorStore
from engine.steering.cast import GENDERS, ROLES, UNTAGGED, CharacterTags, next_tag
from ..keymap import DIALOGUE, bindings

BAR_CELLS = 12
CHART_SPEAKERS = 4


class DialogueReportScreen(ModalScreen[bool]):
    """Dismissed with whether tags changed (the caller then writes the store)."""

    CSS_PATH = "dialogue_report.tcss"
    BINDINGS = bindings(DIALOGUE)

    def __init__(self, elements: Sequence[Element], store: AnchorStore | None) -> None:
        super().__init__()
        self.elements = list(elements)
        self.store = store if store is not None and store.error is None else None
        self.store_problem = str(store.error) if store is not None and store.error is not None else None
        self.changed = False
        self.report: DialogueReport = self._compute()

    def _compute(self) -> DialogueReport:
        return dialogue_report(ParseResult(self.elements), self.store.cast if self.store else {})

    def compose(self) -> ComposeResult:
        with Vertical(id="dialogue-dialog"):
            yield Static("Dialogue", id="dialogue-title")
            yield Static(id="dialogue-summary")
            yield DataTable(id="dialogue-characters", cursor_type="row", zebra_stripes=True)
            yield Static(id="dialogue-splits")
            yield Static("Who speaks, scene by scene", classes="dialogue-heading")
            with VerticalScroll(id="dialogue-chart"):
                yield Static(id="dialogue-scenes")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Character", "Words", "Share", "", "Speeches", "Scenes", "Gender", "Role")
        self._show()
        table.focus()

    # ------------------------------------------------------------------ rendering the report
    def _show(self) -> None:
        report = self.report
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for c in report.characters:
            table.add_row(c.name, str(c.words), f"{c.share:.0%}", share_bar(c.share, BAR_CELLS), str(c.blocks),
                          str(len(c.scenes)), c.gender or "–", c.role or "–", key=c.name)
        if report.characters:
            table.move_cursor(row=min(row, len(report.characters) - 1))
        summary = (f"{report.total_words} words of dialogue, {len(report.characters)} speaking characters, "
                   f"{len(report.scenes)} scenes." if report.characters else "No dialogue in this script yet.")
        if self.store_problem:
            summary += f" Tags cannot be kept: {self.store_problem}"
        elif self.store is None:
            summary += " Tags are kept once the script is saved to a file."
        self.query_one("#dialogue-summary", Static).update(summary)
        self.query_one("#dialogue-splits", Static).update(self._splits())
        self.query_one("#dialogue-scenes", Static).update(self._chart())

    def _splits(self) -> Text:
        report = self.report
        out = Text()
        for tag, groups in report.splits.items():
            if not report.characters:
                break
            out.append(f"By {tag}: ", style="bold")
            if list(groups) == [UNTAGGED]:
                out.append(f"none tagged (press {tag[0]} on a character)\n", style="dim")
                continue
            out.append("  ".join(f"{group} {g['share']:.0%} ({g['characters']})" for group, g in groups.items()))
            out.append("\n")
        return out

    def _chart(self) -> Text:
        out = Text()
        width = max((len(s.scene) for s in self.report.scenes), default=1)
        for s in self.report.scenes:
            out.append(f"{s.scene:>{width}} ", style="bold")
            total = s.total
            if not total:
                out.append(f"(no dialogue) {s.heading}\n", style="dim")
                continue
            speakers = list(s.words.items())
            for name, words in speakers[:CHART_SPEAKERS]:
                out.append(f" {name} ")
                out.append(share_bar(words / total, 6) or "▏", style="bold")
                out.append(f" {words / total:.0%}")
            if len(speakers) > CHART_SPEAKERS:
                out.append(f"  +{len(speakers) - CHART_SPEAKERS}", style="dim")
            out.append("\n")
        return out

    # ------------------------------------------------------------------ tags
    def action_cycle(self, tag: str) -> None:
        if self.store is None:
            self.notify(self.store_problem or "Save the script to a file first: tags are kept beside it.",
                        title="Tags", severity="warning")
            return
        table = self.query_one(DataTable)
        if not self.report.characters:
            return
        name = self.report.characters[table.cursor_row].name
        tags = self.store.tags(name)
        choices = GENDERS if tag == "gender" else ROLES
        new = next_tag(getattr(tags, tag), choices)
        self.store.set_tags(name, CharacterTags(**{**tags.to_dict(), tag: new}))
        self.changed = True
        self.report = self._compute()
        self._show()

    def action_close(self) -> None:
        self.dismiss(self.changed)


def open_dialogue_report(screen, elements: Sequence[Element], store: AnchorStore | None,
                         save: Callable[[], None]) -> None:
    """Push the screen over ``screen``; when tags changed, ``save`` writes the store."""
    screen.app.push_screen(DialogueReportScreen(elements, store), lambda changed: save() if changed else None)
