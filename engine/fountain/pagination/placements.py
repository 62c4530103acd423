"""Where each element and each source line lands once the pages are made (blank and unprinted
lines belong to the page where the next printed text is)."""

from __future__ import annotations

from typing import Sequence

from ..elements import Element
from .result import Page, Placement

__all__ = ["place_elements"]


def place_elements(elements: Sequence[Element], pages: list[Page], lpp: int) -> tuple[list[Placement], list[int]]:
    n = len(elements)
    first: list[tuple[int, int] | None] = [None] * n
    last: list[tuple[int, int] | None] = [None] * n
    max_line = max((e.end_line for e in elements), default=-1)
    line_pos: list[int | None] = [None] * (max_line + 1)
    for page in pages:
        for pl in page.lines:
            if pl.element is not None:
                here = (page.number, pl.row)
                if first[pl.element] is None:
                    first[pl.element] = here
                last[pl.element] = here
            if pl.source_line is not None and 0 <= pl.source_line <= max_line and line_pos[pl.source_line] is None:
                line_pos[pl.source_line] = page.number
    # lines of printed elements without a row of their own (a cut-off line) take the element's page
    for i, e in enumerate(elements):
        if first[i] is not None:
            for ln in range(e.line, min(e.end_line, max_line) + 1):
                if line_pos[ln] is None:
                    line_pos[ln] = first[i][0]
    # everything else: the page where the next printed text is; the last page after the end
    last_page = pages[-1].number if pages else 1
    nxt = last_page
    line_pages = [0] * (max_line + 1)
    for ln in range(max_line, -1, -1):
        page = line_pos[ln]
        if page is not None:
            nxt = page
        line_pages[ln] = nxt
    # reading order: a line is never on an earlier page than the lines above it (only dual
    # dialogue taller than a page, whose columns run side by side, would say otherwise)
    for ln in range(1, max_line + 1):
        if line_pages[ln] < line_pages[ln - 1]:
            line_pages[ln] = line_pages[ln - 1]
    placements: list[Placement] = []
    for i, e in enumerate(elements):
        if first[i] is not None:
            (p, r), (p2, r2) = first[i], last[i]
            placements.append(Placement(i, p, r, p2, r2, True))
        else:
            p = line_pages[e.line] if 0 <= e.line <= max_line else last_page
            placements.append(Placement(i, p, _first_row_on(pages, p, e.line), p, 0, False))
    for pl in placements:
        if not pl.printed:
            pl.end_row = pl.row
    return placements, line_pages


def _first_row_on(pages: list[Page], page: int, line: int) -> int:
    """Row on ``page`` of the first printed line at or after source ``line`` (0 if none)."""
    if not 1 <= page <= len(pages):
        return 0
    lines = pages[page - 1].lines
    for pl in lines:
        if pl.source_line is not None and pl.source_line >= line:
            return pl.row
    return lines[-1].row + 1 if lines else 0
