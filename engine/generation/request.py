"""A continuation request and the sampling settings it resolves to."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from engine.models.registry import ModelEntry


SHAPES = ("cursor", "scene", "off")

# Sampling fields a request takes from the model's entry (models.toml) unless it sets them.
SAMPLING_KEYS = ("temperature", "top_p", "top_k", "min_p", "repeat_penalty", "frequency_penalty",
                 "presence_penalty", "dry_multiplier", "dry_base", "dry_allowed_length", "dry_penalty_last_n")


@dataclass(frozen=True)
class Sampling:
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    repeat_penalty: float
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    dry_multiplier: float = 0.0  # 0 turns DRY off
    dry_base: float = 1.75
    dry_allowed_length: int = 2
    dry_penalty_last_n: int = -1  # -1: the whole context
    grammar: str | None = None  # GBNF the continuation must match (engine.generation.shape); not an entry key


@dataclass(frozen=True)
class ContinueRequest:
    """What the writer asks for. ``None`` means "the model entry's default"."""

    model: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    repeat_penalty: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    dry_multiplier: float | None = None
    dry_base: float | None = None
    dry_allowed_length: int | None = None
    dry_penalty_last_n: int | None = None
    # Fountain-shaped generation (engine.generation.shape). ``shape`` is where the prompt wants the
    # text to go: "cursor" continues whatever the text before the cursor leaves off, "scene" starts
    # the next scene with a heading, "off" is free text (rewrites of a selection); None is "cursor".
    # ``shaped`` is the writer's switch (None: the entry's ``shape`` in models.toml).
    shape: str | None = None
    shaped: bool | None = None
    new_characters: bool | None = None  # may the model bring in a name that is not in the cast?
    cast: tuple[str, ...] = ()  # names besides the script's speaking characters (from the anchors)
    seed: int | None = None  # alternative i uses seed + i; random when None
    n: int = 1  # alternatives ("swipes"), generated one after the other
    stop: tuple[str, ...] | None = None  # replaces the entry's stop sequences when given
    repetition_guard: bool = True
    loop_retries: int = 1  # resample an alternative this many times when it loops before its first line
    extra_stop: tuple[str, ...] = field(default=())  # added to the stop sequences
    # work nobody waits for (reading the script ahead into the cache): leave one core to the UI
    background: bool = False

    def sampling(self, entry: ModelEntry) -> Sampling:
        values = {}
        for name in SAMPLING_KEYS:
            mine = getattr(self, name)
            values[name] = getattr(entry, name) if mine is None else mine
        return Sampling(**values)

    def shape_mode(self, entry: ModelEntry) -> str:
        """"cursor", "scene" or "off" (see ``shape``)."""
        on = entry.shape if self.shaped is None else self.shaped
        return (self.shape or "cursor") if on else "off"

    def allows_new_characters(self, entry: ModelEntry) -> bool:
        return entry.new_characters if self.new_characters is None else self.new_characters

    def __post_init__(self):
        if self.shape is not None and self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {self.shape!r}")

    def stop_sequences(self, entry: ModelEntry) -> tuple[str, ...]:
        base = entry.stop if self.stop is None else self.stop
        return tuple(dict.fromkeys(tuple(base) + tuple(self.extra_stop)))

    def token_limit(self, entry: ModelEntry) -> int:
        return self.max_tokens or entry.max_tokens

    def seeds(self) -> list[int]:
        base = self.seed if self.seed is not None else random.randrange(1, 2**31 - 1)
        return [(base + i) % (2**31 - 1) for i in range(max(1, self.n))]
