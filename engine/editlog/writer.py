"""Writing the edit log off the UI thread: a background thread and a queue.

    writer = EditLogWriter(on_error=lambda exc: app.call_from_thread(app.notify, str(exc)))
    rid = writer.record_request(script=path, script_text=text, cursor=(row, col), model=..., prompt=...)
    sid = writer.record_suggestion(rid, done.text, done.index, seed=done.seed, stats=stats)
    writer.mark(sid, "accepted", inserted_at=Insertion(...))
    writer.flush()     # wait until everything queued so far is written (tests, before quitting)
    writer.close()     # flush, stop the thread, close the database

The thread opens the log (creating or migrating it), so even constructing a writer never waits on
SQLite. Every ``EditLog`` write method has a twin here with the same arguments; it queues the call
and returns at once (ids are made here, so ``record_*`` hand them back before the row is written).
Calls are written in order, each in its own transaction. A failure (full disk, a forgotten id)
goes to ``on_error`` (called in the writer thread) and to ``errors``; the thread goes on with the
next call, so a full disk loses the writes made while it is full and nothing else. A log that
cannot be opened is reported once, as ``LogUnavailable`` (also kept in ``unavailable``), and
every later call is dropped.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from pathlib import Path
from typing import Any, Callable

from .ids import new_id
from .store import EditLog, EditLogError, LogUnavailable, default_path

log = logging.getLogger("scenewright.editlog")

_STOP = object()


class EditLogWriter:
    def __init__(
        self,
        path: str | Path | None = None,
        *,
        on_error: Callable[[EditLogError], None] | None = None,
        log_: EditLog | None = None,
    ):
        """Starts the thread, which opens (and if needed migrates) the log: the caller never waits on
        SQLite. When the log cannot be opened, ``on_error`` hears it once and later calls are dropped."""
        self._log = log_
        self.path = log_.path if log_ is not None else (Path(path).expanduser() if path else default_path())
        self._on_error = on_error
        self._queue: queue.Queue = queue.Queue()
        self.errors: deque[EditLogError] = deque(maxlen=50)
        self.unavailable: EditLogError | None = None  # set when the log could not be opened
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="editlog-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ queueing
    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Queue ``EditLog.<method>(*args, **kwargs)``."""
        if self._closed:
            raise EditLogError(f"edit log {self.path}: the writer is closed")
        if not callable(getattr(EditLog, method, None)) or method.startswith("_"):
            raise AttributeError(f"EditLog has no method {method!r}")
        self._queue.put((method, args, kwargs))

    def record_request(self, **kwargs: Any) -> str:
        rid = kwargs.pop("id", None) or new_id()
        self.put("record_request", id=rid, **kwargs)
        return rid

    def record_suggestion(self, request_id: str, text: str, index: int = 0, **kwargs: Any) -> str:
        sid = kwargs.pop("id", None) or new_id()
        self.put("record_suggestion", request_id, text, index, id=sid, **kwargs)
        return sid

    def record_comparison(self, a_id: str, b_id: str, **kwargs: Any) -> str:
        cid = kwargs.pop("id", None) or new_id()
        self.put("record_comparison", a_id, b_id, id=cid, **kwargs)
        return cid

    def mark(self, suggestion_id: str, state: str, accepted_text: str | None = None, inserted_at: Any = None) -> None:
        self.put("mark", suggestion_id, state, accepted_text, inserted_at)

    def rate(self, suggestion_id: str, **kwargs: Any) -> None:
        self.put("rate", suggestion_id, **kwargs)

    def record_final(self, suggestion_id: str, final_text: str, inserted_at: Any = None) -> None:
        self.put("record_final", suggestion_id, final_text, inserted_at)

    def pick(self, comparison_id: str, winner: str | None) -> None:
        self.put("pick", comparison_id, winner)

    def set_model_hash(self, model: str, model_hash: str) -> None:
        self.put("set_model_hash", model, model_hash)

    def mark_script(self, path: str | Path, usage: str, genre: str | None = None) -> None:
        self.put("mark_script", path, usage, genre)

    def forget_script(self, path: str | Path) -> None:
        self.put("forget_script", path)

    # ------------------------------------------------------------------ control
    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every call queued before this one is written; False on timeout."""
        if self._closed and not self._thread.is_alive():
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Write what is queued, stop the thread and close the database."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def __enter__(self) -> "EditLogWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        if self._log is None:
            try:
                self._log = EditLog.open(self.path)
            except EditLogError as exc:
                self.unavailable = LogUnavailable(str(exc))
                self._report(self.unavailable)
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                if isinstance(item, threading.Event):
                    item.set()
                    continue
                if self._log is None:
                    continue  # reported once when opening failed
                method, args, kwargs = item
                try:
                    getattr(self._log, method)(*args, **kwargs)
                except EditLogError as exc:
                    self._report(exc)
                except (ValueError, TypeError) as exc:  # a caller's mistake: reported, not fatal
                    self._report(EditLogError(f"edit log {self.path}: {method} refused: {exc}"))
                except Exception as exc:  # the thread must outlive any single failure
                    log.exception("edit log write failed")
                    name = exc.__class__.__name__
                    self._report(EditLogError(f"edit log {self.path}: {method} failed: {name}: {exc}"))
        finally:
            if self._log is not None:
                self._log.close()
            # release anyone still waiting on a flush queued after close()
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, threading.Event):
                    item.set()

    def _report(self, exc: EditLogError) -> None:
        self.errors.append(exc)
        log.warning("%s", exc)
        if self._on_error is not None:
            try:
                self._on_error(exc)
            except Exception:
                log.exception("edit log on_error callback failed")
