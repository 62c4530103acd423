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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from .elements import Element, Kind
from .syntax import BONEYARD, BONEYARD_OPEN, EMPHASIS_MARK, ESCAPED_MARK, NOTE, NOTE_OPEN

__all__ = [
    "Format",
    "Layout",
    "PageLine",
    "Page",
    "Placement",
    "Pages",
    "paginate",
    "printed_text",
    "wrap",
]


@dataclass(frozen=True, slots=True)
class Format:
    """Where an element's lines go: ``indent`` and ``width`` in character columns from the
    left margin; blank lines before and after; ``align`` inside the width."""

    indent: int
    width: int
    before: int = 0
    after: int = 0
    align: str = "left"  # left | center | right


@dataclass(frozen=True, slots=True)
class Layout:
    """The page: US Letter (8.5 x 11 in), Courier 12 pt at 10 characters and 6 lines an inch."""

    lines_per_page: int = 55
    columns: int = 61  # text frame width in characters (6.1 in)
    left_margin_in: float = 1.5
    top_margin_in: float = 1.0
    page_width_in: float = 8.5
    page_height_in: float = 11.0
    chars_per_inch: int = 10
    lines_per_inch: int = 6
    scene_heading: Format = Format(0, 61, before=1, after=1)
    action: Format = Format(0, 61, before=1)
    centered: Format = Format(0, 61, before=1, align="center")
    lyrics: Format = Format(0, 61, before=1)
    transition: Format = Format(0, 61, before=1, after=1, align="right")
    character: Format = Format(19, 42, before=1)
    parenthetical: Format = Format(13, 30)
    dialogue: Format = Format(9, 36)
    more: Format = Format(19, 42)  # "(MORE)" under a split speech
    # each side of dual dialogue: the same formats scaled to half the frame
    dual_scale: float = 0.5
    min_lines_split: int = 2  # lines that must stay / move when a paragraph or speech splits

    def format_for(self, kind: Kind) -> Format:
        return self.formats()[kind]

    def formats(self) -> dict[Kind, Format]:
        """The format of every printed kind."""
        return {
            Kind.SCENE_HEADING: self.scene_heading,
            Kind.ACTION: self.action,
            Kind.CENTERED: self.centered,
            Kind.LYRICS: self.lyrics,
            Kind.TRANSITION: self.transition,
            Kind.CHARACTER: self.character,
            Kind.PARENTHETICAL: self.parenthetical,
            Kind.DIALOGUE: self.dialogue,
        }

    def dual(self, fmt: Format, side: str) -> Format:
        """``fmt`` for one column of dual dialogue (``side``: left or right)."""
        half = self.columns * self.dual_scale
        offset = 0 if side == "left" else int(round(half))
        return Format(offset + int(fmt.indent * self.dual_scale), max(8, int(fmt.width * self.dual_scale)),
                      fmt.before, fmt.after, fmt.align)


LETTER = Layout()


_PRINTED = {
    Kind.SCENE_HEADING, Kind.ACTION, Kind.CENTERED, Kind.LYRICS, Kind.TRANSITION,
    Kind.CHARACTER, Kind.PARENTHETICAL, Kind.DIALOGUE,
}
_SPEECH = (Kind.PARENTHETICAL, Kind.DIALOGUE, Kind.LYRICS)


def printed_text(text: str) -> str:
    """``text`` as it prints: without notes, boneyard, emphasis marks and escapes."""
    if NOTE_OPEN in text:
        text = NOTE.sub("", text)
    if BONEYARD_OPEN in text:
        text = BONEYARD.sub("", text)
    if "*" in text or "_" in text:
        text = EMPHASIS_MARK.sub("", text)
    if "\\" in text:
        text = ESCAPED_MARK.sub(r"\1", text)
    return text


_WORD = re.compile(r"([^ ]+)( *)")
_CACHE_LIMIT = 512  # lines up to this length are remembered (an edit re-wraps only what changed)


def wrap(line: str, width: int) -> list[str]:
    """Greedy word wrap of one line to ``width`` columns (see :func:`_wrap_line`)."""
    return list(_wrap(line, width))


def _wrap(line: str, width: int) -> tuple[str, ...]:
    if len(line) <= _CACHE_LIMIT:
        return _wrap_cached(line, width)
    return _wrap_line(line, width)


def _wrap_line(line: str, width: int) -> tuple[str, ...]:
    """Greedy word wrap of one line to ``width`` columns.

    Leading indentation is kept. As on a typewriter (and in screenplain's PDF), a run of
    spaces keeps its width inside a line: where a line breaks at a run of ``k`` spaces, the
    first ``k - 1`` stay at the end of the upper line and count towards its width. A word
    longer than the width is cut.
    """
    line = line.expandtabs(4).rstrip()
    if len(line) <= width:
        return (line,)
    stripped = line.lstrip(" ")
    lead = line[: len(line) - len(stripped)]
    if len(lead) >= width:
        lead = ""
    rows: list[str] = []
    current = lead
    fresh = True  # current holds no word yet
    for found in _WORD.finditer(stripped):
        spaces = len(found.group(2))
        word = found.group(1) + " " * (spaces - 1) if spaces > 1 else found.group(1)
        candidate = current + word if fresh else current + " " + word
        if len(candidate) <= width:
            current, fresh = candidate, False
            continue
        if not fresh:
            rows.append(current.rstrip())
            current = word
        else:
            current = candidate
        while len(current.rstrip()) > width:
            rows.append(current[:width])
            current = current[width:]
        fresh = False
    rows.append(current.rstrip())
    return tuple(rows)


_wrap_cached = lru_cache(maxsize=1 << 15)(_wrap_line)


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


def _Row(indent: int, width: int, text: str, kind: Kind, element: int | None, source_line: int | None,
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


# ----------------------------------------------------------------------------- units
@dataclass(slots=True)
class _Unit:
    """A run of rows placed together: one element, a dialogue block or a dual pair."""

    rows: list[PageLine]
    before: int
    after: int
    kind: str  # "plain" (no split), "action" (split between rows), "speech", "dual", "break"
    elements: list[int]
    keep_with_next: bool = False
    # speech only: rows where a split may happen (index of the first row moved), cue text
    split_points: list[int] = field(default_factory=list)
    cue: PageLine | None = None
    body_start: int = 0  # speech: index of the first row after the cue


def _element_rows(index: int, element: Element, fmt: Format) -> list[PageLine]:
    text = printed_text(element.text)
    lines = text.split("\n")
    span = element.end_line - element.line + 1
    rows: list[PageLine] = []
    for i, line in enumerate(lines):
        source = element.line + i if len(lines) == span else element.line
        for piece in _wrap(line, fmt.width):
            rows.append(_Row(fmt.indent, fmt.width, piece, element.kind, index, source, fmt.align))
    return rows


def _speech(
    layout: Layout, fmts: dict[Kind, Format], items: list[tuple[int, Element]], side: str | None,
) -> tuple[list[PageLine], list[int], PageLine | None, int]:
    """Rows of one dialogue block (cue first if there is one), the indices where it may split
    (rows before the index stay, the rest move) and the index of the first row after the cue."""
    rows: list[PageLine] = []
    cue: PageLine | None = None
    splits: list[int] = []
    body_start = 0
    for index, element in items:
        kind = element.kind if element.kind is not Kind.LYRICS else Kind.DIALOGUE
        fmt = fmts[kind]
        if side:
            fmt = layout.dual(fmt, side)
        part = _element_rows(index, element, fmt)
        if element.kind is Kind.CHARACTER and not rows:
            cue = part[0] if part else None
            rows.extend(part)
            body_start = len(rows)
            continue
        start = len(rows)
        rows.extend(part)
        splits.append(start)  # before a parenthetical or a new stretch of speech
        if kind is Kind.DIALOGUE:
            splits.extend(range(start + 1, len(rows)))  # between wrapped lines of speech
    # never right after the cue or a parenthetical (it belongs with the speech below it)
    splits = [s for s in splits if s > body_start and rows[s - 1].kind is not Kind.PARENTHETICAL]
    return rows, splits, cue, body_start


def _units(elements: Sequence[Element], layout: Layout) -> list[_Unit]:
    fmts = layout.formats()
    units: list[_Unit] = []
    n = len(elements)
    i = 0
    while i < n:
        element = elements[i]
        kind = element.kind
        if kind is Kind.PAGE_BREAK:
            units.append(_Unit([], 0, 0, "break", [i]))
            i += 1
            continue
        if kind not in _PRINTED:
            i += 1
            continue
        if kind is Kind.CHARACTER or (kind in (Kind.PARENTHETICAL, Kind.DIALOGUE)):
            block = [(i, element)]
            j = i + 1
            last_line = element.end_line
            while j < n:
                nxt = elements[j]
                if nxt.kind in _SPEECH and nxt.line <= last_line + 1:
                    block.append((j, nxt))
                    last_line = nxt.end_line
                elif nxt.kind in (Kind.NOTE, Kind.BONEYARD) and nxt.line <= last_line + 1:
                    last_line = max(last_line, nxt.end_line)
                else:
                    break
                j += 1
            # dual dialogue: this block is the left side when the next cue says "right"
            k = j
            while k < n and elements[k].kind in (Kind.NOTE, Kind.BONEYARD):
                k += 1
            if kind is Kind.CHARACTER and element.dual != "right" and k < n \
                    and elements[k].kind is Kind.CHARACTER and elements[k].dual == "right":
                right = [(k, elements[k])]
                m = k + 1
                last_line = elements[k].end_line
                while m < n and elements[m].kind in _SPEECH and elements[m].line <= last_line + 1:
                    right.append((m, elements[m]))
                    last_line = elements[m].end_line
                    m += 1
                left_rows, _, _, _ = _speech(layout, fmts, block, "left")
                right_rows, _, _, _ = _speech(layout, fmts, right, "right")
                rows = _merge_columns(left_rows, right_rows)
                units.append(_Unit(rows, layout.character.before, 0, "dual",
                                   [x for x, _ in block] + [x for x, _ in right]))
                i = m
                continue
            rows, splits, cue, body_start = _speech(layout, fmts, block, None)
            units.append(_Unit(rows, layout.character.before, 0, "speech", [x for x, _ in block],
                               split_points=splits, cue=cue, body_start=body_start))
            i = j
            continue
        fmt = fmts[kind]
        rows = _element_rows(i, element, fmt)
        if kind is Kind.SCENE_HEADING:
            units.append(_Unit(rows, fmt.before, fmt.after, "plain", [i], keep_with_next=True))
        elif kind in (Kind.ACTION, Kind.CENTERED, Kind.LYRICS):
            units.append(_Unit(rows, fmt.before, fmt.after, "action", [i]))
        else:
            units.append(_Unit(rows, fmt.before, fmt.after, "plain", [i]))
        i += 1
    return units


def _merge_columns(left: list[PageLine], right: list[PageLine]) -> list[PageLine]:
    """Dual dialogue: rows of both columns, left then right for each row index."""
    merged: list[PageLine] = []
    for r in range(max(len(left), len(right))):
        group = []
        if r < len(left):
            group.append(left[r])
        if r < len(right):
            group.append(right[r])
        # the first of a group carries a marker: a following row of the group is on the same line
        for g, row in enumerate(group):
            row.extra = "same_row" if g else None
        merged.extend(group)
    return merged


def _height(rows: list[PageLine]) -> int:
    return sum(1 for row in rows if row.extra != "same_row")


# ---------------------------------------------------------------------- pagination
class _Cursor:
    def __init__(self, layout: Layout):
        self.layout = layout
        self.pages: list[Page] = [Page(1)]
        self.row = 0  # next free row on the current page
        self.pending_after = 0  # blank lines owed after the last unit

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def at_top(self) -> bool:
        return self.row == 0

    def gap(self, before: int) -> int:
        return 0 if self.at_top else max(before, self.pending_after)

    def free(self, before: int) -> int:
        return self.layout.lines_per_page - self.row - self.gap(before)

    def new_page(self) -> None:
        self.pages.append(Page(len(self.pages) + 1))
        self.row = 0
        self.pending_after = 0

    def put(self, rows: Iterable[PageLine], before: int) -> None:
        self.row += self.gap(before)
        lines = self.page.lines
        for r in rows:
            if r.extra == "same_row":  # the right column of dual dialogue
                r.row = self.row - 1
                r.extra = None
            else:
                r.row = self.row
                self.row += 1
            lines.append(r)


def _min_first(unit: _Unit, layout: Layout) -> int:
    """Rows of ``unit`` that must be on the page where it starts."""
    n = _height(unit.rows)
    m = layout.min_lines_split
    if unit.kind == "action":
        return n if n < 2 * m else m
    if unit.kind == "speech":
        for s in unit.split_points:
            if s - unit.body_start >= m and len(unit.rows) - s >= m:
                return s + 1  # + the (MORE) line
        return n
    return n


def _place_action(cur: _Cursor, unit: _Unit) -> None:
    layout = cur.layout
    rows = unit.rows
    m = layout.min_lines_split
    before = unit.before
    while rows:
        free = cur.free(before)
        if len(rows) <= free:
            cur.put(rows, before)
            return
        take = min(free, len(rows) - m)
        if take >= m:
            cur.put(rows[:take], before)
            rows = rows[take:]
            cur.new_page()
            before = 0
        elif cur.at_top:  # longer than a page and no room to respect the rule: cut at the page end
            cur.put(rows[:free], before)
            rows = rows[free:]
            cur.new_page()
        else:
            cur.new_page()


def _contd(layout: Layout, cue: PageLine | None) -> list[PageLine]:
    if cue is None:
        return []
    text = cue.text.rstrip()
    if not re.search(r"\(CONT['’]?D\)\s*$", text, re.IGNORECASE):
        text = f"{text} (CONT'D)"
    return [_Row(cue.indent, cue.width, text, Kind.CHARACTER, None, None, cue.align, "contd")]


def _place_speech(cur: _Cursor, unit: _Unit) -> None:
    layout = cur.layout
    m = layout.min_lines_split
    rows = unit.rows
    total = len(rows)
    pos = 0  # first row of unit.rows not placed yet
    prefix: list[PageLine] = []  # the (CONT'D) cue on a continuation page
    before = unit.before
    while True:
        free = cur.free(before)
        if len(prefix) + total - pos <= free:
            cur.put(prefix + rows[pos:], before)
            return
        best = None
        for s in unit.split_points:
            if s <= pos or s - max(pos, unit.body_start) < m or total - s < m:
                continue
            if len(prefix) + (s - pos) + 1 > free:
                break
            best = s
        if best is None and cur.at_top:
            # a speech longer than a page without an allowed split: cut it at the page end
            best = pos + max(1, free - 1 - len(prefix))
        if best is None:
            cur.new_page()  # the whole block (or what is left of it) moves on
            continue
        more = _Row(layout.more.indent, layout.more.width, "(MORE)", Kind.CHARACTER, None, None, "left", "more")
        cur.put(prefix + rows[pos:best] + [more], before)
        cur.new_page()
        pos = best
        prefix = _contd(layout, unit.cue)
        before = 0


def _place(cur: _Cursor, unit: _Unit) -> None:
    if unit.kind == "action":
        _place_action(cur, unit)
    elif unit.kind == "speech":
        _place_speech(cur, unit)
    else:
        height = _height(unit.rows)
        if height > cur.free(unit.before) and not cur.at_top:
            cur.new_page()
        if height > cur.free(unit.before):  # taller than a page: let rows run onto new pages
            rows = unit.rows
            before = unit.before
            while rows:
                free = cur.free(before)
                take = free
                # keep same-row groups together
                count, cut = 0, 0
                for idx, r in enumerate(rows):
                    if r.extra != "same_row":
                        if count == take:
                            break
                        count += 1
                    cut = idx + 1
                cur.put(rows[:cut], before)
                rows = rows[cut:]
                before = 0
                if rows:
                    cur.new_page()
        else:
            cur.put(unit.rows, unit.before)
    cur.pending_after = unit.after


def paginate(elements: Sequence[Element], layout: Layout = LETTER) -> Pages:
    """Lay ``elements`` (a parse result's elements, in document order) out on pages."""
    units = _units(elements, layout)
    cur = _Cursor(layout)
    lpp = layout.lines_per_page
    for u, unit in enumerate(units):
        if unit.kind == "break":
            if cur.page.lines:
                cur.new_page()
            continue
        if unit.keep_with_next and not cur.at_top:
            # a scene heading (and any headings right after it) with the start of what follows
            need = cur.gap(unit.before) + _height(unit.rows)
            after = unit.after
            v = u + 1
            while v < len(units) and units[v].keep_with_next:
                need += max(after, units[v].before) + _height(units[v].rows)
                after = units[v].after
                v += 1
            if v < len(units) and units[v].kind != "break":
                need += max(after, units[v].before) + _min_first(units[v], layout)
            if cur.row + need > lpp and need <= lpp:
                cur.new_page()
        _place(cur, unit)
    pages = cur.pages
    while len(pages) > 1 and not pages[-1].lines:
        pages.pop()
    return Pages(layout, pages, *_placements(elements, pages, lpp))


def _placements(elements: Sequence[Element], pages: list[Page], lpp: int) -> tuple[list[Placement], list[int]]:
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
