"""Loading a registry entry: weights resolved, GGUF opened, thread counts chosen.

``load_model`` runs in whatever thread the caller picks and reports progress through a callback
``progress(stage, fraction)``, stages in order: ``assemble`` / ``verify`` (first use of packaged
or checksummed weights), ``load`` (llama.cpp reading the tensors, 0..1), ``calibrate`` (first
use on this machine with ``threads = "auto"``), ``ready``. ``cancelled()`` is polled throughout;
when it turns true the load stops with ``LoadCancelled``.

A remote entry (``kind = "remote"``) is "loaded" by connecting to its server: stages
``connect`` (the server answers, knows the model, accepts the key; its tokenizer is found)
and ``ready``; failures are ``RemoteError`` subclasses.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from . import sources
from .errors import LoadCancelled
from .llama_backend import LocalModel, open_llama, resolve_gpu_layers
from .registry import ModelEntry
from .threads import choose_threads

if TYPE_CHECKING:
    from .remote import RemoteModel

Progress = Callable[[str, "float | None"], None]


def load_model(
    entry: ModelEntry,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    recalibrate: bool = False,
) -> "LocalModel | RemoteModel":
    progress = progress or (lambda stage, fraction: None)
    cancelled = cancelled or (lambda: False)
    if entry.is_remote:
        from .remote import connect_remote  # httpx is imported only when a remote model is used

        return connect_remote(entry, progress, cancelled)
    started = time.perf_counter()
    path = sources.resolve(entry, progress, cancelled)
    if cancelled():
        raise LoadCancelled(f"model {entry.name!r}: loading cancelled")
    progress("load", 0.0)
    initial = entry.threads if isinstance(entry.threads, int) else 1
    initial_batch = entry.threads_batch if isinstance(entry.threads_batch, int) else initial
    llm = open_llama(
        entry,
        path,
        n_threads=initial,
        n_threads_batch=initial_batch,
        progress=lambda fraction: progress("load", fraction),
        cancelled=cancelled,
    )
    model = LocalModel(entry, path, llm, 0.0, (initial, initial_batch))
    try:
        if entry.threads == "auto" or entry.threads_batch == "auto":
            progress("calibrate", None)
        choice = choose_threads(entry, model, path, resolve_gpu_layers(entry.gpu_layers), cancelled, force=recalibrate)
        if cancelled():
            raise LoadCancelled(f"model {entry.name!r}: loading cancelled")
    except BaseException:
        model.close()
        raise
    model.thread_choice = choice
    model.load_ms = (time.perf_counter() - started) * 1000
    progress("ready", 1.0)
    return model
