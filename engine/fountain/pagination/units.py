"""Elements into units, the runs of rows placed together: one element, a dialogue block (with
where it may split) or a dual-dialogue pair; which element kinds print at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..elements import Element, Kind
from .layout import Format, Layout
from .result import PageLine, unplaced
from .wrapping import printed_text, wrap_cached

__all__ = ["Unit", "rows_height", "units_of"]

_PRINTED = {
    Kind.SCENE_HEADING, Kind.ACTION, Kind.CENTERED, Kind.LYRICS, Kind.TRANSITION,
    Kind.CHARACTER, Kind.PARENTHETICAL, Kind.DIALOGUE,
}
_SPEECH = (Kind.PARENTHETICAL, Kind.DIALOGUE, Kind.LYRICS)


@dataclass(slots=True)
class Unit:
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
        for piece in wrap_cached(line, fmt.width):
            rows.append(unplaced(fmt.indent, fmt.width, piece, element.kind, index, source, fmt.align))
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


def units_of(elements: Sequence[Element], layout: Layout) -> list[Unit]:
    fmts = layout.formats()
    units: list[Unit] = []
    n = len(elements)
    i = 0
    while i < n:
        element = elements[i]
        kind = element.kind
        if kind is Kind.PAGE_BREAK:
            units.append(Unit([], 0, 0, "break", [i]))
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
                units.append(Unit(rows, layout.character.before, 0, "dual",
                                   [x for x, _ in block] + [x for x, _ in right]))
                i = m
                continue
            rows, splits, cue, body_start = _speech(layout, fmts, block, None)
            units.append(Unit(rows, layout.character.before, 0, "speech", [x for x, _ in block],
                               split_points=splits, cue=cue, body_start=body_start))
            i = j
            continue
        fmt = fmts[kind]
        rows = _element_rows(i, element, fmt)
        if kind is Kind.SCENE_HEADING:
            units.append(Unit(rows, fmt.before, fmt.after, "plain", [i], keep_with_next=True))
        elif kind in (Kind.ACTION, Kind.CENTERED, Kind.LYRICS):
            units.append(Unit(rows, fmt.before, fmt.after, "action", [i]))
        else:
            units.append(Unit(rows, fmt.before, fmt.after, "plain", [i]))
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


def rows_height(rows: list[PageLine]) -> int:
    return sum(1 for row in rows if row.extra != "same_row")
