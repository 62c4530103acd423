"""The remote backend: an OpenAI-compatible server (llama.cpp's server, vLLM, Ollama, llama_cpp.server).

Why ``httpx`` (with ``httpx-sse`` for the event stream) and not the official ``openai`` client:
the ``openai`` package is itself built on httpx, but it hides what this backend needs to reach:
llama.cpp's extra request fields (``cache_prompt``, ``top_k``, ``min_p``, ``repeat_penalty``), the
``timings`` object llama.cpp's server adds to the last chunk, the servers' tokenize endpoints
(``/extras/tokenize``, ``/tokenize``) that are not OpenAI routes, and the raw socket of a streamed
response, which cancellation shuts from another thread so that a stream stops *at once* instead
of at the next chunk. Its built-in retries also retry after the first token has been shown, which
would duplicate text. httpx gives all of that with one small, well-kept dependency (and the
``openai`` client would pull httpx in anyway).

Behaviour:

* **Connect** (``connect_remote``, the "load" of a remote entry): ``GET {base_url}/models`` checks
  that the server answers, accepts the key and serves ``served_model``; the server's tokenizer is
  probed (``POST /extras/tokenize`` on llama_cpp.server, ``POST /tokenize`` on llama.cpp's server
  and vLLM). Without one (Ollama), token counts are a conservative estimate (``estimate_tokens``).
  llama.cpp's ``/props`` and vLLM's ``max_model_len`` cap the context when they report it.
* **Streaming** over server-sent events, read in a helper thread; the consumer polls its cancel
  flag every 20 ms and, on cancel (or when it stops iterating), shuts the socket down, which ends
  the read and tells the server to stop generating.
* **Timeouts and retries**: connect and read timeouts from the entry; connection failures, 429 and
  5xx are retried with exponential backoff (429 waits for the server's ``Retry-After``) but only
  before the first token: after it, a failure ends the stream with ``StreamCut`` and the text so far
  is kept by the caller.
* **The API key** is read from the environment variable named by ``api_key_env`` at each request;
  it is never stored, logged or put in a message (every message passes through ``_redact``).
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import os
import queue
import socket
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlsplit

import httpx

from .backend import CANCELLED, EOS, LENGTH, StreamEnd, StreamItem, TextPiece
from .errors import (
    LoadCancelled,
    ModelNotServed,
    RemoteError,
    ServerAuthError,
    ServerBusy,
    ServerFailed,
    ServerUnreachable,
    StreamCut,
)
from .registry import ModelEntry

log = logging.getLogger("scenewright.remote")

ATTEMPTS = 3  # tries before the first token (the first one and two retries)
BACKOFF_S = 0.5  # first wait; doubled each time
MAX_RETRY_AFTER_S = 30.0  # a 429 asking to wait longer is reported instead of waited out
_POLL_S = 0.02
_TOKENIZE_CACHE = 512
REPROBE_S = 60.0  # a counter without a server tokenizer asks again after this long (the server may be up now)


class ChatPrompt(str):
    """A chat prompt: a plain-text rendering (what is shown and counted) that keeps its messages."""

    messages: list[dict[str, str]]

    def __new__(cls, messages: list[dict[str, str]]):
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        self = super().__new__(cls, text + "<|im_start|>assistant\n")
        self.messages = [dict(m) for m in messages]
        return self


def estimate_tokens(text: str) -> int:
    """An upper bound on the tokens of ``text`` for servers without a tokenize endpoint.

    Sub-word tokenizers put at least two ASCII letters in a token; a digit, a space or a
    punctuation mark can be a token on its own (Gemma splits "1234 " into five), and a non-ASCII
    character can fall back to one token per UTF-8 byte. So: half the ASCII letters plus every
    other byte, plus a few for special tokens. Screenplay prose comes out near twice the real
    count, which keeps the prompt inside the window at the cost of some context.
    """
    data = text.encode("utf-8")
    letters = sum(1 for b in data if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A)
    return math.ceil(letters / 2) + (len(data) - letters) + 4


class RemoteModel:
    """A model served over the OpenAI-compatible protocol (a ``ModelBackend``)."""

    kind = "remote"

    def __init__(self, entry: ModelEntry, client: httpx.Client, *, n_ctx: int, tokenizer: str | None,
                 load_ms: float = 0.0):
        self.entry = entry
        self.client = client
        self.load_ms = load_ms
        self.threads = (0, 0)
        self.thread_choice = None
        self.path = None
        self.lock = threading.Lock()
        self.tokenizer = tokenizer  # "extras" (llama_cpp.server), "tokenize" (llama.cpp / vLLM) or None (estimate)
        self._n_ctx = n_ctx
        self._counts: OrderedDict[tuple[str, bool], list[int]] = OrderedDict()
        self._counts_lock = threading.Lock()

    # ---------------------------------------------------------------- facts
    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    @property
    def bos_text(self) -> str:
        return ""

    @property
    def base_url(self) -> str:
        return self.entry.base_url or ""

    # ---------------------------------------------------------------- tokens
    def tokenize(self, text: str, add_bos: bool = True, special: bool = False) -> list[int]:
        """The server's token ids for ``text`` when it has a tokenize endpoint.

        Without one, a list of ``-1`` placeholders as long as ``estimate_tokens(text)``: callers
        only count them (the server tokenizes the prompt itself).
        """
        if not text:
            return []
        key = (text, special)
        with self._counts_lock:
            if key in self._counts:
                self._counts.move_to_end(key)
                return self._counts[key]
        tokens = self._server_tokens(text, special) if self.tokenizer else None
        if tokens is None:
            tokens = [-1] * estimate_tokens(text)
        with self._counts_lock:
            self._counts[key] = tokens
            while len(self._counts) > _TOKENIZE_CACHE:
                self._counts.popitem(last=False)
        return tokens

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text, add_bos=False)) if text else 0

    def _server_tokens(self, text: str, special: bool) -> list[int] | None:
        reply = _request(self.client, self.entry, "POST", _tokenize_url(self.entry, self.tokenizer),
                         _tokenize_body(self.entry, self.tokenizer, text))
        tokens = reply.get("tokens") if isinstance(reply, dict) else None
        if not isinstance(tokens, list):
            return None
        return [t if isinstance(t, int) else int(t.get("id", -1)) if isinstance(t, dict) else -1 for t in tokens]

    def render_chat(self, messages: list[dict[str, str]]) -> str:
        """A ``ChatPrompt``: the server applies the model's template; the text is for counting and display."""
        return ChatPrompt(messages)

    # ---------------------------------------------------------------- generation
    def request_body(self, prompt: str, sampling, seed: int, max_tokens: int) -> dict[str, Any]:
        entry = self.entry
        body: dict[str, Any] = {"model": entry.served_model, "stream": True, "max_tokens": max_tokens,
                                "temperature": sampling.temperature, "top_p": sampling.top_p, "seed": seed,
                                "stream_options": {"include_usage": True}}
        # Not in the OpenAI API; llama.cpp's servers and vLLM read them, others ignore them.
        body.update(top_k=sampling.top_k, min_p=sampling.min_p, repeat_penalty=sampling.repeat_penalty,
                    repetition_penalty=sampling.repeat_penalty)
        for key in ("frequency_penalty", "presence_penalty"):  # OpenAI's own fields
            if getattr(sampling, key, 0.0):
                body[key] = getattr(sampling, key)
        if getattr(sampling, "dry_multiplier", 0.0):  # llama.cpp's server (vLLM and Ollama ignore them)
            body.update(dry_multiplier=sampling.dry_multiplier, dry_base=sampling.dry_base,
                        dry_allowed_length=sampling.dry_allowed_length,
                        dry_penalty_last_n=sampling.dry_penalty_last_n)
        grammar = getattr(sampling, "grammar", None)
        if grammar:  # Fountain-shaped generation: llama.cpp's servers read `grammar`, vLLM `guided_grammar`
            body["grammar"] = grammar
            body["guided_grammar"] = grammar
        if entry.cache_prompt:
            body["cache_prompt"] = True  # llama.cpp: keep the prompt's KV cache for the next request
        if entry.endpoint == "chat":
            messages = getattr(prompt, "messages", None) or [{"role": "user", "content": str(prompt)}]
            body["messages"] = messages
        else:
            body["prompt"] = str(prompt)
        return body

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
        entry = self.entry
        url = f"{entry.base_url}/{'chat/completions' if entry.endpoint == 'chat' else 'completions'}"
        body = self.request_body(prompt, sampling, seed, max_tokens)
        got_text = False
        attempt = 0
        while True:
            attempt += 1
            exchange = _Exchange(self.client, url, body, _headers(entry), entry)
            usage: dict = {}
            timings: dict = {}
            finish = None
            try:
                for chunk in exchange.chunks(cancelled):
                    if chunk is None:  # cancelled
                        yield StreamEnd(CANCELLED, None, None)
                        return
                    if isinstance(chunk.get("usage"), dict):
                        usage = chunk["usage"]
                    if isinstance(chunk.get("timings"), dict):
                        timings = chunk["timings"]
                    for choice in chunk.get("choices") or ():
                        text = choice.get("text")
                        if text is None:
                            text = (choice.get("delta") or {}).get("content")
                        if text:
                            got_text = True
                            yield TextPiece(text)
                        if choice.get("finish_reason"):
                            finish = choice["finish_reason"]
                if finish is None:  # cut, or interrupted (llama_cpp.server does that when another request comes)
                    raise ServerFailed(_redact(entry, f"the server at {entry.base_url} ended the stream without "
                                                      "finishing the continuation" + (
                                                          "; llama_cpp.server does this to a request when another "
                                                          "arrives unless started with --interrupt_requests False"
                                                          if exchange.done else "")))
            except RemoteError as exc:
                if got_text:
                    raise StreamCut(_redact(entry, f"the server at {entry.base_url} stopped in the middle of the "
                                                   f"continuation ({exc}); the text so far is kept")) from None
                wait = _retry_wait(exc, attempt)
                if wait is None:
                    raise
                log.info("retrying %s in %.1f s: %s", url, wait, exc)
                if _sleep(wait, cancelled):
                    yield StreamEnd(CANCELLED, None, None)
                    return
                continue
            finally:
                exchange.close()
            break
        reason = LENGTH if finish == "length" else EOS
        details = usage.get("prompt_tokens_details") or {}
        cached = timings.get("cache_n") or details.get("cached_tokens") or 0
        evaluated = timings.get("prompt_n") or 0
        yield StreamEnd(
            reason,
            generated=usage.get("completion_tokens") or timings.get("predicted_n") or None,
            prompt_tokens=usage.get("prompt_tokens") or ((cached + evaluated) if evaluated else None),
            cached_tokens=int(cached),
            evaluated_tokens=int(evaluated),
            prompt_ms=float(timings.get("prompt_ms") or 0.0),
        )

    def close(self) -> None:
        self.client.close()


# ------------------------------------------------------------------ counting without connecting
class RemoteTokenCounter:
    """``counter(text) -> int`` for a remote entry that is not connected (the context view, the
    anchors budget, ``scenewright prompt``): the server's tokenize endpoint when it has one and
    answers, else ``estimate_tokens``, which never undercounts. Never raises for the network:
    a server that is down or refuses the key only makes the count conservative."""

    path = None  # no file: the same shape as engine.steering.tokens.TokenCounter

    def __init__(self, entry: ModelEntry):
        self.entry = entry
        self._lock = threading.Lock()
        self._model: RemoteModel | None = None
        self._probed_at: float | None = None

    def _backend(self) -> RemoteModel | None:
        with self._lock:
            now = time.monotonic()
            if self._model is None and (self._probed_at is None or now - self._probed_at > REPROBE_S):
                self._probed_at = now
                client = make_client(self.entry)
                try:
                    kind = _probe_tokenizer(client, self.entry)
                except RemoteError:
                    kind = None
                if kind is None:
                    client.close()
                else:
                    self._model = RemoteModel(self.entry, client, n_ctx=self.entry.context_length, tokenizer=kind)
            return self._model

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        model = self._backend()
        if model is not None:
            try:
                return model.tokenize(text, add_bos=add_bos)
            except RemoteError:  # gone since: estimate, and ask again after REPROBE_S
                with self._lock:
                    if self._model is model:
                        self._model = None
                model.close()
        return [-1] * estimate_tokens(text) if text else []

    def __call__(self, text: str) -> int:
        return len(self.tokenize(text)) if text else 0

    def close(self) -> None:
        if self._model is not None:
            self._model.close()


_COUNTERS: dict[tuple, RemoteTokenCounter] = {}
_COUNTERS_LOCK = threading.Lock()


def remote_token_counter(entry: ModelEntry) -> RemoteTokenCounter:
    """The token counter of a remote entry, one per entry (it keeps its connection and counts)."""
    key = (entry.name, entry.base_url, entry.served_model, entry.api_key_env, entry.connect_timeout, entry.read_timeout)
    with _COUNTERS_LOCK:
        counter = _COUNTERS.get(key)
        if counter is None:
            counter = _COUNTERS[key] = RemoteTokenCounter(entry)
        return counter


# ------------------------------------------------------------------ connecting
def connect_remote(entry: ModelEntry, progress=None, cancelled=None) -> RemoteModel:
    """Check the server (reachable, key accepted, model served) and find its tokenizer."""
    progress = progress or (lambda stage, fraction: None)
    cancelled = cancelled or (lambda: False)
    started = time.perf_counter()
    progress("connect", None)
    client = make_client(entry)
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                listing = _request(client, entry, "GET", f"{entry.base_url}/models", None, missing_ok=True)
                break
            except RemoteError as exc:
                wait = _retry_wait(exc, attempt)
                if wait is None:
                    raise
                if _sleep(wait, cancelled):
                    raise LoadCancelled(f"model {entry.name!r}: connecting cancelled") from None
        n_ctx = entry.context_length
        if isinstance(listing, dict) and isinstance(listing.get("data"), list):
            cards = [c for c in listing["data"] if isinstance(c, dict)]
            ids = [str(c.get("id")) for c in cards]
            served = entry.served_model or ""
            match = [c for c in cards if str(c.get("id")) in (served, f"{served}:latest")]
            if not match:
                raise ModelNotServed(_redact(entry, (
                    f"model {entry.name!r}: the server at {entry.base_url} does not serve {served!r} "
                    f"(it serves: {', '.join(ids) or 'nothing'}); set served_model in models.toml")))
            server_ctx = match[0].get("max_model_len")  # vLLM
            if isinstance(server_ctx, int) and 0 < server_ctx < n_ctx:
                n_ctx = server_ctx
        if cancelled():
            raise LoadCancelled(f"model {entry.name!r}: connecting cancelled")
        props_ctx = _llama_server_ctx(client, entry)
        if props_ctx and props_ctx < n_ctx:
            n_ctx = props_ctx
        tokenizer = _probe_tokenizer(client, entry)
    except BaseException:
        client.close()
        raise
    progress("ready", 1.0)
    return RemoteModel(entry, client, n_ctx=n_ctx, tokenizer=tokenizer,
                       load_ms=(time.perf_counter() - started) * 1000)


def make_client(entry: ModelEntry) -> httpx.Client:
    timeout = httpx.Timeout(entry.read_timeout, connect=entry.connect_timeout)
    # trust_env=False: a proxy set for the web must not catch a loopback tunnel or a LAN server
    return httpx.Client(timeout=timeout, trust_env=_is_public(entry.base_url or ""), follow_redirects=False)


def _is_public(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return not (host in ("localhost", "::1") or host.startswith("127.") or host.endswith(".local"))


def _root(entry: ModelEntry) -> str:
    base = entry.base_url or ""
    return base[: -len("/v1")] if base.endswith("/v1") else base


def _tokenize_url(entry: ModelEntry, kind: str | None) -> str:
    return f"{_root(entry)}/extras/tokenize" if kind == "extras" else f"{_root(entry)}/tokenize"


def _tokenize_body(entry: ModelEntry, kind: str | None, text: str) -> dict:
    if kind == "extras":  # llama_cpp.server
        return {"input": text, "model": entry.served_model}
    # llama.cpp's server reads `content`, vLLM `prompt`; each ignores the other's field
    return {"content": text, "prompt": text, "model": entry.served_model, "add_special": False,
            "add_special_tokens": False}


def _probe_tokenizer(client: httpx.Client, entry: ModelEntry) -> str | None:
    for kind in ("extras", "tokenize"):
        try:
            reply = _request(client, entry, "POST", _tokenize_url(entry, kind),
                             _tokenize_body(entry, kind, "INT. HOUSE - NIGHT"), missing_ok=True)
        except ServerAuthError:
            raise
        except RemoteError:
            continue
        if isinstance(reply, dict) and isinstance(reply.get("tokens"), list) and reply["tokens"]:
            return kind
    return None


def _llama_server_ctx(client: httpx.Client, entry: ModelEntry) -> int | None:
    """llama.cpp's server reports its context size in ``GET /props``."""
    try:
        reply = _request(client, entry, "GET", f"{_root(entry)}/props", None, missing_ok=True)
    except RemoteError:
        return None
    if not isinstance(reply, dict):
        return None
    settings = reply.get("default_generation_settings") or {}
    value = settings.get("n_ctx") or reply.get("n_ctx")
    return value if isinstance(value, int) and value > 0 else None


# ------------------------------------------------------------------ HTTP plumbing
def _api_key(entry: ModelEntry) -> str | None:
    if not entry.api_key_env:
        return None
    return os.environ.get(entry.api_key_env) or None


def _headers(entry: ModelEntry) -> dict[str, str]:
    key = _api_key(entry)
    return {"Authorization": f"Bearer {key}"} if key else {}


def _redact(entry: ModelEntry, message: str) -> str:
    """``message`` with the API key (if any) blanked out: keys never reach a message or a log."""
    key = _api_key(entry)
    if key and len(key) >= 4:
        message = message.replace(key, "[redacted]")
    return message


def _request(client: httpx.Client, entry: ModelEntry, method: str, url: str, body: dict | None,
             missing_ok: bool = False) -> Any:
    """One small JSON request; ``None`` when ``missing_ok`` and the route does not exist."""
    try:
        response = client.request(method, url, json=body, headers=_headers(entry))
    except httpx.HTTPError as exc:
        raise _transport_error(entry, url, exc) from None
    if response.status_code in (404, 405, 501) and missing_ok:
        return None
    if response.status_code >= 400:
        raise _status_error(entry, url, response)
    try:
        return response.json()
    except ValueError:
        raise ServerFailed(_redact(entry, f"the server at {entry.base_url} sent a reply that is not JSON ({url})")) from None


def _transport_error(entry: ModelEntry, url: str, exc: Exception) -> RemoteError:
    where = entry.base_url
    if isinstance(exc, httpx.ConnectTimeout):
        return ServerUnreachable(f"no answer from {where} within {entry.connect_timeout:g} s (connect timeout); "
                                 "is the server (or the SSH tunnel) up?")
    if isinstance(exc, httpx.ConnectError):
        cause = str(exc) or exc.__class__.__name__
        if "refused" in cause.lower():
            cause = "connection refused"
        return ServerUnreachable(_redact(entry, f"cannot reach the server at {where} ({cause}); is it running, "
                                                "and is an SSH tunnel open if it is on another machine?"))
    if isinstance(exc, httpx.ReadTimeout):
        return ServerFailed(f"the server at {where} sent nothing for {entry.read_timeout:g} s (read timeout)")
    return ServerFailed(_redact(entry, f"the connection to {where} failed ({exc.__class__.__name__}: {exc})"))


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300]
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err)[:300]
        if err:
            return str(err)[:300]
        if data.get("detail"):
            return str(data["detail"])[:300]
        if data.get("message"):
            return str(data["message"])[:300]
    return json.dumps(data)[:300]


def _status_error(entry: ModelEntry, url: str, response: httpx.Response) -> RemoteError:
    code = response.status_code
    said = _redact(entry, _error_text(response))
    where = entry.base_url
    detail = f"HTTP {code}" + (f": {said}" if said else "")
    if code in (401, 403):
        if entry.api_key_env and not _api_key(entry):
            hint = f"the environment variable {entry.api_key_env} (api_key_env) is not set"
        elif entry.api_key_env:
            hint = f"check the key in the environment variable {entry.api_key_env}"
        else:
            hint = "set api_key_env in models.toml to the NAME of the variable that holds the key"
        verb = "refused the API key" if code == 401 else "does not allow this key"
        return ServerAuthError(f"model {entry.name!r}: the server at {where} {verb} ({detail}); {hint}")
    if code == 404 or (code == 400 and "model" in said.lower() and ("not" in said.lower() or "exist" in said.lower())):
        if "model" in said.lower():
            return ModelNotServed(f"model {entry.name!r}: the server at {where} does not serve "
                                  f"{entry.served_model!r} ({detail}); set served_model in models.toml")
        return RemoteError(f"model {entry.name!r}: {url} does not exist on the server ({detail}); "
                           "base_url should be the OpenAI base URL, usually ending in /v1")
    if code == 429:
        wait = _retry_after(response)
        after = f"; it asks to wait {wait:g} s" if wait is not None else ""
        return ServerBusy(f"the server at {where} is busy (HTTP 429: too many requests{after})", retry_after=wait)
    if code >= 500:
        return ServerFailed(f"the server at {where} failed ({detail})")
    if code == 400 and any(w in said.lower() for w in ("context", "too long", "exceed")):
        return RemoteError(f"model {entry.name!r}: the prompt does not fit the server's context ({detail}); "
                           "lower context_length in models.toml")
    return RemoteError(f"model {entry.name!r}: the server at {where} rejected the request ({detail})")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _retry_wait(exc: RemoteError, attempt: int) -> float | None:
    """Seconds to wait before trying again, or None to give up."""
    if not exc.retryable or attempt >= ATTEMPTS:
        return None
    if isinstance(exc, ServerBusy) and exc.retry_after is not None:
        return exc.retry_after if exc.retry_after <= MAX_RETRY_AFTER_S else None
    return BACKOFF_S * (2 ** (attempt - 1))


def _sleep(seconds: float, cancelled: Callable[[], bool]) -> bool:
    """Wait, watching the cancel flag; True when cancelled."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cancelled():
            return True
        time.sleep(min(_POLL_S, max(0.0, deadline - time.monotonic())))
    return cancelled()


class _Exchange:
    """One streamed request, read in a helper thread so that the consumer can leave at any moment."""

    def __init__(self, client: httpx.Client, url: str, body: dict, headers: dict, entry: ModelEntry):
        self._client, self._url, self._body, self._headers, self._entry = client, url, body, headers, entry
        self._items: queue.Queue = queue.Queue()
        self._response: httpx.Response | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self.done = False  # "[DONE]" seen
        self._thread = threading.Thread(target=self._read, name="remote-stream", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        from httpx_sse import EventSource, SSEError

        try:
            with self._client.stream("POST", self._url, json=self._body, headers=self._headers) as response:
                with self._lock:
                    self._response = response
                if self._closed.is_set():
                    return
                if response.status_code >= 400:
                    response.read()
                    self._items.put(("error", _status_error(self._entry, self._url, response)))
                    return
                try:
                    for event in EventSource(response).iter_sse():
                        if self._closed.is_set():
                            return
                        self._items.put(("data", event.data))
                except SSEError:
                    self._items.put(("error", ServerFailed(
                        f"the server at {self._entry.base_url} did not answer with an event stream "
                        f"({response.headers.get('content-type', 'no content type')})")))
                    return
            self._items.put(("eof", None))
        except httpx.HTTPError as exc:
            if not self._closed.is_set():
                self._items.put(("error", _transport_error(self._entry, self._url, exc)))
        except Exception as exc:  # never lose a failure in the helper thread
            if not self._closed.is_set():
                self._items.put(("error", ServerFailed(_redact(self._entry, f"{exc.__class__.__name__}: {exc}"))))

    def chunks(self, cancelled: Callable[[], bool]) -> Iterator[dict | None]:
        """Parsed chunks; ``None`` once when cancelled. Raises RemoteError on failure."""
        while True:
            try:
                kind, value = self._items.get(timeout=_POLL_S)
            except queue.Empty:
                if cancelled():
                    self.close()
                    yield None
                    return
                continue
            if kind == "eof":
                return
            if kind == "error":
                raise value
            if value.strip() == "[DONE]":
                self.done = True
                return
            try:
                chunk = json.loads(value)
            except ValueError:
                raise ServerFailed(f"the server at {self._entry.base_url} sent a malformed chunk") from None
            if isinstance(chunk, dict) and chunk.get("error"):
                err = chunk["error"]
                message = err.get("message") if isinstance(err, dict) else err
                raise ServerFailed(_redact(self._entry, f"the server at {self._entry.base_url} reported an error "
                                                        f"mid-stream: {str(message)[:300]}"))
            if isinstance(chunk, dict):
                yield chunk

    def close(self) -> None:
        """Stop now: shut the socket (wakes the reading thread, tells the server) unless finished."""
        if self._closed.is_set() or self.done or not self._thread.is_alive():
            return  # after "[DONE]" the thread reads the tail, so the connection is kept for the next request
        self._closed.set()
        with self._lock:
            response = self._response
        if response is None:
            return  # still connecting: the thread sees the flag and drops the response on arrival
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
