"""Following accepted suggestions through the writer's edits, to record their final text at a save.

    tracker = InsertionTracker(text)                   # the editor's text
    tracker.add(sid, (row, col), (row2, col2))         # where the accepted text now stands
    tracker.replace((r, c), (r2, c2), "typed")         # every edit, as LiveParse.replace / TextArea.replace
    tracker.cursor_moved((r, c))                       # cursor moves not caused by typing (optional)
    for sid, final in tracker.finals().items():        # at save
        log.record_final(sid, final)
    tracker.insertion(sid)                             # Insertion(start, end, line, end_line) for log.mark

A tracked range grows and shrinks with edits inside it and moves with edits before it. Text typed
at its start is outside it. Text typed at its end is inside while the writer is still working
there (the cursor has not left the range since), so retyping the last words of a suggestion
counts as editing it; once the cursor has moved elsewhere, text added after the end is outside.
An edit that replaces the whole range leaves an empty range where it was (the suggestion was
deleted: its final text is "").
"""

from __future__ import annotations

from dataclasses import dataclass

from .store import Insertion

Location = tuple[int, int]


@dataclass
class _Tracked:
    start: int
    end: int
    open_end: bool = True  # insertions at the end boundary join the range


class InsertionTracker:
    def __init__(self, text: str = ""):
        self._text = text
        self._line_starts = _line_starts(text)
        self._ranges: dict[str, _Tracked] = {}

    # ------------------------------------------------------------------ coordinates
    def offset(self, location: Location) -> int:
        row, col = location
        row = max(0, min(row, len(self._line_starts) - 1))
        start = self._line_starts[row]
        line_end = self._line_starts[row + 1] - 1 if row + 1 < len(self._line_starts) else len(self._text)
        return min(start + max(0, col), line_end)

    def location(self, offset: int) -> Location:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo, offset - self._line_starts[lo]

    @property
    def text(self) -> str:
        return self._text

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
        """Apply an edit: the text between ``start`` and ``end`` becomes ``text``."""
        a, b = sorted((self.offset(start), self.offset(end)))
        delta = len(text) - (b - a)
        for t in self._ranges.values():
            t.start, t.end = _shift(t, a, b, len(text), delta)
        self._text = self._text[:a] + text + self._text[b:]
        self._line_starts = _line_starts(self._text)

    def cursor_moved(self, location: Location) -> None:
        """The cursor went to ``location`` by a move (not by typing): ranges it is not in close their end."""
        pos = self.offset(location)
        for t in self._ranges.values():
            if not t.start <= pos <= t.end:
                t.open_end = False

    def finals(self) -> dict[str, str]:
        """The text that now stands in each tracked range."""
        return {sid: self._text[t.start : t.end] for sid, t in self._ranges.items()}


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


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts
