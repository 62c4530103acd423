"""Text that grows while a model streams it, without a layout pass per update.

``Static.update`` lays the screen out again on every call. Streamed text changes height only
when a new line starts (or a long line wraps), so :meth:`StreamText.show` asks for a layout
only then and otherwise just repaints.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class StreamText(Static):
    DEFAULT_CSS = """
    StreamText {
        width: 1fr;
        height: auto;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self._height: tuple[int, int] | None = None  # (width, lines) of what is shown
        self.layouts = 0  # updates that needed a layout pass (a test checks streaming stays cheap)

    def show(self, content: Content | str) -> None:
        content = Content(content) if isinstance(content, str) else content
        width = self.content_region.width
        height = (width, content.get_height(self.styles, width)) if width > 0 else None
        layout = height is None or height != self._height
        self._height = height
        if layout:
            self.layouts += 1
        self.update(content, layout=layout)

    def on_resize(self) -> None:
        self._height = None
