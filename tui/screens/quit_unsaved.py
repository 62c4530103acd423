"""Asked on quit when the script has unsaved changes."""

from __future__ import annotations


from .choice import ChoiceScreen
from ..keymap import QUIT, bindings


class QuitUnsavedScreen(ChoiceScreen):
    TITLE_TEXT = "Unsaved changes"
    DEFAULT = "cancel"  # Enter goes back to the script; quitting is "s" or "d"
    CHOICES = [
        ("save", "Save and quit [s]", "primary"),
        ("discard", "Quit without saving [d]", "error"),
        ("cancel", "Cancel [esc]", "default"),
    ]
    BINDINGS = bindings(QUIT)
