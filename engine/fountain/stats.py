"""Figures about a script: pages, screen time, scenes and who speaks how much.

``script_stats(parse(text))`` gives the object ``scenewright stats --json`` prints:

``pages``          page count by :func:`engine.fountain.pagination.paginate` (the PDF's pagination)
``runtime_s``      estimated screen time in seconds, one page a minute (the last page by how full it is)
``runtime``        the same as ``"H:MM"``
``scene_count``    number of scene headings
``characters``     ``[{"name", "dialogue_blocks", "words"}]``, most dialogue blocks first; names
                   without extensions such as ``(V.O.)`` or ``(CONT'D)``
``scenes``         ``[{"heading", "scene_number", "line", "page_start", "page_end", "eighths",
                   "duration_s"}]`` in script order (``line`` is 1-based)
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .elements import Element, Kind, ParseResult
from .outline import scene_spans
from .pagination import Pages, paginate, printed_text

__all__ = ["script_stats", "character_key", "count_words", "runtime_text"]

_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_SPEECH = (Kind.DIALOGUE, Kind.LYRICS)


def count_words(text: str) -> int:
    """Words as a reader counts them (``don't`` and ``well-known`` are one word each)."""
    return len(_WORD.findall(printed_text(text)))


def character_key(cue: Element) -> str:
    """A character's name without extensions (``(V.O.)``, ``(CONT'D)``), dual mark or ``@``."""
    name = cue.name if cue.name else cue.text
    name = name.strip().lstrip("@").rstrip("^").strip()
    while True:
        shorter = _TRAILING_PAREN.sub("", name)
        if shorter == name or not shorter:
            break
        name = shorter
    return " ".join(name.split())


def runtime_text(seconds: float) -> str:
    """Seconds as ``H:MM`` (rounded to the minute)."""
    minutes = int(round(seconds / 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


def _characters(elements: list[Element]) -> list[dict[str, Any]]:
    blocks: Counter[str] = Counter()
    words: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    current: str | None = None
    for e in elements:
        if e.kind is Kind.CHARACTER:
            name = character_key(e)
            if not name:
                current = None
                continue
            key = name.casefold()
            spellings.setdefault(key, Counter())[name] += 1
            blocks[key] += 1
            words[key] += 0
            current = key
        elif e.kind in _SPEECH and current is not None:
            words[current] += count_words(e.text)
        elif e.kind in (Kind.PARENTHETICAL, Kind.NOTE, Kind.BONEYARD):
            continue
        else:
            current = None
    rows = [
        {"name": spellings[key].most_common(1)[0][0], "dialogue_blocks": blocks[key], "words": words[key]}
        for key in blocks
    ]
    rows.sort(key=lambda r: (-r["dialogue_blocks"], -r["words"], r["name"]))
    return rows


def script_stats(result: ParseResult, pages: Pages | None = None) -> dict[str, Any]:
    """The ``scenewright stats --json`` object for a parsed script (see the module doc)."""
    elements = result.elements
    pages = pages if pages is not None else paginate(elements)
    scenes = [
        {
            "heading": s.heading.text,
            "scene_number": s.heading.scene_number,
            "line": s.heading.line + 1,
            "page_start": s.page_start,
            "page_end": s.page_end,
            "eighths": s.eighths,
            "duration_s": s.duration_s,
        }
        for s in scene_spans(elements, pages)
    ]
    runtime_s = pages.runtime_s
    return {
        "pages": pages.count,
        "runtime_s": runtime_s,
        "runtime": runtime_text(runtime_s),
        "scene_count": len(scenes),
        "characters": _characters(elements),
        "scenes": scenes,
    }
