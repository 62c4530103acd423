"""A modal question with a few answers, each a button and a key (a ``Binding`` with an id).

The concrete questions (unsaved changes, a file changed on disk, a recovery copy) subclass
:class:`ChoiceScreen`, giving their text, their ``CHOICES`` and their ``BINDINGS``.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ChoiceScreen(ModalScreen[str]):
    """Dismisses with the id of the chosen answer."""

    CSS_PATH = "choice.tcss"

    TITLE_TEXT = ""
    CHOICES: list[tuple[str, str, str]] = []  # (answer id, button label, button variant)
    DEFAULT = "cancel"
    """The answer whose button has the focus, i.e. what Enter chooses: always one that keeps
    the writer's text (an answer that destroys text is chosen by its own key or by Tab)."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.TITLE_TEXT, id="question-title", markup=False)
            yield Static(self.message, id="question-text", markup=False)
            with Horizontal(id="answers"):
                for answer, label, variant in self.CHOICES:
                    yield Button(Text(label), id=f"answer-{answer}", variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        buttons = self.query(Button)
        default = [b for b in buttons if b.id == f"answer-{self.DEFAULT}"]
        (default[0] if default else buttons.first()).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        self.dismiss(button_id.removeprefix("answer-"))

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
