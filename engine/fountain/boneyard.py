"""Boneyard ``/* ... */``: the one Fountain construct that crosses paragraphs.

It is found over the whole document before paragraphs are split. Text inside it is removed
from the lines the classifier sees: a line emptied by a multi-line boneyard becomes blank (a
paragraph break, so the text around a cut scene keeps its shape), a line that held only a
one-line boneyard is skipped (``None``), as if it were not there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .elements import Element, Kind
from .syntax import BONEYARD_CLOSE, BONEYARD_OPEN

_OPEN, _CLOSE = len(BONEYARD_OPEN), len(BONEYARD_CLOSE)


@dataclass(frozen=True, slots=True)
class Region:
    """From (line1, col1) to (line2, col2), end exclusive; columns in characters."""

    line1: int
    col1: int
    line2: int
    col2: int

    def shifted(self, delta: int) -> "Region":
        return Region(self.line1 + delta, self.col1, self.line2 + delta, self.col2)


def find_regions(lines: list[str]) -> list[Region]:
    """Every closed boneyard of the document. An opener with no ``*/`` after it is ordinary
    text (it does not swallow the rest of the script), and the search goes on after it."""
    regions: list[Region] = []
    row, col = 0, 0
    n = len(lines)
    while row < n:
        line = lines[row]
        opened = line.find(BONEYARD_OPEN, col)
        if opened < 0:
            row, col = row + 1, 0
            continue
        r, c = row, opened + _OPEN
        while r < n:
            closed = lines[r].find(BONEYARD_CLOSE, c)
            if closed >= 0:
                regions.append(Region(row, opened, r, closed + _CLOSE))
                row, col = r, closed + _CLOSE
                break
            r, c = r + 1, 0
        else:  # unclosed: no "*/" anywhere below, so no later opener can close either
            break
    return regions


def mask(lines: list[str], regions: list[Region]) -> tuple[list[str | None], dict[int, list[tuple[int, int]]]]:
    """Lines with boneyard text removed, and the boneyard spans of each line."""
    masked: list[str | None] = list(lines)
    spans: dict[int, list[tuple[int, int]]] = {}
    for region in regions:
        for r in range(region.line1, region.line2 + 1):
            a = region.col1 if r == region.line1 else 0
            b = region.col2 if r == region.line2 else len(lines[r])
            spans.setdefault(r, []).append((a, b))
    for r, cuts in spans.items():
        line = lines[r]
        kept, last = [], 0
        for a, b in cuts:
            kept.append(line[last:a])
            last = b
        kept.append(line[last:])
        text = "".join(kept)
        if text.strip():
            masked[r] = text
        else:
            single = all(reg.line1 == reg.line2 for reg in regions if reg.line1 <= r <= reg.line2)
            masked[r] = None if single else ""
    return masked, spans


def elements(lines: list[str], regions: list[Region]) -> list[Element]:
    out = []
    for region in regions:
        if region.line1 == region.line2:
            text = lines[region.line1][region.col1 + _OPEN : max(region.col1 + _OPEN, region.col2 - _CLOSE)]
        else:
            parts = [lines[region.line1][region.col1 + _OPEN :]]
            parts += lines[region.line1 + 1 : region.line2]
            parts.append(lines[region.line2][: region.col2 - _CLOSE])
            text = "\n".join(parts)
        out.append(Element(Kind.BONEYARD, text, region.line1, region.line2))
    return out
