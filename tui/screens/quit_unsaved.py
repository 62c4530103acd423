"""Asked on quit when the script has unsaved changes."""

from __future__ import annotations

from textual.binding import Binding

from .choice import ChoiceScreen


class QuitUnsavedScreen(ChoiceScreen):
    TITLE_TEXT = "Unsaved changes"
    DEFAULT = "cancel"  # Enter goes back to the script; quitting is "s" or "d"
    CHOICES = [
        ("save", "Save and quit [s]", "primary"),
        ("discard", "Quit without saving [d]", "error"),
        ("cancel", "Cancel [esc]", "default"),
    ]
    BINDINGS = [
        Binding("s", "answer('save')", "Save and quit", id="quit.save", tooltip="Save the script, then quit"),
        Binding("d", "answer('discard')", "Quit without saving", id="quit.discard",
                tooltip="Quit and lose the changes made since the last save"),
        Binding("escape", "answer('cancel')", "Cancel", id="quit.cancel", tooltip="Go back to the script"),
    ]
