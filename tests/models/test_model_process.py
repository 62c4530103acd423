"""llama.cpp in a process of its own: real signals, a real aborting GGUF, the real default model.

The model process is killed the ways llama.cpp dies (SIGKILL as the OOM killer does, SIGSEGV,
SIGILL, SIGABRT from a GGML_ASSERT) and the caller must carry on: the text streamed so far
kept, the signal named with llama.cpp's last lines, a new process at the next request, and no
restart loop for a model that keeps dying.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from crafted_gguf import abort_on_load

from engine.generation import ContinueRequest, DoneEvent, ErrorEvent, GenerationEngine, TokenEvent
from engine.generation.session import CRASH_LIMIT
from engine.models import load_registry, resolve

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "night-shift.fountain"
SCENE = "INT. LA ESTRELLA BAKERY - NIGHT\n\nFlour hangs in the air. MARISOL kneads dough.\n\n"


def end_of(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


def smol_engine() -> GenerationEngine:
    registry = load_registry(user_path=Path("/nonexistent/models.toml"))
    return GenerationEngine(registry)


def kill_mid_stream(engine: GenerationEngine, sig: int, after_tokens: int = 3):
    """Stream a request and send ``sig`` to its model process after ``after_tokens`` pieces."""
    events, shown, pid = [], "", None
    request = ContinueRequest(model="smollm2-135m", max_tokens=200, seed=3, repetition_guard=False)
    for event in engine.continue_at(SCENE, end_of(SCENE), request):
        events.append(event)
        if isinstance(event, TokenEvent):
            shown += event.text
            if sum(isinstance(e, TokenEvent) for e in events) == after_tokens:
                pid = engine.model("smollm2-135m").pid
                os.kill(pid, sig)
    return events, shown, pid


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT])
def test_a_dead_model_process_is_reported_and_replaced(sig):
    engine = smol_engine()
    try:
        events, shown, pid = kill_mid_stream(engine, sig)
        error = events[-1]
        assert isinstance(error, ErrorEvent) and error.kind == "crash", events[-3:]
        name = signal.Signals(sig).name
        assert f"died of {name}" in error.message and f"pid {pid}" in error.message
        assert "llama.cpp's last lines:" in error.message  # the log of the process, not of this one
        assert "next request starts a new model process" in error.message
        assert shown and error.text == shown  # every piece the writer saw is kept
        assert engine.loaded() == []  # the dead model is forgotten
        again = list(engine.continue_at(SCENE, end_of(SCENE), ContinueRequest(model="smollm2-135m", max_tokens=4)))
        assert isinstance(again[-1], DoneEvent), again[-1]
        assert engine.model("smollm2-135m").pid != pid
    finally:
        engine.close()


def test_a_model_that_keeps_dying_is_not_restarted_in_a_loop():
    engine = smol_engine()
    request = ContinueRequest(model="smollm2-135m", max_tokens=4)
    try:
        events, _, first_pid = kill_mid_stream(engine, signal.SIGKILL)
        assert events[-1].kind == "crash"
        # read-ahead (a background request) never starts a process for a model that died
        background = list(engine.continue_at(SCENE, end_of(SCENE), ContinueRequest(model="smollm2-135m", background=True)))
        assert background[-1].kind == "crash" and "not read ahead" in background[-1].message
        assert engine.loaded() == []
        for _ in range(CRASH_LIMIT - 1):
            events, _, _ = kill_mid_stream(engine, signal.SIGKILL)
            assert events[-1].kind == "crash"
        refused = list(engine.continue_at(SCENE, end_of(SCENE), request))
        assert refused[-1].kind == "crash" and f"died {CRASH_LIMIT} times in a row" in refused[-1].message
        assert "SIGKILL" in refused[-1].message and engine.loaded() == []
        engine.forgive("smollm2-135m")  # the writer chose the model again
        assert isinstance(list(engine.continue_at(SCENE, end_of(SCENE), request))[-1], DoneEvent)
    finally:
        engine.close()


def test_cancel_reaches_the_model_process_and_it_serves_on():
    engine = smol_engine()
    try:
        request = ContinueRequest(model="smollm2-135m", max_tokens=400, seed=2, repetition_guard=False)
        generation = engine.continue_at(SCENE, end_of(SCENE), request)
        texts = []
        for event in generation:
            if isinstance(event, TokenEvent):
                texts.append(event.text)
                if len(texts) == 3:
                    generation.cancel()
        assert generation.results[-1].reason == "cancelled"
        model = engine.model("smollm2-135m")
        assert model.alive
        again = list(engine.continue_at(SCENE, end_of(SCENE), ContinueRequest(model="smollm2-135m", max_tokens=3)))
        assert isinstance(again[-1], DoneEvent) and engine.model("smollm2-135m").pid == model.pid
    finally:
        engine.close()


@pytest.fixture
def aborting_model(tmp_path):
    """A models.toml entry ``broken`` whose GGUF makes llama.cpp abort while loading it."""
    src = resolve(load_registry().get("smollm2-135m"))
    bad = abort_on_load(src, tmp_path / "duplicate-token.gguf")
    config = Path(os.environ["SCENEWRIGHT_CONFIG_DIR"]) / "models.toml"
    config.write_text(f'[models.broken]\nsource = "path:{bad}"\nprompt_format = "raw"\ncontext_length = 2048\n'
                      'threads = 1\nthreads_batch = 1\n', encoding="utf-8")
    return "broken"


def test_a_gguf_that_makes_llama_cpp_abort_leaves_the_caller_running(aborting_model):
    engine = GenerationEngine()
    try:
        events = list(engine.continue_at(SCENE, end_of(SCENE), ContinueRequest(model=aborting_model)))
        error = events[-1]
        assert isinstance(error, ErrorEvent) and error.kind == "crash"
        assert "SIGABRT" in error.message and "while loading the model" in error.message
        assert "GGML_ASSERT(id_to_token.size() == token_to_id.size()) failed" in error.message
        # the same engine goes on serving the other models
        ok = list(engine.continue_at(SCENE, end_of(SCENE), ContinueRequest(model="smollm2-135m", max_tokens=3)))
        assert isinstance(ok[-1], DoneEvent)
    finally:
        engine.close()


def scenewright(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.main", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300, env=os.environ.copy())


@pytest.mark.parametrize("command", [
    ["continue", "--model", "broken", str(EXAMPLE)],
    ["eval", "perplexity", "--model", "broken", str(EXAMPLE)],
    ["prompt", "--model", "broken", "--line", "5", str(EXAMPLE)],
])
def test_cli_commands_report_the_abort_without_a_traceback(aborting_model, command):
    done = scenewright(*command)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert "SIGABRT" in done.stderr and "GGML_ASSERT" in done.stderr, done.stderr[-2000:]


def test_this_process_never_maps_llama_cpp():
    """Loading, generating, token counting and perplexity all run in model processes."""
    code = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from engine.generation import GenerationEngine, ContinueRequest
        from engine.editlog.perplexity import PerplexityScorer
        from engine.steering.tokens import model_token_counter
        import tui.app  # the editor's own modules too
        engine = GenerationEngine()
        text = Path({str(EXAMPLE)!r}).read_text()
        events = list(engine.continue_at(text, (5, 0), ContinueRequest(model="smollm2-135m", max_tokens=4)))
        count = model_token_counter("smollm2-135m")("INT. HOUSE - NIGHT")
        with PerplexityScorer("smollm2-135m", window=64) as scorer:
            ppl = scorer.score("INT. HOUSE - NIGHT\\n\\nRain.").perplexity
        maps = [line.split()[-1] for line in open("/proc/self/maps") if "llama" in line or "ggml" in line]
        print(json.dumps({{"last": type(events[-1]).__name__, "count": count, "ppl": ppl, "maps": sorted(set(maps))}}))
        engine.close()
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["last"] == "DoneEvent" and out["count"] > 3 and out["ppl"] > 1
    assert out["maps"] == [], out["maps"]
