"""Asked when saving finds that another program changed the file since it was opened."""

from __future__ import annotations


from .choice import ChoiceScreen
from ..keymap import EXTERNAL, bindings


class ExternalChangeScreen(ChoiceScreen):
    TITLE_TEXT = "The file changed on disk"
    DEFAULT = "cancel"  # Enter saves nothing: overwriting the other program's text is "o" (or Tab to it)
    CHOICES = [
        ("overwrite", "Overwrite [o]", "error"),
        ("reload", "Reload [r]", "primary"),
        ("cancel", "Cancel [esc]", "default"),
    ]
    BINDINGS = bindings(EXTERNAL)
