"""The script as a PDF in the industry format, drawn from :func:`engine.fountain.pagination.paginate`.

Pagination decides every line's page, row and column (US Letter geometry: Courier 12 pt, 10
characters and 6 lines an inch, 1.5 in left and 1 in right margins); this module only draws
those lines with reportlab in the standard Courier font (one of the PDF base-14 fonts every
reader has), so the PDF's page count is the count ``scenewright stats`` reports. Emphasis
(``*italic*``, ``**bold**``, ``***bold italic***``, ``_underline_``) prints in Courier-Oblique,
Courier-Bold, Courier-BoldOblique and with a rule under the text (:mod:`.emphasis`): the
same characters in the same places, so pagination does not change. Page numbers
("2.") sit top right from page 2; scene numbers print in both margins; a title page comes first
when the script has title-page keys.

A4 keeps the same text frame (the 6.1 in line, so lines break where they do on Letter, as
screenplay software does) and fits 4 more lines a page on the taller sheet.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from engine.fountain import Element, Kind, ParseResult
from engine.fountain.pagination import LETTER as LETTER_LAYOUT, Layout, PageLine, Pages, paginate

from .emphasis import BOLD, ITALIC, UNDERLINE, StyledText, runs, styled_printed, styled_rows

__all__ = ["PAPERS", "layout_for", "pdf_bytes", "FONT", "FONTS", "FONT_SIZE"]

FONT = "Courier"
FONTS = {0: "Courier", ITALIC: "Courier-Oblique", BOLD: "Courier-Bold", BOLD | ITALIC: "Courier-BoldOblique"}
UNDERLINE_DROP = 1.8  # points below the baseline
UNDERLINE_WIDTH = 0.6
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


def _draw_styled(canvas: Canvas, geo: _Geometry, x: float, y: float, text: str, masks: tuple[int, ...]) -> None:
    """Draw ``text`` from ``x`` with each character in its style: one text object whose font
    changes between runs (Courier: every face is 0.6 em wide, so a run's place is its column),
    then a rule under the underlined runs."""
    if not any(masks):
        canvas.drawString(x, y, text)
        return
    pieces = runs(text, masks)
    line = canvas.beginText(x, y)
    for _, part, mask in pieces:
        line.setFont(FONTS[mask & (BOLD | ITALIC)], FONT_SIZE)
        line.textOut(part)
    canvas.drawText(line)
    canvas.setFont(FONT, FONT_SIZE)
    for column, part, mask in pieces:
        if mask & UNDERLINE and part.strip():
            left = x + column * geo.char
            canvas.setLineWidth(UNDERLINE_WIDTH)
            canvas.line(left, y - UNDERLINE_DROP, left + len(part) * geo.char, y - UNDERLINE_DROP)


def _draw_line(canvas: Canvas, geo: _Geometry, pl: PageLine, text: str, masks: tuple[int, ...] | None = None) -> None:
    column = pl.indent
    if pl.align == "center":
        column = pl.indent + (pl.width - len(text)) / 2
    elif pl.align == "right":
        column = pl.indent + pl.width - len(text)
    if masks:
        _draw_styled(canvas, geo, geo.x(column), geo.baseline(pl.row), text, masks)
    else:
        canvas.drawString(geo.x(column), geo.baseline(pl.row), text)


class _Emphasis:
    """The style masks of the rows of each element, handed out in the order pagination placed them."""

    def __init__(self, elements: Sequence[Element]):
        self.elements = elements
        self.rows: dict[int, list[StyledText]] = {}
        self.next: dict[int, int] = {}

    def masks(self, pl: PageLine) -> tuple[int, ...] | None:
        if pl.element is None or pl.extra is not None:
            return None  # (MORE), (CONT'D): added by pagination
        text = self.elements[pl.element].text
        if "*" not in text and "_" not in text:
            return None
        rows = self.rows.get(pl.element)
        if rows is None:
            rows = self.rows[pl.element] = styled_rows(text, pl.width)
        k = self.next.get(pl.element, 0)
        self.next[pl.element] = k + 1
        if k < len(rows) and rows[k][0] == pl.text:
            return rows[k][1]
        return None


def _title_page(canvas: Canvas, geo: _Geometry, title: Sequence[Element]) -> None:
    values: dict[str, list[StyledText]] = {}
    for e in title:
        key = (e.key or "").strip().casefold()
        for line in e.text.split("\n"):
            text, masks = styled_printed(line)
            lead = len(text) - len(text.lstrip())
            text = text.strip()
            if text:
                values.setdefault(key, []).append((text, masks[lead:lead + len(text)]))
    center = (geo.left + geo.right_edge) / 2
    y = geo.height * 0.62
    for key in ("title", "credit", "author", "authors", "source"):
        for text, masks in values.get(key, []):
            _draw_styled(canvas, geo, center - len(text) * geo.char / 2, y, text, masks)
            y -= geo.line
        if values.get(key):
            y -= geo.line  # a blank line between the blocks
    bottom = geo.height - geo.top - (geo.layout.lines_per_page - 1) * geo.line - 0.75 * FONT_SIZE
    left_block = values.get("contact", []) + values.get("copyright", [])
    right_block = values.get("draft date", []) + values.get("revision", []) + values.get("notes", [])
    for block, right in ((left_block, False), (right_block, True)):
        y = bottom + (len(block) - 1) * geo.line
        for text, masks in block:
            x = geo.right_edge - len(text) * geo.char if right else geo.left
            _draw_styled(canvas, geo, x, y, text, masks)
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
              pages: Pages | None = None, revised: frozenset[int] | None = None,
              revision: str | None = None) -> bytes:
    """The PDF of a parsed script. ``pages`` (from :func:`paginate` with :func:`layout_for`)
    may be passed when already computed. ``revised``: source lines printed with an asterisk in
    the right margin; ``revision``: the header of every page ("Blue Revision 2026-12-07")."""
    layout = layout_for(paper)
    elements = result.elements
    pages = pages if pages is not None else paginate(elements, layout)
    geo = _Geometry(layout)
    emphasis = _Emphasis(elements)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(geo.width, geo.height), pageCompression=1,
                    initialFontName=FONT, initialFontSize=FONT_SIZE)
    title_elements = result.title_page
    names = {(e.key or "").casefold(): styled_printed(e.text)[0].replace("\n", " ") for e in title_elements}
    canvas.setTitle(title or names.get("title") or "Screenplay")
    if names.get("author") or names.get("authors"):
        canvas.setAuthor(names.get("author") or names.get("authors"))
    canvas.setCreator("Scenewright")
    if title_elements:
        canvas.setFont(FONT, FONT_SIZE)
        _title_page(canvas, geo, title_elements)
    for page in pages.pages:
        canvas.setFont(FONT, FONT_SIZE)
        header_y = geo.height - 0.5 * PT - 0.75 * FONT_SIZE
        if page.number > 1:
            canvas.drawRightString(geo.right_edge, header_y, f"{page.number}.")
        if revision:
            canvas.drawRightString(geo.right_edge - 6 * geo.char, header_y, revision)
        first_of_element: set[int] = set()
        for pl in page.lines:
            _draw_line(canvas, geo, pl, pl.text, emphasis.masks(pl))
            if revised and pl.source_line in revised and pl.text.strip():
                canvas.drawString(geo.right_edge + 0.65 * PT, geo.baseline(pl.row), "*")
            if pl.element is not None and pl.element not in first_of_element:
                first_of_element.add(pl.element)
                _scene_numbers(canvas, geo, elements, pl)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
