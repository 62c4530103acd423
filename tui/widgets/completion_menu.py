"""The small completion dropdown under the cursor: names and locations already in the script.

It never takes focus and holds no state of its own: the editor keeps typing, owns the list and
the chosen entry, handles the keys (Tab or Right accept, Up/Down choose, Esc dismisses) and
posts :class:`~tui.widgets.script_editor.ScriptEditor.Completions`, which the editor screen
shows here.
"""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Offset
from textual.widgets import OptionList


class CompletionMenu(OptionList):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list[str] = []

    @property
    def shown(self) -> bool:
        return self.display and bool(self.items)

    def show(self, items: list[str], at: Offset, index: int = 0) -> None:
        """Show ``items`` (``index`` highlighted) with the top-left corner at screen offset ``at``."""
        if items != self.items:
            self.items = list(items)
            self.clear_options()
            self.add_options(self.items)
        self.highlighted = index
        self.absolute_offset = at
        self.display = True

    def hide(self) -> None:
        if self.items:
            self.items = []
            self.clear_options()
        self.display = False

    @property
    def choice(self) -> str | None:
        index = self.highlighted
        if not self.shown or index is None or not 0 <= index < len(self.items):
            return None
        return self.items[index]
