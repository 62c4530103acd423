"""llama-cpp-python's own OpenAI-compatible server (``python -m llama_cpp.server``) on 127.0.0.1, for the tests.

It serves the default model (Gemma 3 270M, the packaged GGUF) under the name ``ALIAS``, with
``--api_key KEY`` unless told otherwise. (A module of its own, not conftest.py: test modules
import it by a name no other test folder uses.)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


KEY = "sw-test-7c1f9e2b"  # the test server's key (never a real one)
KEY_ENV = "SCENEWRIGHT_TEST_SERVER_KEY"
ALIAS = "gemma"


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    key: str | None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_gguf() -> Path:
    from engine.models import load_registry, resolve

    return resolve(load_registry(user_path=Path("/nonexistent/models.toml")).get())


def start_server(tmp: Path, key: str | None = KEY) -> Server:
    port = free_port()
    log = tmp / f"server-{port}.log"
    args = [sys.executable, "-m", "engine.models.llama_cpp_server", "--model", str(default_gguf()), "--model_alias", ALIAS,
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
            "--n_threads", "1", "--n_threads_batch", "1",
            # queue concurrent requests instead of cutting the running one short (its default)
            "--interrupt_requests", "False"]
    if key:
        args += ["--api_key", key]
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log, key)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited ({process.returncode}):\n{server.log_text()[-3000:]}")
        try:
            if httpx.get(f"{server.base_url}/models", headers=headers, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"llama_cpp.server did not answer within 180 s:\n{server.log_text()[-3000:]}")
