"""Counting a remote model's tokens: the server's tokenize endpoint when it has one (probed:
``/extras/tokenize`` on llama_cpp.server, ``/tokenize`` on llama.cpp's server and vLLM), else
:func:`estimate_tokens`, a bound that never undercounts. :class:`RemoteTokenCounter` counts for
an entry that is not connected and never raises for the network."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

import httpx

from ..errors import RemoteError, ServerAuthError
from ..registry import ModelEntry
from . import transport, wire

__all__ = ["REPROBE_S", "RemoteTokenCounter", "ServerTokenizer", "estimate_tokens", "probe_tokenizer",
           "remote_token_counter"]

_TOKENIZE_CACHE = 512
REPROBE_S = 60.0  # a counter without a server tokenizer asks again after this long (the server may be up now)


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


def probe_tokenizer(client: httpx.Client, entry: ModelEntry) -> str | None:
    """Which tokenize route the server answers: ``"extras"``, ``"tokenize"`` or None."""
    for kind in ("extras", "tokenize"):
        try:
            reply = transport.request(client, entry, "POST", wire.tokenize_url(entry, kind),
                                      wire.tokenize_body(entry, kind, "INT. HOUSE - NIGHT"), missing_ok=True)
        except ServerAuthError:
            raise
        except RemoteError:
            continue
        if isinstance(reply, dict) and isinstance(reply.get("tokens"), list) and reply["tokens"]:
            return kind
    return None


class ServerTokenizer:
    """Token ids from the server (``kind``: the probed route, None: estimate), the latest
    ``_TOKENIZE_CACHE`` texts remembered. Raises RemoteError when the server fails."""

    def __init__(self, entry: ModelEntry, client: httpx.Client, kind: str | None):
        self.entry = entry
        self.client = client
        self.kind = kind
        self._counts: OrderedDict[tuple[str, bool], list[int]] = OrderedDict()
        self._lock = threading.Lock()

    def tokenize(self, text: str, special: bool = False) -> list[int]:
        """The server's token ids for ``text`` when it has a tokenize endpoint.

        Without one, a list of ``-1`` placeholders as long as ``estimate_tokens(text)``: callers
        only count them (the server tokenizes the prompt itself).
        """
        if not text:
            return []
        key = (text, special)
        with self._lock:
            if key in self._counts:
                self._counts.move_to_end(key)
                return self._counts[key]
        tokens = self._server_tokens(text) if self.kind else None
        if tokens is None:
            tokens = [-1] * estimate_tokens(text)
        with self._lock:
            self._counts[key] = tokens
            while len(self._counts) > _TOKENIZE_CACHE:
                self._counts.popitem(last=False)
        return tokens

    def _server_tokens(self, text: str) -> list[int] | None:
        reply = transport.request(self.client, self.entry, "POST", wire.tokenize_url(self.entry, self.kind),
                                  wire.tokenize_body(self.entry, self.kind, text))
        return wire.reply_tokens(reply)

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
        self._tokenizer: ServerTokenizer | None = None
        self._probed_at: float | None = None

    def _backend(self) -> ServerTokenizer | None:
        with self._lock:
            now = time.monotonic()
            if self._tokenizer is None and (self._probed_at is None or now - self._probed_at > REPROBE_S):
                self._probed_at = now
                client = transport.make_client(self.entry)
                try:
                    kind = probe_tokenizer(client, self.entry)
                except RemoteError:
                    kind = None
                if kind is None:
                    client.close()
                else:
                    self._tokenizer = ServerTokenizer(self.entry, client, kind)
            return self._tokenizer

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        tokenizer = self._backend()
        if tokenizer is not None:
            try:
                return tokenizer.tokenize(text)
            except RemoteError:  # gone since: estimate, and ask again after REPROBE_S
                with self._lock:
                    if self._tokenizer is tokenizer:
                        self._tokenizer = None
                tokenizer.close()
        return [-1] * estimate_tokens(text) if text else []

    def __call__(self, text: str) -> int:
        return len(self.tokenize(text)) if text else 0

    def close(self) -> None:
        if self._tokenizer is not None:
            self._tokenizer.close()


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
