"""Perplexity of a model on texts, from the model's logits.

The model is opened with ``logits_all=True``; each window of tokens is evaluated once and token
``i`` is scored with the log-softmax of the logits row after reading tokens ``< i`` (row ``i - 1``
of the window), in float64. This avoids the off-by-one of ``create_completion(echo=True)``
log-probabilities for models that add no BOS token (see ``benchmarks/default_model.py``, which
first measured it).

Texts longer than the window are scored with a sliding window: every token is scored once, each
with at least ``window - stride - 1`` tokens of context (except at the start of the text); for a
model that reads a BOS token first, every window starts with it. A
``context`` (e.g. a request's prompt) is read but not scored: the perplexity of a writer's final
text given the prompt the model had.

Figures: per token (not comparable across tokenizers: Gemma 3's vocabulary is 262k tokens,
SmolLM2's 49k), and in bits per UTF-8 byte of the scored text (comparable across models).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TextScore:
    name: str
    tokens: int  # tokens scored
    nll: float  # their summed negative log-likelihood, nats
    bytes: int  # UTF-8 bytes of the scored text

    @property
    def perplexity(self) -> float:
        return math.exp(self.nll / self.tokens) if self.tokens else float("nan")

    @property
    def bits_per_byte(self) -> float:
        return self.nll / math.log(2) / self.bytes if self.bytes else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "tokens": self.tokens, "nll": self.nll, "bytes": self.bytes,
                "perplexity": self.perplexity, "bits_per_byte": self.bits_per_byte}


def combine(scores: list[TextScore], name: str = "all") -> TextScore:
    return TextScore(name, sum(s.tokens for s in scores), sum(s.nll for s in scores), sum(s.bytes for s in scores))


class PerplexityScorer:
    """A registry model opened for scoring (``logits_all=True``, a context of ``window`` tokens).

    llama.cpp runs in a model process of its own (``engine.models.process``): a crash there
    raises ``ModelCrashed`` (a ``ModelError``) here, and this process carries on.

    Memory: the logits of a whole window are kept, ``window x vocabulary`` floats (512 x 262,144
    x 4 bytes = 512 MiB for Gemma 3), so the window is kept small; the sliding window makes up
    for it.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        window: int = 512,
        stride: int | None = None,
        threads: int = 1,
        registry: Any = None,
    ):
        from engine.models import load_registry, resolve
        from engine.models.process.client import ModelProcess

        if window < 16:
            raise ValueError(f"the window must be at least 16 tokens, not {window}")
        self.window = window
        self.stride = stride or window // 2
        if not 1 <= self.stride <= window - 2:
            raise ValueError(f"the stride must be from 1 to {window - 2} tokens, not {self.stride}")
        registry = registry if registry is not None else load_registry()
        self.entry = registry.get(model)
        if self.entry.is_remote:
            from engine.models import ModelError

            raise ModelError(
                f"{self.entry.name} is served by {self.entry.base_url}: perplexity needs the model's "
                "log-probability of every token of the text, which OpenAI-compatible servers do not return "
                "for the prompt. Measure it with a local entry of the same GGUF file."
            )
        self.window = min(window, self.entry.context_length) if self.entry.context_length else window
        self.stride = min(self.stride, self.window - 2)
        path = resolve(self.entry)
        self.process = ModelProcess(f"model process for {self.entry.name!r} (perplexity)")
        try:
            opened = self.process.call("open_scorer", self.entry, str(path), self.window, threads)
        except BaseException:
            self.process.close()
            raise
        self.handle = opened["handle"]
        self.adds_bos = bool(opened["adds_bos"])

    @property
    def model(self) -> str:
        return self.entry.name

    def token_nll(self, text: str, context: str = "") -> tuple[list[int], np.ndarray, np.ndarray]:
        """(token ids, the positions scored, their negative log-likelihoods in nats)."""
        return self.process.call("token_nll", self.handle, text, context, self.stride)

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        return self.process.call("scorer_tokenize", self.handle, text, add_bos)

    def echo_logprobs(self, text: str) -> list[float | None]:
        """llama-cpp-python's own log-probabilities of ``text`` (``create_completion(echo=True)``),
        the peer these figures are checked against; its off-by-one is described above."""
        return self.process.call("echo_logprobs", self.handle, text)

    def score(self, text: str, context: str = "", name: str = "") -> TextScore:
        """Score ``text`` (after ``context``, which is read but not scored)."""
        tokens, positions, nll = self.token_nll(text, context)
        if not len(positions):
            return TextScore(name, 0, 0.0, 0)
        scored_text = self.process.call("detokenize", self.handle, tokens[int(positions[0]) :])
        return TextScore(name, len(positions), float(nll.sum()), len(scored_text.encode("utf-8")))

    def close(self) -> None:
        self.process.close()

    def __enter__(self) -> "PerplexityScorer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
