"""The writer's generation settings, as plain data: sampling values and the model, ``None``
meaning "the model entry's default" (models.toml), so changing the model brings its own defaults.

* :class:`GenerationSettings`: what the settings screen edits and each request starts from.
* :func:`resolved_sampling`: the sampling a request runs with (its own values, else the entry's),
  as the edit log keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.generation import ContinueRequest
from engine.generation.request import SAMPLING_KEYS
from engine.models.registry import ModelEntry

from .blind_ab import BlindAB

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
