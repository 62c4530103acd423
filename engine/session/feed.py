"""From engine events to session steps: what one running request (or model load) did.

A :class:`Feed` turns the events of one ``Generation`` into steps the session applies
(:meth:`~engine.session.SuggestionSession.apply`). Streamed text travels as "the text so far"
(:class:`Streamed`), so an owner that draws less often than tokens come (the editor's panel)
can keep only the newest. The feed runs where the generation is iterated (the panel's worker
thread, or the caller's thread in ``SuggestionSession.run``); the steps are applied where the
session lives.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.generation import (
    CANCELLED,
    ContextEvent,
    DoneEvent,
    ErrorEvent,
    Event,
    LoadEvent,
    PromptEvent,
    RetryEvent,
    StatsEvent,
    TokenEvent,
)


@dataclass(frozen=True)
class Loading:
    model: str
    stage: str
    fraction: float | None


@dataclass(frozen=True)
class Assembled:
    context: ContextEvent


@dataclass(frozen=True)
class Progress:
    slot: int
    done: int
    total: int


@dataclass(frozen=True)
class Streamed:
    slot: int
    text: str  # everything streamed into the slot so far


@dataclass(frozen=True)
class Restarted:
    slot: int
    reason: str
    seed: int


@dataclass(frozen=True)
class Finished:
    slot: int
    done: DoneEvent
    stats: StatsEvent | None


@dataclass(frozen=True)
class Failed:
    model: str | None
    message: str
    kind: str  # ErrorEvent.kind: config | model | server | crash | generation ...


Step = Loading | Assembled | Progress | Streamed | Restarted | Finished | Failed


class Feed:
    """Translates the events of one request (or model load). ``first_slot``: where its
    alternative 0 goes in the suggestion's list (a retry appends to the ones already there)."""

    def __init__(self, first_slot: int = 0, model: str | None = None) -> None:
        self.first_slot = first_slot
        self.model = model
        self.texts: dict[int, str] = {}
        self._stats: dict[int, StatsEvent] = {}
        self.ended_by: str | None = None  # "error", "cancelled" or None

    def steps(self, event: Event) -> list[Step]:
        if isinstance(event, TokenEvent):
            slot = self.first_slot + event.index
            text = self.texts[slot] = self.texts.get(slot, "") + event.text
            return [Streamed(slot, text)]
        if isinstance(event, PromptEvent):
            return [Progress(self.first_slot + event.index, event.done, event.total)]
        if isinstance(event, LoadEvent):
            self.model = event.model
            return [Loading(event.model, event.stage, event.fraction)]
        if isinstance(event, ContextEvent):
            self.model = event.model
            return [Assembled(event)]
        if isinstance(event, RetryEvent):
            slot = self.first_slot + event.index
            self.texts[slot] = ""
            return [Restarted(slot, event.reason, event.seed)]
        if isinstance(event, StatsEvent):
            self._stats[event.index] = event
            return []
        if isinstance(event, DoneEvent):
            slot = self.first_slot + event.index
            self.texts[slot] = event.text
            if event.reason == CANCELLED:
                self.ended_by = "cancelled"
            return [Finished(slot, event, self._stats.pop(event.index, None))]
        if isinstance(event, ErrorEvent):
            self.ended_by = "error"
            failed = Failed(self.model, event.message, event.kind)
            text = getattr(event, "text", "")  # a server that failed mid-stream: what came stays
            if text:
                slot = self.first_slot + getattr(event, "index", 0)
                self.texts[slot] = text
                return [Streamed(slot, text), failed]
            return [failed]
        return []
