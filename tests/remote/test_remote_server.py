"""Against a real llama_cpp.server on 127.0.0.1: streaming, continue, cancel, prefix reuse, keys, models, a crash."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from engine.cli import main as cli_main
from engine.generation import (
    CANCELLED,
    ContextEvent,
    ContinueRequest,
    DoneEvent,
    ErrorEvent,
    GenerationEngine,
    LoadEvent,
    StatsEvent,
    TokenEvent,
)
from engine.models.user_file import add_remote_entry

from conftest import ALIAS, KEY, KEY_ENV, start_server

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "night-shift.fountain"


def end_of(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


def of_type(events, cls):
    return [e for e in events if isinstance(e, cls)]


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_streaming_through_the_engine(remote):
    text = EXAMPLE.read_text(encoding="utf-8")
    engine = GenerationEngine()
    try:
        events = list(engine.continue_at(text, end_of(text), ContinueRequest(max_tokens=24, seed=1)))
    finally:
        model = engine.model()
        tokenizer = model.tokenizer
        engine.close()
    assert not of_type(events, ErrorEvent), events
    assert [e.stage for e in of_type(events, LoadEvent)] == ["connect", "ready"]
    (context,) = of_type(events, ContextEvent)
    (done,) = of_type(events, DoneEvent)
    (stats,) = of_type(events, StatsEvent)
    tokens = of_type(events, TokenEvent)
    assert tokenizer == "extras"  # llama_cpp.server's /extras/tokenize counts the prompt
    assert context.model == "studio" and context.prompt_tokens > 500
    assert len(tokens) > 1 and "".join(t.text for t in tokens) == done.text and done.text.strip()
    assert done.reason in ("length", "eos", "repetition", "stop")
    assert 0 < stats.generated_tokens <= 24 and stats.ttft_ms > 0 and stats.threads == (0, 0)


def test_continue_command_streams_and_prints_json(remote, capsys):
    args = ["continue", str(EXAMPLE), "--line", "30", "--max-tokens", "12", "--seed", "2"]
    assert cli_main(args) == 0
    streamed = capsys.readouterr().out
    assert cli_main(args + ["--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["model"] == "studio" and record["text"].strip() and streamed.strip()
    assert 0 < record["generated_tokens"] <= 12 and record["prompt_tokens"] > 50


def test_cancel_closes_the_stream_and_the_server_stops(remote):
    text = EXAMPLE.read_text(encoding="utf-8")
    engine = GenerationEngine()
    gen = engine.continue_at(text, end_of(text), ContinueRequest(max_tokens=1000, seed=3, repetition_guard=False))
    seen: list = []
    first = threading.Event()

    def consume():
        for event in gen:
            seen.append(event)
            if isinstance(event, TokenEvent):
                first.set()

    before = remote.log_text().count("Disconnected from client")
    worker = threading.Thread(target=consume)
    worker.start()
    assert first.wait(120)
    gen.cancel()
    worker.join(30)
    engine.close()
    assert not worker.is_alive()
    done = of_type(seen, DoneEvent)
    assert done and done[-1].reason == CANCELLED
    assert done[-1].text == "".join(t.text for t in of_type(seen, TokenEvent))
    # the server noticed the closed connection and stopped generating
    assert wait_for(lambda: remote.log_text().count("Disconnected from client") > before)


def test_prefix_reuse_is_visible_in_the_server(remote):
    text = EXAMPLE.read_text(encoding="utf-8")
    engine = GenerationEngine()
    try:
        first = list(engine.continue_at(text, end_of(text), ContinueRequest(max_tokens=4, seed=5)))
        more = text + " She hesitates, then"
        second = list(engine.continue_at(more, end_of(more), ContinueRequest(max_tokens=4, seed=5)))
    finally:
        engine.close()
    assert not of_type(first + second, ErrorEvent)
    prompt_tokens = of_type(second, ContextEvent)[0].prompt_tokens
    hits = [(int(a), int(b)) for a, b in re.findall(r"(\d+) prefix-match hit, remaining (\d+) prompt tokens",
                                                   remote.log_text())]
    reused, remaining = hits[-1]
    print(f"server: {reused} prompt tokens reused, {remaining} evaluated (prompt {prompt_tokens} tokens)")
    assert reused > prompt_tokens - 20 and remaining < 20


def test_an_invalid_key_is_reported_without_the_key(remote, monkeypatch):
    wrong = "sw-wrong-9f8e7d6c"
    monkeypatch.setenv(KEY_ENV, wrong)
    events = list(GenerationEngine().continue_at("INT. A - DAY\n\n", (2, 0), ContinueRequest(max_tokens=4)))
    (error,) = of_type(events, ErrorEvent)
    assert error.kind == "server" and "refused the API key" in error.message and KEY_ENV in error.message
    assert wrong not in error.message and KEY not in error.message
    monkeypatch.delenv(KEY_ENV)
    (error,) = of_type(list(GenerationEngine().continue_at("X\n", (1, 0), ContinueRequest(max_tokens=4))), ErrorEvent)
    assert f"{KEY_ENV} (api_key_env) is not set" in error.message


def test_an_unknown_model_names_what_the_server_serves(remote):
    add_remote_entry("wrong", base_url=remote.base_url, served_model="llama-9000", api_key_env=KEY_ENV)
    events = list(GenerationEngine().continue_at("X\n", (1, 0), ContinueRequest(model="wrong", max_tokens=4)))
    (error,) = of_type(events, ErrorEvent)
    assert "does not serve 'llama-9000'" in error.message and ALIAS in error.message


def test_a_server_killed_mid_stream_keeps_the_text_so_far(tmp_path, monkeypatch):
    server = start_server(tmp_path, key=None)
    try:
        add_remote_entry("doomed", base_url=server.base_url, served_model=ALIAS, context_length=2048, make_default=True)
        text = EXAMPLE.read_text(encoding="utf-8")
        script_before = EXAMPLE.read_bytes()
        engine = GenerationEngine()
        gen = engine.continue_at(text, end_of(text), ContinueRequest(max_tokens=1000, seed=4, repetition_guard=False))
        seen: list = []
        for event in gen:
            seen.append(event)
            if len(of_type(seen, TokenEvent)) == 3:
                server.process.kill()
        engine.close()
    finally:
        server.stop()
    (error,) = of_type(seen, ErrorEvent)
    streamed = "".join(t.text for t in of_type(seen, TokenEvent))
    assert error.kind == "server" and "stopped in the middle" in error.message
    assert streamed and error.text == streamed  # what the writer saw is handed back
    assert not of_type(seen, DoneEvent)
    assert EXAMPLE.read_bytes() == script_before


def test_eight_continue_clients_at_once(remote, tmp_path):
    """Bounded load: eight `scenewright continue` processes against the one server; aggregate tokens/s printed."""
    env = dict(os.environ)
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-m", "tui.main", "continue", str(EXAMPLE), "--line", str(20 + 4 * i),
                          "--max-tokens", "24", "--seed", str(i), "--json"],
                         cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(8)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    wall = time.perf_counter() - started
    generated = sum(r["generated_tokens"] for r in results)
    for r in results:
        assert r["model"] == "studio" and 0 < r["generated_tokens"] <= 24, r
        assert r["reason"] in ("length", "eos", "stop", "repetition") and isinstance(r["text"], str), r
    assert sum(bool(r["text"].strip()) for r in results) >= 6, results  # (a model may end at once on a blank line)
    print(f"8 clients: {generated} tokens in {wall:.2f} s -> {generated / wall:.1f} tokens/s aggregate "
          f"(per client: {', '.join(str(r['tokens_per_s']) for r in results)})")
