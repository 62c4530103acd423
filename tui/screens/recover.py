"""Offered when a script is opened and a recovery copy of unsaved edits exists."""

from __future__ import annotations

from textual.binding import Binding

from .choice import ChoiceScreen


class RecoverScreen(ChoiceScreen):
    TITLE_TEXT = "Recover unsaved changes?"
    DEFAULT = "recover"  # keeps the unsaved edits; discarding them is "d"
    CHOICES = [
        ("recover", "Recover [r]", "primary"),
        ("discard", "Discard the copy [d]", "error"),
    ]
    BINDINGS = [
        Binding("r,escape", "answer('recover')", "Recover", id="recover.recover",
                tooltip="Open the recovered text (Ctrl+Z goes back to the saved file)"),
        Binding("d", "answer('discard')", "Discard", id="recover.discard",
                tooltip="Delete the recovery copy and open the saved file"),
    ]
