"""Fixtures for the remote tests: a real OpenAI-compatible server, llama-cpp-python's own, on 127.0.0.1 only.

``python -m llama_cpp.server`` (the ``server`` extra of llama-cpp-python) serves the default model
(Gemma 3 270M, the packaged GGUF) with ``--api_key``; the tests reach it through a remote entry
written into the test's user models.toml by ``scenewright models add``'s code. Skipped when the
server extra is not installed. The server itself is started by ``llama_server.start_server``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="llama-cpp-python[server] is not installed")
pytest.importorskip("sse_starlette", reason="llama-cpp-python[server] is not installed")

from llama_server import ALIAS, KEY, KEY_ENV, start_server  # noqa: E402


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture
def remote(server, monkeypatch):
    """A remote entry named "studio" for the session server, made the default; the key in the environment."""
    from engine.models.user_file import add_remote_entry

    monkeypatch.setenv(KEY_ENV, KEY)
    add_remote_entry("studio", base_url=server.base_url, served_model=ALIAS, api_key_env=KEY_ENV,
                     context_length=2048, make_default=True)
    return server
