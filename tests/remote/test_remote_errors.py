"""Each failure of a server, on a real loopback HTTP server: a clear message, the key never in it,
retries only before the first token, and the text streamed before a failure handed back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.cli import main as cli_main
from engine.generation import ContinueRequest, DoneEvent, ErrorEvent, GenerationEngine, TokenEvent
from engine.models.remote import transport as remote_module

from tiny_server import SERVED, TinyServer

SECRET = "sw-tiny-4b1d0c9e8f7a"
KEY_ENV = "SW_TINY_KEY"
SCENE = "INT. LA ESTRELLA BAKERY - NIGHT\n\nFlour hangs in the air.\n\n"


@pytest.fixture(autouse=True)
def _quick_backoff(monkeypatch):
    """Retries wait 0.05 s, 0.1 s instead of 0.5 s, 1 s: the same code path, a shorter test."""
    monkeypatch.setattr(remote_module, "BACKOFF_S", 0.05)
    monkeypatch.setenv(KEY_ENV, SECRET)


def use(tiny: TinyServer, read_timeout: float = 30.0) -> None:
    Path(os.environ["SCENEWRIGHT_CONFIG_DIR"], "models.toml").write_text(
        f'default = "tiny"\n\n[models.tiny]\nkind = "remote"\nbase_url = "{tiny.base_url}"\n'
        f'served_model = "{SERVED}"\napi_key_env = "{KEY_ENV}"\nconnect_timeout = 2.0\n'
        f"read_timeout = {read_timeout}\n",
        encoding="utf-8",
    )


def run(max_tokens: int = 8) -> list:
    engine = GenerationEngine()
    try:
        return list(engine.continue_at(SCENE, (4, 0), ContinueRequest(max_tokens=max_tokens, seed=1)))
    finally:
        engine.close()


def error_of(events) -> ErrorEvent:
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    assert len(errors) == 1, events
    assert errors[0].kind == "server" and SECRET not in errors[0].message
    assert not [e for e in events if isinstance(e, DoneEvent)]
    return errors[0]


def streamed(events) -> str:
    return "".join(e.text for e in events if isinstance(e, TokenEvent))


def test_429_reports_the_servers_wait_and_does_not_sit_it_out():
    busy = ("status", 429, {"Retry-After": "120"}, {"error": {"message": "rate limit reached"}})
    with TinyServer([busy]) as tiny:
        use(tiny)
        error = error_of(run())
    assert "busy (HTTP 429" in error.message and "it asks to wait 120 s" in error.message
    assert len(tiny.completions()) == 1  # 120 s is more than MAX_RETRY_AFTER_S: reported, not waited out


def test_429_with_a_short_retry_after_is_retried_before_the_first_token():
    busy = ("status", 429, {"Retry-After": "0.2"}, {"error": {"message": "slow down"}})
    with TinyServer([busy, ("stream", ["MARISOL\n", "We close at six."], "length")]) as tiny:
        use(tiny)
        events = run()
    assert not [e for e in events if isinstance(e, ErrorEvent)], events
    assert streamed(events) == "MARISOL\nWe close at six."
    assert len(tiny.completions()) == 2
    # the key travels in the header of every try
    assert all(r["headers"]["Authorization"] == f"Bearer {SECRET}" for r in tiny.completions())


def test_5xx_is_retried_then_reported():
    with TinyServer([("status", 503, {}, {"error": {"message": "loading model"}})]) as tiny:
        use(tiny)
        error = error_of(run())
    assert len(tiny.completions()) == remote_module.ATTEMPTS
    assert error.message == f"the server at {tiny.base_url} failed (HTTP 503: loading model)"


def test_5xx_then_success_streams_normally():
    with TinyServer([("status", 500, {}, {"detail": "boom"}), ("stream", ["Rain."], "stop")]) as tiny:
        use(tiny)
        events = run()
    assert streamed(events) == "Rain." and [e.reason for e in events if isinstance(e, DoneEvent)] == ["eos"]


def test_a_server_that_never_answers_is_a_read_timeout():
    with TinyServer([("hang", [])]) as tiny:
        use(tiny, read_timeout=0.5)
        error = error_of(run())
    assert "sent nothing for 0.5 s (read timeout)" in error.message and tiny.base_url in error.message
    assert error.text == ""
    assert len(tiny.completions()) == remote_module.ATTEMPTS  # nothing shown yet: tried again


def test_a_stall_after_the_first_tokens_keeps_them_and_is_not_retried():
    with TinyServer([("hang", ["MARISOL\n", "We close"])]) as tiny:
        use(tiny, read_timeout=0.5)
        events = run()
    error = error_of(events)
    assert "stopped in the middle of the continuation" in error.message and "read timeout" in error.message
    assert error.text == streamed(events) == "MARISOL\nWe close"
    assert len(tiny.completions()) == 1  # a retry after text was shown would duplicate it


def test_a_stream_cut_mid_way_keeps_the_text():
    with TinyServer([("stream", ["MARISOL\n", "We close at"], None)]) as tiny:
        use(tiny)
        events = run()
    error = error_of(events)
    assert error.message.startswith(f"the server at {tiny.base_url} stopped in the middle of the continuation")
    assert "the text so far is kept" in error.message
    assert error.text == streamed(events) == "MARISOL\nWe close at"
    assert len(tiny.completions()) == 1


@pytest.mark.parametrize("code, words", [(401, "refused the API key"), (403, "does not allow this key")])
def test_401_and_403_never_repeat_the_key(code, words):
    # a careless server that echoes the key it was sent: the message still never shows it
    echo = ("status", code, {}, {"error": {"message": f"invalid api key {SECRET}"}})
    with TinyServer([echo]) as tiny:
        use(tiny)
        error = error_of(run())
    assert words in error.message and f"check the key in the environment variable {KEY_ENV}" in error.message
    assert "invalid api key [redacted]" in error.message
    assert len(tiny.completions()) == 1  # a refused key is not retried


def test_an_unknown_model_on_a_server_without_a_model_list():
    missing = ("status", 404, {}, {"error": {"message": f"model '{SERVED}' not found, try pulling it first"}})
    with TinyServer([missing], models=False) as tiny:
        use(tiny)
        error = error_of(run())
    assert f"does not serve '{SERVED}'" in error.message and "set served_model in models.toml" in error.message


def test_continue_command_prints_the_message_and_fails(tmp_path, capsys):
    script = tmp_path / "scene.fountain"
    script.write_text(SCENE, encoding="utf-8")
    with TinyServer([("status", 429, {"Retry-After": "90"}, {"error": {"message": "busy"}})]) as tiny:
        use(tiny)
        code = cli_main(["continue", str(script), "--max-tokens", "4"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.startswith("scenewright: ") and "it asks to wait 90 s" in captured.err
    assert "Traceback" not in captured.err and SECRET not in captured.err
    assert script.read_text(encoding="utf-8") == SCENE
