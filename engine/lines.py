"""Where each line of a text held as a list of lines starts, as a character offset.

:class:`LineStarts` keeps the offsets and recomputes them lazily, from the first row an edit
changed and only when an offset is asked for, so an edit costs nothing here and a lookup costs the
rows since the last change. The engine's ``Document`` and the edit log's ``TextLines`` both use it
over their own lists of lines.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

Location = tuple[int, int]


class LineStarts:
    def __init__(self) -> None:
        self._starts: list[int] = [0]
        self._valid = 0  # self._starts[: self._valid + 1] are right

    def changed_from(self, row: int) -> None:
        """The lines from ``row`` on changed (their starts are recomputed when next asked for)."""
        self._valid = min(self._valid, row)

    def reset(self) -> None:
        """A new text altogether."""
        self._starts, self._valid = [0], 0

    def row_start(self, lines: list[str], row: int) -> int:
        """The offset where ``lines[row]`` starts."""
        if row > self._valid:
            base = self._starts[self._valid]
            del self._starts[self._valid :]
            self._starts.extend(accumulate((len(line) + 1 for line in lines[self._valid : -1]), initial=base))
            self._valid = len(lines) - 1
        return self._starts[row]

    def location(self, lines: list[str], offset: int) -> Location:
        """The ``(row, column)`` of character ``offset``."""
        last = len(lines) - 1
        self.row_start(lines, last)
        row = max(0, bisect_right(self._starts, offset, 0, last + 1) - 1)
        return row, offset - self._starts[row]
