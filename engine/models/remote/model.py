"""``RemoteModel``, a ``ModelBackend`` served over the OpenAI-compatible protocol, and
``connect_remote``, the "load" of a remote entry (reachable, key accepted, model served, context
and tokenizer found). The JSON is ``wire``'s, the HTTP ``transport``'s, the stream ``sse``'s and
the counting ``tokens``'."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterator, Sequence

import httpx

from ..backend import CANCELLED, StreamEnd, StreamItem, TextPiece
from ..errors import LoadCancelled, ModelNotServed, RemoteError, ServerFailed, StreamCut
from ..registry import ModelEntry
from . import transport, wire
from .sse import Exchange
from .tokens import ServerTokenizer, probe_tokenizer

__all__ = ["RemoteModel", "connect_remote"]


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
        self._tokens = ServerTokenizer(entry, client, tokenizer)
        self._n_ctx = n_ctx

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

    @property
    def tokenizer(self) -> str | None:
        """"extras" (llama_cpp.server), "tokenize" (llama.cpp / vLLM) or None (estimate)."""
        return self._tokens.kind

    # ---------------------------------------------------------------- tokens
    def tokenize(self, text: str, add_bos: bool = True, special: bool = False) -> list[int]:
        """The server's token ids for ``text`` (see :meth:`ServerTokenizer.tokenize`)."""
        return self._tokens.tokenize(text, special)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text, add_bos=False)) if text else 0

    def render_chat(self, messages: list[dict[str, str]]) -> str:
        """A ``ChatPrompt``: the server applies the model's template; the text is for counting and display."""
        return wire.ChatPrompt(messages)

    # ---------------------------------------------------------------- generation
    def request_body(self, prompt: str, sampling, seed: int, max_tokens: int) -> dict[str, Any]:
        return wire.completion_body(self.entry, prompt, sampling, seed, max_tokens)

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
        url = wire.completion_url(entry)
        body = self.request_body(prompt, sampling, seed, max_tokens)
        got_text = False
        attempt = 0
        while True:
            attempt += 1
            exchange = Exchange(self.client, url, body, transport.headers(entry), entry)
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
                    for text, reason in wire.chunk_texts(chunk):
                        if text:
                            got_text = True
                            yield TextPiece(text)
                        if reason:
                            finish = reason
                if finish is None:  # cut, or interrupted (llama_cpp.server does that when another request comes)
                    raise ServerFailed(transport.redact(entry, (
                        f"the server at {entry.base_url} ended the stream without finishing the continuation"
                        + ("; llama_cpp.server does this to a request when another arrives unless started "
                           "with --interrupt_requests False" if exchange.done else ""))))
            except RemoteError as exc:
                if got_text:
                    raise StreamCut(transport.redact(entry, f"the server at {entry.base_url} stopped in the middle "
                                                            f"of the continuation ({exc}); the text so far is kept")
                                    ) from None
                wait = transport.retry_wait(exc, attempt)
                if wait is None:
                    raise
                transport.log.info("retrying %s in %.1f s: %s", url, wait, exc)
                if transport.sleep(wait, cancelled):
                    yield StreamEnd(CANCELLED, None, None)
                    return
                continue
            finally:
                exchange.close()
            break
        yield wire.stream_end(finish, usage, timings)

    def close(self) -> None:
        self.client.close()


# ------------------------------------------------------------------ connecting
def connect_remote(entry: ModelEntry, progress=None, cancelled=None) -> RemoteModel:
    """Check the server (reachable, key accepted, model served) and find its tokenizer."""
    progress = progress or (lambda stage, fraction: None)
    cancelled = cancelled or (lambda: False)
    started = time.perf_counter()
    progress("connect", None)
    client = transport.make_client(entry)
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                listing = transport.request(client, entry, "GET", f"{entry.base_url}/models", None, missing_ok=True)
                break
            except RemoteError as exc:
                wait = transport.retry_wait(exc, attempt)
                if wait is None:
                    raise
                if transport.sleep(wait, cancelled):
                    raise LoadCancelled(f"model {entry.name!r}: connecting cancelled") from None
        n_ctx = entry.context_length
        if isinstance(listing, dict) and isinstance(listing.get("data"), list):
            cards = [c for c in listing["data"] if isinstance(c, dict)]
            ids = [str(c.get("id")) for c in cards]
            served = entry.served_model or ""
            match = [c for c in cards if str(c.get("id")) in (served, f"{served}:latest")]
            if not match:
                raise ModelNotServed(transport.redact(entry, (
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
        tokenizer = probe_tokenizer(client, entry)
    except BaseException:
        client.close()
        raise
    progress("ready", 1.0)
    return RemoteModel(entry, client, n_ctx=n_ctx, tokenizer=tokenizer,
                       load_ms=(time.perf_counter() - started) * 1000)


def _llama_server_ctx(client: httpx.Client, entry: ModelEntry) -> int | None:
    """llama.cpp's server reports its context size in ``GET /props``."""
    try:
        reply = transport.request(client, entry, "GET", f"{wire.root(entry)}/props", None, missing_ok=True)
    except RemoteError:
        return None
    return wire.props_ctx(reply)
