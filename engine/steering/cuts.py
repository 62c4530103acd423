"""What the model reads of the script: the writer's cuts (boneyard, ``/* ... */``) left out.

Text in the boneyard is what the writer took out of the story; a model that reads it brings cut
characters and subplots back. ``without_cuts`` removes every boneyard region and closes the gap
(no more than one blank line where a cut stood), and says where the cursor is in that text.
"""

from __future__ import annotations

import re

from engine.fountain.boneyard import find_regions
from engine.fountain.syntax import BONEYARD_OPEN

_GAP = re.compile(r"\n{3,}")


def without_cuts(text: str, row: int, col: int | None) -> tuple[str, int, int | None]:
    """``(text without its boneyard, cursor row, cursor column)`` for a cursor at ``(row, col)``
    of ``text`` (``col`` None: the end of that line). A cursor inside a cut goes where the cut
    was. Without a boneyard, the arguments come back as they are."""
    if BONEYARD_OPEN not in text:
        return text, row, col
    lines = text.split("\n")
    regions = find_regions(lines)
    if not regions:
        return text, row, col
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    row = max(0, min(row, len(lines) - 1))
    cursor = starts[row] + (len(lines[row]) if col is None else min(max(0, col), len(lines[row])))
    kept: list[str] = []
    at = 0
    new_cursor = None
    for region in regions:
        a = starts[region.line1] + region.col1
        b = starts[region.line2] + region.col2
        if new_cursor is None and cursor < b:
            new_cursor = sum(len(k) for k in kept) + max(0, min(cursor, a) - at)
        kept.append(text[at:a])
        at = b
    if new_cursor is None:
        new_cursor = sum(len(k) for k in kept) + (cursor - at)
    kept.append(text[at:])
    out = "".join(kept)
    # close the gaps: runs of blank lines left by a cut become one blank line
    pieces, last, shift = [], 0, 0
    for match in _GAP.finditer(out):
        pieces.append(out[last : match.start()] + "\n\n")
        removed = len(match.group()) - 2
        if match.start() + 2 <= new_cursor:
            shift += min(removed, new_cursor - (match.start() + 2))
        last = match.end()
    pieces.append(out[last:])
    out = "".join(pieces)
    new_cursor -= shift
    new_row = out.count("\n", 0, new_cursor)
    line_start = out.rfind("\n", 0, new_cursor) + 1
    return out, new_row, new_cursor - line_start


__all__ = ["without_cuts"]
