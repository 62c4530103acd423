"""What pagination gives back: the printed lines of each page (:class:`PageLine`, :class:`Page`),
where each element prints (:class:`Placement`), and the whole (:class:`Pages`: page of a line,
positions, eighths, runtime)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..elements import Kind
from .layout import Layout

__all__ = ["Page", "PageLine", "Pages", "Placement", "unplaced"]


@dataclass(slots=True)
class PageLine:
    """One printed line: ``row`` 0..lines_per_page-1, ``indent`` in columns from the left margin."""

    row: int
    indent: int
    width: int
    text: str
    kind: Kind
    element: int | None  # index into the paginated elements; None for (MORE) / (CONT'D)
    source_line: int | None  # 0-based line of the script it comes from
    align: str = "left"
    extra: str | None = None  # "more" or "contd" for the lines pagination adds


@dataclass(slots=True)
class Page:
    number: int  # 1-based script page (the title page is not counted)
    lines: list[PageLine] = field(default_factory=list)

    @property
    def used_rows(self) -> int:
        return self.lines[-1].row + 1 if self.lines else 0


@dataclass(slots=True)
class Placement:
    """Where an element prints: first (page, row) and last (page, row); ``printed`` is False
    for elements that take no room (title, sections, synopses, notes, boneyard, page breaks),
    which get the page and row where the next printed text goes."""

    element: int
    page: int
    row: int
    end_page: int
    end_row: int
    printed: bool


def unplaced(indent: int, width: int, text: str, kind: Kind, element: int | None, source_line: int | None,
         align: str = "left", extra: str | None = None) -> PageLine:
    """A line not placed yet (its row is set when it is put on a page)."""
    return PageLine(-1, indent, width, text, kind, element, source_line, align, extra)


class Pages:
    """The paginated script. ``count`` pages; ``pages[i].lines`` are what page i+1 prints."""

    def __init__(self, layout: Layout, pages: list[Page], placements: list[Placement], line_pages: list[int]):
        self.layout = layout
        self.pages = pages
        self.placements = placements
        self._line_pages = line_pages

    @property
    def count(self) -> int:
        return len(self.pages)

    def page_of_line(self, line: int) -> int:
        """1-based page of the 0-based source ``line`` (blank and unprinted lines belong to the
        page where the next printed text is; lines past the end to the last page)."""
        if line < 0:
            return 1
        if line < len(self._line_pages):
            return self._line_pages[line]
        return self.count

    def position(self, page: int, row: int) -> int:
        """A (page, row) as a row count from the top of page 1."""
        return (page - 1) * self.layout.lines_per_page + row

    @property
    def end_position(self) -> int:
        """Rows from the top of page 1 to the end of the last printed line."""
        if not self.pages or not self.pages[-1].lines:
            return self.position(self.count, 0) if self.count > 1 else 0
        return self.position(self.count, self.pages[-1].used_rows)

    def eighths(self, start: int, end: int) -> int:
        """Length between two positions in eighths of a page (at least 1 when not empty)."""
        rows = max(0, end - start)
        if rows == 0:
            return 0
        return max(1, round(rows * 8 / self.layout.lines_per_page))

    @property
    def runtime_s(self) -> int:
        """Estimated screen time at one page a minute; the last page counts by how full it is."""
        return round(self.end_position * 60 / self.layout.lines_per_page)

    def __repr__(self) -> str:
        return f"Pages(count={self.count})"
