"""Asked when saving finds that another program changed the file since it was opened."""

from __future__ import annotations

from textual.binding import Binding

from .choice import ChoiceScreen


class ExternalChangeScreen(ChoiceScreen):
    TITLE_TEXT = "The file changed on disk"
    DEFAULT = "cancel"  # Enter saves nothing: overwriting the other program's text is "o" (or Tab to it)
    CHOICES = [
        ("overwrite", "Overwrite [o]", "error"),
        ("reload", "Reload [r]", "primary"),
        ("cancel", "Cancel [esc]", "default"),
    ]
    BINDINGS = [
        Binding("o", "answer('overwrite')", "Overwrite", id="external.overwrite",
                tooltip="Save this version over the one on disk"),
        Binding("r", "answer('reload')", "Reload", id="external.reload",
                tooltip="Load the version on disk (Ctrl+Z brings this one back)"),
        Binding("escape", "answer('cancel')", "Cancel", id="external.cancel", tooltip="Do not save now"),
    ]
