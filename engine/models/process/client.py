"""The editor's side of the model process: start it, call it, stream from it, survive its death.

``ModelProcess`` starts ``python -m engine.models.process.worker`` in a session of its own
(so a Ctrl+C meant for the editor never reaches it, and it never touches the terminal), with
two pipes for messages and a third for its stdout/stderr, whose last lines are kept. Nothing
here imports llama_cpp: the editor's process never maps libllama or libggml.

Calls are one at a time (``lock``). A streaming call is a generator that polls its ``cancelled``
callable every ``POLL_S``: on cancel it tells the worker and returns at once; what the worker
still sends for that call is drained before the next call, so the caller's cancel is never
slower than one poll, even while llama.cpp is in the middle of a prompt batch.

When the worker's pipe closes, the call raises ``ModelCrashed`` naming the signal (SIGILL,
SIGSEGV, SIGABRT, SIGKILL...), what it usually means, llama.cpp's last log lines and, for
SIGILL, what to do; a CPU variant that died of SIGILL is set aside for good
(``cpu_probe.mark_bad``), so the next process picks the next best one.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterator

from engine.models import errors
from engine.models.errors import ModelCrashed, ModelError

from ..crash import WHAT, signal_name

POLL_S = 0.002  # how often a waiting call looks at its cancel flag
START_TIMEOUT_S = 120.0
LOG_LINES = 400
REINSTALL = ('CMAKE_ARGS="$(python3 engine/models/llama_build.py)" '
             "pip install --force-reinstall --no-cache-dir --no-deps llama-cpp-python")

DOING = {
    "open_model": "loading the model",
    "stream": "generating",
    "tokenize": "tokenising the prompt",
    "count_tokens": "counting tokens",
    "render_chat": "rendering the chat template",
    "open_vocab": "reading the tokenizer",
    "vocab_tokenize": "counting tokens",
    "vocab_count": "counting tokens",
    "open_scorer": "loading the model for perplexity",
    "token_nll": "scoring perplexity",
    "bare_loop": "running the bare loop",
}


_SOURCE_PATH = re.compile(r"\S*/([\w.-]+\.(?:c|cc|cpp|h|hpp):\d+)")


# what llama.cpp logs when a cancel stops a decode (GGML_STATUS_ABORTED = 1): our doing, not news
_ABORTED = re.compile(r"failed with error 1$|compute status: 1$|removing memory module entries|"
                      r"failed to decode, ret = 2$|llama_decode: failed to decode")


class WorkerError(ModelError):
    """The worker raised an exception it could not map to a model error (a bug, or llama.cpp's RuntimeError)."""


def _project_root() -> str:
    return str(Path(__file__).resolve().parents[3])


class ModelProcess:
    """One model process. Thread-safe: calls are serialised by ``lock``."""

    def __init__(self, label: str = "model process", env: dict[str, str] | None = None):
        self.label = label
        self.lock = threading.RLock()
        self.log: deque[str] = deque(maxlen=LOG_LINES)
        self._ids = itertools.count(1)
        self._pending: set[int] = set()  # calls given up on (cancelled) whose replies are still to come
        self._dead: ModelCrashed | ModelError | None = None
        self._doing = "starting"
        child_in, self._to_child = os.pipe()
        self._from_child, child_out = os.pipe()
        log_read, log_write = os.pipe()
        environment = dict(os.environ if env is None else env)
        environment["GGML_NO_BACKTRACE"] = "1"  # no gdb attach on GGML_ASSERT: its message is enough
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PYTHONPATH"] = os.pathsep.join(p for p in (_project_root(), environment.get("PYTHONPATH")) if p)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "engine.models.process.worker", str(child_in), str(child_out)],
                pass_fds=(child_in, child_out), stdin=subprocess.DEVNULL, stdout=log_write, stderr=log_write,
                start_new_session=True, env=environment, close_fds=True,
            )
        finally:
            for fd in (child_in, child_out, log_write):
                os.close(fd)
        self._wake_read, self._wake_write = os.pipe()  # a cancel wakes a waiting call (no polling)
        self._wake_lock = threading.Lock()
        self._closed = False
        os.set_blocking(self._wake_write, False)
        self._send_conn = Connection(self._to_child, readable=False)
        self._recv_conn = Connection(self._from_child, writable=False)
        self._log_thread = threading.Thread(target=self._read_log, args=(log_read,), name=f"{label}-log", daemon=True)
        self._log_thread.start()
        self.info: dict[str, Any] = self._handshake()

    # ------------------------------------------------------------------ facts
    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def variant(self) -> str | None:
        return self.info.get("variant")

    @property
    def alive(self) -> bool:
        return self._dead is None and self.process.poll() is None

    # ------------------------------------------------------------------ calls
    def call(self, op: str, *args: Any, on_item: Callable[[Any], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> Any:
        """Run ``op`` in the worker and return its result; items it streams go to ``on_item``."""
        for item in self.stream(op, *args, cancelled=cancelled):
            if on_item is not None:
                on_item(item)
        return self._last_result

    def stream(self, op: str, *args: Any, cancelled: Callable[[], bool] | None = None) -> Iterator[Any]:
        """The items ``op`` streams; stops early (telling the worker) when ``cancelled()`` turns true."""
        cancelled = cancelled or (lambda: False)
        subscribe = getattr(cancelled, "on_cancel", None)  # engine.models.backend.CancelFlag
        with self.lock:
            unsubscribe = subscribe(self.wake) if subscribe is not None else None
            self._check_alive()
            self._drain()
            rid = next(self._ids)
            self._doing = DOING.get(op, op)
            self._send(("call", rid, op, args))
            finished = False
            try:
                while True:
                    message = self._receive(cancelled, woken=unsubscribe is not None)
                    if message is None:  # cancelled: the worker is told, its replies drained later
                        self._send(("cancel", rid))
                        self._pending.add(rid)
                        finished = True
                        return
                    kind, mid = message[0], message[1]
                    if mid in self._pending:
                        self._settle(message)
                        continue
                    if kind == "item":
                        yield message[2]
                    elif kind == "result":
                        finished = True
                        self._last_result = message[2]
                        return
                    else:
                        finished = True
                        raise _rebuild(message[2], message[3])
            finally:
                if unsubscribe is not None:
                    unsubscribe()
                if not finished and self._dead is None:  # the consumer left early (stop sequence, close)
                    self._send(("cancel", rid))
                    self._pending.add(rid)

    _last_result: Any = None

    # ------------------------------------------------------------------ ending
    def close(self, timeout: float = 3.0) -> None:
        """End the process: closing its pipe makes it exit; SIGKILL when it does not."""
        with self._wake_lock:
            if self._closed:
                return
            self._closed = True
        try:
            self._send_conn.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for closing in (self._recv_conn.close, lambda: os.close(self._wake_read), lambda: os.close(self._wake_write)):
            try:
                closing()
            except OSError:
                pass
        if self._dead is None:
            self._dead = ModelError(f"the {self.label} was closed")

    # ------------------------------------------------------------------ internals
    def _handshake(self) -> dict:
        deadline = time.monotonic() + START_TIMEOUT_S
        self._doing = "starting (loading llama.cpp and choosing its CPU variant)"
        try:
            while not self._recv_conn.poll(0.05):
                if time.monotonic() > deadline:
                    self.process.kill()
                    raise ModelError(f"the {self.label} did not start within {START_TIMEOUT_S:.0f} s")
            message = self._recv_conn.recv()
        except (EOFError, OSError):
            raise self._died() from None
        if message[0] == "error":
            self.close()
            self._wait_for_log()
            tail = "; ".join(self.tail(3))
            raise ModelError(f"the {self.label} could not start llama.cpp: {message[2]}: {message[3]}"
                             + (f" (log: {tail})" if tail else ""))
        return message[2]

    def _send(self, message) -> None:
        try:
            self._send_conn.send(message)
        except (BrokenPipeError, OSError):
            raise self._died() from None

    def wake(self) -> None:
        """Wake the call waiting for the worker (a cancel came); safe from any thread."""
        with self._wake_lock:
            if self._closed:
                return
            try:
                os.write(self._wake_write, b"!")
            except OSError:
                pass  # already awake (the pipe is full)

    def _receive(self, cancelled: Callable[[], bool], woken: bool = False):
        """The next message, or None as soon as ``cancelled()`` is true.

        ``woken``: the cancel flag calls ``wake()``, so the call sleeps in ``select`` on the
        worker's pipe and the wake pipe (no wake-ups while the model computes: on a 2-core
        machine each one would take a core from llama.cpp's threads); else it polls."""
        conn = self._recv_conn
        try:
            while True:
                if cancelled():
                    return None
                if woken:
                    ready = wait([conn, self._wake_read])
                    if self._wake_read in ready:
                        os.read(self._wake_read, 4096)
                        continue
                elif not conn.poll(POLL_S):
                    continue
                if cancelled():
                    return None
                return conn.recv()
        except (EOFError, OSError):
            raise self._died() from None

    def _drain(self) -> None:
        """Read what the worker still sends for calls given up on, until each has ended."""
        while self._pending:
            try:
                message = self._recv_conn.recv()
            except (EOFError, OSError):
                raise self._died() from None
            self._settle(message)

    def _settle(self, message) -> None:
        if message[0] in ("result", "error"):
            self._pending.discard(message[1])

    def _check_alive(self) -> None:
        if self._dead is not None:
            raise self._dead

    def _read_log(self, fd: int) -> None:
        partial = b""
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while True:
                try:
                    chunk = pipe.read(65536)
                except OSError:
                    break
                if not chunk:
                    break
                lines = (partial + chunk).split(b"\n")
                partial = lines.pop()
                for line in lines:
                    text = line.decode("utf-8", "replace").rstrip()
                    if text:
                        self.log.append(text)
        if partial.strip():
            self.log.append(partial.decode("utf-8", "replace").rstrip())

    def _wait_for_log(self) -> None:
        self._log_thread.join(timeout=2.0)

    def tail(self, n: int = 4) -> list[str]:
        """llama.cpp's last ``n`` log lines (Python's own noise left out, source paths cut to the file name)."""
        lines = [line for line in self.log
                 if not line.startswith(("Fatal Python error", "Current thread", "Thread 0x", "  File "))
                 and not _ABORTED.search(line)]
        return [_SOURCE_PATH.sub(r"\1", line.strip()) for line in lines[-n:]]

    def _died(self) -> ModelError:
        """The exception for a worker that is gone (and remember it: later calls raise it too)."""
        if self._dead is not None:
            return self._dead
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._wait_for_log()
        self._dead = crash_error(self.label, code, self._doing, self.tail(), self.variant, self.pid)
        return self._dead


def crash_error(label: str, code: int, doing: str, tail: list[str], variant: str | None, pid: int) -> ModelCrashed:
    """The writer-facing account of a model process that ended with ``code`` while ``doing``."""
    if code < 0:
        name = signal_name(-code)
        what = WHAT.get(name, "")
        head = f"the {label} (pid {pid}) died of {name}" + (f", {what}," if what else "") + f" while {doing}."
    else:
        name = None
        head = f"the {label} (pid {pid}) exited with status {code} while {doing}."
    parts = [head]
    if tail:
        parts.append("llama.cpp's last lines:\n  " + "\n  ".join(tail))
    if name == "SIGILL":
        if variant:
            from engine.models import cpu_probe

            cpu_probe.mark_bad(variant)
            parts.append(f"Its CPU variant `{variant}` is set aside on this machine; the next start picks "
                         "the next best one.")
        else:
            parts.append(f"This llama.cpp was built for another CPU. Reinstall it for every CPU: {REINSTALL}")
    if name == "SIGKILL":
        parts.append("If the machine ran out of memory, choose a smaller model or a shorter context_length.")
    parts.append("Your script is untouched; the next request starts a new model process.")
    return ModelCrashed("\n".join(parts), signal=name, returncode=code, log=tuple(tail), variant=variant)


def _rebuild(class_name: str, message: str) -> BaseException:
    """The worker's exception, as the same class here when it is one callers handle."""
    if class_name == "Cancelled":
        from engine.models.llama_backend import Cancelled

        return Cancelled(message)
    cls = getattr(errors, class_name, None)
    if isinstance(cls, type) and issubclass(cls, ModelError) and not issubclass(cls, errors.RemoteError):
        try:
            return cls(message)
        except TypeError:
            return ModelError(message)
    if class_name in ("ValueError", "KeyError", "TypeError"):
        return {"ValueError": ValueError, "KeyError": KeyError, "TypeError": TypeError}[class_name](message)
    return WorkerError(f"llama.cpp failed: {class_name}: {message}")


__all__ = ["ModelProcess", "WorkerError", "crash_error"]
