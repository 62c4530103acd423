"""A clean Fountain draft of a script: the writer's own text, minus what they ask to drop.

The draft is made from the source text (not re-written from elements), so forcing marks,
emphasis and line breaks stay exactly as written. Options drop notes (``[[ ]]``), boneyard
(``/* */``), sections (``#``) and synopses (``=``), number unnumbered scenes (``#n#``), set
the title page's ``Draft date``, and label AI-assisted passages, either as a Fountain note at
the end of every paragraph that holds AI-written text or as one title-page line.

AI labels are honest: the spans are ``None`` when nothing records which text is AI-written (no
provenance record), and then labelling is refused with :class:`AILabelError`; with ``[]`` (a
record, no AI-written text) no label is added, and :func:`draft` says so in its remarks. The
title-page line goes into an existing ``Notes:`` key rather than a second one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from engine.fountain import Element, Kind, parse
from engine.fountain.stats import count_words
from engine.fountain.syntax import BONEYARD, NOTE

from .safe_write import ExportError

__all__ = ["AILabelError", "AI_NOTE", "Draft", "DraftOptions", "NO_AI_TEXT", "ai_title_line", "draft",
           "fountain_draft"]

AI_NOTE = "[[AI-assisted: text from an accepted model suggestion]]"
_SENTINEL = "\x00"
_SCENE_NUMBER = re.compile(r"#[^#\s]*#\s*$")
_TRAILING_NOTES = re.compile(rf"(\s*{NOTE.pattern})+\s*$")
NO_AI_TEXT = "no text in the script came from accepted model suggestions, so no AI label was added"


class AILabelError(ExportError):
    """AI labels asked for, but which text is AI-written is not known (no provenance record)."""


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    remarks: tuple[str, ...] = ()  # what the writer should know (e.g. no AI label was added, and why)


@dataclass(frozen=True, slots=True)
class DraftOptions:
    drop_notes: bool = False
    drop_boneyard: bool = False
    drop_sections: bool = False
    drop_synopses: bool = False
    number_scenes: bool = False
    draft_date: str | None = None
    label_ai: str | None = None  # None | "notes" | "title"


def ai_title_line(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The title page's note saying how much of the draft comes from accepted model
    suggestions (the value of a ``Notes:`` key). Only for spans that hold text."""
    total = count_words(text)
    ai = sum(count_words(text[a:b]) for a, b in spans)
    share = round(100 * ai / total) if total else 0
    about = f"about {share}%" if share or not ai else "less than 1%"
    return f"AI-assisted draft: {about} of the words come from accepted model suggestions."


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _labelled_lines(elements: Sequence[Element], text: str, spans: Sequence[tuple[int, int]]) -> set[int]:
    """Last source line of every printed paragraph that overlaps an AI span."""
    starts = _line_starts(text)
    lines: set[int] = set()
    labelled = {Kind.SCENE_HEADING, Kind.ACTION, Kind.DIALOGUE, Kind.PARENTHETICAL, Kind.TRANSITION,
                Kind.CENTERED, Kind.LYRICS, Kind.CHARACTER}
    block_end = _block_ends(elements)
    for i, e in enumerate(elements):
        if e.kind not in labelled:
            continue
        a = starts[e.line]
        b = starts[e.end_line + 1] if e.end_line + 1 < len(starts) else len(text)
        if any(s < b and t > a for s, t in spans):
            lines.add(block_end[i])
    return lines


def _block_ends(elements: Sequence[Element]) -> list[int]:
    """For every element, the last line of its dialogue block (cue, parentheticals and
    speech are labelled once, after the speech), or its own last line."""
    ends = [e.end_line for e in elements]
    speech = (Kind.CHARACTER, Kind.PARENTHETICAL, Kind.DIALOGUE, Kind.LYRICS)
    i = 0
    while i < len(elements):
        if elements[i].kind is not Kind.CHARACTER:
            i += 1
            continue
        j = i
        while j + 1 < len(elements) and elements[j + 1].kind in speech[1:] \
                and elements[j + 1].line <= elements[j].end_line + 1:
            j += 1
        for k in range(i, j + 1):
            ends[k] = elements[j].end_line
        i = j + 1
    return ends


def fountain_draft(text: str, options: DraftOptions = DraftOptions(),
                   ai_spans: Sequence[tuple[int, int]] | None = None) -> str:
    """The draft text (see :func:`draft`)."""
    return draft(text, options, ai_spans).text


def draft(text: str, options: DraftOptions = DraftOptions(),
          ai_spans: Sequence[tuple[int, int]] | None = None) -> Draft:
    """The draft and its remarks. ``ai_spans`` are ``(start, end)`` character offsets into
    ``text``; ``None`` when no record says which text is AI-written: labels are then refused
    with :class:`AILabelError`."""
    if options.label_ai and ai_spans is None:
        raise AILabelError("which text is AI-written is not known (no provenance record of accepted "
                           "suggestions), so it cannot be labelled; export without an AI label")
    spans = [(a, b) for a, b in ai_spans or () if b > a]
    remarks: list[str] = []
    result = parse(text)
    elements = result.elements
    lines = text.split("\n")
    kill: set[int] = set()  # lines removed whole
    for e in elements:
        if (e.kind is Kind.SECTION and options.drop_sections) or (e.kind is Kind.SYNOPSIS and options.drop_synopses):
            kill.update(range(e.line, e.end_line + 1))
    # labels and scene numbers first (positions of the original lines)
    if options.label_ai == "notes":
        labelled = _labelled_lines(elements, text, spans) if spans else set()
        for n in labelled:
            lines[n] = lines[n].rstrip() + " " + AI_NOTE
        if not labelled:
            remarks.append(NO_AI_TEXT if not spans else
                           "the AI-written text is in no printed paragraph, so no AI label was added")
    title_line = None
    if options.label_ai == "title":
        if spans and any(text[a:b].strip() for a, b in spans):
            title_line = ai_title_line(text, spans)
        else:
            remarks.append(NO_AI_TEXT)
    if options.number_scenes:
        used = {e.scene_number for e in elements if e.kind is Kind.SCENE_HEADING and e.scene_number}
        n = 0
        for e in elements:
            if e.kind is not Kind.SCENE_HEADING:
                continue
            n += 1
            if e.scene_number:
                continue
            number = str(n)
            while number in used:
                number += "A"
            used.add(number)
            line = lines[e.line]
            notes = _TRAILING_NOTES.search(line)
            head, tail = (line[: notes.start()], line[notes.start():]) if notes else (line.rstrip(), "")
            lines[e.line] = f"{head.rstrip()} #{number}#{tail}"
    for n in kill:
        lines[n] = _SENTINEL
    body = "\n".join(lines)
    if options.drop_boneyard:
        body = BONEYARD.sub(_SENTINEL, body)
    if options.drop_notes:
        body = NOTE.sub(lambda m: m.group(0) if m.group(0) == AI_NOTE else _SENTINEL, body)
    out = _tidy(body.split("\n"))
    out = _title_page(out, options.draft_date, title_line)
    return Draft("\n".join(out), tuple(remarks))


def _tidy(lines: list[str]) -> list[str]:
    """Remove lines emptied by dropping, without leaving runs of blank lines behind."""
    out: list[str] = []
    dropped = False
    for line in lines:
        if _SENTINEL in line:
            rest = line.replace(_SENTINEL, "")
            if not rest.strip():
                dropped = True
                continue
            line = rest.rstrip() if rest.strip() else rest
        if line == "" and dropped and (not out or out[-1] == ""):
            continue
        if line != "":
            dropped = False
        out.append(line)
    return out


def _title_elements(lines: list[str]) -> list[Element]:
    return [e for e in parse("\n".join(lines)).elements if e.kind is Kind.TITLE]


def _title_page(lines: list[str], draft_date: str | None, ai_line: str | None) -> list[str]:
    """Set the draft date (replacing the key's value, or adding the key) and put the AI line in
    the ``Notes:`` key (a new value line of an existing key, or a new key)."""
    if not draft_date and not ai_line:
        return lines
    title = _title_elements(lines)
    if draft_date:
        date = [e for e in title if (e.key or "").casefold() == "draft date"]
        if date:
            e = date[0]
            lines = lines[: e.line] + [f"{lines[e.line].split(':', 1)[0]}: {draft_date}"] + lines[e.end_line + 1:]
            title = _title_elements(lines)
        else:
            lines = _add_title_line(lines, title, f"Draft date: {draft_date}")
            title = _title_elements(lines)
    if ai_line:
        notes = [e for e in title if (e.key or "").casefold() == "notes"]
        if notes:
            e = notes[0]
            indent = "    "
            for line in lines[e.line + 1: e.end_line + 1]:
                if line.strip():
                    indent = line[: len(line) - len(line.lstrip())]
                    break
            lines = lines[: e.end_line + 1] + [indent + ai_line] + lines[e.end_line + 1:]
        else:
            lines = _add_title_line(lines, title, f"Notes: {ai_line}")
    return lines


def _add_title_line(lines: list[str], title: list[Element], line: str) -> list[str]:
    """``line`` (a new key) at the end of the title page, or as a new title page."""
    if title:
        end = max(e.end_line for e in title) + 1
        return lines[:end] + [line] + lines[end:]
    return [line, ""] + lines
