"""`scenewright continue` and `scenewright models list` with the real default model."""

from __future__ import annotations

import json
import subprocess
import sys

from engine.cli import main as cli_main
from model_helpers import EXAMPLE, REPO


def test_continue_json_prints_one_object_with_text_and_statistics(capsys):
    code = cli_main(["continue", str(EXAMPLE), "--max-tokens", "12", "--seed", "4", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.strip().split("\n")
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert {"text", "prompt_tokens", "generated_tokens", "ttft_ms", "tokens_per_s", "model"} <= set(record)
    assert record["model"] == "gemma3-270m"
    assert isinstance(record["text"], str) and record["text"]
    assert 0 < record["generated_tokens"] <= 12 and record["prompt_tokens"] > 100
    assert record["ttft_ms"] > 0 and record["seed"] == 4


def test_continue_streams_text_and_same_seed_gives_same_text(capsys):
    args = ["continue", str(EXAMPLE), "--line", "20", "--max-tokens", "10", "--seed", "9", "--temperature", "0.8"]
    assert cli_main(args) == 0
    first = capsys.readouterr().out
    assert cli_main(args + ["--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert first.rstrip("\n") == record["text"].rstrip("\n")
    assert record["prompt_tokens"] < 400  # only the first 20 lines were read


def test_continue_reports_bad_input_without_a_traceback(tmp_path, capsys):
    assert cli_main(["continue", str(tmp_path / "missing.fountain")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert cli_main(["continue", str(EXAMPLE), "--line", "100000"]) == 1
    assert "past its end" in capsys.readouterr().err
    assert cli_main(["continue", str(EXAMPLE), "--model", "nope"]) == 1
    err = capsys.readouterr().err
    assert "no model called 'nope'" in err and "Traceback" not in err


def test_models_list_json():
    done = subprocess.run(
        [sys.executable, "-m", "tui.main", "models", "list", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert set(rows) >= {"gemma3-270m", "smollm2-135m"}
    for row in rows.values():
        assert {"name", "present", "size", "path", "default"} <= set(row)
    assert rows["gemma3-270m"]["default"] is True and rows["smollm2-135m"]["default"] is False
    assert rows["smollm2-135m"]["present"] is True and rows["smollm2-135m"]["size"] > 50_000_000
    assert rows["smollm2-135m"]["path"].endswith(".gguf")


def test_models_list_reports_a_broken_user_registry(capsys):
    from engine.models import user_registry_path

    path = user_registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('default = "gemma3-270m"\n[models.x]\nsource = 3\n')
    assert cli_main(["models", "list"]) == 1
    assert f"{path}:3: models.x.source: must be a string" in capsys.readouterr().err
