"""Classifying one paragraph ("block": lines between blank lines) of a Fountain script.

A block is classified on its own: the only outside facts it needs are whether it is the
first block of the document (a title page can only be there) and the boneyard mask computed
for the whole document. That independence is what makes re-parsing after an edit cheap:
``live.py`` re-classifies only the blocks an edit touched.

Lines here are the *masked* lines: boneyard text removed; ``None`` for a line that held only
a one-line boneyard (it is skipped, neither blank nor text).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from .elements import Element, Kind
from .syntax import (
    NOTE_CLOSE,
    NOTE_OPEN,
    SECTION_MAX,
    TITLE_KEY,
    character_parts,
    is_centered,
    is_forced_scene_heading,
    is_page_break,
    is_scene_heading,
    is_transition,
    split_scene_number,
)

_DIALOGUE_KINDS = (Kind.CHARACTER, Kind.DIALOGUE, Kind.PARENTHETICAL, Kind.LYRICS)

# line states inside a block
_START, _ACTION, _DIALOGUE = 0, 1, 2


@dataclass(slots=True)
class Block:
    """A classified paragraph. ``elements`` and ``notes`` use lines relative to ``start``."""

    start: int
    size: int
    first: bool
    elements: list[Element]
    kinds: list[Kind | None]
    notes: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # rel line -> [(col, col)]
    dual_right: Element | None = None  # its first cue, when that cue has a ^
    last_cue: Element | None = None  # its last cue, when the block is dialogue only

    @property
    def end(self) -> int:
        """Exclusive end line."""
        return self.start + self.size


def _find_notes(masked: list[str | None]) -> tuple[list[str | None], dict[int, list[tuple[int, int]]], list[Element], set[int]]:
    """Notes ``[[...]]`` of a block: masked lines without them, their spans, note elements,
    and the lines that held nothing but notes."""
    text = "\n".join(line or "" for line in masked)
    spans: dict[int, list[tuple[int, int]]] = {}
    elements: list[Element] = []
    starts = [0]
    for line in masked:
        starts.append(starts[-1] + len(line or "") + 1)

    def locate(offset: int) -> tuple[int, int]:
        row = bisect_right(starts, offset) - 1
        return row, offset - starts[row]

    pieces: list[str] = []
    last = 0
    opened = text.find(NOTE_OPEN)
    while opened >= 0:  # linear: once a note is left open, none after it can close
        closed = text.find(NOTE_CLOSE, opened + len(NOTE_OPEN))
        if closed < 0:
            break
        end = closed + len(NOTE_CLOSE)
        r1, c1 = locate(opened)
        r2, c2 = locate(end)
        for r in range(r1, r2 + 1):
            a = c1 if r == r1 else 0
            b = c2 if r == r2 else len(masked[r] or "")
            spans.setdefault(r, []).append((a, b))
        body = text[opened:end]
        elements.append(Element(Kind.NOTE, body[len(NOTE_OPEN) : -len(NOTE_CLOSE)].strip(), r1, r2))
        pieces.append(text[last:opened])
        # keep the line structure: a multi-line note leaves its line breaks behind
        pieces.append("\n" * body.count("\n"))
        last = end
        if opened and text[opened - 1] == " " and text[end : end + 1] == " ":
            last += 1  # "Hola [[note]] there." reads "Hola there."
        opened = text.find(NOTE_OPEN, end)
    pieces.append(text[last:])
    stripped = "".join(pieces).split("\n")
    only_notes = {r for r in spans if not stripped[r].strip()}
    out: list[str | None] = [
        None if (masked[r] is None or r in only_notes) else stripped[r] for r in range(len(masked))
    ]
    return out, spans, elements, only_notes


def _title_page(lines: list[str | None]) -> tuple[list[Element], int] | None:
    """Title-page entries at the top of the first paragraph, and the number of lines they take.
    Values go on the key's line or on the indented lines below it; a line that is neither
    ends the title page."""
    first = lines[0]
    if first is None or first[:1].isspace():
        return None
    opening = TITLE_KEY.match(first)
    if not opening:
        return None
    key, value = opening.group(1), opening.group(2).strip()
    if not value and key == key.upper():  # "FADE IN:", "CUT TO:": a script's first line, not a title key
        return None
    elements: list[Element] = []
    for r, line in enumerate(lines):
        if line is None:
            continue
        found = None if line[:1].isspace() else TITLE_KEY.match(line)
        if found:
            value = found.group(2).strip()
            elements.append(Element(Kind.TITLE, value, r, r, key=found.group(1).strip()))
        elif line[:1].isspace() and line.strip():
            prev = elements[-1]
            value = line.strip()
            prev.text = f"{prev.text}\n{value}" if prev.text else value
            prev.end_line = r
        else:
            return elements, r
    return elements, len(lines)


def classify_block(lines: list[str | None], start: int, first: bool) -> Block:
    """Classify the masked ``lines`` of one paragraph that begins at document line ``start``."""
    n = len(lines)
    notes: dict[int, list[tuple[int, int]]] = {}
    note_elements: list[Element] = []
    only_notes: set[int] = set()
    if any(line is not None and NOTE_OPEN in line for line in lines):
        lines, notes, note_elements, only_notes = _find_notes(lines)

    if first:
        title = _title_page(lines)
        if title:
            elements, size = title
            kinds = [Kind.NOTE if r in only_notes else Kind.TITLE for r in range(size)]
            if size < n:  # body text right under the title page
                rest = classify_block(lines[size:], start + size, first=False)
                elements += [e.shifted(size) for e in rest.elements if e.kind is not Kind.NOTE]
                kinds += [Kind.NOTE if size + r in only_notes else k for r, k in enumerate(rest.kinds)]
            return Block(start, n, first, sorted(elements + note_elements, key=_order), kinds, notes)

    kinds: list[Kind | None] = [Kind.NOTE if r in only_notes else None for r in range(n)]
    visible = [r for r in range(n) if lines[r] is not None]
    elements: list[Element] = []
    state = _START
    current: Element | None = None  # element that the next line of the same kind extends

    def emit(kind: Kind, r: int, text: str, merge: bool = False, **extra) -> Element:
        nonlocal current
        kinds[r] = kind
        if merge and current is not None and current.kind is kind:
            current.text += "\n" + text
            current.end_line = r
            return current
        element = Element(kind, text, r, r, **extra)
        elements.append(element)
        current = element
        return element

    for index, r in enumerate(visible):
        raw = lines[r]
        s = raw.strip()
        nxt = lines[visible[index + 1]] if index + 1 < len(visible) else None
        last = nxt is None
        if not s:  # two-space line: an empty line kept inside dialogue or action
            if state == _DIALOGUE and current is not None and current.kind is Kind.DIALOGUE:
                emit(Kind.DIALOGUE, r, "", merge=True)
            else:
                emit(Kind.ACTION, r, "", merge=state == _ACTION)
                state = _ACTION
            continue
        c = s[0]
        if c == "=" and is_page_break(s):
            emit(Kind.PAGE_BREAK, r, "")
            state, current = _START, None
            continue
        if c == "#":
            level = len(s) - len(s.lstrip("#"))
            emit(Kind.SECTION, r, s[level:].strip(), level=min(level, SECTION_MAX))
            state, current = _START, None
            continue
        if c == "=":
            emit(Kind.SYNOPSIS, r, s[1:].strip())
            current = None
            continue
        if c == "~":
            emit(Kind.LYRICS, r, s[1:].lstrip(), merge=True)
            continue
        if c == ">" and is_centered(s):
            emit(Kind.CENTERED, r, s[1:-1].strip(), merge=True)
            continue
        if state == _DIALOGUE:
            if c == "(" and s.endswith(")"):
                emit(Kind.PARENTHETICAL, r, s)
            elif c == "!":
                emit(Kind.ACTION, r, raw.lstrip()[1:])
                state = _ACTION
            else:
                emit(Kind.DIALOGUE, r, s, merge=True)
            continue
        if state == _ACTION:
            if c == "!":
                emit(Kind.ACTION, r, raw.lstrip()[1:], merge=True)
            else:
                emit(Kind.ACTION, r, raw.rstrip(), merge=True)
            continue
        # _START: the line opens a paragraph (or follows a section, synopsis, page break...)
        if c == "!":
            emit(Kind.ACTION, r, raw.lstrip()[1:].rstrip())
            state = _ACTION
        elif c == "@" and not last and nxt.strip():
            parts = character_parts(s, forced=True)
            if parts:
                name, extension, dual = parts
                emit(Kind.CHARACTER, r, s[1:].rstrip("^").strip(), name=name, extension=extension,
                     dual="right" if dual else None)
                state = _DIALOGUE
            else:
                emit(Kind.ACTION, r, raw.rstrip())
                state = _ACTION
        elif c == ">":
            emit(Kind.TRANSITION, r, s[1:].strip())
            current = None
        elif c == "." and last and is_forced_scene_heading(s):  # ".38 pistol at" opening action stays action
            heading, number, _ = split_scene_number(s[1:].strip())
            emit(Kind.SCENE_HEADING, r, heading, scene_number=number)
            current = None
        elif last and is_scene_heading(s):
            heading, number, _ = split_scene_number(s)
            emit(Kind.SCENE_HEADING, r, heading, scene_number=number)
            current = None
        elif last and is_transition(raw.lstrip()):  # "CUT TO:  " does not end in TO: (as Jouvence, screenplain)
            emit(Kind.TRANSITION, r, s)
            current = None
        elif not last and nxt.strip() and not is_scene_heading(s) and (parts := character_parts(s, forced=False)):
            name, extension, dual = parts
            emit(Kind.CHARACTER, r, s.rstrip("^").strip(), name=name, extension=extension,
                 dual="right" if dual else None)
            state = _DIALOGUE
        else:
            emit(Kind.ACTION, r, raw.rstrip())
            state = _ACTION

    block = Block(start, n, first, sorted(elements + note_elements, key=_order) if note_elements else elements,
                  kinds, notes)
    cues = [e for e in elements if e.kind is Kind.CHARACTER]
    if cues:
        if elements[0].kind is Kind.CHARACTER and elements[0].dual == "right":
            block.dual_right = elements[0]
        if all(e.kind in _DIALOGUE_KINDS for e in elements):
            block.last_cue = cues[-1]
    return block


def _order(element: Element) -> int:
    return element.line
