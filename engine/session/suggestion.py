"""One suggestion's life as plain data (no widgets, no Textual).

* :class:`Suggestion`: one request: the script and cursor it was made for (a snapshot, so a
  retry resamples the same context), and its alternatives ("swipes").
* :class:`Alternative`: one sampled continuation, streamed; ``consumed`` counts the characters
  already put in the script by "accept line", so what is left to offer is ``text[consumed:]``.
* :class:`SuggestionRecord`: what a decision reports (shown / accepted / rejected / retried),
  immutable, for the edit log: with the keys the log files it under (a request's ``key``, an
  alternative's ``key``), the script snapshot, what the model read and the sampling it used.
* :class:`Rating`: the writer's ratings of one suggestion (1 to 5, and free tags).
* :class:`Offer`: text on offer for the script, and where it was meant to go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.generation import ContextEvent, StatsEvent
from engine.ids import new_id as new_key

from .blind_ab import BlindPair
from .settings import GenerationSettings

RATING_FIELDS = {"plot": "Plot coherence", "dialogue": "Dialogue quality", "tone": "Tone consistency"}


@dataclass
class Alternative:
    slot: int  # position in the suggestion (0-based)
    text: str = ""  # everything streamed (provisional until ``reason`` is set)
    consumed: int = 0  # characters already accepted into the script (accept line)
    reason: str | None = None  # why it ended (DoneEvent.reason); None while streaming
    seed: int | None = None
    stats: StatsEvent | None = None
    prompt: tuple[int, int] | None = None  # prompt evaluation (done, total) while reading the script
    restarts: int = 0  # times the repetition guard threw it away and sampled again
    key: str = field(default_factory=new_key)  # the edit log's suggestion id
    request_key: str = ""  # the edit log's request id (several alternatives share one)
    context: ContextEvent | None = None  # what the model read for it
    sampling: dict[str, Any] = field(default_factory=dict)  # what its request sampled with
    request_seed: int | None = None  # the seed its request asked for (None: random)
    prompt_ref: tuple[str, int] | None = None  # (prompt id, version), from DoneEvent
    label: str | None = None  # "A" or "B" in a blind comparison
    rating: "Rating | None" = None

    @property
    def offered(self) -> str:
        """What is left to accept."""
        return self.text[self.consumed:]

    @property
    def finished(self) -> bool:
        return self.reason is not None


@dataclass
class Suggestion:
    """One request for a continuation and its alternatives."""

    id: int
    script: str  # the text the request was made for
    cursor: tuple[int, int]  # where the continuation goes (row, column in characters)
    version: int  # the editor's document version at that moment
    settings: GenerationSettings
    model: str | None = None  # resolved model name, when known
    context: ContextEvent | None = None
    alternatives: list[Alternative] = field(default_factory=list)
    current: int = 0
    accepted: bool = False  # some of it went into the script
    samples: int = 0  # alternatives asked for so far (seeds of retries follow on from these)
    steered: object | None = None  # the engine.steering Steered prompt (a retry renders the same)
    key: str = field(default_factory=new_key)  # the edit log's request id of its next samples
    blind: BlindPair | None = None  # a blind A/B comparison: two candidates, the pick
    pending: list = field(default_factory=list)  # blind A/B: (slot, steered, request, key) still to sample

    @property
    def shown(self) -> Alternative | None:
        if 0 <= self.current < len(self.alternatives):
            return self.alternatives[self.current]
        return None

    def slot(self, index: int) -> Alternative:
        while len(self.alternatives) <= index:
            self.alternatives.append(Alternative(len(self.alternatives), request_key=self.key))
        return self.alternatives[index]

    def record(self, alternative: Alternative | None = None) -> "SuggestionRecord":
        alt = alternative or self.shown or Alternative(0, request_key=self.key)
        context = alt.context or self.context
        prompt_ref = alt.prompt_ref
        rendered = getattr(context, "rendered", None)
        if rendered is not None and getattr(rendered, "ref", None):
            prompt_ref = tuple(rendered.ref)  # type: ignore[assignment]
        return SuggestionRecord(
            request_id=self.id,
            slot=alt.slot,
            alternatives=len(self.alternatives),
            model=(context.model if context else None) or self.model or self.settings.model or "",
            text=alt.text,
            offered=alt.offered,
            reason=alt.reason,
            seed=alt.seed,
            cursor=self.cursor,
            settings=self.settings,
            stats=alt.stats,
            prompt_tokens=context.prompt_tokens if context else None,
            key=alt.key,
            request_key=alt.request_key or self.key,
            script=self.script,
            version=self.version,
            context=context,
            prompt_ref=prompt_ref,  # type: ignore[arg-type]
            sampling=dict(alt.sampling),
            request_seed=alt.request_seed,
            label=alt.label,
            consumed=alt.consumed,
        )


@dataclass(frozen=True)
class SuggestionRecord:
    """One alternative of one request, as the edit log will keep it."""

    request_id: int
    slot: int
    alternatives: int
    model: str
    text: str  # the whole alternative
    offered: str  # the part not yet accepted
    reason: str | None
    seed: int | None
    cursor: tuple[int, int]
    settings: GenerationSettings
    stats: StatsEvent | None
    prompt_tokens: int | None
    key: str = ""  # the edit log's suggestion id
    request_key: str = ""  # the edit log's request id
    script: str = field(default="", repr=False)  # the text the request was made for
    version: int = 0  # the editor's document version then
    context: ContextEvent | None = field(default=None, repr=False)  # what the model read
    prompt_ref: tuple[str, int] | None = None
    sampling: dict[str, Any] = field(default_factory=dict, compare=False)
    request_seed: int | None = None
    label: str | None = None  # "A" or "B" in a blind comparison
    consumed: int = 0  # characters of it accepted into the script before this report


@dataclass(frozen=True)
class Rating:
    """The writer's ratings of one suggestion: 1 to 5 each (None: not rated), free tags."""

    plot: int | None = None
    dialogue: int | None = None
    tone: int | None = None
    tags: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.plot is None and self.dialogue is None and self.tone is None and not self.tags

    def summary(self) -> str:
        """``"plot 4 · dialogue 3 · tone 5 · needs more conflict"``"""
        parts = [f"{name} {getattr(self, name)}" for name in RATING_FIELDS if getattr(self, name) is not None]
        return " · ".join(parts + list(self.tags))


def parse_tags(text: str) -> tuple[tuple[str, ...], str | None]:
    """Comma-separated tags as typed (``"needs more conflict, too long"``): ``(tags, problem)``."""
    tags: list[str] = []
    for raw in text.split(","):
        tag = " ".join(raw.split())
        if not tag:
            continue
        if len(tag) > 60:
            return (), f"Tag {tag[:20]!r}…: at most 60 characters (separate tags with commas)"
        if tag not in tags:
            tags.append(tag)
    if len(tags) > 12:
        return (), f"At most 12 tags, not {len(tags)}"
    return tuple(tags), None


@dataclass(frozen=True)
class Offer:
    """Text the panel offers for the script, and where it was meant to go."""

    request_id: int
    slot: int
    part: str  # "whole" | "line"
    text: str
    at: tuple[int, int]
    version: int


def first_line(text: str) -> str:
    """The part "accept line" takes: leading line breaks, then up to and including the end of
    the first line that has text (all of ``text`` when it has no line break after that)."""
    stripped = text.lstrip("\n")
    lead = len(text) - len(stripped)
    end = stripped.find("\n")
    return text if end < 0 else text[: lead + end + 1]

