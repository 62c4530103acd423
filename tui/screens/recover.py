"""Offered when a script is opened and a recovery copy of unsaved edits exists."""

from __future__ import annotations


from .choice import ChoiceScreen
from ..keymap import RECOVER, bindings


class RecoverScreen(ChoiceScreen):
    TITLE_TEXT = "Recover unsaved changes?"
    DEFAULT = "recover"  # keeps the unsaved edits; discarding them is "d"
    CHOICES = [
        ("recover", "Recover [r]", "primary"),
        ("discard", "Discard the copy [d]", "error"),
    ]
    BINDINGS = bindings(RECOVER)
