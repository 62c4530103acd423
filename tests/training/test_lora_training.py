"""`scenewright train` on the real stack: transformers reads the GGUF, PEFT trains, llama.cpp's own
converter writes the adapter, llama.cpp loads it through models.toml and it changes the model.

Small data (the bundled example and the benchmark's held-out scenes, a few hundred lines), a few
steps of SmolLM2 135M on the CPU.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("peft", reason="the train extra: pip install 'scenewright[train]'")

from engine.cli import main  # noqa: E402
from engine.corpus import Corpus, Metadata  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "examples" / "night-shift.fountain", *sorted((ROOT / "benchmarks" / "heldout").glob("*.fountain"))]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A corpus, and an adapter trained on it by the command line, registered in models.toml."""
    from engine.bench.served import user_dirs

    base = tmp_path_factory.mktemp("train")
    with user_dirs(base):
        with Corpus.open() as corpus:
            for path in SOURCES:
                corpus.add(path, Metadata(genre="drama", licence="own"))
        out = base / "run"
        code = main(["train", "smol-test", "--model", "smollm2-135m", "--from", "corpus", "--max-steps", "3",
                     "--batch-size", "4", "--lr", "2e-3", "--eval-every", "3", "--output", str(out), "--json"])
        assert code == 0
        yield base, out


@pytest.fixture
def in_trained_dirs(trained, monkeypatch):
    base, out = trained
    monkeypatch.setenv("SCENEWRIGHT_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("SCENEWRIGHT_CONFIG_DIR", str(base / "config"))
    return base, out


def test_the_adapter_is_a_gguf_lora_registered_as_a_model(in_trained_dirs):
    from engine.models import load_registry

    base, out = in_trained_dirs
    report = json.loads((out / "train.json").read_text())
    assert report["steps"] == 3 and report["tokens"] > 0 and report["tokens_per_s"] > 0
    assert report["peak_memory_mb"] > 100 and report["device"] == "cpu"
    gguf = out / "smol-test.gguf"
    assert gguf.read_bytes()[:4] == b"GGUF"
    entry = load_registry().get("smol-test")
    assert entry.base == "smollm2-135m" and entry.adapter == gguf.resolve()
    assert entry.source == load_registry().get("smollm2-135m").source


def test_the_adapter_loads_in_llama_cpp_and_changes_the_likelihood_of_the_training_text(in_trained_dirs):
    from engine.editlog.perplexity import PerplexityScorer

    with Corpus.open() as corpus:
        text = "".join(u.text for u in corpus.units("scene", "train")[:4])
    scores = {}
    for name in ("smollm2-135m", "smol-test"):
        with PerplexityScorer(name, window=256) as scorer:
            scores[name] = scorer.score(text)
    assert scores["smol-test"].tokens == scores["smollm2-135m"].tokens
    # three steps at a high learning rate: the training text is measurably more likely
    assert scores["smol-test"].nll < scores["smollm2-135m"].nll * 0.97


def test_eval_compare_reports_base_and_adapter_with_intervals(in_trained_dirs, capsys):
    code = main(["eval", "compare", "--model", "smollm2-135m", "--model", "smol-test", "--seeds", "1",
                 "--max-tokens", "24", "--scenes", "2", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    for name in ("smollm2-135m", "smol-test"):
        row = result["models"][name]
        ppl = row["perplexity"]
        assert ppl["texts"] >= 1 and ppl["perplexity_ci"][0] <= ppl["perplexity"] <= ppl["perplexity_ci"][1]
        cont = row["continuations"]
        assert cont["runs"] >= 1 and 0 <= cont["bleu"] <= 100 and 0 <= cont["edit_distance"] <= 1
        assert len(cont["well_formed_ci"]) == 2
    assert main(["eval", "compare", "--model", "smollm2-135m"]) == 1


def test_a_killed_run_resumes_from_its_checkpoint(in_trained_dirs, tmp_path):
    env = dict(os.environ)
    out = tmp_path / "run"
    cmd = [str(Path(sys.executable).with_name("scenewright")), "train", "smol-resume", "--model", "smollm2-135m", "--from", "corpus",
           "--max-steps", "6", "--batch-size", "2", "--micro-batch", "1", "--save-every", "1", "--output", str(out),
           "--no-register", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not (out / "checkpoint.pt").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (out / "checkpoint.pt").exists(), proc.stderr.read().decode() if proc.poll() is not None else "no checkpoint"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["resumed_from"] >= 1 and report["steps"] == 6
    # another run's settings in the same folder are refused, naming what changed
    other = subprocess.run([*cmd[:-2], "--lr", "1e-5", "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert other.returncode == 1 and "learning_rate" in other.stderr


def test_training_refuses_what_it_cannot_train(in_trained_dirs, capsys):
    assert main(["train", "x", "--model", "smol-test"]) == 1
    assert "already an adapter" in capsys.readouterr().err
    assert main(["train", "smollm2-135m", "--model", "smollm2-135m"]) == 1
    assert "choose another name" in capsys.readouterr().err
    assert main(["train", "y", "--from", "tweets"]) == 1


def test_the_edit_log_trains_sft_then_dpo_on_changed_suggestions(in_trained_dirs, tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "editlog"))
    from logdata import suggest, write_script

    from engine.editlog import EditLog

    script = write_script(tmp_path, "mine.fountain")
    with EditLog.open(tmp_path / "log.sqlite3") as log:
        log.mark_script(script, "mine", genre="drama")
        for i in range(22):  # the writer rewrites every suggestion: 22 preference pairs
            suggest(log, script, f"The door opens. Number {i}.", state="accepted",
                    final=f"MARISOL\nWe're closed, number {i}.", when=f"2026-01-{i % 28 + 1:02d}T09:00:00.000Z")
    out = tmp_path / "run"
    code = main(["train", "smol-log", "--model", "smollm2-135m", "--from", "editlog", "--db", str(tmp_path / "log.sqlite3"),
                 "--max-steps", "1", "--batch-size", "4", "--micro-batch", "4", "--block-size", "64", "--output", str(out),
                 "--no-register", "--json"])
    assert code == 0
    report = json.loads((out / "train.json").read_text())
    assert report["steps"] == 1 and report["val_before"] is not None
    dpo = report["dpo"]
    assert dpo["pairs"] >= 16 and dpo["steps"] >= 1 and dpo["accuracy_after"] is not None
    assert (out / "smol-log.gguf").read_bytes()[:4] == b"GGUF"


async def test_the_panel_writes_with_the_adapter_and_the_log_knows_it(in_trained_dirs, tmp_path):
    """A writer picks the trained model from the palette's list, asks for a suggestion, takes it:
    the panel ran base + adapter, and the edit log names the adapter model and its file's hash."""
    from engine.editlog import EditLog, default_path, model_file_hash
    from engine.generation import GenerationEngine
    from engine.scriptfile import ScriptFile
    from tui.app import ScenewrightApp
    from tui.commands import ModelCommands
    from engine.session import GenerationSettings

    base, out = in_trained_dirs
    scene = "INT. LIGHTHOUSE - NIGHT\n\nThe lamp turns. MARA climbs with a kettle.\n\nMARA\nStorm's early.\n\n"
    path = tmp_path / "lighthouse.fountain"
    path.write_text(scene, encoding="utf-8")
    script, text = ScriptFile.open(path)
    engine = GenerationEngine()
    app = ScenewrightApp(script, text, engine=engine)
    try:
        async with app.run_test(size=(140, 36)) as pilot:
            await pilot.pause()
            screen = app.editor_screen
            choices = {name: title for title, _, name in ModelCommands(screen)._models()}
            assert "smol-test" in choices and "smollm2-135m" in choices
            screen.choose_model("smol-test")
            screen.panel.apply_settings(GenerationSettings(model="smol-test", max_tokens=12, seed=3))
            screen.editor.move_cursor(screen.editor.document.end)
            await pilot.press("ctrl+j")
            for _ in range(6000):
                await app.workers.wait_for_complete()
                await pilot.pause(0.01)
                if screen.panel.suggestion is not None and not screen.panel.generating:
                    break
            offered = screen.panel.offer("whole").text
            assert offered and screen.panel.model_name() == "smol-test"
            await pilot.press("ctrl+t")
            assert screen.editor.text == scene + offered
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
    finally:
        engine.close()
    assert path.read_text(encoding="utf-8") == scene + offered
    with EditLog.open(default_path()) as log:
        rows = log.db.execute("SELECT model, model_hash FROM requests").fetchall()
    assert rows and all(model == "smol-test" for model, _ in rows)
    assert {h for _, h in rows} == {model_file_hash(out / "smol-test.gguf")}
