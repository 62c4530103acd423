"""The script as a PDF in the industry format, drawn from :func:`engine.fountain.pagination.paginate`.

Pagination decides every line's page, row and column (US Letter geometry: Courier 12 pt, 10
characters and 6 lines an inch, 1.5 in left and 1 in right margins); this module only draws
those lines with reportlab in the standard Courier font (one of the PDF base-14 fonts every
reader has), so the PDF's page count is the count ``scenewright stats`` reports. Page numbers
("2.") sit top right from page 2; scene numbers print in both margins; a title page comes first
when the script has title-page keys.

A4 keeps the same text frame (the 6.1 in line, so lines break where they do on Letter, as
screenplay software does) and fits 4 more lines a page on the taller sheet.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Sequence

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from engine.fountain import Element, Kind, ParseResult
from engine.fountain.pagination import LETTER as LETTER_LAYOUT, Layout, Pages, paginate, printed_text

__all__ = ["PAPERS", "layout_for", "pdf_bytes", "FONT", "FONT_SIZE"]

FONT = "Courier"
FONT_SIZE = 12
PT = 72.0  # points an inch
PAPERS = ("letter", "a4")


def layout_for(paper: str) -> Layout:
    """The pagination layout for ``paper`` (``letter`` or ``a4``)."""
    paper = paper.lower()
    if paper == "letter":
        return LETTER_LAYOUT
    if paper == "a4":
        return dataclasses.replace(LETTER_LAYOUT, page_width_in=A4[0] / PT, page_height_in=A4[1] / PT,
                                   lines_per_page=LETTER_LAYOUT.lines_per_page + 4)
    raise ValueError(f"unknown paper size {paper!r} (letter or a4)")


class _Geometry:
    def __init__(self, layout: Layout):
        self.layout = layout
        self.width = layout.page_width_in * PT
        self.height = layout.page_height_in * PT
        self.left = layout.left_margin_in * PT
        self.top = layout.top_margin_in * PT
        self.char = PT / layout.chars_per_inch
        self.line = PT / layout.lines_per_inch

    def baseline(self, row: int) -> float:
        # Courier's ascent is about 0.63 em: the first line's glyphs start at the top margin
        return self.height - self.top - row * self.line - 0.75 * FONT_SIZE

    def x(self, column: float) -> float:
        return self.left + column * self.char

    @property
    def right_edge(self) -> float:
        return self.x(self.layout.columns)


def _draw_line(canvas: Canvas, geo: _Geometry, pl, text: str) -> None:
    column = pl.indent
    if pl.align == "center":
        column = pl.indent + (pl.width - len(text)) / 2
    elif pl.align == "right":
        column = pl.indent + pl.width - len(text)
    canvas.drawString(geo.x(column), geo.baseline(pl.row), text)


def _title_page(canvas: Canvas, geo: _Geometry, title: Sequence[Element]) -> None:
    values: dict[str, list[str]] = {}
    for e in title:
        key = (e.key or "").strip().casefold()
        lines = [printed_text(x).strip() for x in e.text.split("\n")]
        values.setdefault(key, []).extend(x for x in lines if x)
    center = (geo.left + geo.right_edge) / 2
    y = geo.height * 0.62
    for key in ("title", "credit", "author", "authors", "source"):
        for text in values.get(key, []):
            canvas.drawCentredString(center, y, text)
            y -= geo.line
        if values.get(key):
            y -= geo.line  # a blank line between the blocks
    bottom = geo.height - geo.top - (geo.layout.lines_per_page - 1) * geo.line - 0.75 * FONT_SIZE
    left_block = values.get("contact", []) + values.get("copyright", [])
    right_block = values.get("draft date", []) + values.get("revision", []) + values.get("notes", [])
    for block, right in ((left_block, False), (right_block, True)):
        y = bottom + (len(block) - 1) * geo.line
        for text in block:
            if right:
                canvas.drawRightString(geo.right_edge, y, text)
            else:
                canvas.drawString(geo.left, y, text)
            y -= geo.line
    canvas.showPage()


def _scene_numbers(canvas: Canvas, geo: _Geometry, elements: Sequence[Element], pl) -> None:
    if pl.kind is not Kind.SCENE_HEADING or pl.element is None or pl.extra:
        return
    element = elements[pl.element]
    number = element.scene_number
    if not number or pl.source_line != element.line:
        return
    y = geo.baseline(pl.row)
    canvas.drawRightString(geo.left - 0.4 * PT, y, number)
    canvas.drawString(geo.right_edge + 0.3 * PT, y, number)


def pdf_bytes(result: ParseResult, paper: str = "letter", title: str | None = None,
              pages: Pages | None = None) -> bytes:
    """The PDF of a parsed script. ``pages`` (from :func:`paginate` with :func:`layout_for`)
    may be passed when already computed."""
    layout = layout_for(paper)
    elements = result.elements
    pages = pages if pages is not None else paginate(elements, layout)
    geo = _Geometry(layout)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(geo.width, geo.height), pageCompression=1,
                    initialFontName=FONT, initialFontSize=FONT_SIZE)
    title_elements = result.title_page
    names = {(e.key or "").casefold(): printed_text(e.text).replace("\n", " ") for e in title_elements}
    canvas.setTitle(title or names.get("title") or "Screenplay")
    if names.get("author") or names.get("authors"):
        canvas.setAuthor(names.get("author") or names.get("authors"))
    canvas.setCreator("Scenewright")
    if title_elements:
        canvas.setFont(FONT, FONT_SIZE)
        _title_page(canvas, geo, title_elements)
    for page in pages.pages:
        canvas.setFont(FONT, FONT_SIZE)
        if page.number > 1:
            canvas.drawRightString(geo.right_edge, geo.height - 0.5 * PT - 0.75 * FONT_SIZE, f"{page.number}.")
        first_of_element: set[int] = set()
        for pl in page.lines:
            _draw_line(canvas, geo, pl, pl.text)
            if pl.element is not None and pl.element not in first_of_element:
                first_of_element.add(pl.element)
                _scene_numbers(canvas, geo, elements, pl)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
