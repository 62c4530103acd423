"""The generation engine: one API for the editor's panel and the command line.

    engine = GenerationEngine()                       # reads models.toml lazily
    gen = engine.continue_at(script_text, (row, col), ContinueRequest(max_tokens=120))
    for event in gen:                                 # in a worker thread
        ...                                           # LoadEvent, ContextEvent, TokenEvent, StatsEvent, DoneEvent, ErrorEvent
    gen.cancel()                                      # from any thread: the stream ends within ~100 ms,
                                                      # also while the prompt is being evaluated

Iterating never raises for a problem the writer can fix (missing model, broken file, config
mistake): it yields an ``ErrorEvent`` and ends. One model is kept loaded (``max_loaded``), and
its KV cache is reused across requests, so asking again after typing a few words only evaluates
the new words. A model serves one request at a time; a second request waits for the first
(cancel the first to go ahead at once).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import threading
import time
from typing import Any, Callable, Iterator, Sequence

from engine.models import load_registry
from engine.models.backend import CancelFlag, ModelBackend, PromptProgress, StreamEnd, TextPiece
from engine.models.errors import LoadCancelled, ModelCrashed, ModelError, RemoteError
from engine.models.llama_backend import Cancelled
from engine.models.loader import load_model
from engine.models.registry import ModelEntry, Registry
from engine.tomlconf import ConfigError

from .context import DEFAULT_INSTRUCTIONS, AssembledContext, ContextBuilder, PromptPart
from .events import (
    CANCELLED,
    CONTEXT,
    EOS,
    LENGTH,
    REPETITION,
    SCENE_END,
    STOP,
    ContextEvent,
    DoneEvent,
    ErrorEvent,
    Event,
    LoadEvent,
    PromptEvent,
    RetryEvent,
    StatsEvent,
    TokenEvent,
)
from .guards import RepetitionGuard, StopFilter
from .request import ContinueRequest
from .shape import SCENE_END_STOPS, continuation_grammar

# load(entry, progress(stage, fraction), cancelled) -> ModelBackend: how a model is loaded (the
# seam a test puts a scripted backend behind; engine.models.load_model by default)
Loader = Callable[[ModelEntry, Callable[[str, "float | None"], None], Callable[[], bool]], ModelBackend]

# render(count_tokens, budget_tokens) -> engine.steering RenderedPrompt (typed loosely: generation
# does not import steering; steering builds on generation's callers, not the other way round)
Render = Callable[[Callable[[str], int], int], Any]

log = logging.getLogger("scenewright.generation")

_POLL_S = 0.02  # how often a waiting request looks at its cancel flag
CRASH_LIMIT = 3  # a model whose process died this many times in a row is not started again by itself


class StartRefused(ModelCrashed):
    """A model that crashed is not started again (by read-ahead, or after ``CRASH_LIMIT`` crashes)."""


class CrashRecord:
    """How often an entry's model process died in a row, and the last account of it."""

    def __init__(self) -> None:
        self.count = 0
        self.last: ModelCrashed | None = None


class GenerationEngine:
    """Owns the registry and the loaded model(s); hands out ``Generation`` objects.
    ``loader``: how an entry's model is loaded (``engine.models.load_model``: a model process,
    or a server client); a test gives one that returns a scripted backend."""

    def __init__(self, registry: Registry | None = None, *, max_loaded: int = 1, loader: Loader | None = None):
        self._registry = registry
        self._loader: Loader = loader or load_model
        self._max_loaded = max(1, max_loaded)
        self._models: dict[str, ModelBackend] = {}
        self._models_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._crashes: dict[str, CrashRecord] = {}
        self._crashes_lock = threading.Lock()

    def keep_loaded(self, count: int) -> None:
        """Keep up to ``count`` models loaded (a blind A/B of two models wants both in memory;
        with one, each request would load the other model again). Takes effect at the next load."""
        self._max_loaded = max(1, count)

    # ------------------------------------------------------------------ registry
    @property
    def registry(self) -> Registry:
        """The registry (bundled + user models.toml); raises ConfigError on a mistake in either."""
        if self._registry is None:
            self._registry = load_registry()
        return self._registry

    def reload_registry(self) -> Registry:
        self._registry = None
        return self.registry

    # ------------------------------------------------------------------ requests
    def continue_at(
        self,
        script: str,
        cursor: tuple[int, int],
        request: ContinueRequest | None = None,
        prefix: Sequence[PromptPart] | None = None,
        render: "Render | None" = None,
    ) -> "Generation":
        """A continuation of ``script`` at ``cursor`` (row, column; 0-based, characters).

        ``render(count_tokens, budget_tokens) -> RenderedPrompt`` builds the prompt from the
        prompt library and anchors (``engine.steering.prepare_prompt``); without it, the
        prompt is the model's instructions (or ``prefix``) and the script before the cursor."""
        return Generation(self, script, cursor, request or ContinueRequest(), prefix, render)

    def load(self, model: str | None = None) -> "Generation":
        """Load a model ahead of the first request: yields LoadEvents (or an ErrorEvent)."""
        return Generation(self, None, (0, 0), ContinueRequest(model=model), None)

    def loaded(self) -> list[str]:
        with self._models_lock:
            return list(self._models)

    def model(self, name: str | None = None) -> ModelBackend | None:
        """The loaded model called ``name`` (default model when None), or None."""
        entry = self.registry.get(name)
        with self._models_lock:
            return self._models.get(entry.name)

    def unload(self, name: str | None = None) -> None:
        with self._models_lock:
            names = [name] if name else list(self._models)
            dropped = [self._models.pop(n) for n in names if n in self._models]
        for model in dropped:
            with model.lock:
                model.close()

    def close(self) -> None:
        self.unload()

    # ------------------------------------------------------------------ crashed model processes
    def crashed(self, entry: ModelEntry, error: ModelCrashed) -> None:
        """A model process died: forget the model (the next request starts a new process)."""
        with self._models_lock:
            model = self._models.get(entry.name)
            if model is not None and not getattr(model, "alive", True):
                del self._models[entry.name]
            else:
                model = None
        if model is not None:
            model.close()
        with self._crashes_lock:
            record = self._crashes.setdefault(entry.name, CrashRecord())
            record.count += 1
            record.last = error
        log.info("model %s: %s", entry.name, str(error).splitlines()[0])

    def crash_count(self, name: str) -> int:
        with self._crashes_lock:
            record = self._crashes.get(name)
            return record.count if record else 0

    def forgive(self, name: str | None = None) -> None:
        """Let a model that kept crashing start again (the writer chose it, or fixed models.toml)."""
        with self._crashes_lock:
            if name is None:
                self._crashes.clear()
            else:
                self._crashes.pop(name, None)

    def _may_start(self, entry: ModelEntry, background: bool) -> None:
        """Refuse to start a process for a model that keeps crashing (no restart loops)."""
        with self._crashes_lock:
            record = self._crashes.get(entry.name)
            count = record.count if record else 0
        if not count:
            return
        if background:  # read-ahead never restarts a crashed model: only the writer's own request does
            raise StartRefused(f"model {entry.name!r}: its process died; not read ahead again until asked",
                               signal=record.last.signal if record.last else None)
        if count >= CRASH_LIMIT:
            first = str(record.last).splitlines()[0] if record.last else ""
            raise StartRefused(
                f"model {entry.name!r}: its process died {count} times in a row ({first}), so it is not started "
                "again by itself. Choose the model again (or another one) to retry, or fix its entry in models.toml.",
                signal=record.last.signal if record.last else None,
            )

    def _succeeded(self, entry: ModelEntry) -> None:
        with self._crashes_lock:
            self._crashes.pop(entry.name, None)

    # ------------------------------------------------------------------ loading (used by Generation)
    def _loaded(self, entry: ModelEntry) -> ModelBackend | None:
        with self._models_lock:
            model = self._models.get(entry.name)
        if model is not None and model.entry != entry:  # models.toml changed: reload
            self.unload(entry.name)
            self.forgive(entry.name)
            return None
        if model is not None and not getattr(model, "alive", True):  # its process died between requests
            with self._models_lock:
                if self._models.get(entry.name) is model:
                    del self._models[entry.name]
            model.close()
            return None
        return model

    def _acquire(self, entry: ModelEntry, cancel: CancelFlag, background: bool = False) -> Iterator[LoadEvent]:
        """Yield load progress until ``entry`` is loaded (a generator returning the model)."""
        model = self._loaded(entry)
        if model is not None:
            return model
        self._may_start(entry, background)
        while not self._load_lock.acquire(timeout=_POLL_S):
            if cancel.is_set():
                raise LoadCancelled("cancelled")
        try:
            model = self._loaded(entry)  # loaded by another request while we waited
            if model is not None:
                return model
            events: queue.Queue = queue.Queue()
            outcome: dict[str, object] = {}
            last: dict[str, float] = {}

            def progress(stage: str, fraction: float | None) -> None:
                # llama.cpp reports every tensor; pass on steps of 2% and every stage change
                previous = last.get(stage)
                if fraction is None or previous is None or fraction >= 1.0 or fraction - previous >= 0.02:
                    last[stage] = fraction if fraction is not None else 0.0
                    events.put(LoadEvent(entry.name, stage, fraction))

            def work() -> None:
                try:
                    outcome["model"] = self._loader(entry, progress, cancel.is_set)
                except BaseException as exc:  # handed to the requesting thread
                    outcome["error"] = exc
                finally:
                    events.put(None)

            worker = threading.Thread(target=work, name=f"load-{entry.name}", daemon=True)
            worker.start()
            while True:
                item = events.get()
                if item is None:
                    break
                yield item
            worker.join()
            if "error" in outcome:
                raise outcome["error"]  # type: ignore[misc]
            model = outcome["model"]  # type: ignore[assignment]
            with self._models_lock:
                evicted = [n for n in self._models if n != entry.name][: max(0, len(self._models) + 1 - self._max_loaded)]
                old = [self._models.pop(n) for n in evicted]
                self._models[entry.name] = model
            for stale in old:
                with stale.lock:
                    stale.close()
            return model
        finally:
            self._load_lock.release()


class Generation:
    """One request. Iterate it (once) for events; ``cancel()`` from any thread."""

    def __init__(
        self,
        engine: GenerationEngine,
        script: str | None,
        cursor: tuple[int, int],
        request: ContinueRequest,
        prefix: Sequence[PromptPart] | None,
        render: "Render | None" = None,
    ):
        self.engine = engine
        self.render = render
        self.rendered = None  # the steering RenderedPrompt, once built
        self.script = script
        self.cursor = cursor
        self.request = request
        self.prefix = list(prefix) if prefix is not None else None
        self.results: list[DoneEvent] = []  # final texts, one per alternative, once iterated
        self.stats: list[StatsEvent] = []
        self.context: AssembledContext | None = None
        self._cancel = CancelFlag()
        self._iterated = False
        self._stream: Iterator[Event] | None = None

    def cancel(self) -> None:
        """Stop as soon as possible (within ~100 ms); the stream ends with DoneEvent(reason="cancelled")."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def close(self) -> None:
        """Cancel and release the model now (for a consumer that stops iterating early)."""
        self.cancel()
        if self._stream is not None:
            self._stream.close()  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[Event]:
        if self._iterated:
            raise RuntimeError("a Generation can be iterated only once; ask the engine for a new one")
        self._iterated = True
        self._stream = self._guarded()
        return self._stream

    # ------------------------------------------------------------------ the stream
    def _guarded(self) -> Iterator[Event]:
        try:
            yield from self._run()
        except ConfigError as exc:
            yield ErrorEvent(str(exc), "config")
        except LoadCancelled:
            yield DoneEvent("", CANCELLED)
        except RemoteError as exc:  # the text streamed before a server failed is kept
            yield ErrorEvent(str(exc), "server", exc.partial, exc.index)
        except ModelCrashed as exc:  # the model process died; the text streamed before it is kept
            yield ErrorEvent(str(exc), "crash", exc.partial, exc.index)
        except ModelError as exc:
            yield ErrorEvent(str(exc), "model")
        except Cancelled:
            yield DoneEvent("", CANCELLED)
        except Exception as exc:  # a bug or an unexpected llama.cpp failure: a message, not a traceback
            log.exception("generation failed")
            yield ErrorEvent(f"generation failed: {exc.__class__.__name__}: {exc}", "generation")

    def _run(self) -> Iterator[Event]:
        request = self.request
        entry = self.engine.registry.get(request.model)
        load_started = time.perf_counter()
        was_loaded = self.engine._loaded(entry) is not None
        try:
            model = yield from self.engine._acquire(entry, self._cancel, request.background)
        except StartRefused:
            raise
        except ModelCrashed as exc:  # died while loading
            self.engine.crashed(entry, exc)
            raise
        load_ms = 0.0 if was_loaded else (time.perf_counter() - load_started) * 1000
        if self.script is None:  # engine.load(): loading was all
            if was_loaded:
                yield LoadEvent(entry.name, "ready", 1.0)
            return
        while not model.lock.acquire(timeout=_POLL_S):
            if self._cancel.is_set():
                yield DoneEvent("", CANCELLED)
                return
        saved = None
        try:
            if request.background and hasattr(model, "set_threads"):
                spare = max(1, (os.cpu_count() or 1) - 1)
                saved = model.threads
                if max(saved) > spare:
                    model.set_threads(min(saved[0], spare), min(saved[1], spare))
                else:
                    saved = None
            yield from self._generate(model, entry, load_ms)
            self.engine._succeeded(entry)
        except ModelCrashed as exc:
            saved = None
            self.engine.crashed(entry, exc)
            raise
        finally:
            if saved is not None:
                model.set_threads(*saved)
            model.lock.release()

    def _generate(self, model: ModelBackend, entry: ModelEntry, load_ms: float) -> Iterator[Event]:
        request = self.request
        started = time.perf_counter()
        max_tokens = request.token_limit(entry)
        budget = model.n_ctx - max_tokens - 1
        prefix = self.prefix if self.prefix is not None else [
            PromptPart("instructions", entry.instructions if entry.instructions is not None else DEFAULT_INSTRUCTIONS)
        ]
        builder = context_builder(model)
        if self.render is not None:
            ctx = self._rendered_context(model, builder, budget)
        else:
            ctx = builder.build(prefix, self.script or "", self.cursor, budget)
        self.context = ctx
        yield ContextEvent(entry.name, ctx.prompt, len(ctx.tokens), ctx.script_chars, ctx.dropped_chars,
                           ctx.first_line, self.rendered)
        sampling = request.sampling(entry)
        grammar = continuation_grammar(self.script or "", self.cursor, request.shape_mode(entry),
                                       cast=request.cast, new_characters=request.allows_new_characters(entry))
        stops = request.stop_sequences(entry)
        self._scene_ends = ()
        if grammar is not None:  # the grammar lets a continuation end where the scene does
            sampling = dataclasses.replace(sampling, grammar=grammar)
            self._scene_ends = tuple(s for s in SCENE_END_STOPS if s not in stops)
            stops = (*stops, *self._scene_ends)
        for index, seed in enumerate(request.seeds()):
            retries = request.loop_retries if request.repetition_guard else 0
            while True:
                outcome = yield from self._alternative(
                    model, entry, ctx, index, seed, sampling, stops, max_tokens, started, load_ms
                )
                done, stats, retry_reason = outcome
                if retry_reason and retries > 0 and not self._cancel.is_set():
                    retries -= 1
                    seed = (seed * 7919 + 1) % (2**31 - 1)
                    yield RetryEvent(index, retry_reason, seed)
                    started = time.perf_counter()
                    continue
                break
            if self.rendered is not None:
                done = dataclasses.replace(done, prompt_ref=self.rendered.ref)
            self.stats.append(stats)
            self.results.append(done)
            yield stats
            yield done
            load_ms = 0.0
            started = time.perf_counter()
            if done.reason == CANCELLED:
                return

    def _rendered_context(self, model: ModelBackend, builder: ContextBuilder, budget: int) -> AssembledContext:
        """The prompt from the steering library, fitted to ``budget`` with the model's tokenizer."""
        chat = builder.prompt_format == "chat"
        if chat:  # the chat template's own tokens come out of the budget
            overhead = builder.tokens(model.render_chat([{"role": "system", "content": ""}, {"role": "user", "content": ""}]))
            budget -= len(overhead)
        rendered = self.render(model.count_tokens, budget)
        if not rendered.fits:
            raise ValueError(
                "the prompt's instructions, anchors and examples do not fit the model's context window: "
                "lower the anchor budget or switch some anchors off"
            )
        self.rendered = rendered
        prompt = model.render_chat(rendered.messages()) if chat else rendered.text
        return AssembledContext(prompt, builder.tokens(prompt), rendered.script_chars,
                                rendered.trimmed.script_chars, rendered.trimmed.first_line, budget)

    def _alternative(self, model, entry, ctx, index, seed, sampling, stops, max_tokens, started, load_ms):
        """Stream one alternative from the backend; returns (DoneEvent, StatsEvent, retry_reason)."""
        cancelled = self._cancel  # callable; the model process is woken by it, not polling
        text_out = StopFilter(stops)
        guard = RepetitionGuard() if self.request.repetition_guard else None
        generated = 0
        first_at = last_at = None
        retry_reason = None
        reason = None
        end: StreamEnd | None = None
        prompt_done: PromptProgress | None = None
        stream = model.stream(ctx.prompt, ctx.tokens, sampling=sampling, seed=seed, max_tokens=max_tokens,
                              cancelled=cancelled)
        try:
            for item in stream:
                if isinstance(item, TextPiece):
                    now = time.perf_counter()
                    if first_at is None:
                        first_at = now
                    last_at = now
                    if cancelled():
                        reason = CANCELLED
                        break
                    generated += item.tokens
                    shown = text_out.feed(item.text)
                    if text_out.stopped:
                        if shown:
                            yield TokenEvent(shown, index)
                        reason = SCENE_END if text_out.matched in self._scene_ends else STOP
                        break
                    if guard is not None:
                        cut = guard.check(text_out.text)
                        if cut is not None:
                            text_out.truncate(cut)
                            reason = REPETITION
                            if "\n" not in text_out.text.strip():
                                retry_reason = f"repetition: {guard.reason}"
                            break
                    if shown:
                        yield TokenEvent(shown, index)
                elif isinstance(item, PromptProgress):
                    if item.prompt_ms is not None:
                        prompt_done = item
                    yield PromptEvent(index, item.done, item.total)
                else:
                    end = item
                    reason = item.reason
        except (RemoteError, ModelCrashed) as exc:
            exc.partial = text_out.text[: text_out.emitted]
            exc.index = index
            raise
        finally:
            stream.close()  # a remote stream's connection is shut at once
        if end is not None and reason in (EOS, LENGTH, CONTEXT):
            rest = text_out.flush()
            if rest:
                yield TokenEvent(rest, index)
            if end.generated is not None:
                generated = end.generated
        if end is None and prompt_done is not None:  # left early (stop, repetition): the prompt's figures
            end = StreamEnd(reason or LENGTH, None, None, prompt_done.cached_tokens or 0,
                            prompt_done.evaluated_tokens or 0, prompt_done.prompt_ms or 0.0)
        prompt_ms = end.prompt_ms if end else 0.0
        evaluated = end.evaluated_tokens if end else 0
        gen_s = (last_at - first_at) if (first_at and last_at and generated > 1) else 0.0
        stats = StatsEvent(
            model=entry.name,
            prompt_tokens=(end.prompt_tokens if end and end.prompt_tokens else len(ctx.tokens)),
            cached_tokens=end.cached_tokens if end else 0,
            generated_tokens=generated,
            ttft_ms=((first_at - started) * 1000) if first_at else 0.0,
            prompt_ms=prompt_ms,
            tokens_per_s=((generated - 1) / gen_s) if gen_s > 0 else 0.0,
            prompt_tokens_per_s=(evaluated / (prompt_ms / 1000)) if evaluated and prompt_ms > 0 else 0.0,
            threads=tuple(model.threads),
            index=index,
            load_ms=load_ms,
        )
        final = text_out.text[: text_out.emitted] if reason == CANCELLED else text_out.text
        return DoneEvent(final, reason or LENGTH, index, seed), stats, retry_reason


def context_builder(model: ModelBackend) -> ContextBuilder:
    """The context builder for a loaded model (its tokenizer and prompt format)."""
    return ContextBuilder(
        lambda text, add_bos, special: model.tokenize(text, add_bos=add_bos, special=special),
        model.entry.prompt_format,
        model.render_chat if model.entry.prompt_format == "chat" else None,
        model.bos_text,
    )
