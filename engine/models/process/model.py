"""``ProcessModel``: a local GGUF model loaded in a model process, as a ``ModelBackend``.

Each loaded model has a process of its own (a blind A/B of two models runs two), so a crash
takes one model away and nothing else. Every call is a message to the worker; streaming sends
one message per token, which costs microseconds against the milliseconds a token takes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from engine.models.backend import CANCELLED, StreamEnd, StreamItem
from engine.models.registry import ModelEntry

from .client import ModelProcess


class ProcessModel:
    kind = "local"

    def __init__(self, entry: ModelEntry, path: Path, process: ModelProcess, facts: dict[str, Any]):
        self.entry = entry
        self.path = path
        self.process = process
        self.handle = facts["handle"]
        self._n_ctx = int(facts["n_ctx"])
        self._bos_text = facts["bos_text"]
        self.threads: tuple[int, int] = tuple(facts["threads"])  # type: ignore[assignment]
        self.thread_choice = facts.get("thread_choice")
        self.load_ms = 0.0
        self.lock = threading.Lock()

    # ---------------------------------------------------------------- facts
    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    @property
    def bos_text(self) -> str:
        return self._bos_text

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.alive

    @property
    def cached_tokens(self) -> int:
        return self.process.call("cached_tokens", self.handle)

    def set_threads(self, n_threads: int, n_threads_batch: int) -> None:
        self.threads = tuple(self.process.call("set_threads", self.handle, n_threads, n_threads_batch))  # type: ignore[assignment]

    # ---------------------------------------------------------------- tokens
    def tokenize(self, text: str, add_bos: bool = True, special: bool = False) -> list[int]:
        return self.process.call("tokenize", self.handle, text, add_bos, special)

    def count_tokens(self, text: str) -> int:
        return self.process.call("count_tokens", self.handle, text) if text else 0

    def render_chat(self, messages: list[dict[str, str]]) -> str:
        return self.process.call("render_chat", self.handle, messages)

    # ---------------------------------------------------------------- generation
    def stream(
        self,
        prompt: str,
        tokens: Sequence[int],
        *,
        sampling,
        seed: int,
        max_tokens: int,
        cancelled: Callable[[], bool],
    ) -> Iterator[StreamItem]:
        ended = False
        items = self.process.stream("stream", self.handle, list(tokens), sampling, seed, max_tokens, cancelled=cancelled)
        try:
            for item in items:
                if isinstance(item, StreamEnd):
                    ended = True
                yield item
        finally:
            items.close()
        if not ended:  # cancelled here: the worker stops on its own, its last words are drained later
            yield StreamEnd(CANCELLED, None, len(tokens))

    # ---------------------------------------------------------------- bench model
    def bare_loop(self, tokens: Sequence[int], sampling, max_tokens: int):
        """The bare llama-cpp-python loop, run in the model process on this very model."""
        return self.process.call("bare_loop", self.handle, list(tokens), sampling, max_tokens)

    def clear_cache(self) -> None:
        self.process.call("clear_cache", self.handle)

    def close(self) -> None:
        self.process.close()
