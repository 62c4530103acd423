"""Steering reaches the model: the library prompt, anchors and genre are what llama.cpp reads,
and a second request after a few typed words reuses the prompt's whole stable prefix."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from engine.generation import ContextEvent, ContinueRequest, DoneEvent, StatsEvent
from engine.steering import Anchor, AnchorStore, new_anchor_id
from engine.steering.steer import steer

from model_helpers import EXAMPLE


def _script_with_anchor(tmp_path):
    script = tmp_path / "night-shift.fountain"
    shutil.copy(EXAMPLE, script)
    store = AnchorStore.for_script(script)
    text = "TEO is José's nephew and hides a stolen radio in the van."
    store.add(Anchor(new_anchor_id("character", text, []), "character", text))
    store.update_settings(genre="Drama", tone="warm, wry")
    store.save()
    return script


def _events(engine, text, cursor, script):
    steered = steer(text, cursor, script_path=script)
    request = ContinueRequest(**{**steered.overrides, "max_tokens": 8, "seed": 3, "temperature": 0.0})
    return list(engine.continue_at(text, cursor, request, render=steered.render))


def test_anchor_and_genre_are_in_what_the_model_reads(engine, tmp_path):
    script = _script_with_anchor(tmp_path)
    text = script.read_text(encoding="utf-8")
    row = text.split("\n").index("JOSÉ")
    events = _events(engine, text, (row, 4), script)
    context = next(e for e in events if isinstance(e, ContextEvent))
    assert "hides a stolen radio" in context.prompt
    assert "Drama" in context.prompt
    assert context.rendered is not None and len(context.rendered.anchors) == 1
    done = next(e for e in events if isinstance(e, DoneEvent))
    assert done.prompt_ref == ("continue", 1)


def test_typing_a_few_words_reuses_the_whole_prefix(engine, tmp_path):
    script = _script_with_anchor(tmp_path)
    text = script.read_text(encoding="utf-8")
    lines = text.split("\n")
    row = lines.index("JOSÉ") + 1
    first = _events(engine, text, (row, len(lines[row])), script)
    lines[row] += " And the van."
    second = _events(engine, "\n".join(lines), (row, len(lines[row])), script)
    prompt1 = next(e for e in first if isinstance(e, ContextEvent)).prompt
    stats2 = next(e for e in second if isinstance(e, StatsEvent))
    prefix = next(e for e in first if isinstance(e, ContextEvent)).rendered.prefix
    assert prompt1.startswith(prefix)
    # everything up to the edit was already in llama.cpp's cache: only the new words are evaluated
    assert stats2.cached_tokens >= engine.model().count_tokens(prefix)
    assert stats2.prompt_tokens - stats2.cached_tokens < 30


def test_continue_cli_uses_the_scripts_anchors(tmp_path):
    script = _script_with_anchor(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "tui.main", "continue", str(script), "--line", "30", "--max-tokens", "4",
         "--seed", "1", "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["prompt"] == "continue@1"
    prompt = subprocess.run([sys.executable, "-m", "tui.main", "prompt", str(script), "--line", "30", "--json"],
                            capture_output=True, text=True)
    assert json.loads(prompt.stdout)["tokens"] + 1 == record["prompt_tokens"]  # + BOS
