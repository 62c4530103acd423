"""The local llama.cpp backend: one GGUF file opened with llama-cpp-python.

What this module adds to ``llama_cpp.Llama``:

* **quiet, thread-friendly loading**: llama.cpp's log goes to a ring buffer (used for error
  messages) instead of the terminal, and ``Llama`` is built with ``verbose=True`` so that it does
  not ``dup2`` the process's stdout/stderr to /dev/null while loading: the editor draws on those
  file descriptors from another thread. Python-level prints are captured during construction.
* **load progress and cancellation** through ``llama_model_params.progress_callback`` (the
  high-level API has no parameter for it; it is set on the params ``Llama`` asks for, under a lock).
* **prompt evaluation that can be cancelled**: the prompt is evaluated in chunks with the cancel
  flag checked between chunks and, inside a chunk, by llama.cpp's abort callback (checked between
  graph nodes), so a cancel lands within milliseconds. The prefix already in the KV cache is kept
  exactly as ``Llama.generate`` would keep it, and ``generate`` then finds the whole prompt cached.
* clear errors: a file that is not a GGUF model, a truncated one or an unsupported architecture
  raises ``ModelLoadError`` with llama.cpp's own reason.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import io
import logging
import os
import re
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generator, Iterator, Sequence

from .backend import CANCELLED, CONTEXT, EOS, LENGTH, PromptProgress, StreamEnd, StreamItem, TextPiece
from .errors import LoadCancelled, ModelLoadError
from .gguf_check import check_gguf_header
from .registry import ModelEntry
from .sampler import DryCache, TokenSampler

# 0.2.72 is the first release that renders GGUF chat templates in Jinja's sandbox (CVE-2024-34359).
MIN_LLAMA_CPP_PYTHON = (0, 2, 72)

log = logging.getLogger("scenewright.llama")

_LOG_LINES: deque[tuple[int, str]] = deque(maxlen=400)
_LOG_CALLBACK = None
_ECHO_FD: int | None = None  # the model process echoes llama.cpp's log to its stderr pipe
_LOAD_LOCK = threading.Lock()
_CPU_BACKEND: dict | None = None  # the CPU variant loaded (GGML_BACKEND_DL builds), once per process
_GGML_LOG_ERROR = 3


class Cancelled(Exception):
    """Raised inside the backend when the caller's cancel flag is seen."""


def llama_cpp_module():
    """Import llama_cpp, check its version, route its log into our ring buffer and (for a
    build with runtime CPU variants) load the best variant whose instructions run here.

    Only the model process (``engine.models.process.worker``) and benchmark scripts call this:
    the editor's own process never imports llama_cpp."""
    import llama_cpp

    version = tuple(int(p) for p in re.findall(r"\d+", llama_cpp.__version__)[:3])
    if version < MIN_LLAMA_CPP_PYTHON:
        raise ModelLoadError(
            f"llama-cpp-python {llama_cpp.__version__} renders chat templates outside Jinja's sandbox; "
            "pip install 'llama-cpp-python>=0.2.72'"
        )
    _install_log_capture(llama_cpp)
    global _CPU_BACKEND
    with _LOAD_LOCK:
        if _CPU_BACKEND is None:
            try:
                _CPU_BACKEND = _load_cpu_backend()
            except RuntimeError as exc:
                raise ModelLoadError(str(exc)) from None
    return llama_cpp


def _load_cpu_backend() -> dict:
    """Load the best CPU variant that runs here (a GGML_BACKEND_DL build), before any model."""
    import llama_cpp

    from . import cpu_probe

    lib_dir = Path(llama_cpp.__file__).parent / "lib"
    info = {"llama_cpp": llama_cpp.__version__, "lib_dir": str(lib_dir), "variant": None, "skipped": {}}
    forced = os.environ.get("SCENEWRIGHT_CPU_VARIANT")  # for tests and for trying a variant by hand
    variants = cpu_probe.variants_in(lib_dir)
    if not variants:
        return info  # a build for one CPU: its CPU backend is linked in
    # The libggml that libllama itself linked (by soname). Wheels do not keep symlinks, so
    # llama_cpp/lib/libggml.so is a second copy with a registry of its own: a backend loaded
    # through it would be invisible to llama.cpp ("no backends are loaded").
    linked = lib_dir / "libggml.so.0"
    libggml = ctypes.CDLL(str(linked if linked.exists() else lib_dir / "libggml.so"))
    load = libggml.ggml_backend_load
    load.argtypes = [ctypes.c_char_p]
    load.restype = ctypes.c_void_p
    if forced:
        chosen = [v for v in variants if v.name == forced]
        if not chosen:
            raise RuntimeError(f"SCENEWRIGHT_CPU_VARIANT={forced}: no libggml-cpu-{forced}.so in {lib_dir}")
        candidates = chosen
    else:
        choice = cpu_probe.choose(lib_dir, cpu_probe.ggml_score)
        info["skipped"] = choice.skipped
        candidates = [choice.variant] if choice.variant else []
    for variant in candidates:
        if load(str(variant.path).encode()):
            info["variant"] = variant.name
            return info
    raise RuntimeError(f"no CPU variant in {lib_dir} runs on this machine: {info['skipped']}")


def cpu_backend() -> dict:
    """Which llama.cpp CPU backend this process loaded (``variant`` None: a build for one CPU)."""
    llama_cpp_module()
    return dict(_CPU_BACKEND or {})


def _install_log_capture(llama_cpp) -> None:
    global _LOG_CALLBACK
    if _LOG_CALLBACK is not None:
        return
    last_level = [1]

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data) -> None:  # called from llama.cpp threads
        try:
            if level == 5:  # GGML_LOG_LEVEL_CONT: same level as the previous line
                level = last_level[0]
            last_level[0] = level
            message = text.decode("utf-8", "replace").rstrip("\n")
            if message:
                _LOG_LINES.append((level, message))
                if _ECHO_FD is not None and level != 1:  # not GGML_LOG_LEVEL_DEBUG
                    os.write(_ECHO_FD, text)
                if level == _GGML_LOG_ERROR:
                    log.debug("llama.cpp: %s", message)
        except Exception:  # never let an exception cross into C
            pass

    _LOG_CALLBACK = callback  # keep the ctypes thunk alive
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))


def echo_log_to(fd: int | None) -> None:
    """Also write every llama.cpp log line to ``fd`` (the model process's stderr, read by the client)."""
    global _ECHO_FD
    _ECHO_FD = fd


def recent_errors(since: int = 0) -> list[str]:
    """llama.cpp error lines logged after the ``since``-th line (see ``log_mark``)."""
    lines = list(_LOG_LINES)[since:]
    errors = [text for level, text in lines if level == _GGML_LOG_ERROR]
    if not errors:
        errors = [text for _, text in lines if re.search(r"error|failed|invalid|not within", text, re.I)]
    return errors


def log_mark() -> int:
    return len(_LOG_LINES)


@contextmanager
def _load_progress(callback: Callable[[float], bool]):
    """Give the next ``Llama(...)`` built in this block a llama.cpp load-progress callback."""
    import llama_cpp.llama_cpp as C

    original = getattr(C, "llama_model_default_params", None)
    if original is None or not hasattr(C, "llama_progress_callback"):
        yield
        return

    def on_progress(fraction: float, user_data) -> bool:
        try:
            return bool(callback(float(fraction)))
        except Exception:
            return True

    thunk = C.llama_progress_callback(on_progress)

    def params_with_progress():
        params = original()
        params.progress_callback = thunk
        return params

    C.llama_model_default_params = params_with_progress
    try:
        yield
    finally:
        C.llama_model_default_params = original


def gpu_offload_supported() -> bool:
    llama_cpp = llama_cpp_module()
    try:
        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:
        return False


def resolve_gpu_layers(value: int | str) -> int:
    if value == "auto":
        return -1 if gpu_offload_supported() else 0
    return int(value)


def open_llama(
    entry: ModelEntry,
    path: Path,
    *,
    n_threads: int = 1,
    n_threads_batch: int = 1,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    logits_all: bool = False,
    n_ctx: int | None = None,
):
    """A ``llama_cpp.Llama`` for ``path`` with the entry's settings; ModelLoadError/LoadCancelled on failure."""
    llama_cpp = llama_cpp_module()
    check_gguf_header(path)
    progress = progress or (lambda fraction: None)
    cancelled = cancelled or (lambda: False)

    def on_progress(fraction: float) -> bool:
        progress(fraction)
        return not cancelled()

    adapter = {}
    if entry.adapter is not None:
        if not entry.adapter.is_file():
            raise ModelLoadError(f"model {entry.name!r}: its adapter {entry.adapter} is not there (models.toml: "
                                 f"[models.{entry.name}] adapter); train it with `scenewright train` or fix the path")
        check_gguf_header(entry.adapter)
        adapter = {"lora_path": str(entry.adapter), "lora_scale": entry.lora_scale}
    mark = log_mark()
    gpu_layers = resolve_gpu_layers(entry.gpu_layers)
    sink = io.StringIO()
    try:
        with _LOAD_LOCK, _load_progress(on_progress), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            llm = llama_cpp.Llama(
                str(path),
                n_ctx=n_ctx or entry.context_length,
                n_batch=entry.batch_size,
                n_ubatch=min(entry.batch_size, 512),
                n_threads=n_threads,
                n_threads_batch=n_threads_batch,
                n_gpu_layers=gpu_layers,
                logits_all=logits_all,
                # Gemma 3 and other sliding-window models: keep the whole window so that the KV
                # cache can be cut back to any prefix (prompt reuse after an edit).
                swa_full=True,
                **adapter,
                # verbose=True only so that llama-cpp-python does not redirect fds 1 and 2 while
                # loading; its log goes to our callback and its prints to `sink`.
                verbose=True,
            )
    except Exception as exc:
        if cancelled():
            raise LoadCancelled(f"model {entry.name!r}: loading cancelled") from None
        raise ModelLoadError(_load_failure(entry, path, exc, mark)) from None
    llm.verbose = False  # no "prefix-match hit" prints on stderr while generating
    return llm


def open_vocab_only(path: Path):
    """A ``Llama`` with the vocabulary of ``path`` only (tokenising without the weights)."""
    llama_cpp = llama_cpp_module()
    check_gguf_header(path)
    sink = io.StringIO()
    try:
        with _LOAD_LOCK, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=True)
    except Exception as exc:
        raise ModelLoadError(f"cannot read the tokenizer of {path}: {exc}") from None
    llm.verbose = False
    return llm


def _load_failure(entry: ModelEntry, path: Path, exc: Exception, mark: int) -> str:
    errors = recent_errors(mark)
    reason = errors[-1] if errors else str(exc)
    reason = re.sub(r"^\w+: ", "", reason).strip().rstrip(".")
    if exc.__class__.__module__.startswith("jinja2"):
        reason = f"its chat template is invalid ({exc})"
    return f"model {entry.name!r}: llama.cpp could not load {path}: {reason}"


@dataclass(frozen=True)
class PromptEval:
    reused: int  # tokens kept from the previous request (prefix-match)
    evaluated: int  # tokens evaluated now
    ms: float


class LocalModel:
    """A loaded GGUF model (a ``ModelBackend``). Not thread-safe: hold ``lock`` while evaluating or sampling."""

    kind = "local"

    def __init__(self, entry: ModelEntry, path: Path, llm, load_ms: float, threads: tuple[int, int]):
        self.entry = entry
        self.path = path
        self.llm = llm
        self.load_ms = load_ms
        self.threads = threads
        self.thread_choice = None  # engine.models.threads.ThreadChoice, set by load_model
        self._dry_cache = DryCache()  # DRY samplers, set up once per setting
        self.lock = threading.Lock()
        self._llama_cpp = llama_cpp_module()
        self._abort_when: Callable[[], bool] = lambda: False
        self._abort_thunk = self._llama_cpp.ggml_abort_callback(self._should_abort)
        self._no_abort = ctypes.cast(None, self._llama_cpp.ggml_abort_callback)
        self._vocab = llm._model.vocab
        self.chat_template = llm.metadata.get("tokenizer.chat_template")
        self._chat_formatter = None

    # ---------------------------------------------------------------- facts
    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def n_ctx(self) -> int:
        return self.llm.n_ctx()

    @property
    def bos_text(self) -> str:
        llm = self.llm
        return llm._model.token_get_text(llm.token_bos()) if llm.token_bos() != -1 else ""

    @property
    def cached_tokens(self) -> int:
        return int(self.llm.n_tokens)

    def set_threads(self, n_threads: int, n_threads_batch: int) -> None:
        self._llama_cpp.llama_set_n_threads(self.llm.ctx, n_threads, n_threads_batch)
        self.llm.n_threads, self.llm.n_threads_batch = n_threads, n_threads_batch
        self.threads = (n_threads, n_threads_batch)

    # ---------------------------------------------------------------- tokens
    def tokenize(self, text: str, add_bos: bool = True, special: bool = False) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text, add_bos=False)) if text else 0

    def token_bytes(self, token: int) -> bytes:
        return self.llm.detokenize([token])

    def is_end(self, token: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def text_decoder(self) -> "TokenText":
        return TokenText(self)

    def render_chat(self, messages: list[dict[str, str]]) -> str:
        """The prompt for ``messages`` through the GGUF's chat template, rendered in Jinja's sandbox."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        if not self.chat_template:
            raise ModelLoadError(
                f"model {self.name!r} has no chat template in its GGUF file; use prompt_format = \"raw\""
            )
        if self._chat_formatter is None:
            llm = self.llm
            eos = llm._model.token_get_text(llm.token_eos()) if llm.token_eos() != -1 else ""
            bos = llm._model.token_get_text(llm.token_bos()) if llm.token_bos() != -1 else ""
            self._chat_formatter = Jinja2ChatFormatter(self.chat_template, eos_token=eos, bos_token=bos)
        formatter = self._chat_formatter
        return formatter(messages=messages).prompt

    # ---------------------------------------------------------------- evaluation
    @contextmanager
    def time_limit(self, seconds: float):
        """Abort llama.cpp work that runs past ``seconds`` (used to bound calibration samples)."""
        state = _Limit()
        deadline = time.perf_counter() + seconds

        def past() -> bool:
            if time.perf_counter() > deadline:
                state.hit = True
            return state.hit

        self._abort_when = past
        self._llama_cpp.llama_set_abort_callback(self.llm.ctx, self._abort_thunk, None)
        try:
            yield state
        except RuntimeError:
            if not state.hit:
                raise
            self.llm._requires_eval = True
        finally:
            self._llama_cpp.llama_set_abort_callback(self.llm.ctx, self._no_abort, None)
            self._abort_when = lambda: False

    def _should_abort(self, _data) -> bool:  # llama.cpp's abort callback, between graph nodes
        try:
            return bool(self._abort_when())
        except Exception:
            return False

    def eval_prompt(self, tokens: Sequence[int], cancelled: Callable[[], bool], chunk: int = 256) -> PromptEval:
        """Put ``tokens`` in the KV cache (see ``eval_prompt_steps``)."""
        steps = self.eval_prompt_steps(tokens, cancelled, chunk)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def eval_prompt_steps(
        self, tokens: Sequence[int], cancelled: Callable[[], bool], chunk: int = 256
    ) -> Generator[tuple[int, int], None, PromptEval]:
        """Put ``tokens`` in the KV cache, reusing the longest cached prefix, yielding (done, total).

        Raises ``Cancelled`` when ``cancelled()`` turns true, between chunks or (through
        llama.cpp's abort callback) inside one. The KV cache and ``Llama``'s token bookkeeping
        stay consistent either way, so the next request still reuses what was evaluated.
        """
        import numpy as np

        llm = self.llm
        started = time.perf_counter()
        tokens = list(tokens)
        n = len(tokens)
        if n == 0:
            raise ValueError("empty prompt")
        if n > llm.n_ctx():
            raise ValueError(f"prompt of {n} tokens does not fit the context of {llm.n_ctx()}")
        cached = np.asarray(llm.input_ids[: llm.n_tokens])
        m = min(len(cached), n)
        same = cached[:m] == np.asarray(tokens[:m], dtype=cached.dtype)
        prefix = m if bool(same.all()) else int(np.argmin(same))
        if prefix == n and llm.n_tokens == n and not llm._requires_eval:
            return PromptEval(n, 0, 0.0)
        # As Llama.generate does: keep at least one token to evaluate, so that the logits are fresh.
        reuse = min(prefix, n - 1)
        if reuse > 0 and llm._ctx.kv_cache_seq_rm(-1, reuse, -1):
            llm.n_tokens = reuse
        else:
            llm.reset()
            reuse = 0
        llm._requires_eval = True
        todo = tokens[reuse:]
        self._abort_when = cancelled
        self._llama_cpp.llama_set_abort_callback(llm.ctx, self._abort_thunk, None)
        try:
            for start in range(0, len(todo), chunk):
                if cancelled():
                    raise Cancelled()
                try:
                    llm.eval(todo[start : start + chunk])
                except RuntimeError:
                    if cancelled():  # llama_decode returned 2 (aborted); n_tokens was not advanced
                        raise Cancelled() from None
                    raise
                yield reuse + min(start + chunk, len(todo)), n
        finally:
            self._llama_cpp.llama_set_abort_callback(llm.ctx, self._no_abort, None)
            self._abort_when = lambda: False
        return PromptEval(reuse, len(todo), (time.perf_counter() - started) * 1000)

    def generate(self, tokens: Sequence[int], *, sampling, seed: int) -> Iterator[int]:
        """Sampled tokens after ``tokens``, which ``eval_prompt`` has put in the KV cache.

        The sampler is ``engine.models.sampler.TokenSampler`` (penalties, DRY, top-k/top-p/min-p,
        temperature, and ``sampling.grammar`` checked on the drawn token); the prompt's tail is
        its penalty history."""
        llm = self.llm
        if llm.n_tokens != len(tokens):
            raise RuntimeError("generate() needs the prompt evaluated first (eval_prompt)")
        sampler = TokenSampler(llm, sampling, seed, self._dry_cache, history=tokens)
        try:
            while True:
                token = sampler.sample()
                sampler.accept(token)
                yield token
                llm.eval([token])
        finally:
            sampler.close()

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
        """The ``ModelBackend`` stream: prompt evaluation (cancellable), then sampled text."""
        steps = self.eval_prompt_steps(tokens, cancelled)
        try:
            while True:
                done, total = next(steps)
                yield PromptProgress(done, total)
        except StopIteration as finished:
            evaluation: PromptEval = finished.value
        except Cancelled:
            yield StreamEnd(CANCELLED, 0, len(tokens))
            return
        yield PromptProgress(len(tokens), len(tokens), evaluation.reused, evaluation.evaluated, evaluation.ms)
        decoder = self.text_decoder()
        generated = 0
        reason = LENGTH
        sampled = self.generate(tokens, sampling=sampling, seed=seed)
        try:
            for token in sampled:
                if cancelled():
                    reason = CANCELLED
                    break
                if self.is_end(token):
                    reason = EOS
                    break
                generated += 1
                yield TextPiece(decoder.feed(token))
                if generated >= max_tokens:
                    reason = LENGTH
                    break
                if self.llm.n_tokens + 1 >= self.n_ctx:
                    reason = CONTEXT
                    break
        finally:
            sampled.close()
        if reason != CANCELLED:
            rest = decoder.flush()
            if rest:
                yield TextPiece(rest, 0)
        yield StreamEnd(reason, generated, len(tokens), evaluation.reused, evaluation.evaluated, evaluation.ms)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._dry_cache.close()
        with contextlib.suppress(Exception):
            self.llm.close()


class _Limit:
    hit = False


class TokenText:
    """Token ids to text, one token at a time, without splitting a UTF-8 character."""

    def __init__(self, model: LocalModel):
        self._model = model
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, token: int) -> str:
        return self._decoder.decode(self._model.token_bytes(token))

    def flush(self) -> str:
        return self._decoder.decode(b"", final=True)
