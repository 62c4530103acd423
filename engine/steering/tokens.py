"""Counting tokens with a model's own tokenizer without loading its weights.

``model_token_counter()`` opens the GGUF file of a registry entry (the default model when no
name is given) with ``vocab_only=True``: only the vocabulary is read, which takes a fraction of
a second, so ``scenewright prompt`` and the context view can count tokens exactly as the model
will without loading it. A loaded ``LocalModel`` has the same ``count_tokens``.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.models import load_registry, resolve
from engine.models.errors import ModelCrashed
from engine.models.gguf_check import check_gguf_header
from engine.models.registry import ModelEntry

_CACHE: dict[Path, "TokenCounter"] = {}
_CRASHED: dict[tuple[Path, int], ModelCrashed] = {}  # a file whose tokenizer killed the process: not tried again
_LOCK = threading.Lock()
_PROCESS = None  # the tokenizer process, shared by every vocabulary (started on first use)


@dataclass
class TokenCounter:
    """``counter(text) -> int``: tokens of ``text`` without BOS, as the model's tokenizer splits it.

    The vocabulary lives in a model process (``engine.models.process``), so reading a broken
    tokenizer can kill that process and not the caller; ``ModelCrashed`` says so."""

    path: Path
    process: object
    handle: int
    entry: ModelEntry | None = None

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        return self.process.call("vocab_count", self.handle, text)

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        return self.process.call("vocab_tokenize", self.handle, text, add_bos)


def _tokenizer_process():
    global _PROCESS
    from engine.models.process.client import ModelProcess

    if _PROCESS is None or not _PROCESS.alive:
        if _PROCESS is not None:  # it died: every vocabulary it held is gone with it
            for path in [p for p, c in _CACHE.items() if c.process is _PROCESS]:
                del _CACHE[path]
            _PROCESS.close()
        _PROCESS = ModelProcess("tokenizer process")
    return _PROCESS


def open_vocab(path: Path | str, entry: ModelEntry | None = None) -> TokenCounter:
    """A counter for the GGUF file at ``path`` (cached per file); ``ModelLoadError`` when unreadable,
    ``ModelCrashed`` when reading it killed the tokenizer process (not retried for that file)."""
    path = Path(path).resolve()
    with _LOCK:
        counter = _CACHE.get(path)
        if counter is not None and counter.process.alive:
            return counter
        check_gguf_header(path)
        key = (path, path.stat().st_mtime_ns)
        if key in _CRASHED:
            raise _CRASHED[key]
        process = _tokenizer_process()
        try:
            handle = process.call("open_vocab", str(path))
        except ModelCrashed as exc:
            _CRASHED[key] = exc
            raise
        counter = TokenCounter(path, process, handle, entry)
        _CACHE[path] = counter
        return counter


@atexit.register
def close_all() -> None:
    """End the tokenizer process and forget the vocabularies."""
    global _PROCESS
    with _LOCK:
        _CACHE.clear()
        process, _PROCESS = _PROCESS, None
    if process is not None:
        process.close()


def model_token_counter(model: str | None = None):
    """The tokenizer of the registry entry ``model`` (the default when None): read from the
    model file for a local entry; for a server, its tokenize endpoint where it has one, else a
    conservative estimate that never overflows the window (it never raises on network errors).

    Raises ``ConfigError`` (models.toml), ``ModelError`` (unknown model, weights missing).
    """
    entry = load_registry().get(model)
    if entry.is_remote:  # no file here
        from engine.models.remote import remote_token_counter

        return remote_token_counter(entry)
    return open_vocab(resolve(entry), entry)


__all__ = ["TokenCounter", "close_all", "model_token_counter", "open_vocab"]
