"""Following accepted suggestions through the writer's edits, to record their final text at a save.

    tracker = InsertionTracker(lines=document)         # reads an engine.document.Document's lines
    document.change_listeners.append(tracker.changed)  # every edit moves the ranges
    tracker.add(sid, (row, col), (row2, col2))         # where the accepted text now stands
    tracker.cursor_moved((r, c))                       # cursor moves not caused by typing (optional)
    for sid, final in tracker.finals().items():        # at save
        log.record_final(sid, final)
    tracker.insertion(sid)                             # Insertion(start, end, line, end_line) for log.mark

A tracker reads the text it follows: ``lines`` is anything with the text's lines and their
``(row, col)`` <-> offset arithmetic (``text``, ``line_count``, ``line``, ``offset``,
``location``: what ``engine.provenance.Lines`` names; an ``engine.document.Document``, whose
``change_listeners`` move the ranges with :meth:`InsertionTracker.changed`). Without ``lines`` it keeps a
copy of ``text`` of its own (:class:`TextLines`) and is told each edit with
:meth:`InsertionTracker.replace` (``LiveParse.replace`` / ``TextArea.replace`` arguments).

A tracked range grows and shrinks with edits inside it and moves with edits before it. Text typed
at its start is outside it. Text typed at its end is inside while the writer is still working
there (the cursor has not left the range since), so retyping the last words of a suggestion
counts as editing it; once the cursor has moved elsewhere, text added after the end is outside.
An edit that replaces the whole range leaves an empty range where it was (the suggestion was
deleted: its final text is "").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.lines import LineStarts

from .store import Insertion

Location = tuple[int, int]


class TextLines:
    """A copy of a text as lines of its own (edited in place, as ``LiveParse`` does) so that an
    edit costs the rows it touches; line starts are :class:`engine.lines.LineStarts`'."""

    def __init__(self, text: str = "") -> None:
        self._lines = text.split("\n")
        self._starts = LineStarts()

    def offset(self, location: Location) -> int:
        row, col = location
        row = max(0, min(row, len(self._lines) - 1))
        return self._starts.row_start(self._lines, row) + min(max(0, col), len(self._lines[row]))

    def location(self, offset: int) -> Location:
        return self._starts.location(self._lines, offset)

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def line(self, row: int) -> str:
        return self._lines[row]

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def edit_lines(self, start: Location, end: Location, text: str) -> None:
        """Rows ``start..end`` become ``text`` (either order; clamped into the text)."""
        lines = self._lines
        last = len(lines) - 1
        (r1, c1), (r2, c2) = sorted((start, end))
        r1, r2 = max(0, min(r1, last)), max(0, min(r2, last))
        c1, c2 = min(max(0, c1), len(lines[r1])), min(max(0, c2), len(lines[r2]))
        lines[r1 : r2 + 1] = (lines[r1][:c1] + text + lines[r2][c2:]).split("\n")
        self._starts.changed_from(r1)


@dataclass
class _Tracked:
    start: int
    end: int
    open_end: bool = True  # insertions at the end boundary join the range


class InsertionTracker:
    """Ranges of accepted suggestions in a text: its own copy (``InsertionTracker(text)``) or
    the lines of a document it reads (``InsertionTracker(lines=document)``). Typing with nothing
    tracked does no offset arithmetic at all."""

    def __init__(self, text: str = "", *, lines: Any = None):
        self._own = TextLines(text) if lines is None else None
        self._doc: Any = lines if lines is not None else self._own
        self._ranges: dict[str, _Tracked] = {}

    # ------------------------------------------------------------------ coordinates (the text's)
    def offset(self, location: Location) -> int:
        return self._doc.offset(location)

    def location(self, offset: int) -> Location:
        return self._doc.location(offset)

    @property
    def text(self) -> str:
        return self._doc.text

    def line(self, row: int) -> str:
        return self._doc.line(row)

    @property
    def line_count(self) -> int:
        return self._doc.line_count

    # ------------------------------------------------------------------ tracking
    def add(self, suggestion_id: str, start: Location, end: Location) -> Insertion:
        """Track the text between ``start`` and ``end`` (the suggestion just inserted)."""
        a, b = sorted((self.offset(start), self.offset(end)))
        self._ranges[suggestion_id] = _Tracked(a, b)
        return self.insertion(suggestion_id)

    def discard(self, suggestion_id: str) -> None:
        self._ranges.pop(suggestion_id, None)

    def __contains__(self, suggestion_id: str) -> bool:
        return suggestion_id in self._ranges

    def insertion(self, suggestion_id: str) -> Insertion:
        t = self._ranges[suggestion_id]
        return Insertion(t.start, t.end, self.location(t.start)[0], self.location(t.end)[0])

    def replace(self, start: Location, end: Location, text: str) -> None:
        """Apply an edit to a tracker with its own text: the text between ``start`` and ``end``
        becomes ``text``. (One reading a document's lines is told by :meth:`changed`.)"""
        own = self._own
        if own is None:
            raise ValueError("this tracker reads a document's lines: the document edits them, call changed()")
        if self._ranges:
            a, b = sorted((own.offset(start), own.offset(end)))
            self.shift(a, b, len(text))
        own.edit_lines(start, end, text)

    def edit_lines(self, start: Location, end: Location, text: str) -> None:
        """Change the text alone (no range moves): rows ``start..end`` become ``text``."""
        if self._own is None:
            raise ValueError("this tracker reads a document's lines: the document edits them")
        self._own.edit_lines(start, end, text)

    def changed(self, change: Any) -> None:
        """The document this tracker reads was edited (an ``engine.document.Change``, told after
        the edit): ``change.replaced`` at ``change.start`` became ``change.text``. The offset of
        the start is the same after the edit (the rows above it and the text before it on its
        row did not move)."""
        if self._ranges:
            a = self._doc.offset(change.start)
            self.shift(a, a + len(change.replaced), len(change.text))

    def shift(self, a: int, b: int, inserted: int) -> None:
        """The characters ``[a, b)`` (offsets before the edit) became ``inserted`` new ones:
        move the ranges (the text itself is not touched)."""
        delta = inserted - (b - a)
        for t in self._ranges.values():
            t.start, t.end = _shift(t, a, b, inserted, delta)

    def cursor_moved(self, location: Location) -> None:
        """The cursor went to ``location`` by a move (not by typing): ranges it is not in close their end."""
        pos = self.offset(location)
        for t in self._ranges.values():
            if not t.start <= pos <= t.end:
                t.open_end = False

    def finals(self) -> dict[str, str]:
        """The text that now stands in each tracked range."""
        text = self.text
        return {sid: text[t.start : t.end] for sid, t in self._ranges.items()}


def _shift(t: _Tracked, a: int, b: int, inserted: int, delta: int) -> tuple[int, int]:
    start, end = t.start, t.end
    if b < start or (a == b == start and start < end) or (a == b == start == end and not t.open_end):
        return start + delta, end + delta  # wholly before the range (typing at its start stays outside)
    if a > end or (a == b == end and not t.open_end):
        return start, end  # wholly after
    if a <= start and b >= end and (a < start or b > end):
        return a, a  # the whole range was replaced: the suggestion is gone
    new_start = min(start, a) if a < start else start
    new_end = end + delta if b <= end else a + inserted
    return new_start, max(new_start, new_end)
