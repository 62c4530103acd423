"""Rating a suggestion: plot coherence, dialogue quality and tone consistency from 1 to 5, and
free tags ("needs more conflict, too long").

Keys: a digit 1-5 rates the highlighted line and moves to the next one, so "4 3 5" rates all
three; ←/→ change the highlighted rating, ↑/↓ (or Tab) move between lines, 0 or Backspace
clears one. Enter or Ctrl+S saves, Esc closes without saving. Dismisses with a
:class:`~engine.session.suggestion.Rating`, or None when cancelled.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from engine.session.suggestion import RATING_FIELDS, Rating, parse_tags
from ..keymap import RATE, SCORE, bindings

PREVIEW_LINES = 4


class Score(Widget, can_focus=True):
    """One rating from 1 to 5 (or none), drawn as five marks and the number."""

    BINDINGS = bindings(SCORE)

    value: reactive[int | None] = reactive(None)

    class Set(Message):
        """A digit rated this line: the screen moves on to the next one."""

        def __init__(self, score: "Score") -> None:
            super().__init__()
            self.score = score

    def __init__(self, name: str, label: str, value: int | None = None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.label = label
        self.set_reactive(Score.value, value)

    def render(self) -> Content:
        value = self.value or 0
        marks = Content.assemble(("●" * value, "$text-accent"), ("○" * (5 - value), "$text-muted"))
        number = str(self.value) if self.value is not None else "–"
        return Content.assemble(f"{self.label:<18}", marks, f"  {number}")

    def action_set(self, value: int) -> None:
        self.value = value
        self.post_message(self.Set(self))

    def action_change(self, delta: int) -> None:
        self.value = max(1, min(5, (self.value or (0 if delta > 0 else 6)) + delta))

    def action_clear(self) -> None:
        self.value = None


class RateSuggestionScreen(ModalScreen[Rating | None]):
    CSS_PATH = "rate_suggestion.tcss"

    BINDINGS = bindings(RATE)

    def __init__(self, text: str, rating: Rating | None = None, what: str = "") -> None:
        """``text``: the suggestion (its first lines are shown); ``rating``: the one it has;
        ``what``: a few words on which suggestion it is ("the one you accepted")."""
        super().__init__()
        self.text = text
        self.rating = rating or Rating()
        self.what = what

    def compose(self) -> ComposeResult:
        lines = self.text.strip("\n").split("\n")
        preview = "\n".join(lines[:PREVIEW_LINES]).rstrip("\n") + ("\n…" if len(lines) > PREVIEW_LINES else "")
        with Vertical(id="dialog"):
            yield Static("Rate the suggestion" + (f" ({self.what})" if self.what else ""), id="rate-title",
                         markup=False)
            yield Static(preview, id="rate-preview", markup=False)
            for name, label in RATING_FIELDS.items():
                yield Score(name, label, getattr(self.rating, name), id=f"rate-{name}", classes="score")
            yield Input(", ".join(self.rating.tags), placeholder="tags, comma separated: needs more conflict, too long",
                        id="rate-tags", compact=True)
            yield Static("1-5 rate the highlighted line · ←/→ change · 0 clears · Enter saves · Esc cancels",
                         id="rate-help", markup=False)
            yield Static("", id="rate-error", markup=False)
            with Horizontal(id="rate-buttons"):
                yield Button("Save ^s", id="save", variant="primary")
                yield Button("Cancel esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Score).focus()

    def score(self, name: str) -> Score:
        return self.query_one(f"#rate-{name}", Score)

    @on(Score.Set)
    def _next_line(self, message: Score.Set) -> None:
        self.focus_next()

    def read(self) -> tuple[Rating | None, str | None]:
        """The rating in the fields, or (None, what is wrong)."""
        tags, problem = parse_tags(self.query_one("#rate-tags", Input).value)
        if problem:
            return None, problem
        rating = Rating(**{name: self.score(name).value for name in RATING_FIELDS}, tags=tags)
        if rating.empty:
            return None, "Give at least one rating (1 to 5) or a tag; Esc closes without rating."
        return rating, None

    def action_save(self) -> None:
        rating, problem = self.read()
        if rating is None:
            self.query_one("#rate-error", Static).update(problem or "")
            return
        self.dismiss(rating)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        (self.action_save if event.button.id == "save" else self.action_cancel)()
