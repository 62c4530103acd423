"""What makes a continuation one a writer keeps: the checks of ``scenewright bench quality``.

Each check reads a continuation the way Fountain does (``engine.fountain.parse`` of the text
before it plus the continuation) and judges only the continuation's own elements:

* ``well_formed``: screenplay elements, every character cue followed by dialogue or a
  parenthetical (the last, cut-off paragraph excepted), no parenthetical outside dialogue, no
  chat or Markdown artefacts ("NAME: line" transcripts, bullets, ``**``, code fences, "Sure,
  here is..."), no assistant talking about the script;
* ``loops``: the repetition guard (``engine.generation.RepetitionGuard``) finds a loop in it;
* ``cues``: the character cues it writes (to check against the scene's cast);
* ``has_dialogue``: it holds at least one line of dialogue;
* ``leaves_scene``: it writes a scene heading or a transition (it ends the scene).
"""

from __future__ import annotations

import re

from engine.fountain import Kind, parse
from engine.generation import RepetitionGuard

_ARTEFACTS = [
    re.compile(r"^\s*```"),  # code fences
    re.compile(r"^\s*[-*\u2022]\s+\S"),  # bullet lists
    re.compile(r"\*\*[^*]+\*\*\s*:"),  # **NAME**: chat-style cues
    re.compile(r"^\s*#{2,6}\s"),  # Markdown headings (Fountain sections use one # per level, rarely mid-scene)
    re.compile(r"^[A-Z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*){0,3}:\s+\S"),  # "NAME: line" transcripts
    re.compile(r"^(sure|certainly|of course)\b[,!.]", re.IGNORECASE),  # chat preambles
    re.compile(r"^\s*\d+\.?\s*$"),  # stray numbers (page or line numbers)
    re.compile(r"^here(?:'s| is| are) (?:a|an|the|your)\b.*\b(?:continuation|scene|screenplay|script)", re.IGNORECASE),
]
# An assistant talking about the text instead of continuing it ("You've got an interesting story here").
_META = re.compile(r"\b(screenplay|storytelling|your story|this story|the story you|in this scene|this script)\b", re.I)
_SCREENPLAY = {Kind.ACTION, Kind.CHARACTER, Kind.DIALOGUE, Kind.SCENE_HEADING, Kind.TRANSITION, Kind.PARENTHETICAL}


def first_half(text: str) -> str:
    """``text`` up to the first paragraph break after its middle (blank line kept)."""
    cut = text.find("\n\n", len(text) // 2)
    return text[: cut + 2] if cut > 0 else text


def elements_of(prefix: str, continuation: str):
    """The Fountain elements the continuation adds after ``prefix``."""
    start_line = prefix.count("\n")
    return [e for e in parse(prefix + continuation).elements if e.end_line >= start_line]


def loops(text: str) -> bool:
    return shown_text(text) != text


def shown_text(text: str) -> str:
    """What the writer sees of ``text``: the repetition guard cuts it where a loop begins."""
    guard = RepetitionGuard()
    for i in range(1, len(text) + 1):
        cut = guard.check(text[:i])
        if cut is not None:
            return text[:cut]
    return text


def well_formed(prefix: str, continuation: str, cut_off: bool) -> tuple[bool, str]:
    """Does ``continuation`` read as Fountain after ``prefix``? (verdict, why not)"""
    if not continuation.strip():
        return False, "empty"
    for line in continuation.split("\n"):
        if any(pattern.search(line) for pattern in _ARTEFACTS):
            return False, f"artefact: {line.strip()[:40]!r}"
    elements = elements_of(prefix, continuation)
    if cut_off and elements:
        # the last paragraph was cut by max_tokens: judge only complete paragraphs
        last_start = elements[-1].line
        elements = [e for e in elements if e.end_line < last_start] or elements[:1]
    kinds = [e.kind for e in elements]
    if not any(k in _SCREENPLAY for k in kinds):
        return False, "no screenplay elements"
    for i, element in enumerate(elements):
        if element.kind is Kind.CHARACTER:
            j = i + 1
            while j < len(kinds) and kinds[j] is Kind.PARENTHETICAL:
                j += 1
            if j < len(kinds) and kinds[j] is not Kind.DIALOGUE:
                return False, "character cue without dialogue"
        if element.kind is Kind.ACTION and element.text.lstrip().startswith("("):
            return False, "parenthetical outside dialogue"
        if element.kind is Kind.ACTION and _META.search(element.text):
            return False, f"talks about the script: {element.text.strip()[:40]!r}"
    return True, ""


def cues(prefix: str, continuation: str) -> list[str]:
    """The character names the continuation's cues use (extensions dropped)."""
    return [e.name.strip() for e in elements_of(prefix, continuation) if e.kind is Kind.CHARACTER and e.name]


def has_dialogue(prefix: str, continuation: str) -> bool:
    return any(e.kind is Kind.DIALOGUE for e in elements_of(prefix, continuation))


def leaves_scene(prefix: str, continuation: str) -> bool:
    return any(e.kind in (Kind.SCENE_HEADING, Kind.TRANSITION) for e in elements_of(prefix, continuation))


def distinct_2(texts: list[str]) -> float:
    """Distinct word bigrams over all bigrams of ``texts`` (1.0: no two continuations share a phrase)."""
    grams = []
    for text in texts:
        words = text.split()
        grams.extend(zip(words, words[1:]))
    return len(set(grams)) / len(grams) if grams else 0.0
