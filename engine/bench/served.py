"""``scenewright serve`` as a real process on a free loopback port: the load benchmark's server, and
the tests' (``tests/serve_process.py``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    log: Path  # the server's stderr: its start line and the JSON request log
    env: dict

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def request_lines(self) -> list[dict]:
        import json

        out = []
        for line in self.log_text().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)
        return self.process.returncode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scenewright() -> str:
    return str(Path(sys.executable).with_name("scenewright"))


def start(base: Path, *args: str, wait_s: float = 240) -> Served:
    """Start the server with data and config folders under ``base``; wait until /healthz answers."""
    env = dict(os.environ, SCENEWRIGHT_DATA_DIR=str(base / "data"), SCENEWRIGHT_CONFIG_DIR=str(base / "config"),
               PYTHONUNBUFFERED="1")
    port = free_port()
    log = base / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([scenewright(), "serve", "--port", str(port), *args], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    served = Served(process, port, log, env)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"scenewright serve exited ({process.returncode}):\n{served.log_text()[-3000:]}")
        try:
            if httpx.get(f"{served.url}/healthz", timeout=2).status_code == 200:
                return served
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    served.stop(signal.SIGKILL)
    raise RuntimeError(f"scenewright serve did not answer within {wait_s} s:\n{served.log_text()[-3000:]}")


@contextmanager
def user_dirs(base: Path):
    """Point this process's config and data folders at ``base/config`` and ``base/data`` for the
    block (a benchmark never touches the user's own); yields the environment for subprocesses."""
    names = {"SCENEWRIGHT_DATA_DIR": str(base / "data"), "SCENEWRIGHT_CONFIG_DIR": str(base / "config")}
    saved = {k: os.environ.get(k) for k in names}
    os.environ.update(names)
    try:
        yield dict(os.environ)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
