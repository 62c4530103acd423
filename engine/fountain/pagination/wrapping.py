"""A line as it prints: notes, boneyard, emphasis marks and escapes removed (:func:`printed_text`),
and word-wrapped to a width in character columns (:func:`wrap`)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..syntax import BONEYARD, BONEYARD_OPEN, EMPHASIS_MARK, ESCAPED_MARK, NOTE, NOTE_OPEN

__all__ = ["printed_text", "wrap", "wrap_cached"]


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
    return list(wrap_cached(line, width))


def wrap_cached(line: str, width: int) -> tuple[str, ...]:
    """:func:`wrap` as a tuple, remembered for lines up to ``_CACHE_LIMIT`` characters."""
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
