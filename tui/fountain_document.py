"""The engine's :class:`engine.document.Document` seen as a Textual ``DocumentBase``.

``TextArea`` changes its text only through ``replace_range`` (typing, paste, ``replace()``);
here that is ``engine.document.Document.replace``, so there is one copy of the text: the engine
document's lines, which its ``LiveParse`` re-classifies edit by edit. This class holds no state
of its own; everything it answers, it asks the engine document.

Lines are split on ``\\n`` alone, as the engine splits them (Textual's own ``Document`` would
also split on form feeds and Unicode line separators, and the two would disagree on rows). Text
pasted with ``\\r\\n`` or ``\\r`` is normalised to ``\\n``.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Size
from textual.widgets.text_area import DocumentBase, EditResult, Location

from engine.document import Document, Listener
from engine.fountain import LiveParse


class FountainDocument(DocumentBase):
    """A ``TextArea`` document reading and editing an engine :class:`~engine.document.Document`."""

    def __init__(self, text: str | Document = "") -> None:
        self.engine = text if isinstance(text, Document) else Document(text)

    # ------------------------------------------------------------------ the engine's, for callers
    @property
    def live(self) -> LiveParse:
        return self.engine.live

    @property
    def version(self) -> int:
        """Counts changes; the editor screen compares it with the saved version."""
        return self.engine.version

    @property
    def listeners(self) -> list[Listener]:
        """Called after every edit with ``(start, end, text)`` in the coordinates before it
        (``engine.document.Document.listeners``)."""
        return self.engine.listeners

    # ------------------------------------------------------------------ DocumentBase
    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        change = self.engine.replace(start, end, text)
        return EditResult(change.new_end, change.replaced)

    @property
    def text(self) -> str:
        return self.engine.text

    @property
    def newline(self) -> str:  # type: ignore[override]  # Textual's Newline literal; always "\n"
        return "\n"

    @property
    def lines(self) -> list[str]:
        return self.engine.lines

    def get_line(self, index: int) -> str:
        return self.engine.lines[index]

    def get_text_range(self, start: Location, end: Location) -> str:
        return self.engine.get_text_range(start, end)

    def get_size(self, indent_width: int) -> Size:
        lines = self.engine.lines
        return Size(max((cell_len(line.expandtabs(indent_width)) for line in lines), default=0), len(lines))

    @property
    def line_count(self) -> int:
        return self.engine.line_count

    @property
    def start(self) -> Location:
        return (0, 0)

    @property
    def end(self) -> Location:
        return self.engine.end

    def get_index_from_location(self, location: Location) -> int:
        return self.engine.offset(location)

    def get_location_from_index(self, index: int) -> Location:
        return self.engine.location(index)

    def __getitem__(self, line_index):  # type: ignore[override]  # int or slice, as Document's
        return self.engine.lines[line_index]
