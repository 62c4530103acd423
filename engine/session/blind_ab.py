"""Blind A/B comparisons of suggestions, as plain data.

One request samples two candidates: one with the writer's settings, one with another model,
another prompt version, or another seed of the same model and prompt. The panel shows them as
"A" and "B" in random order and keeps which is which hidden until the writer picks one
(accepting a candidate picks it; dismissing both picks neither). The edit log records each
candidate as a request of its own and the pick as a comparison (``EditLog.record_comparison``
and ``pick``), which ``scenewright eval`` turns into win rates.

* :class:`BlindAB`: what the writer's candidate is compared with (``GenerationSettings.ab``).
* :class:`BlindPair`: one comparison on show: which side is the writer's, what each side is, the pick.
* :func:`choices`: the comparisons the settings screen and the command palette offer.
* :func:`engine.session.steering.other_side`: the steered prompt and the request of the other candidate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.models.registry import Registry
    from engine.steering import PromptLibrary

KINDS = ("model", "prompt", "seed")
PROMPT_KINDS = ("continue", "dialogue")  # prompts that continue the script at the cursor


class BlindABError(Exception):
    """The other candidate cannot be asked for (a model or prompt that is gone): a sentence."""


@dataclass(frozen=True)
class BlindAB:
    kind: str  # model | prompt | seed
    other: str | None = None  # the model's name, or the prompt as "id@version"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"blind A/B kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind != "seed" and not self.other:
            raise ValueError(f"blind A/B of another {self.kind} needs its name")

    def describe(self) -> str:
        if self.kind == "model":
            return f"model {self.other}"
        if self.kind == "prompt":
            return f"prompt {self.other}"
        return "another seed"

    @property
    def value(self) -> str:
        """As a choice's value: ``model:NAME``, ``prompt:ID@VERSION``, ``seed``."""
        return self.kind if self.other is None else f"{self.kind}:{self.other}"

    @classmethod
    def from_value(cls, value: str) -> "BlindAB | None":
        if not value or value == "off":
            return None
        kind, _, other = value.partition(":")
        return cls(kind, other or None)


@dataclass
class BlindPair:
    """A comparison on show. ``sides[0]`` is what is shown as A, ``sides[1]`` as B: each a
    description ("gemma3-270m · continue@2 (your settings)"), hidden until the pick."""

    key: str  # the edit log's comparison id
    writers: str  # "A" or "B": the side sampled with the writer's own settings
    sides: tuple[str, str] = ("", "")
    winner: str | None = None  # "A", "B" or None (neither), once decided
    decided: bool = False

    def describe(self, label: str) -> str:
        return self.sides[0 if label == "A" else 1]

    def reveal(self) -> str:
        """What each side was, in a sentence (after the pick)."""
        picked = "neither" if self.winner is None else self.winner
        return f"You picked {picked}. A was {self.sides[0]}; B was {self.sides[1]}."


def shuffle(rng: random.Random | None = None) -> str:
    """Which label the writer's own candidate gets: "A" or "B", at random."""
    return "A" if (rng or random).random() < 0.5 else "B"


def choices(registry: "Registry | None", library: "PromptLibrary | None",
            current_model: str | None = None) -> list[tuple[str, BlindAB | None]]:
    """``(label, comparison)`` for every comparison on offer: off, each model of models.toml
    (but ``current_model``), each version of each prompt that continues the script, another seed."""
    out: list[tuple[str, BlindAB | None]] = [("Off", None)]
    if registry is not None:
        for name in registry.models:
            if name != current_model:
                out.append((f"Model {name}", BlindAB("model", name)))
    if library is not None:
        for prompt_id, versions in library.versions.items():
            for prompt in versions:
                if prompt.kind in PROMPT_KINDS:
                    out.append((f"Prompt {prompt.ref} ({prompt.title})", BlindAB("prompt", prompt.ref)))
    out.append(("Another seed, same model and prompt", BlindAB("seed")))
    return out
