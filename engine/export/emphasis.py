"""Which printed characters are bold, italic or underlined (``*italic*``, ``**bold**``,
``***bold italic***``, ``_underline_``), for the PDF and FDX exports.

Pagination prints :func:`engine.fountain.pagination.printed_text` of each element, word-wrapped:
the emphasis marks are gone from the rows it lays out. This module works the emphasis out again
from the element's source text (the same span rules as the editor, :func:`engine.fountain.inline.emphasis`)
and maps it onto those rows character by character, so the PDF draws exactly the text that
pagination counted, only in other faces of Courier. Where a row cannot be matched with
certainty it prints plain (never different text).
"""

from __future__ import annotations

import re
from functools import lru_cache

from engine.fountain.inline import emphasis
from engine.fountain.pagination import printed_text, wrap
from engine.fountain.syntax import BONEYARD, BONEYARD_OPEN, EMPHASIS_MARK, ESCAPED_MARK, NOTE, NOTE_OPEN

__all__ = ["BOLD", "ITALIC", "UNDERLINE", "styled_printed", "styled_rows", "runs"]

BOLD, ITALIC, UNDERLINE = 1, 2, 4
_STYLE_BITS = {"bold": BOLD, "italic": ITALIC, "bold_italic": BOLD | ITALIC, "underline": UNDERLINE}
TAB = 4  # as pagination's wrap: tabs are 4 columns

StyledText = tuple[str, tuple[int, ...]]  # text and one style mask per character


def _drop(text: str, masks: list[int], pattern: re.Pattern[str], keep_group: int | None = None) -> tuple[str, list[int]]:
    """``pattern.sub`` (removing each match, or keeping its group ``keep_group``) on text and masks alike."""
    out_text: list[str] = []
    out_masks: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        out_text.append(text[pos:m.start()])
        out_masks.extend(masks[pos:m.start()])
        if keep_group is not None:
            a, b = m.span(keep_group)
            out_text.append(text[a:b])
            out_masks.extend(masks[a:b])
        pos = m.end()
    out_text.append(text[pos:])
    out_masks.extend(masks[pos:])
    return "".join(out_text), out_masks


@lru_cache(maxsize=4096)
def styled_printed(text: str) -> StyledText:
    """``printed_text(text)`` and the style mask (``BOLD | ITALIC | UNDERLINE``) of each character."""
    printed = printed_text(text)
    if "*" not in text and "_" not in text:
        return printed, (0,) * len(printed)
    work = text
    if NOTE_OPEN in work:
        work = NOTE.sub("", work)
    if BONEYARD_OPEN in work:
        work = BONEYARD.sub("", work)
    masks = [0] * len(work)
    offset = 0
    for line in work.split("\n"):
        for a, b, style in emphasis(line):
            bit = _STYLE_BITS.get(style)
            if bit:
                for i in range(offset + a, offset + b):
                    masks[i] |= bit
        offset += len(line) + 1
    work, masks = _drop(work, masks, EMPHASIS_MARK)
    if "\\" in work:
        work, masks = _drop(work, masks, ESCAPED_MARK, keep_group=1)
    if work != printed:  # the two readings disagree: print it plain rather than wrong
        return printed, (0,) * len(printed)
    return work, tuple(masks)


def _expand_tabs(line: str, masks: tuple[int, ...]) -> StyledText:
    if "\t" not in line:
        return line, masks
    chars: list[str] = []
    out: list[int] = []
    for ch, mask in zip(line, masks):
        if ch == "\t":
            n = TAB - len(chars) % TAB
            chars.extend(" " * n)
            out.extend([mask] * n)
        else:
            chars.append(ch)
            out.append(mask)
    return "".join(chars), tuple(out)


def styled_rows(text: str, width: int) -> list[StyledText]:
    """The rows pagination makes of ``text`` at ``width`` columns (as ``_element_rows`` does:
    each printed line word-wrapped), each with its characters' style masks."""
    printed, masks = styled_printed(text)
    rows: list[StyledText] = []
    start = 0
    for line in printed.split("\n"):
        line_masks = masks[start:start + len(line)]
        start += len(line) + 1
        expanded, expanded_masks = _expand_tabs(line, line_masks)
        pos = 0
        for piece in wrap(line, width):
            at = expanded.find(piece, pos) if piece else pos
            if at < 0 or expanded[pos:at].strip(" "):
                rows.append((piece, (0,) * len(piece)))  # not where expected: plain
                continue
            rows.append((piece, expanded_masks[at:at + len(piece)]))
            pos = at + len(piece)
    return rows


def runs(text: str, masks: tuple[int, ...]) -> list[tuple[int, str, int]]:
    """``(column, text, mask)`` for each stretch of ``text`` in one style."""
    out: list[tuple[int, str, int]] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and masks[j] == masks[i]:
            j += 1
        out.append((i, text[i:j], masks[i]))
        i = j
    return out
