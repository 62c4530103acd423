"""What the suggestion panel knows, as plain data (no widgets, no Textual).

* :class:`GenerationSettings`: the writer's sampling choices and model; ``None`` means "the
  model entry's default" (models.toml), so changing the model brings its own defaults.
* :class:`Suggestion`: one request: the script and cursor it was made for (a snapshot, so a
  retry resamples the same context), and its alternatives ("swipes").
* :class:`Alternative`: one sampled continuation, streamed; ``consumed`` counts the characters
  already put in the script by "accept line", so what is left to offer is ``text[consumed:]``.
* :class:`SuggestionRecord`: what the panel reports to the app (shown / accepted / rejected /
  retried), immutable, for the edit log: with the keys the log files it under (a request's
  ``key``, an alternative's ``key``), the script snapshot, what the model read and the
  sampling it used.
* :class:`Rating`: the writer's ratings of one suggestion (1 to 5, and free tags).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from engine.generation import ContextEvent, ContinueRequest, StatsEvent
from engine.generation.request import SAMPLING_KEYS
from engine.models.registry import ModelEntry

from .blind_ab import BlindAB, BlindPair

#: The sampling settings a writer can change, with their bounds: (label, kind, low, high).
SAMPLING_FIELDS: dict[str, tuple[str, type, float, float]] = {
    "temperature": ("Temperature", float, 0.0, 5.0),
    "top_p": ("Top-p", float, 0.0, 1.0),
    "top_k": ("Top-k", int, 0, 1000),
    "min_p": ("Min-p", float, 0.0, 1.0),
    "repeat_penalty": ("Repeat penalty", float, 0.0, 5.0),
    "frequency_penalty": ("Frequency pen.", float, -2.0, 2.0),
    "presence_penalty": ("Presence pen.", float, -2.0, 2.0),
    "dry_multiplier": ("DRY (0 = off)", float, 0.0, 5.0),
    "max_tokens": ("Max tokens", int, 1, 4096),
}
#: The Fountain-shape switches (engine.generation.shape), shown as yes/no choices: (label, tooltip).
SHAPE_FIELDS: dict[str, tuple[str, str]] = {
    "shaped": ("Fountain shape", "A grammar keeps the suggestion well-formed Fountain: cues from the cast, one blank "
               "line between blocks, no new scene unless the prompt writes one"),
    "new_characters": ("New characters", "May a suggestion bring in a character who is not in the script "
                       "or the anchors?"),
}
MAX_ALTERNATIVES = 5
RATING_FIELDS = {"plot": "Plot coherence", "dialogue": "Dialogue quality", "tone": "Tone consistency"}


def new_key() -> str:
    """A fresh identifier (the edit log files requests and suggestions under these)."""
    return uuid.uuid4().hex


def entry_default(entry: ModelEntry, name: str) -> Any:
    """The model entry's value for a settings field (the field "shaped" is the entry's ``shape``)."""
    return getattr(entry, "shape" if name == "shaped" else name)


def resolved_sampling(request: ContinueRequest, entry: ModelEntry | None) -> dict[str, Any]:
    """The sampling ``request`` runs with: its own values, else the model entry's."""
    if entry is None:
        values: dict[str, Any] = {name: getattr(request, name) for name in SAMPLING_KEYS}
        values["max_tokens"] = request.max_tokens
        values["shape"] = request.shape if request.shaped is not False else "off"
    else:
        sampling = request.sampling(entry)
        values = {name: getattr(sampling, name) for name in SAMPLING_KEYS}
        values["max_tokens"] = request.token_limit(entry)
        values["shape"] = request.shape_mode(entry)
    values["alternatives"] = request.n
    return values


@dataclass(frozen=True)
class GenerationSettings:
    model: str | None = None  # None: the registry's default
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    repeat_penalty: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    dry_multiplier: float | None = None
    max_tokens: int | None = None
    shaped: bool | None = None  # Fountain-shaped generation (None: the entry's ``shape``)
    new_characters: bool | None = None
    alternatives: int = 1  # sampled one after the other for each request
    seed: int | None = None  # alternative i uses seed + i; random when None
    ab: BlindAB | None = None  # blind A/B: each request also samples this other candidate

    def effective(self, entry: ModelEntry | None) -> dict[str, float | int | None]:
        """Each sampling value as it will be used: the writer's, else the model entry's."""
        values = {}
        for name in (*SAMPLING_FIELDS, *SHAPE_FIELDS):
            mine = getattr(self, name)
            values[name] = mine if mine is not None or entry is None else entry_default(entry, name)
        return values

    def without_defaults(self, entry: ModelEntry | None) -> "GenerationSettings":
        """The same settings, with values equal to the model entry's defaults stored as None
        (so that they follow the entry when the model changes)."""
        if entry is None:
            return self
        changes = {name: None for name in (*SAMPLING_FIELDS, *SHAPE_FIELDS)
                   if getattr(self, name) == entry_default(entry, name)}
        return replace(self, **changes)

    def request(self, *, n: int | None = None, seed_offset: int = 0) -> ContinueRequest:
        seed = None if self.seed is None else (self.seed + seed_offset) % (2**31 - 1)
        return ContinueRequest(
            model=self.model,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            min_p=self.min_p,
            repeat_penalty=self.repeat_penalty,
            frequency_penalty=self.frequency_penalty,
            presence_penalty=self.presence_penalty,
            dry_multiplier=self.dry_multiplier,
            shaped=self.shaped,
            new_characters=self.new_characters,
            seed=seed,
            n=max(1, min(MAX_ALTERNATIVES, self.alternatives if n is None else n)),
        )

    def summary(self, entry: ModelEntry | None) -> str:
        v = self.effective(entry)
        parts = []
        if v["temperature"] is not None:
            parts.append(f"temp {v['temperature']:g}")
        if v["top_p"] is not None:
            parts.append(f"top-p {v['top_p']:g}")
        if v["max_tokens"] is not None:
            parts.append(f"≤{v['max_tokens']} tok")
        if v["shaped"] is False:
            parts.append("free text")
        if self.seed is not None:
            parts.append(f"seed {self.seed}")
        if self.ab is not None:
            parts.append(f"A/B vs {self.ab.describe()}")
        return " · ".join(parts)


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

