"""Inline spans of one line: emphasis, syntax marks, scene numbers, extensions, notes, boneyard.

Emphasis follows Fountain: ``*italic*``, ``**bold**``, ``***bold italic***``, ``_underline_``;
a backslash escapes a mark; a span never crosses a line break; the opening mark is followed
and the closing mark preceded by a non-space.
"""

from __future__ import annotations

import re

from .elements import Kind
from .syntax import SCENE_NUMBER

_EMPHASIS = (
    ("bold_italic", re.compile(r"(?<!\\)\*\*\*(?=\S)(.+?)(?<=[^\s\\])\*\*\*")),
    ("bold", re.compile(r"(?<!\\)\*\*(?=[^\s*])(.+?)(?<=[^\s\\])\*\*")),
    ("italic", re.compile(r"(?<!\\)\*(?=[^\s*])(.+?)(?<=[^\s\\])\*")),
    ("underline", re.compile(r"(?<!\\)_(?=\S)(.+?)(?<=[^\s\\])_")),
)
_HIDDEN = "\x00"

Run = tuple[int, int, str]


def emphasis(line: str) -> list[Run]:
    """Emphasis runs of ``line``: the text in its style, and each delimiter as ``markup``."""
    if "*" not in line and "_" not in line:
        return []
    runs: list[Run] = []
    work = line
    for style, pattern in _EMPHASIS:
        if style == "underline":
            if "_" not in work:
                continue
        elif "*" not in work:
            continue
        width = 3 if style == "bold_italic" else 2 if style == "bold" else 1
        for found in pattern.finditer(work):
            a, b = found.start(), found.end()
            runs.append((a, a + width, "markup"))
            runs.append((a + width, b - width, style))
            runs.append((b - width, b, "markup"))
        # hide the delimiters just used so that weaker patterns don't reuse them
        if runs:
            chars = list(work)
            for a, b, style_ in runs:
                if style_ == "markup":
                    chars[a:b] = _HIDDEN * (b - a)
            work = "".join(chars)
    return runs


def _lead(line: str) -> int:
    return len(line) - len(line.lstrip())


def markup(line: str, kind: Kind | None) -> list[Run]:
    """Syntax marks that the element's kind gives meaning to."""
    if kind is None or not line.strip():
        return []
    i = _lead(line)
    c = line[i]
    end = len(line.rstrip())
    runs: list[Run] = []
    if kind is Kind.SCENE_HEADING:
        if c == ".":
            runs.append((i, i + 1, "markup"))
        if "#" in line:
            found = SCENE_NUMBER.search(line)
            if found:
                runs.append((found.start(1) - 1, found.end(1) + 1, "scene_number"))
    elif kind is Kind.CHARACTER:
        if c == "@":
            runs.append((i, i + 1, "markup"))
        paren = line.find("(")
        if line[end - 1] == "^":
            runs.append((end - 1, end, "markup"))
            end = len(line[: end - 1].rstrip())
        if 0 <= paren < end:
            runs.append((paren, end, "extension"))
    elif kind is Kind.ACTION or kind is Kind.TRANSITION:
        if c in "!>":
            runs.append((i, i + 1, "markup"))
    elif kind is Kind.CENTERED:
        if c == ">" and line[end - 1] == "<":
            runs.append((i, i + 1, "markup"))
            runs.append((end - 1, end, "markup"))
    elif kind is Kind.LYRICS:
        if c == "~":
            runs.append((i, i + 1, "markup"))
    elif kind is Kind.SECTION:
        runs.append((i, i + len(line[i:]) - len(line[i:].lstrip("#")), "markup"))
    elif kind is Kind.SYNOPSIS:
        runs.append((i, i + 1, "markup"))
    elif kind is Kind.TITLE:
        colon = line.find(":")
        if colon > 0 and not line[:1].isspace():
            runs.append((0, colon + 1, "title_key"))
    return runs


_cache: dict[tuple, list[Run]] = {}
_CACHE_MAX = 50_000


def line_runs(line: str, kind: Kind | None, notes: tuple = (), boneyard: tuple = ()) -> list[Run]:
    """All inline runs of a line (cached on the line's text and context)."""
    key = (line, kind, notes, boneyard)
    runs = _cache.get(key)
    if runs is None:
        runs = []
        if kind is not Kind.BONEYARD and kind is not Kind.PAGE_BREAK:
            runs += markup(line, kind)
            runs += emphasis(line)
        runs += [(a, b, "note") for a, b in notes]
        runs += [(a, b, "boneyard") for a, b in boneyard]
        runs = [r for r in runs if r[0] < r[1]]
        if len(_cache) > _CACHE_MAX:
            _cache.clear()
        _cache[key] = runs
    return runs
