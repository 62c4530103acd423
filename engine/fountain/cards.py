"""Index cards: the scenes of a script as cards on a board, in columns by act and sequence.

A card is a scene: its heading line up to the next scene heading or section (or the end of
the script). Columns come from the sections: a level-1 section (``# ACT ONE``) starts an act,
a level-2 section (``## The heist``) a sequence in it; a scene belongs to the last section
above it, and scenes above any section form a first column of their own.

Moving a card moves the scene's lines in the script (:func:`plan_move` gives the line
changes, for an editor to apply as one undo step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from bisect import bisect_right
from typing import Sequence

from .elements import Element, Kind
from .outline import scene_spans
from .pagination import paginate
from .scene_numbers import LineChange

__all__ = ["Card", "Column", "board", "plan_move"]


@dataclass(slots=True)
class Card:
    number: str  # the scene number, or the ordinal when the script has none
    heading: str
    start: int  # first line (the heading)
    end: int  # exclusive: the next heading, section or the end
    synopsis: str = ""  # the scene's first "= synopsis", else the start of its first action
    eighths: int = 0
    ai_share: float | None = None  # None: unknown (no provenance record)


@dataclass(slots=True)
class Column:
    title: str  # "ACT ONE", "ACT ONE / The heist", or "" before the first section
    line: int  # the section's line (-1 for the first, untitled column)
    end: int  # exclusive end line: where the next column's section starts
    cards: list[Card] = field(default_factory=list)


def board(lines: Sequence[str], elements: Sequence[Element],
          ai_spans: Sequence[tuple[int, int]] | None = None) -> list[Column]:
    """The columns of the script, each with its cards (only columns that hold a card, plus
    the sections' own empty columns so that a card can be moved into a new act)."""
    pages = paginate(list(elements))
    spans = {span.heading.line: span for span in scene_spans(elements, pages)}
    columns: list[Column] = [Column("", -1, len(lines))]
    act = ""
    cards: list[Card] = []
    ordinal = 0
    for e in elements:
        if e.kind is Kind.SECTION and e.level <= 2:
            if e.level == 1:
                act = e.text
                title = e.text
            else:
                title = f"{act} / {e.text}" if act else e.text
            columns[-1].end = e.line
            columns.append(Column(title, e.line, len(lines)))
            if cards:
                cards[-1].end = min(cards[-1].end, e.line)
        elif e.kind is Kind.SCENE_HEADING:
            ordinal += 1
            if cards:
                cards[-1].end = min(cards[-1].end, e.line)
            span = spans.get(e.line)
            card = Card(e.scene_number or str(ordinal), e.text, e.line, len(lines),
                        eighths=span.eighths if span else 0)
            cards.append(card)
            columns[-1].cards.append(card)
        elif e.kind is Kind.SECTION and cards and cards[-1].end == len(lines):
            cards[-1].end = e.line  # a deeper section also ends the scene's lines
        elif (cards and e.kind is Kind.SYNOPSIS and e.line < cards[-1].end
              and (not cards[-1].synopsis or cards[-1].synopsis.startswith("… "))):
            cards[-1].synopsis = e.text  # the scene's first "= synopsis"
        elif cards and not cards[-1].synopsis and e.kind is Kind.ACTION and e.text.strip():
            cards[-1].synopsis = "… " + " ".join(e.text.split())[:120]  # until a "= synopsis" says better
    if ai_spans is not None:
        _ai_shares(lines, cards, ai_spans)
    if not columns[0].cards and len(columns) > 1:
        columns.pop(0)
    return columns


def _ai_shares(lines: Sequence[str], cards: list[Card], ai_spans: Sequence[tuple[int, int]]) -> None:
    """Each card's share of AI-written characters (spaces aside), from the provenance spans."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    for card in cards:
        a, b = offsets[card.start], offsets[min(card.end, len(lines))]
        total = _visible(lines, offsets, a, b)
        ai = sum(_visible(lines, offsets, max(a, s), min(b, e)) for s, e in ai_spans if max(a, s) < min(b, e))
        card.ai_share = min(1.0, ai / total) if total else 0.0


def _visible(lines: Sequence[str], offsets: list[int], lo: int, hi: int) -> int:
    """Non-space characters between character offsets ``lo`` and ``hi`` of the text."""
    count = 0
    row = bisect_right(offsets, lo) - 1
    while row < len(lines) and offsets[row] < hi:
        line = lines[row]
        a = max(0, lo - offsets[row])
        b = min(len(line), hi - offsets[row])
        count += sum(1 for ch in line[a:b] if not ch.isspace())
        row += 1
    return count


def plan_move(lines: Sequence[str], columns: Sequence[Column], card: Card, column: int, position: int
              ) -> list[LineChange]:
    """Line changes that move ``card``'s scene to ``position`` among the cards of column
    ``column`` (its cards as they are now, the moved one included when it is there). The
    scene keeps a blank line after it; nothing else in the script changes."""
    target = columns[column]
    others = [c for c in target.cards if c is not card]
    position = max(0, min(position, len(others)))
    if position < len(others):
        at = others[position].start
    elif others:
        at = others[-1].end
    elif target.line >= 0:
        at = _after_section(lines, target.line, target.end)
    else:  # the untitled first column, empty: before the first section
        at = target.end
    if card.start <= at <= card.end:
        return []  # it is there already
    block = list(lines[card.start:card.end])
    while block and not block[-1].strip():
        block.pop()
    changes = [LineChange(row, "delete") for row in range(card.start, card.end)]
    if at >= len(lines) - (1 if lines and lines[-1] == "" else 0):
        # at the end of the script: after a blank line, the final newline kept
        at = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
        changes.append(LineChange(at, "insert", tuple([""] + block)))
    else:
        changes.append(LineChange(at, "insert", tuple(block + [""])))
    return changes


def _after_section(lines: Sequence[str], section_line: int, end: int) -> int:
    """The line after a section heading and what belongs to it before any scene (its
    synopsis, blank lines): where an empty column's first scene goes."""
    row = section_line + 1
    while row < end and (not lines[row].strip() or lines[row].lstrip().startswith("=")):
        row += 1
    return row
