"""The HTTP service: FastAPI routes over the engine, one ``Service`` per process.

Routes (OpenAPI at ``/openapi.json``, browsable at ``/docs``):

* ``POST /render_script``: the script with a continuation (or a rewrite) written in, ``{"script": ...}``.
* ``POST /continue``, ``/rewrite``, ``/alternatives``, ``/beat``: suggestions as JSON, or as a
  server-sent event stream with ``"stream": true`` (``token`` events, then ``done``).
* ``POST /feedback``: the writer's decision and ratings, into the same edit log as the editor's.
* ``GET /models``, ``GET /healthz`` (no key needed), ``GET /metrics`` (Prometheus text).

Every route but ``/healthz`` and the docs needs ``Authorization: Bearer KEY`` (or ``X-API-Key``)
once a key exists; with no key at all the service answers only on loopback, as ``local``.
Around every request one ASGI middleware enforces the body size limit and writes one JSON log line
when the last byte has gone (key name, route, status, tokens, time to first token, latency; never
a key, never a script's text).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from engine.generation import GenerationEngine, RetryEvent, TokenEvent
from engine.generation.events import ErrorEvent
from engine.models import ModelError
from engine.models.errors import UnknownModel
from engine.tomlconf import ConfigError

from .keys import ApiKey, KeyRing
from .limits import Limited, RateLimiter
from .metrics import Metrics
from .queue import QueueFull, Queues
from .suggest import Ask, BadRequest, Outcome, Prepared, feedback, prepare, record, rendered_script

access_log = logging.getLogger("scenewright.serve.access")
LOCAL = ApiKey("local", "", "", "", 0, 0)  # no keys made, loopback only: no limits
_END = object()


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    max_body_bytes: int = 1_000_000
    queue_waiting: int = 8  # requests that may wait for a busy model; the next gets 503
    remote_concurrency: int = 4  # requests at once to a remote server (a local model: 1)
    cors_origins: tuple[str, ...] = ()
    edit_log: Path | None = None
    keys_path: Path | None = None
    preload: bool = True
    max_tokens: int = 1024  # the most one request may ask for


# ---------------------------------------------------------------------- request bodies
class AnchorIn(BaseModel):
    kind: Literal["character", "beat", "world", "style"]
    text: str = Field(min_length=1, max_length=2000)


class Sampling(BaseModel):
    max_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=5)
    top_p: float | None = Field(None, ge=0, le=1)
    seed: int | None = Field(None, ge=0, lt=2**31 - 1)


class SuggestBody(Sampling):
    text: str = Field(description="the script (Fountain), as it stands")
    document: str = Field("untitled", min_length=1, max_length=200, pattern=r"^[^\x00-\x1f/]+$",
                          description="a name for the script in the edit log (per key)")
    line: int | None = Field(None, ge=1, description="write after this 1-based line (default: the end)")
    scene: str | None = Field(None, max_length=200, description="write after this scene (number or heading)")
    prompt: str | None = Field(None, max_length=120, description="a library prompt ID or ID@VERSION")
    anchors: list[AnchorIn] = Field(default_factory=list, max_length=64)
    model: str | None = Field(None, max_length=120)
    n: int = Field(1, ge=1, le=8, description="alternatives")
    stream: bool = Field(False, description="server-sent events instead of one JSON answer")


class ContinueBody(SuggestBody):
    kind: Literal["continue", "dialogue"] = "continue"


class RewriteBody(SuggestBody):
    selection: str = Field(min_length=1, description="the passage of `text` to rewrite (copied exactly)")
    instruction: str | None = Field(None, max_length=1000)


class AlternativesBody(SuggestBody):
    selection: str = Field(min_length=1, description="the passage of `text` to give alternatives for")
    n: int = Field(3, ge=1, le=8)


class BeatBody(SuggestBody):
    beat: str = Field(min_length=1, max_length=2000, description="what happens in the scene to write")


class RenderBody(BaseModel):
    """The seed's shape: the script (``script`` or ``text``), where (``line`` or ``scene``), the
    prompt (``prompt_id``), ``anchors`` and ``sampling``; ``kind`` picks continue, rewrite (with
    ``selection``, ``instruction``) or beat (with ``beat``)."""

    script: str | None = None
    text: str | None = None
    kind: Literal["continue", "dialogue", "rewrite", "beat"] = "continue"
    document: str = Field("untitled", min_length=1, max_length=200, pattern=r"^[^\x00-\x1f/]+$")
    line: int | None = Field(None, ge=1)
    scene: str | None = Field(None, max_length=200)
    selection: str | None = None
    instruction: str | None = Field(None, max_length=1000)
    beat: str | None = Field(None, max_length=2000)
    prompt_id: str | None = Field(None, max_length=120)
    anchors: list[AnchorIn] = Field(default_factory=list, max_length=64)
    model: str | None = Field(None, max_length=120)
    sampling: Sampling = Field(default_factory=Sampling)


class Ratings(BaseModel):
    plot: int | None = Field(None, ge=1, le=5)
    dialogue: int | None = Field(None, ge=1, le=5)
    tone: int | None = Field(None, ge=1, le=5)


class FeedbackBody(BaseModel):
    suggestion_id: str = Field(min_length=1, max_length=64)
    decision: Literal["accepted", "accepted_part", "edited", "rejected"]
    accepted_text: str | None = Field(None, description="accepted_part: the part kept")
    final_text: str | None = Field(None, description="the text as the writer left it")
    ratings: Ratings | None = None
    tags: list[str] | None = Field(None, max_length=16)


# ---------------------------------------------------------------------- the service
@dataclass
class Service:
    engine: GenerationEngine
    config: ServeConfig
    log: Any  # engine.editlog.EditLog
    keyring: KeyRing
    limiter: RateLimiter = field(default_factory=RateLimiter)
    metrics: Metrics = field(default_factory=Metrics)
    queues: Queues | None = None
    active: set = field(default_factory=set)
    library: Any = None
    closing: bool = False

    def __post_init__(self) -> None:
        if self.queues is None:
            self.queues = Queues(self._concurrency_of, self.config.queue_waiting)

    def _concurrency_of(self, model: str) -> int:
        try:
            return self.config.remote_concurrency if self.engine.registry.get(model).is_remote else 1
        except Exception:  # noqa: BLE001
            return 1

    def prompts(self):
        if self.library is None:
            from engine.steering import load_library

            self.library = load_library()
        return self.library

    # ------------------------------------------------------------------ keys
    def authenticate(self, request: Request) -> ApiKey:
        presented = request.headers.get("x-api-key")
        auth = request.headers.get("authorization", "")
        if not presented and auth[:7].lower() == "bearer ":
            presented = auth[7:].strip()
        keys = self.keyring.keys
        if not keys:
            if is_loopback(self.config.host):
                return LOCAL
            raise HTTPException(401, "no API key exists: make one with `scenewright serve keys add NAME`",
                                headers={"WWW-Authenticate": "Bearer"})
        found = self.keyring.check(presented)
        if found is None:
            raise HTTPException(401, "a valid API key is needed: Authorization: Bearer KEY",
                                headers={"WWW-Authenticate": "Bearer"})
        return found

    # ------------------------------------------------------------------ requests
    def prepared(self, ask: Ask) -> Prepared:
        try:
            prepared = prepare(ask, self.prompts())
            entry = self.engine.registry.get(prepared.request.model)
        except BadRequest as exc:
            raise HTTPException(422, str(exc)) from None
        except UnknownModel as exc:
            raise HTTPException(404, str(exc)) from None
        except (ConfigError, ModelError) as exc:  # a broken models.toml, a model entry that cannot be used
            raise HTTPException(500, str(exc)) from None
        if prepared.request.token_limit(entry) > self.config.max_tokens:
            raise HTTPException(422, f"max_tokens {prepared.request.token_limit(entry)}: at most "
                                f"{self.config.max_tokens} on this server")
        prepared.entry = entry
        return prepared

    async def generate(self, key: ApiKey, prepared: Prepared, request: Request, note: dict,
                       on_event=None) -> Outcome:
        """Run one request: rate limits, the model's queue, the engine in a thread of its own,
        cancelled when the client goes away; the outcome recorded in the edit log."""
        entry = prepared.entry
        note["model"] = entry.name
        reserve = prepared.request.token_limit(entry) * max(1, prepared.request.n)
        try:
            self.limiter.admit(key.name, key.requests_per_minute, key.tokens_per_day, reserve)
        except Limited as exc:
            self.metrics.limited.labels(key.name).inc()
            raise HTTPException(429, str(exc), headers={"Retry-After": exc.retry_after}) from None
        outcome = Outcome(self.engine, prepared)
        try:
            async with self.queues.of(entry.name).turn():  # QueueFull at once when too many wait
                await self._run(prepared, request, outcome, note, on_event)
        except QueueFull as exc:
            self.metrics.queue_full.labels(entry.name).inc()
            raise HTTPException(503, str(exc), headers={"Retry-After": "1"}) from None
        finally:
            self.limiter.settle(key.name, reserve, outcome.generated_tokens)
        note.update(prompt_tokens=outcome.prompt_tokens, generated_tokens=outcome.generated_tokens,
                    ttft_ms=round(outcome.ttft_ms, 1) if outcome.ttft_ms is not None else None)
        self.metrics.prompt_tokens.labels(entry.name, key.name).inc(outcome.prompt_tokens)
        self.metrics.generated_tokens.labels(entry.name, key.name).inc(outcome.generated_tokens)
        if outcome.ttft_ms is not None:
            self.metrics.ttft.labels(entry.name).observe(outcome.ttft_ms / 1000)
        if outcome.error is not None:
            status = {"model": 503, "server": 502, "crash": 502}.get(outcome.error_kind or "", 500)
            raise HTTPException(status, {"message": outcome.error, "partial_text": outcome.texts})
        if outcome.cancelled:
            self.metrics.cancelled.labels(entry.name).inc()
            raise HTTPException(499 if not self.closing else 503, "the generation was cancelled")
        ids = await asyncio.to_thread(record, self.log, key.name, prepared, outcome, self.engine)
        outcome.ids = ids
        return outcome

    async def _run(self, prepared: Prepared, request: Request, outcome: Outcome, note: dict, on_event) -> None:
        generation = outcome.generation
        loop = asyncio.get_running_loop()
        events: asyncio.Queue = asyncio.Queue()

        def pump() -> None:
            try:
                for event in generation:
                    loop.call_soon_threadsafe(events.put_nowait, event)
            except BaseException as exc:  # noqa: BLE001 - reported as an error event
                loop.call_soon_threadsafe(events.put_nowait, ErrorEvent(f"generation failed: {exc}", "generation"))
            finally:
                loop.call_soon_threadsafe(events.put_nowait, _END)

        thread = threading.Thread(target=pump, name="serve-generation", daemon=True)
        self.active.add(generation)
        thread.start()
        try:
            while True:
                try:
                    event = await asyncio.wait_for(events.get(), timeout=0.25)
                except asyncio.TimeoutError:
                    if await request.is_disconnected():
                        generation.cancel()
                    continue
                if event is _END:
                    outcome.ended()
                    break
                outcome.see(event)
                if on_event is not None and not isinstance(event, ErrorEvent):
                    await on_event(event)
        except BaseException:
            generation.cancel()  # the client went away (the stream's task is cancelled) or shutdown
            self.metrics.cancelled.labels(prepared.entry.name).inc()
            raise
        finally:
            self.active.discard(generation)
            # the model is busy until the thread has stopped: the queue's slot is held till then
            await asyncio.shield(asyncio.to_thread(thread.join))

    def cancel_all(self) -> None:
        self.closing = True
        for generation in list(self.active):
            generation.cancel()


def answer(prepared: Prepared, outcome: Outcome) -> dict:
    request_id, ids = outcome.ids
    speeds = [s.tokens_per_s for s in outcome.stats]
    return {
        "request_id": request_id,
        "model": outcome.model,
        "prompt": f"{outcome.prompt_ref[0]}@{outcome.prompt_ref[1]}" if outcome.prompt_ref else None,
        "suggestions": [{"id": sid, "index": i, "text": text, "finish_reason": reason, "seed": seed}
                        for i, (sid, text, reason, seed) in enumerate(zip(ids, outcome.texts, outcome.reasons,
                                                                          outcome.seeds))],
        "usage": {"prompt_tokens": outcome.prompt_tokens, "generated_tokens": outcome.generated_tokens,
                  "ttft_ms": round(outcome.ttft_ms, 1) if outcome.ttft_ms is not None else None,
                  "tokens_per_s": round(max(speeds), 1) if speeds else None},
        "warnings": prepared.problems,
    }


# ---------------------------------------------------------------------- the app
def create_app(service: Service) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if service.config.preload:
            await asyncio.to_thread(_preload, service.engine)
        yield
        service.cancel_all()  # streams still open after uvicorn's grace period are cancelled
        for _ in range(100):
            if not service.active:
                break
            await asyncio.sleep(0.05)

    app = FastAPI(title="Scenewright", version="1", lifespan=lifespan,
                  description="The co-writer as a service: continuations, rewrites, alternatives and beats from "
                  "the writer's local models, every suggestion and decision in the edit log.")
    app.state.service = service
    if service.config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(service.config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "X-API-Key", "Content-Type"])

    def key_of(request: Request) -> ApiKey:
        key = service.authenticate(request)
        request.state.note["key"] = key.name
        return key

    def ask_of(body: SuggestBody, kind: str) -> Ask:
        return Ask(kind=kind, text=body.text, document=body.document, line=body.line, scene=body.scene,
                   selection=getattr(body, "selection", None), instruction=getattr(body, "instruction", None),
                   beat=getattr(body, "beat", None), prompt=body.prompt,
                   anchors=tuple((a.kind, a.text) for a in body.anchors), model=body.model,
                   max_tokens=body.max_tokens, temperature=body.temperature, top_p=body.top_p, seed=body.seed,
                   n=body.n)

    async def suggest(request: Request, key: ApiKey, body: SuggestBody, kind: str):
        prepared = service.prepared(ask_of(body, kind))
        note = request.state.note
        if not body.stream:
            outcome = await service.generate(key, prepared, request, note)
            return answer(prepared, outcome)
        return EventSourceResponse(_stream(service, key, prepared, request, note), ping=15)

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict:
        return {"status": "closing" if service.closing else "ok", "loaded": service.engine.loaded(),
                "queues": {q.model: {"running": q.running, "waiting": q.waiting} for q in service.queues.all()}}

    @app.get("/metrics", tags=["service"], response_class=Response)
    async def metrics(key: ApiKey = Depends(key_of)) -> Response:
        return Response(service.metrics.render(service.queues), media_type=service.metrics.content_type)

    @app.get("/models", tags=["models"])
    async def models(key: ApiKey = Depends(key_of)) -> dict:
        registry = service.engine.registry
        loaded = set(service.engine.loaded())
        return {"default": registry.default, "models": [
            {"name": name, "kind": "remote" if e.is_remote else "local", "description": e.description,
             "where": e.where(), "base": e.base, "loaded": name in loaded, "context_length": e.context_length,
             "max_tokens": e.max_tokens} for name, e in registry.models.items()]}

    @app.post("/continue", tags=["suggestions"])
    async def continue_(body: ContinueBody, request: Request, key: ApiKey = Depends(key_of)):
        return await suggest(request, key, body, body.kind)

    @app.post("/rewrite", tags=["suggestions"])
    async def rewrite(body: RewriteBody, request: Request, key: ApiKey = Depends(key_of)):
        return await suggest(request, key, body, "rewrite")

    @app.post("/alternatives", tags=["suggestions"])
    async def alternatives(body: AlternativesBody, request: Request, key: ApiKey = Depends(key_of)):
        return await suggest(request, key, body, "alternatives")

    @app.post("/beat", tags=["suggestions"])
    async def beat(body: BeatBody, request: Request, key: ApiKey = Depends(key_of)):
        return await suggest(request, key, body, "beat")

    @app.post("/render_script", tags=["suggestions"])
    async def render_script(body: RenderBody, request: Request, key: ApiKey = Depends(key_of)) -> dict:
        text = body.script if body.script is not None else body.text
        if text is None:
            raise HTTPException(422, "give the script as `script` (or `text`)")
        s = body.sampling
        ask = Ask(kind=body.kind, text=text, document=body.document, line=body.line, scene=body.scene,
                  selection=body.selection, instruction=body.instruction, beat=body.beat, prompt=body.prompt_id,
                  anchors=tuple((a.kind, a.text) for a in body.anchors), model=body.model, max_tokens=s.max_tokens,
                  temperature=s.temperature, top_p=s.top_p, seed=s.seed)
        prepared = service.prepared(ask)
        outcome = await service.generate(key, prepared, request, request.state.note)
        reply = answer(prepared, outcome)
        written = outcome.texts[0] if outcome.texts else ""
        return {"script": rendered_script(prepared, written), "continuation": written,
                "request_id": reply["request_id"], "suggestion_id": reply["suggestions"][0]["id"],
                "model": reply["model"], "usage": reply["usage"], "warnings": reply["warnings"]}

    @app.post("/feedback", tags=["edit log"])
    async def feedback_(body: FeedbackBody, key: ApiKey = Depends(key_of)) -> dict:
        ratings = {k: v for k, v in (body.ratings.model_dump() if body.ratings else {}).items() if v is not None}
        try:
            row = await asyncio.to_thread(feedback, service.log, key.name, body.suggestion_id, body.decision,
                                          accepted_text=body.accepted_text, final_text=body.final_text,
                                          ratings=ratings or None, tags=body.tags)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None
        except BadRequest as exc:
            raise HTTPException(422, str(exc)) from None
        return {"suggestion_id": row["id"], "state": row["state"], "edit_distance": row["edit_distance"],
                "ratings": {k: row[k] for k in ("plot", "dialogue", "tone")}, "tags": row["tags"]}

    app.add_middleware(_Envelope, service=service)
    return app


async def _stream(service: Service, key: ApiKey, prepared: Prepared, request: Request, note: dict):
    """Server-sent events of one request: ``token`` {index, text}, ``retry``, then ``done`` (the JSON
    answer) or ``error`` {status, message}."""
    out: asyncio.Queue = asyncio.Queue()

    async def on_event(event) -> None:
        if isinstance(event, TokenEvent):
            await out.put({"event": "token", "data": json.dumps({"index": event.index, "text": event.text},
                                                                ensure_ascii=False)})
        elif isinstance(event, RetryEvent):
            await out.put({"event": "retry", "data": json.dumps({"index": event.index, "reason": event.reason})})

    async def work() -> None:
        try:
            outcome = await service.generate(key, prepared, request, note, on_event)
            await out.put({"event": "done", "data": json.dumps(answer(prepared, outcome), ensure_ascii=False)})
        except HTTPException as exc:
            note["status"] = exc.status_code
            await out.put({"event": "error", "data": json.dumps({"status": exc.status_code, "detail": exc.detail})})
        finally:
            await out.put(None)

    task = asyncio.create_task(work())
    try:
        while True:
            item = await out.get()
            if item is None:
                break
            yield item
    finally:
        if not task.done():
            task.cancel()  # the client went away: the generation is cancelled in ``_run``
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass


def _preload(engine: GenerationEngine) -> None:
    try:
        for _ in engine.load():
            pass
    except Exception:  # noqa: BLE001 - the first request reports what is wrong with the model
        pass


class _Envelope:
    """ASGI middleware: the body size limit, and one access-log line per request at its last byte."""

    def __init__(self, app, service: Service):
        self.app = app
        self.service = service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        limit = self.service.config.max_body_bytes
        note: dict[str, Any] = {"key": None, "route": scope.get("path", ""), "method": scope.get("method", "")}
        scope.setdefault("state", {})["note"] = note
        status = {"code": 500}
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _refuse(send, 413, f"the request body is over {limit} bytes")
            self._log(note, 413, started)
            return
        received = {"n": 0}

        async def limited_receive():
            message = await receive()
            if message["type"] == "http.request":
                received["n"] += len(message.get("body", b""))
                if received["n"] > limit:
                    raise _TooLarge()
            return message

        async def watching_send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self._log(note, note.get("status", status["code"]), started)
                note["logged"] = True

        try:
            await self.app(scope, limited_receive, watching_send)
        except _TooLarge:
            await _refuse(send, 413, f"the request body is over {limit} bytes")
            self._log(note, 413, started)
            return
        finally:
            if not note.get("logged"):
                self._log(note, 499, started)  # the client went away before the answer ended

    def _log(self, note: dict, status: int, started: float) -> None:
        if note.get("logged"):
            return
        note["logged"] = True
        latency = time.perf_counter() - started
        route = note["route"]
        metrics = self.service.metrics
        metrics.requests.labels(route, str(status), note.get("key") or "-").inc()
        metrics.latency.labels(route).observe(latency)
        line = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "key": note.get("key"),
                "method": note["method"], "route": route, "status": status, "model": note.get("model"),
                "prompt_tokens": note.get("prompt_tokens"), "generated_tokens": note.get("generated_tokens"),
                "ttft_ms": note.get("ttft_ms"), "latency_ms": round(latency * 1000, 1)}
        access_log.info(json.dumps(line))


class _TooLarge(Exception):
    pass


async def _refuse(send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


__all__ = ["ServeConfig", "Service", "create_app", "is_loopback"]
