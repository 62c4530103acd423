"""A continuation request and the sampling settings it resolves to."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields

from engine.models.registry import ModelEntry


@dataclass(frozen=True)
class Sampling:
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    repeat_penalty: float


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
        for f in fields(Sampling):
            mine = getattr(self, f.name)
            values[f.name] = getattr(entry, f.name) if mine is None else mine
        return Sampling(**values)

    def stop_sequences(self, entry: ModelEntry) -> tuple[str, ...]:
        base = entry.stop if self.stop is None else self.stop
        return tuple(dict.fromkeys(tuple(base) + tuple(self.extra_stop)))

    def token_limit(self, entry: ModelEntry) -> int:
        return self.max_tokens or entry.max_tokens

    def seeds(self) -> list[int]:
        base = self.seed if self.seed is not None else random.randrange(1, 2**31 - 1)
        return [(base + i) % (2**31 - 1) for i in range(max(1, self.n))]
