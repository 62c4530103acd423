"""One streamed completion over server-sent events (``httpx-sse``), read in a helper thread so
that the consumer can leave at any moment: it polls its cancel flag every ``POLL_S`` and, on
cancel, the socket is shut down, which ends the read and tells the server to stop generating."""

from __future__ import annotations

import json
import queue
import socket
import threading
from typing import Callable, Iterator

import httpx

from ..errors import ServerFailed
from ..registry import ModelEntry
from . import transport

__all__ = ["Exchange"]


class Exchange:
    """One streamed request: :meth:`chunks` yields the parsed JSON chunks."""

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
                    self._items.put(("error", transport.status_error(self._entry, self._url, response)))
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
                self._items.put(("error", transport.transport_error(self._entry, self._url, exc)))
        except Exception as exc:  # never lose a failure in the helper thread
            if not self._closed.is_set():
                self._items.put(("error", ServerFailed(transport.redact(self._entry,
                                                                        f"{exc.__class__.__name__}: {exc}"))))

    def chunks(self, cancelled: Callable[[], bool]) -> Iterator[dict | None]:
        """Parsed chunks; ``None`` once when cancelled. Raises RemoteError on failure."""
        while True:
            try:
                kind, value = self._items.get(timeout=transport.POLL_S)
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
                raise ServerFailed(transport.redact(self._entry, f"the server at {self._entry.base_url} reported "
                                                                 f"an error mid-stream: {str(message)[:300]}"))
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
