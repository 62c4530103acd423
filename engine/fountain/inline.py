"""Inline spans of one line: emphasis, syntax marks, scene numbers, extensions, notes, boneyard.

Emphasis follows Fountain: ``*italic*``, ``**bold**``, ``***bold italic***``, ``_underline_``;
a backslash escapes a mark; a span never crosses a line break; the opening mark is followed
and the closing mark preceded by a non-space.
"""

from __future__ import annotations

from .elements import Kind
from .syntax import SCENE_NUMBER

# (style, delimiter, characters the opening delimiter may not be followed by)
_EMPHASIS = (
    ("bold_italic", "***", ""),
    ("bold", "**", "*"),
    ("italic", "*", "*"),
    ("underline", "_", ""),
)
_HIDDEN = "\x00"

Run = tuple[int, int, str]


def _occurrences(line: str, delim: str) -> list[int]:
    out, i = [], line.find(delim)
    while i >= 0:
        out.append(i)
        i = line.find(delim, i + 1)
    return out


def _pairs(line: str, delim: str, not_after_open: str) -> list[tuple[int, int]]:
    """Leftmost non-overlapping (open, close) pairs of ``delim``, in linear time.

    An opener is not escaped and is followed by a non-space (and not by ``not_after_open``);
    a closer is preceded by a character that is neither a space nor a backslash."""
    w = len(delim)
    n = len(line)
    spots = _occurrences(line, delim)
    closers = [j for j in spots if j > 0 and not line[j - 1].isspace() and line[j - 1] != "\\"]
    pairs: list[tuple[int, int]] = []
    ci = 0
    pos = 0  # the next opener must start at or after this
    for i in spots:
        if i < pos or (i > 0 and line[i - 1] == "\\") or i + w >= n:
            continue
        after = line[i + w]
        if after.isspace() or after in not_after_open:
            continue
        while ci < len(closers) and closers[ci] < i + w + 1:
            ci += 1
        if ci == len(closers):
            break
        j = closers[ci]
        pairs.append((i, j + w))
        pos = j + w
    return pairs


def emphasis(line: str) -> list[Run]:
    """Emphasis runs of ``line``: the text in its style, and each delimiter as ``markup``."""
    if "*" not in line and "_" not in line:
        return []
    runs: list[Run] = []
    work = line
    for style, delim, not_after_open in _EMPHASIS:
        if delim[0] not in work:
            continue
        w = len(delim)
        found = _pairs(work, delim, not_after_open)
        if not found:
            continue
        chars = list(work)
        for a, b in found:
            runs.append((a, a + w, "markup"))
            runs.append((a + w, b - w, style))
            runs.append((b - w, b, "markup"))
            # hide the delimiters just used so that weaker patterns don't reuse them
            chars[a : a + w] = _HIDDEN * w
            chars[b - w : b] = _HIDDEN * w
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
