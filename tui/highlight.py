"""From the engine's parse state to Textual's highlight map: names and UTF-8 byte columns.

The engine classifies each line (``LiveParse.line_kind``) and gives its inline spans
(``LiveParse.line_spans``) in *character* columns. ``TextArea`` expects highlights as
``(start_byte, end_byte_or_None, name)`` per line, with the names looked up in the
``TextAreaTheme``'s syntax styles. This module does that conversion and nothing else: there
is no Fountain syntax here.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.fountain import LiveParse

HIGHLIGHT_PREFIX = "fountain."

SPAN_STYLES = (
    "bold", "italic", "bold_italic", "underline", "markup", "note", "boneyard",
    "scene_number", "extension", "title_key",
)

AI_STYLE = "ai_text"
MISSPELLED_STYLE = "misspelled"
REVISED_STYLE = "revised"
EXTRA_STYLES = (AI_STYLE, MISSPELLED_STYLE, REVISED_STYLE)  # theme keys that are neither an element kind nor an inline span

Highlight = tuple[int, "int | None", str]
RowSpans = Callable[[int], "list[tuple[int, int]]"]


def _byte_columns(line: str) -> list[int]:
    """``columns[i]`` = UTF-8 byte offset of character ``i`` (one past the end included)."""
    columns = [0] * (len(line) + 1)
    total = 0
    for index, char in enumerate(line):
        columns[index] = total
        code = ord(char)
        total += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    columns[len(line)] = total
    return columns


def byte_to_character(line: str) -> dict[int, int]:
    """``{utf8_byte_offset: character_index}`` of ``line`` (one past the end included): from a
    highlight's columns back to the characters ``TextArea.get_line`` styles."""
    return {byte: index for index, byte in enumerate(_byte_columns(line))}


def line_highlights(live: LiveParse, row: int) -> list[Highlight]:
    """The highlights of one line: its element kind over the whole line, then its spans on top
    (a later highlight layers over an earlier one, so ``**bold**`` in dialogue is bold *and*
    dialogue-coloured)."""
    kind = live.line_kind(row)
    spans = live.line_spans(row)
    out: list[Highlight] = []
    if kind is not None:
        out.append((0, None, HIGHLIGHT_PREFIX + kind.value))
    if spans:
        line = live.lines[row]
        columns = None if line.isascii() else _byte_columns(line)
        for span in spans:
            if span.end <= span.start:
                continue
            if columns is None:
                start, end = span.start, span.end
            else:
                last = len(line)
                start, end = columns[min(span.start, last)], columns[min(span.end, last)]
            out.append((start, end, HIGHLIGHT_PREFIX + span.style))
    return out


def ai_highlights(line: str, spans: list[tuple[int, int]], style: str = AI_STYLE) -> list[Highlight]:
    """The ``style`` highlights of a line from character spans (end exclusive): AI-written
    text, misspelled words."""
    columns = None if line.isascii() else _byte_columns(line)
    last = len(line)
    out: list[Highlight] = []
    for start, end in spans:
        start, end = min(start, last), min(end, last)
        if end <= start:
            continue
        if columns is not None:
            start, end = columns[start], columns[end]
        out.append((start, end, HIGHLIGHT_PREFIX + style))
    return out


class LazyHighlights(dict):
    """The highlights of each row, filled on demand.

    ``ScriptEditor.get_line`` asks ``highlights[row]`` only for the rows ``TextArea`` renders,
    so computing a row's highlights there (and caching them until the next edit) keeps the
    work per keystroke proportional to the screen, not to the script.
    """

    def __init__(self, live: LiveParse | None = None, ai_rows: RowSpans | None = None,
                 spell_rows: RowSpans | None = None, revised_rows: "Callable[[int], bool] | None" = None) -> None:
        super().__init__()
        self.revised_rows = revised_rows  # None: no revision marks
        self.live = live
        self.ai_rows = ai_rows  # None: AI-written text is not shown
        self.spell_rows = spell_rows  # None: spelling is off

    def __missing__(self, row: int) -> list[Highlight]:
        live = self.live
        if live is None or not 0 <= row < len(live.lines):
            return []
        value = line_highlights(live, row)
        if self.revised_rows is not None and self.revised_rows(row) and live.lines[row]:
            value.insert(1 if value else 0, (0, None, HIGHLIGHT_PREFIX + REVISED_STYLE))  # under the spans
        if self.ai_rows is not None:
            spans = self.ai_rows(row)
            if spans:
                value.extend(ai_highlights(live.lines[row], spans))  # over the Fountain styles
        if self.spell_rows is not None:
            spans = self.spell_rows(row)
            if spans:
                value.extend(ai_highlights(live.lines[row], spans, MISSPELLED_STYLE))
        self[row] = value
        return value
