"""A scripted model behind ``ModelBackend``, for tests of what happens around the model.

``GenerationEngine(loader=...)`` is the seam: :func:`scripted_engine` gives an engine whose
models are :class:`ScriptedModel`, which answer each ``stream`` with the next of the replies it
was given (a string; a callable ``(prompt, seed) -> str``; or an exception, raised after
``partial`` words), one word a token. Everything else is the real engine: the context builder,
stop sequences, the repetition guard, the steering, the session, the edit log. The real model
stays in the integration tests.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from engine.generation import GenerationEngine
from engine.models.backend import PromptProgress, StreamEnd, TextPiece
from engine.models.registry import ModelEntry

_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Fail:
    """A reply that fails: ``partial`` words, then ``error`` is raised."""

    error: BaseException
    partial: str = ""


class ScriptedModel:
    kind = "local"

    def __init__(self, entry: ModelEntry, replies: deque, *, n_ctx: int = 4096,
                 gate: threading.Event | None = None) -> None:
        self.entry = entry
        self.replies = replies  # shared by every model of the engine, in order
        self.lock = threading.Lock()
        self.load_ms = 1.0
        self.threads = (1, 1)
        self.gate = gate  # when given, each piece waits for it (a test holds the stream)
        self._n_ctx = n_ctx
        self.prompts: list[str] = []  # what it was asked, in order
        self.seeds: list[int] = []
        self.samplings: list[Any] = []
        self.closed = False

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    @property
    def bos_text(self) -> str:
        return ""

    def tokenize(self, text: str, add_bos: bool = True, special: bool = False) -> list[int]:
        return ([1] if add_bos else []) + [hash(w) % 50_000 + 2 for w in _WORDS.findall(text)]

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text, add_bos=False))

    def render_chat(self, messages: list[dict[str, str]]) -> str:
        return "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in messages) + "<|assistant|>\n"

    def stream(self, prompt: str, tokens: Sequence[int], *, sampling: Any, seed: int, max_tokens: int,
               cancelled: Callable[[], bool]) -> Iterator:
        self.prompts.append(prompt)
        self.seeds.append(seed)
        self.samplings.append(sampling)
        reply = self.replies.popleft() if self.replies else ""
        failure = None
        if isinstance(reply, Fail):
            failure, reply = reply.error, reply.partial
        elif callable(reply):
            reply = reply(prompt, seed)
        total = len(tokens)
        yield PromptProgress(total, total, cached_tokens=0, evaluated_tokens=total, prompt_ms=1.0)
        pieces = _WORDS.findall(reply)
        for count, piece in enumerate(pieces[:max_tokens]):
            if self.gate is not None:
                self.gate.wait(10)
            if cancelled():
                yield StreamEnd("cancelled", count, total, 0, total, 1.0)
                return
            yield TextPiece(piece)
        if failure is not None:
            raise failure
        reason = "length" if len(pieces) > max_tokens else "eos"
        yield StreamEnd(reason, min(len(pieces), max_tokens), total, 0, total, 1.0)

    def close(self) -> None:
        self.closed = True


class ScriptedModels:
    """The loader of a scripted engine, and the models it made (by entry name)."""

    def __init__(self, replies: Sequence[Any] = (), **options: Any) -> None:
        self.replies: deque = deque(replies)
        self.options = options
        self.made: dict[str, ScriptedModel] = {}
        self.loads = 0

    def __call__(self, entry: ModelEntry, progress: Callable[[str, float | None], None],
                 cancelled: Callable[[], bool]) -> ScriptedModel:
        self.loads += 1
        progress("load", 0.5)
        progress("ready", 1.0)
        model = self.made[entry.name] = ScriptedModel(entry, self.replies, **self.options)
        return model

    def say(self, *replies: Any) -> None:
        """More replies, answered after the ones already waiting."""
        self.replies.extend(replies)

    @property
    def prompts(self) -> list[str]:
        return [p for model in self.made.values() for p in model.prompts]


def scripted_engine(*replies: Any, registry=None, **options: Any) -> tuple[GenerationEngine, ScriptedModels]:
    """``(engine, models)``: an engine whose every model answers with ``replies``, in order."""
    models = ScriptedModels(replies, **options)
    return GenerationEngine(registry, loader=models), models
