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

from llama_server import ALIAS, KEY, KEY_ENV, start_server

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
    assert done.reason in ("length", "eos", "repetition", "stop", "scene-end")
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
    served_before = remote.log_text().count('"POST /v1/completions HTTP/1.1" 200')
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
    for i, r in enumerate(results):
        assert r["model"] == "studio" and r["seed"] == i and 0 < r["generated_tokens"] <= 24, r
        assert r["reason"] in ("length", "eos", "stop", "repetition", "scene-end") and isinstance(r["text"], str), r
        assert r["text"].strip() or r["reason"] in ("eos", "stop"), r  # empty only when the model chose to end
    # each client got the answer to its own request: the prompts grow with the line continued from
    assert [r["prompt_tokens"] for r in results] == sorted({r["prompt_tokens"] for r in results}), results
    assert sum(bool(r["text"].strip()) for r in results) >= 6, results  # (a model may end at once on a blank line)
    assert remote.log_text().count('"POST /v1/completions HTTP/1.1" 200') - served_before == 8  # one request each
    print(f"8 clients: {generated} tokens in {wall:.2f} s -> {generated / wall:.1f} tokens/s aggregate "
          f"(per client: {', '.join(str(r['tokens_per_s']) for r in results)})")


def test_bench_model_measures_the_remote_path_against_a_bare_httpx_loop(remote, capsys):
    args = ["bench", "model", "--model", "studio", "--context", "200", "--max-tokens", "8", "--repeat", "1"]
    assert cli_main(args + ["--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["kind"] == "remote" and result["model"] == "studio" and "httpx" in result["peer"]
    assert result["server"] == f"{ALIAS} at {remote.base_url} (completions)" and result["tokenizer"] == "extras"
    for path in ("engine", "bare"):
        figures = result[path]
        assert 0 < figures["prompt_tokens"] <= 200 and 0 < figures["generated_tokens"] <= 8, figures
        assert figures["prompt_tokens_per_s"] > 0 and figures["gen_tokens_per_s"] > 0, figures
        assert figures["ttft_cold_ms"] > 0 and figures["ttft_warm_ms"] > 0, figures
        assert figures["warm_evaluated_tokens"] is None  # llama_cpp.server does not report it
    assert result["ratio_gen_tokens_per_s"] > 0 and result["ratio_prompt_tokens_per_s"] > 0
    assert result["cancel_during_prompt_ms"] is not None  # the stream ended as "cancelled"
    assert result["targets"] == {"throughput_ratio_min": 0.95}
    # the table has the same rows as for a local model
    assert cli_main(args) == 0
    table = capsys.readouterr().out
    for row in ("prompt tokens/s", "generated tokens/s", "TTFT cold (ms)", "TTFT warm (ms)",
                "warm: tokens evaluated", "cancel during prompt evaluation", "engine/bare generation throughput"):
        assert row in table, table
    assert "peer: bare httpx streaming loop" in table


def test_counting_tokens_for_a_remote_model_before_it_is_connected(remote):
    """The context view, the anchors budget and `scenewright prompt` count before any request:
    with the server's tokenizer when it answers, else with the estimate; never an exception."""
    from engine.models import load_registry
    from engine.models.remote import estimate_tokens, remote_token_counter

    text = EXAMPLE.read_text(encoding="utf-8")
    engine = GenerationEngine()
    try:
        list(engine.load("studio"))
        exact = engine.model("studio").count_tokens(text)
    finally:
        engine.close()
    counter = remote_token_counter(load_registry().get("studio"))
    assert counter(text) == exact and counter("") == 0 and counter.entry.name == "studio"
    assert remote_token_counter(load_registry().get("studio")) is counter  # one per entry
    add_remote_entry("gone", base_url="http://127.0.0.1:9/v1", served_model=ALIAS)  # nothing listens on port 9
    gone = remote_token_counter(load_registry().get("gone"))
    assert gone(text) == estimate_tokens(text) > exact


def test_bench_model_has_the_same_shape_for_the_local_and_the_remote_model(remote, capsys):
    small = ["--context", "120", "--max-tokens", "4", "--repeat", "1", "--json"]
    assert cli_main(["bench", "model", "--model", "gemma3-270m", *small]) == 0
    local = json.loads(capsys.readouterr().out)
    assert cli_main(["bench", "model", "--model", "studio", *small]) == 0
    served = json.loads(capsys.readouterr().out)
    assert (local["kind"], served["kind"]) == ("local", "remote")
    assert "llama-cpp-python" in local["peer"] and local["engine"]["warm_evaluated_tokens"] is not None
    assert local["engine"].keys() == served["engine"].keys() == local["bare"].keys() == served["bare"].keys()
    shared = {"model", "kind", "peer", "threads", "n_ctx", "max_tokens", "repeat", "engine", "bare",
              "ratio_prompt_tokens_per_s", "ratio_gen_tokens_per_s", "cancel_during_prompt_ms", "targets"}
    assert shared <= local.keys() and shared <= served.keys()
    assert local["targets"]["throughput_ratio_min"] == served["targets"]["throughput_ratio_min"] == 0.95


def test_a_shaped_continuation_on_the_server_keeps_to_the_grammar(remote):
    """The Fountain grammar goes to llama_cpp.server in the request's `grammar` field, and the
    server's text is one the grammar allows (checked with llama.cpp's own grammar sampler)."""
    from llama_cpp import Llama

    from engine.generation.shape import continuation_grammar
    from grammar_check import grammar_accepts
    from llama_server import default_gguf

    scene = "INT. GARAGE - NIGHT\n\nNina wipes her hands.\n\nNINA\nIt won't start.\n\nPAULO\nThen push.\n\n"
    cursor = end_of(scene)
    engine = GenerationEngine()
    try:
        events = list(engine.continue_at(scene, cursor, ContinueRequest(max_tokens=24, seed=5, shaped=True)))
    finally:
        engine.close()
    assert not of_type(events, ErrorEvent), events
    (done,) = of_type(events, DoneEvent)
    vocab = Llama(str(default_gguf()), vocab_only=True, verbose=False)
    try:
        assert grammar_accepts(vocab, continuation_grammar(scene, cursor, "cursor"), done.text), done.text
    finally:
        vocab.close()
