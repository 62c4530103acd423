"""Pagination of a screenplay as it prints: US Letter, Courier 12 pt, 55 lines of body a page.

Courier 12 pt sets 10 characters an inch and 6 lines an inch, so a page is a grid of
character columns and rows: 55 rows of body text under a 1 inch top margin, 61 columns from
the 1.5 inch left margin. Element indents and widths are those of screenplain's PDF export
(0.12.0), which our page counts agree with: action, scene headings, transitions and centered
text use the full 6.1 inches; character cues start at 1.9 inches; dialogue runs from 0.9 to
4.5 inches (36 characters); parentheticals start at 1.3 inches and, as in screenplay software,
wrap narrower than the frame (30 characters; screenplain lets them run to the frame's edge).

Rules (those of screenplay software, which screenplain's PDF approximates):

* One blank line before a scene heading, action, a character cue (a dialogue block),
  a transition, centered text and lyrics; one blank after a scene heading and a transition;
  adjacent blanks overlap, and a page never starts with a blank line.
* Each source line is word-wrapped to its element's width (tabs are 4 columns; a run of spaces
  keeps its width, so two spaces after a full stop stay two; a word longer than the width
  is cut).
* A scene heading is never the last thing on a page: it moves to the next page together with
  the start of what follows it (two lines of action, or a cue and its first lines).
* Action splits between lines when at least two lines stay and at least two move; otherwise
  the paragraph moves to the next page whole.
* Dialogue splits only between lines of speech (never right after the cue or a
  parenthetical), with at least two lines on each page; the first page ends with ``(MORE)``
  and the next starts with the cue again, ``NAME (CONT'D)``. Dual dialogue does not split (unless it is taller
  than a page).
* ``===`` starts a new page. The title page is not a script page; sections, synopses, notes
  and boneyard do not print.

The result keeps where every printed line goes (:class:`PageLine`) and where each element
starts and ends (:class:`Placement`), so the PDF export draws exactly what is counted here.

Modules: ``layout`` (the page and each kind's format), ``wrapping`` (printed text, line breaking),
``units`` (elements into blocks of rows), ``breaking`` (page breaks, (MORE) and (CONT'D)),
``placements`` (where each element and line lands), ``result`` (what comes back).
"""

from __future__ import annotations

from typing import Sequence

from ..elements import Element
from .breaking import break_pages
from .layout import LETTER, Format, Layout
from .placements import place_elements
from .result import Page, PageLine, Pages, Placement
from .units import units_of
from .wrapping import printed_text, wrap

__all__ = [
    "Format",
    "LETTER",
    "Layout",
    "PageLine",
    "Page",
    "Placement",
    "Pages",
    "paginate",
    "printed_text",
    "wrap",
]


def paginate(elements: Sequence[Element], layout: Layout = LETTER) -> Pages:
    """Lay ``elements`` (a parse result's elements, in document order) out on pages."""
    pages = break_pages(units_of(elements, layout), layout)
    return Pages(layout, pages, *place_elements(elements, pages, layout.lines_per_page))
