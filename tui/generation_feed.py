"""From engine events to panel messages: what the panel's ``generate`` worker posts.

Kept apart from the worker so that the same translation serves the worker (real events from
``engine.generation``) and a test that replays a fixed list of events (a deterministic
snapshot of the panel).
"""

from __future__ import annotations

from textual.message import Message

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

from .messages import (
    AlternativeFinished,
    AlternativeRestarted,
    ContextAssembled,
    ModelFailed,
    ModelLoading,
    PromptProgress,
    TokensStreamed,
)


class GenerationFeed:
    """Translates the events of one request (or model load), posted as ``job``.
    ``first_slot``: where its alternative 0 goes in the panel's list (a retry appends to the
    alternatives already there)."""

    def __init__(self, job: int, first_slot: int = 0, model: str | None = None) -> None:
        self.job = job
        self.first_slot = first_slot
        self.model = model
        self.texts: dict[int, str] = {}
        self._stats: dict[int, StatsEvent] = {}
        self.ended_by: str | None = None  # "error", "cancelled" or None

    def messages(self, event: Event) -> list[Message]:
        rid = self.job
        if isinstance(event, TokenEvent):
            slot = self.first_slot + event.index
            text = self.texts[slot] = self.texts.get(slot, "") + event.text
            return [TokensStreamed(rid, slot, text)]
        if isinstance(event, PromptEvent):
            return [PromptProgress(rid, self.first_slot + event.index, event.done, event.total)]
        if isinstance(event, LoadEvent):
            self.model = event.model
            return [ModelLoading(rid, event.model, event.stage, event.fraction)]
        if isinstance(event, ContextEvent):
            self.model = event.model
            return [ContextAssembled(rid, event)]
        if isinstance(event, RetryEvent):
            slot = self.first_slot + event.index
            self.texts[slot] = ""
            return [AlternativeRestarted(rid, slot, event.reason, event.seed)]
        if isinstance(event, StatsEvent):
            self._stats[event.index] = event
            return []
        if isinstance(event, DoneEvent):
            slot = self.first_slot + event.index
            self.texts[slot] = event.text
            if event.reason == CANCELLED:
                self.ended_by = "cancelled"
            return [AlternativeFinished(rid, slot, event, self._stats.pop(event.index, None))]
        if isinstance(event, ErrorEvent):
            self.ended_by = "error"
            failed = ModelFailed(rid, self.model, event.message, event.kind)
            text = getattr(event, "text", "")  # a server that failed mid-stream: what came stays
            if text:
                slot = self.first_slot + getattr(event, "index", 0)
                self.texts[slot] = text
                return [TokensStreamed(rid, slot, text), failed]
            return [failed]
        return []
