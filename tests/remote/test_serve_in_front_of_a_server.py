"""`scenewright serve` in front of a remote OpenAI-compatible server (llama-cpp-python's own, on
127.0.0.1): a writers' room shares one GPU box through one service with its keys and edit log."""

from __future__ import annotations

import sqlite3
import threading

import httpx
import pytest

pytest.importorskip("prometheus_client", reason="the serve extra: pip install 'scenewright[serve]'")

from llama_server import ALIAS, KEY, KEY_ENV  # noqa: E402
from serve_process import add_key, start  # noqa: E402

SCENE = "INT. LA ESTRELLA BAKERY - NIGHT\n\nFlour hangs in the air. ROSA (50s) kneads.\n\nROSA\n"


def test_the_service_fronts_a_remote_model_for_several_writers(server, tmp_path, monkeypatch):
    from engine.models.user_file import add_remote_entry

    monkeypatch.setenv(KEY_ENV, KEY)
    add_remote_entry("studio", base_url=server.base_url, served_model=ALIAS, api_key_env=KEY_ENV,
                     context_length=2048, make_default=True, path=tmp_path / "config" / "models.toml")
    keys = [add_key(tmp_path, f"writer{i}") for i in range(3)]
    srv = start(tmp_path, "--remote-concurrency", "3")
    try:
        models = httpx.get(f"{srv.url}/models", headers={"X-API-Key": keys[0]}).json()
        assert models["default"] == "studio"
        studio = next(m for m in models["models"] if m["name"] == "studio")
        assert studio["kind"] == "remote" and str(server.port) in studio["where"]
        answers = []

        def write(key: str) -> None:
            r = httpx.post(f"{srv.url}/continue", json={"text": SCENE, "max_tokens": 8, "seed": 4},
                           headers={"Authorization": f"Bearer {key}"}, timeout=180)
            answers.append(r)

        threads = [threading.Thread(target=write, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.status_code for r in answers] == [200, 200, 200], [r.text for r in answers]
        assert {r.json()["model"] for r in answers} == {"studio"}
        with sqlite3.connect(tmp_path / "data" / "editlog.sqlite3") as db:
            paths = sorted(p for (p,) in db.execute("SELECT s.path FROM requests r JOIN scripts s ON r.script_id = s.id"))
        assert paths == [f"serve://writer{i}/untitled" for i in range(3)]
    finally:
        srv.stop()
