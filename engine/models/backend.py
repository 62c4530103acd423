"""What the generation engine needs from a model, whichever kind it is.

Two implementations: ``ProcessModel`` (a GGUF file loaded by llama.cpp in a model process of its
own, ``engine.models.process``; ``llama_backend.LocalModel`` is what runs there) and ``RemoteModel`` (an OpenAI-compatible
server: llama.cpp's server, vLLM, Ollama; ``remote``).
``engine.generation`` talks to both through this protocol only, so the panel, ``continue``,
``bench`` and ``eval`` treat local and remote entries alike.

``stream`` yields, in order::

    PromptProgress*   prompt evaluation (tokens done / total); local models only
    TextPiece*        generated text (``tokens``: how many tokens the piece stands for)
    StreamEnd         why the backend ended and what it measured

The consumer applies stop sequences and the repetition guard and may stop iterating at any
point; closing the generator releases the backend at once (a remote stream's connection is
shut). ``cancelled()`` is polled too: a cancelled stream ends with ``StreamEnd("cancelled")``.
Failures are ``ModelError`` subclasses (``RemoteError`` for servers).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, Sequence, runtime_checkable

from .registry import ModelEntry

# StreamEnd.reason values (the same words as engine.generation.events)
EOS = "eos"
LENGTH = "length"
CONTEXT = "context"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class PromptProgress:
    done: int
    total: int
    # on the item that ends prompt evaluation, when the backend knows them (also reported by
    # StreamEnd, but a stream left early at a stop sequence never reaches its end)
    cached_tokens: int | None = None
    evaluated_tokens: int | None = None
    prompt_ms: float | None = None


@dataclass(frozen=True)
class TextPiece:
    text: str
    tokens: int = 1


@dataclass(frozen=True)
class StreamEnd:
    reason: str  # eos | length | context | cancelled
    generated: int | None = None  # generated tokens, when the backend knows (None: count the pieces)
    prompt_tokens: int | None = None  # as the backend counted them (None: the context's count)
    cached_tokens: int = 0  # prompt tokens reused from an earlier request (KV/prefix cache)
    evaluated_tokens: int = 0  # prompt tokens evaluated by this request (0: unknown)
    prompt_ms: float = 0.0  # time spent evaluating them (0: unknown)


StreamItem = PromptProgress | TextPiece | StreamEnd


class CancelFlag:
    """A request's cancel flag: call it to poll (``cancelled()``), ``set()`` from any thread.

    ``on_cancel(callback)`` also lets a backend that waits (the model process's pipe) be woken the
    moment it is set instead of polling for it; it returns the function that unsubscribes.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def __call__(self) -> bool:
        return self._event.is_set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        with self._lock:
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        with self._lock:
            already = self._event.is_set()
            if not already:
                self._callbacks.append(callback)
        if already:
            callback()

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe


@runtime_checkable
class ModelBackend(Protocol):
    entry: ModelEntry
    kind: str  # "local" | "remote"
    lock: threading.Lock  # held by a request for its whole run
    load_ms: float
    threads: tuple[int, int]  # (generation, prompt) threads; (0, 0) for a server

    @property
    def name(self) -> str: ...

    @property
    def n_ctx(self) -> int: ...

    @property
    def bos_text(self) -> str:
        """The BOS token's text ("" when none), for chat prompts that write it themselves."""

    def tokenize(self, text: str, add_bos: bool = True, special: bool = False) -> list[int]: ...

    def count_tokens(self, text: str) -> int: ...

    def render_chat(self, messages: list[dict[str, str]]) -> str: ...

    def stream(
        self,
        prompt: str,
        tokens: Sequence[int],
        *,
        sampling: Any,  # engine.generation.Sampling (temperature, top_p, top_k, min_p, repeat_penalty)
        seed: int,
        max_tokens: int,
        cancelled: Callable[[], bool],
    ) -> Iterator[StreamItem]: ...

    def close(self) -> None: ...
