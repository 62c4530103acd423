"""What a :class:`~engine.session.SuggestionSession` tells its owner and its recorder.

Decisions (the edit log records them): :class:`Shown` (an alternative finished, or what came
before a failure), :class:`Accepted`, :class:`Rejected`, :class:`Retried`, :class:`Rated`,
:class:`Picked`. And :class:`Told`: problems with the prompt or the anchors, each said once.

Plain frozen data: the editor's panel posts each as a Textual message of the same fields
(``tui.messages``), ``scenewright serve`` and ``continue`` read them directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from .suggestion import Rating, SuggestionRecord


@dataclass(frozen=True)
class Shown:
    record: SuggestionRecord


@dataclass(frozen=True)
class Accepted:
    """``text`` (all that was left of the alternative, or its first line: ``part``) went into the
    script from ``at`` to ``end``; ``version``: the document's version after that edit."""

    record: SuggestionRecord
    part: str  # "whole" | "line"
    text: str
    at: tuple[int, int]
    end: tuple[int, int] | None = None
    version: int | None = None


@dataclass(frozen=True)
class Rejected:
    record: SuggestionRecord
    why: str  # "dismissed" | "replaced"


@dataclass(frozen=True)
class Retried:
    record: SuggestionRecord


@dataclass(frozen=True)
class Rated:
    record: SuggestionRecord
    rating: Rating


@dataclass(frozen=True)
class Picked:
    """A blind comparison decided: ``winner`` "A", "B" or None (neither)."""

    a: SuggestionRecord
    b: SuggestionRecord
    winner: str | None
    key: str


@dataclass(frozen=True)
class Told:
    """Problems the writer has not been told yet (a malformed anchor store, a missing prompt...)."""

    problems: tuple[str, ...]


Decision = Shown | Accepted | Rejected | Retried | Rated | Picked
Update = Decision | Told
