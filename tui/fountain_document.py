"""The text of the editor as the engine sees it: a Textual ``Document`` that *is* a ``LiveParse``.

``TextArea`` changes its text only through ``Document.replace_range`` (typing, paste, undo,
redo, ``replace()``), so making that method ``LiveParse.replace`` keeps the parse state in step
with every edit, re-classifying only the paragraphs an edit touched. The lines are shared:
``Document`` reads the parse state's own list.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.document._document import Document, EditResult, Location

from engine.fountain import LiveParse


class FountainDocument(Document):
    """A ``Document`` whose lines are a ``LiveParse``'s lines, edited only through
    ``LiveParse.replace``.

    Lines are split on ``\\n`` alone, as the engine splits them (``Document`` itself would also
    split on form feeds and Unicode line separators, and the two would disagree on rows). Text
    pasted with ``\\r\\n`` or ``\\r`` is normalised to ``\\n``.
    """

    def __init__(self, text: str) -> None:  # noqa: D107 - Document.__init__ is replaced on purpose
        self._newline = "\n"
        self.live = LiveParse(text)
        self.version = 0  # counts changes; the editor screen compares it with the saved version
        self.changed_rows: tuple[int, int] = (0, max(0, len(self.live.lines) - 1))
        # Called after every edit with ``(start, end, text)`` in the coordinates before the edit
        # (what ``LiveParse.replace`` got): the edit log's and the provenance's trackers follow
        # the text this way. They must be cheap: they run on the keystroke path.
        self.listeners: list[Callable[[Location, Location, str], None]] = []

    @property
    def _lines(self) -> list[str]:  # type: ignore[override]  # Document's methods read this
        return self.live.lines

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        top, bottom = sorted((start, end))
        lines = self.live.lines
        last = len(lines) - 1
        top = (min(top[0], last), top[1]) if top[0] <= last else (last, len(lines[last]))
        bottom = (min(bottom[0], last), bottom[1]) if bottom[0] <= last else (last, len(lines[last]))
        top_row, top_column = top[0], min(top[1], len(lines[top[0]]))
        bottom_row, bottom_column = bottom[0], min(bottom[1], len(lines[bottom[0]]))
        replaced = self.get_text_range((top_row, top_column), (bottom_row, bottom_column))
        self.changed_rows = self.live.replace((top_row, top_column), (bottom_row, bottom_column), text)
        self.version += 1
        for listener in self.listeners:
            listener((top_row, top_column), (bottom_row, bottom_column), text)
        parts = text.split("\n")
        if len(parts) == 1:
            end_location = (top_row, top_column + len(text))
        else:
            end_location = (top_row + len(parts) - 1, len(parts[-1]))
        return EditResult(end_location, replaced)
