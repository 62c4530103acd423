"""The objects a parsed Fountain script is made of.

Positions are 0-based in memory (``line``, ``end_line``, span columns in characters);
the public JSON output (``engine.fountain.jsonout``) turns lines into 1-based numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """Element types, named as in the ``scenewright parse --json`` contract."""

    TITLE = "title"
    SCENE_HEADING = "scene_heading"
    ACTION = "action"
    CHARACTER = "character"
    DIALOGUE = "dialogue"
    PARENTHETICAL = "parenthetical"
    TRANSITION = "transition"
    CENTERED = "centered"
    LYRICS = "lyrics"
    SECTION = "section"
    SYNOPSIS = "synopsis"
    NOTE = "note"
    BONEYARD = "boneyard"
    PAGE_BREAK = "page_break"


@dataclass(frozen=True, slots=True)
class Span:
    """An inline run of one line, columns in characters: ``line[start:end]``.

    ``style`` is one of:
    ``bold``, ``italic``, ``bold_italic``, ``underline`` (emphasis text),
    ``markup`` (syntax characters: forcing marks, ``*``/``_`` delimiters, ``^``, ``#`` of sections),
    ``note``, ``boneyard``, ``scene_number``, ``extension`` (a character's ``(V.O.)``),
    ``title_key``.
    """

    line: int
    start: int
    end: int
    style: str


@dataclass(slots=True)
class Element:
    """One element of the script. ``line``/``end_line`` are 0-based and inclusive."""

    kind: Kind
    text: str
    line: int
    end_line: int
    scene_number: str | None = None
    name: str | None = None  # characters
    extension: str | None = None  # characters: "(V.O.)" or None
    dual: str | None = None  # characters: "left" / "right"
    level: int | None = None  # sections: 1..6
    key: str | None = None  # title page entries

    def shifted(self, delta: int) -> "Element":
        """A copy moved ``delta`` lines down (used by the incremental parser)."""
        return Element(
            self.kind, self.text, self.line + delta, self.end_line + delta,
            self.scene_number, self.name, self.extension, self.dual, self.level, self.key,
        )


# Per-line classification used for highlighting: what a whole line is.
# A line inside a multi-line element gets the element's kind; blank lines get None.
LineKinds = list["Kind | None"]


@dataclass(slots=True)
class Outline:
    """One entry of the outline panel (section, scene heading or synopsis)."""

    kind: Kind
    text: str
    line: int
    level: int = 0
    scene_number: str | None = None
    page: int = 1
    duration_s: float = 0.0


@dataclass(slots=True)
class ParseResult:
    """A whole parsed script."""

    elements: list[Element] = field(default_factory=list)
    line_kinds: list[Kind | None] = field(default_factory=list)

    @property
    def title_page(self) -> list[Element]:
        return [e for e in self.elements if e.kind is Kind.TITLE]

    def body(self) -> list[Element]:
        return [e for e in self.elements if e.kind is not Kind.TITLE]
