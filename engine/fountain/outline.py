"""The outline of a script: sections, scenes and synopses with their page and screen time.

Screen time follows the industry habit of one page a minute, measured in eighths of a page:
a scene runs from its heading to the next scene heading (or the end of the script), a section
to the next section of the same or a higher level. A synopsis gets the time of the section or
scene it describes (the one above it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .elements import Element, Kind, Outline
from .pagination import Pages

__all__ = ["SceneSpan", "build_outline", "scene_spans", "eighths_text", "SECONDS_PER_EIGHTH"]

SECONDS_PER_EIGHTH = 60 / 8


@dataclass(frozen=True, slots=True)
class SceneSpan:
    """One scene: ``index`` of its heading in the elements, where it starts and ends."""

    index: int
    heading: Element
    page_start: int
    page_end: int
    start: int  # position (rows from the top of page 1) of the heading
    end: int  # position of the next heading or the end of the script
    eighths: int

    @property
    def duration_s(self) -> float:
        return self.eighths * SECONDS_PER_EIGHTH


def eighths_text(eighths: int) -> str:
    """``11`` -> ``"1 3/8"`` as screenwriters write scene lengths."""
    whole, part = divmod(eighths, 8)
    if not part:
        return str(whole)
    return f"{whole} {part}/8" if whole else f"{part}/8"


def _position(pages: Pages, index: int) -> int:
    p = pages.placements[index]
    return pages.position(p.page, p.row)


def scene_spans(elements: Sequence[Element], pages: Pages) -> list[SceneSpan]:
    """Every scene heading with its page span and length (``pages = paginate(elements)``)."""
    heads = [i for i, e in enumerate(elements) if e.kind is Kind.SCENE_HEADING]
    spans: list[SceneSpan] = []
    end_all = pages.end_position
    for n, i in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else len(elements)
        start = _position(pages, i)
        end = _position(pages, stop) if stop < len(elements) else end_all
        end = max(end, start)
        first = pages.placements[i].page
        last = first
        for j in range(i, stop):
            p = pages.placements[j]
            if p.printed and p.end_page > last:
                last = p.end_page
        spans.append(SceneSpan(i, elements[i], first, last, start, end, pages.eighths(start, end)))
    return spans


def build_outline(elements: Sequence[Element], pages: Pages) -> list[Outline]:
    """Sections, scene headings and synopses in document order, each with its page and
    estimated duration in seconds (``pages = paginate(elements)``)."""
    spans = {s.index: s for s in scene_spans(elements, pages)}
    end_all = pages.end_position
    sections = [i for i, e in enumerate(elements) if e.kind is Kind.SECTION]
    out: list[Outline] = []
    last_duration = 0.0
    for i, e in enumerate(elements):
        if e.kind is Kind.SCENE_HEADING:
            span = spans[i]
            last_duration = span.duration_s
            out.append(Outline(e.kind, e.text, e.line, 0, e.scene_number, span.page_start, last_duration))
        elif e.kind is Kind.SECTION:
            level = e.level or 1
            start = _position(pages, i)
            end = end_all
            for j in sections:
                if j > i and (elements[j].level or 1) <= level:
                    end = _position(pages, j)
                    break
            last_duration = pages.eighths(start, max(start, end)) * SECONDS_PER_EIGHTH
            out.append(Outline(e.kind, e.text, e.line, level, None, pages.placements[i].page, last_duration))
        elif e.kind is Kind.SYNOPSIS:
            out.append(Outline(e.kind, e.text, e.line, 0, None, pages.placements[i].page, last_duration))
    return out
