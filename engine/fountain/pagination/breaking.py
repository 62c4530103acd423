"""Page breaking: units put on pages under the rules of screenplay software (no blank line at a
page's top, a scene heading kept with what follows, action split with two lines each side,
speech split between lines of speech with ``(MORE)`` and ``NAME (CONT'D)``)."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from ..elements import Kind
from .layout import Layout
from .result import Page, PageLine, unplaced
from .units import Unit, rows_height

__all__ = ["break_pages"]


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


def _min_first(unit: Unit, layout: Layout) -> int:
    """Rows of ``unit`` that must be on the page where it starts."""
    n = rows_height(unit.rows)
    m = layout.min_lines_split
    if unit.kind == "action":
        return n if n < 2 * m else m
    if unit.kind == "speech":
        for s in unit.split_points:
            if s - unit.body_start >= m and len(unit.rows) - s >= m:
                return s + 1  # + the (MORE) line
        return n
    return n


def _place_action(cur: _Cursor, unit: Unit) -> None:
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
    return [unplaced(cue.indent, cue.width, text, Kind.CHARACTER, None, None, cue.align, "contd")]


def _place_speech(cur: _Cursor, unit: Unit) -> None:
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
        more = unplaced(layout.more.indent, layout.more.width, "(MORE)", Kind.CHARACTER, None, None, "left", "more")
        cur.put(prefix + rows[pos:best] + [more], before)
        cur.new_page()
        pos = best
        prefix = _contd(layout, unit.cue)
        before = 0


def _place(cur: _Cursor, unit: Unit) -> None:
    if unit.kind == "action":
        _place_action(cur, unit)
    elif unit.kind == "speech":
        _place_speech(cur, unit)
    else:
        height = rows_height(unit.rows)
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


def break_pages(units: Sequence[Unit], layout: Layout) -> list[Page]:
    """The pages ``units`` fill, in order (no empty page at the end)."""
    cur = _Cursor(layout)
    lpp = layout.lines_per_page
    for u, unit in enumerate(units):
        if unit.kind == "break":
            if cur.page.lines:
                cur.new_page()
            continue
        if unit.keep_with_next and not cur.at_top:
            # a scene heading (and any headings right after it) with the start of what follows
            need = cur.gap(unit.before) + rows_height(unit.rows)
            after = unit.after
            v = u + 1
            while v < len(units) and units[v].keep_with_next:
                need += max(after, units[v].before) + rows_height(units[v].rows)
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
    return pages
