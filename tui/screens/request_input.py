"""One line the writer adds to a request: the instruction of a rewrite, the beat of a new scene.

Dismisses with the text (possibly empty, when ``required`` is False) or None when cancelled.
``choices`` are offered under the line (earlier instructions, the plot beats anchored for the
place of the cursor); picking one puts it in the line, Enter sends it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from ..keymap import REQUEST_INPUT, bindings


class RequestInputScreen(ModalScreen[str | None]):
    CSS_PATH = "request_input.tcss"

    BINDINGS = bindings(REQUEST_INPUT)

    def __init__(self, title: str, explanation: str, *, placeholder: str = "", value: str = "",
                 choices: list[str] | None = None, required: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.placeholder = placeholder
        self.value = value
        self.choices = [c for c in dict.fromkeys(choices or []) if c.strip()]
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(id="request-dialog"):
            yield Static(self.title_text, id="request-title", markup=False)
            yield Static(self.explanation, id="request-explanation", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="request-line", select_on_focus=False)
            yield Static("", id="request-problem", markup=False)
            if self.choices:
                yield OptionList(*[Option(c, id=str(i)) for i, c in enumerate(self.choices)], id="request-choices")
            yield Static("Enter: ask the model · ↓: offered lines · Esc: cancel", id="request-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#request-line", Input).focus()

    @on(Input.Submitted, "#request-line")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self.required and not text:
            self.query_one("#request-problem", Static).update("Write a line first (or pick one below).")
            return
        self.dismiss(text)

    @on(OptionList.OptionSelected, "#request-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        line = self.query_one("#request-line", Input)
        line.value = self.choices[int(event.option.id or 0)]
        line.cursor_position = len(line.value)
        line.focus()

    def action_to_choices(self) -> None:
        if self.choices:
            self.query_one("#request-choices", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
