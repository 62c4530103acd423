"""A tiny real HTTP server on 127.0.0.1 for the failures llama_cpp.server cannot be made to produce.

It speaks just enough of the OpenAI protocol (``GET /v1/models``, streamed ``POST
/v1/completions``) and answers each completion request with the next step of a script:

* ``("status", code, headers, body)``: a JSON error reply (429 with Retry-After, 5xx, 401, 403, 404);
* ``("stream", pieces, finish)``: an event stream of text pieces; ``finish`` None cuts the connection
  after the pieces (no final chunk, no ``[DONE]``), like a server that dies mid-way;
* ``("hang", pieces)``: send the headers and ``pieces``, then say nothing more (a read timeout);
* the last step repeats for any further request.

Every request is recorded (method, path, headers, JSON body). Real sockets, real HTTP, no mocks.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVED = "tiny-model"


class TinyServer:
    def __init__(self, steps: list[tuple], *, models: bool = True):
        self.steps = list(steps)
        self.models = models  # answer GET /v1/models (False: 404, like a server without the route)
        self.requests: list[dict] = []
        self.release = threading.Event()  # frees the handlers that hang
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def completions(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/completions")]

    def next_step(self) -> tuple:
        with self._lock:
            return self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]

    def __enter__(self) -> "TinyServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._http.shutdown()
        self._http.server_close()


def _chunk(text: str, finish: str | None = None) -> bytes:
    data = {"id": "cmpl-1", "object": "text_completion", "model": SERVED,
            "choices": [{"index": 0, "text": text, "finish_reason": finish}]}
    return f"data: {json.dumps(data)}\n\n".encode()


def _handler(tiny: TinyServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _record(self, body: dict | None) -> None:
            tiny.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                  "body": body})

        def _json(self, code: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._record(None)
            if self.path == "/v1/models" and tiny.models:
                self._json(200, {"object": "list", "data": [{"id": SERVED, "object": "model"}]})
            else:
                self._json(404, {"detail": "Not Found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            self._record(body)
            if not self.path.endswith("/completions"):
                self._json(404, {"detail": "Not Found"})  # no tokenize endpoint: the client estimates
                return
            step = tiny.next_step()
            if step[0] == "status":
                _, code, headers, payload = step
                self._json(code, payload, headers)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")  # the body ends when the connection does
            self.end_headers()
            for piece in step[1]:
                self.wfile.write(_chunk(piece))
                self.wfile.flush()
            if step[0] == "hang":
                tiny.release.wait(60)
                return
            finish = step[2]
            if finish is not None:
                self.wfile.write(_chunk("", finish) + b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
