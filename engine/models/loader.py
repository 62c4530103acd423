"""Loading a registry entry: weights resolved, GGUF opened, thread counts chosen.

``load_model`` runs in whatever thread the caller picks and reports progress through a callback
``progress(stage, fraction)``, stages in order: ``assemble`` / ``verify`` (first use of packaged
or checksummed weights), ``load`` (llama.cpp reading the tensors, 0..1), ``calibrate`` (first
use on this machine with ``threads = "auto"``), ``ready``. ``cancelled()`` is polled
throughout; when it turns true the load stops with ``LoadCancelled``.

llama.cpp runs in a model process of its own (``engine.models.process``): a local entry loads
into a new ``ProcessModel``, and a crash there raises ``ModelCrashed`` here, leaving the
caller's process running.

A remote entry (``kind = "remote"``) is "loaded" by connecting to its server: stages
``connect`` (the server answers, knows the model, accepts the key; its tokenizer is found)
and ``ready``; failures are ``RemoteError`` subclasses.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from . import sources
from .errors import LoadCancelled
from .registry import ModelEntry

if TYPE_CHECKING:
    from .process.model import ProcessModel
    from .remote import RemoteModel

Progress = Callable[[str, "float | None"], None]


def load_model(
    entry: ModelEntry,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    recalibrate: bool = False,
) -> "ProcessModel | RemoteModel":
    progress = progress or (lambda stage, fraction: None)
    cancelled = cancelled or (lambda: False)
    if entry.is_remote:
        from .remote import connect_remote  # httpx is imported only when a remote model is used

        return connect_remote(entry, progress, cancelled)
    from .process.client import ModelProcess
    from .process.model import ProcessModel

    started = time.perf_counter()
    path = sources.resolve(entry, progress, cancelled)
    if cancelled():
        raise LoadCancelled(f"model {entry.name!r}: loading cancelled")
    progress("load", 0.0)
    process = ModelProcess(f"model process for {entry.name!r}")
    try:
        facts = process.call("open_model", entry, str(path), recalibrate,
                             on_item=lambda item: progress(*item), cancelled=cancelled)
        if cancelled() or facts is None:
            raise LoadCancelled(f"model {entry.name!r}: loading cancelled")
    except BaseException:
        process.close()
        raise
    model = ProcessModel(entry, path, process, facts)
    model.load_ms = (time.perf_counter() - started) * 1000
    progress("ready", 1.0)
    return model
