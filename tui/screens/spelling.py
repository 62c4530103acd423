"""F7: a misspelled word and what to do with it: one of the suggestions, "add to my word
list", or "ignore" (this session). Enter picks, Escape leaves the word as it is."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from ..keymap import SPELLING, bindings

ADD = "\x00add"
IGNORE = "\x00ignore"


class SpellingScreen(ModalScreen[str | None]):
    """Dismisses with the replacement word, :data:`ADD`, :data:`IGNORE` or None."""

    CSS_PATH = "spelling.tcss"
    BINDINGS = bindings(SPELLING)

    def __init__(self, word: str, context: str, suggestions: list[str]) -> None:
        super().__init__()
        self.word = word
        self.context = context
        self.suggestions = suggestions

    def compose(self) -> ComposeResult:
        with Vertical(id="spelling-dialog"):
            title = Text("Not in the dictionary: ")
            title.append(self.word, style="bold")
            yield Static(title, id="spelling-title")
            yield Static(Text(self.context), id="spelling-context")
            options = [Option(s, id=s) for s in self.suggestions]
            if not options:
                options.append(Option(Text("(no suggestions)", style="dim"), id="", disabled=True))
            options += [None, Option(f"Add “{self.word}” to my word list  (a)", id=ADD),
                        Option(f"Ignore “{self.word}” until I quit  (i)", id=IGNORE)]
            yield OptionList(*options, id="spelling-options")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id or None)

    def action_choose(self, what: str) -> None:
        self.dismiss(ADD if what == "add" else IGNORE)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)
