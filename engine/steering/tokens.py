"""Counting tokens with a model's own tokenizer without loading its weights.

``model_token_counter()`` opens the GGUF file of a registry entry (the default model when no
name is given) with ``vocab_only=True``: only the vocabulary is read, which takes a fraction of
a second, so ``scenewright prompt`` and the context view can count tokens exactly as the model
will without loading it. A loaded ``LocalModel`` has the same ``count_tokens``.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.models import load_registry, resolve
from engine.models.errors import ModelLoadError
from engine.models.gguf_check import check_gguf_header
from engine.models.llama_backend import llama_cpp_module
from engine.models.registry import ModelEntry

_CACHE: dict[Path, "TokenCounter"] = {}
_LOCK = threading.Lock()


@dataclass
class TokenCounter:
    """``counter(text) -> int``: tokens of ``text`` without BOS, as the model's tokenizer splits it."""

    path: Path
    llm: object
    entry: ModelEntry | None = None

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=False)


def open_vocab(path: Path | str, entry: ModelEntry | None = None) -> TokenCounter:
    """A counter for the GGUF file at ``path`` (cached per file); ``ModelLoadError`` when unreadable."""
    path = Path(path).resolve()
    with _LOCK:
        counter = _CACHE.get(path)
        if counter is not None:
            return counter
        llama_cpp = llama_cpp_module()  # routes llama.cpp's log away from the terminal
        check_gguf_header(path)
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=True)
        except Exception as exc:
            raise ModelLoadError(f"cannot read the tokenizer of {path}: {exc}") from None
        llm.verbose = False
        counter = TokenCounter(path, llm, entry)
        _CACHE[path] = counter
        return counter


@atexit.register
def close_all() -> None:
    """Free the cached vocabularies (at exit, before llama_cpp's module is torn down)."""
    with _LOCK:
        counters = list(_CACHE.values())
        _CACHE.clear()
    for counter in counters:
        with contextlib.suppress(Exception):
            counter.llm.close()


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
