"""Perplexity from the real default model's logits (Gemma 3 270M, assembled from its package)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from logdata import write_script

from engine.editlog import EditLog
from engine.editlog.perplexity import PerplexityScorer

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "night-shift.fountain"
LINE = "INT. LIGHTHOUSE - NIGHT\n\nThe lamp turns."


@pytest.fixture(scope="module")
def scorer():
    with PerplexityScorer(window=512) as s:
        yield s


def test_each_token_is_scored_by_the_logits_before_it(scorer):
    # llama-cpp-python's echo log-probabilities line up with ours for a model that adds a BOS token
    tokens, positions, nll = scorer.token_nll(LINE)
    assert scorer.adds_bos and list(positions) == list(range(1, len(tokens)))
    echo = scorer.echo_logprobs(LINE)[: len(tokens) - 1]  # then the generated token
    assert echo[0] is None  # the first text token after BOS: echo leaves it out
    assert np.allclose(-np.asarray(echo[1:], dtype=np.float64), nll[1:], atol=1e-4)
    score = scorer.score(LINE, name="line")
    assert score.tokens == len(tokens) - 1
    assert score.perplexity == pytest.approx(math.exp(nll.mean()))
    assert score.bytes == len(LINE.encode("utf-8"))
    assert score.bits_per_byte == pytest.approx(nll.sum() / math.log(2) / score.bytes)


def test_context_is_read_but_not_scored(scorer):
    text = EXAMPLE.read_text(encoding="utf-8")[:600]
    alone = scorer.score(text)
    seen = scorer.score(text, context=text)  # the same text again: the model can copy it
    assert seen.tokens == len(scorer.tokenize(text, add_bos=False))
    assert 1.0 < seen.perplexity < alone.perplexity / 10


def test_the_sliding_window_scores_every_token_once():
    text = EXAMPLE.read_text(encoding="utf-8")[:700]
    with PerplexityScorer(window=64, stride=16) as small:
        tokens, positions, nll = small.token_nll(text)
        assert len(tokens) > 150
        assert list(positions) == list(range(1, len(tokens)))
        head = nll[: 64 - 1]  # the first window's tokens have all their context
        with PerplexityScorer(window=512) as big:
            _, _, full = big.token_nll(text)
        assert np.allclose(head, full[: 64 - 1], atol=1e-3)
        assert np.isfinite(nll).all() and math.exp(nll.mean()) > 1.0


def sw(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tui.main", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def test_perplexity_command_on_files(tmp_path):
    short = write_script(tmp_path, "short.fountain", LINE + "\n")
    out = sw("eval", "perplexity", short, EXAMPLE, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["model"] == "gemma3-270m" and data["window"] == 512
    assert [t["name"] for t in data["texts"]] == [str(short), str(EXAMPLE)]
    assert data["all"]["tokens"] == sum(t["tokens"] for t in data["texts"])
    assert all(t["perplexity"] > 1 and t["bits_per_byte"] > 0 for t in data["texts"])
    table = sw("eval", "perplexity", "short.fountain", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "Perplexity under gemma3-270m (window 512 tokens, stride 256)"
    assert lines[1].split() == ["text", "tokens", "ppl/token", "bits/byte"]
    name, tokens, ppl, bpb = lines[2].split()
    assert (name, int(tokens)) == ("short.fountain", data["texts"][0]["tokens"])
    assert float(ppl) == pytest.approx(data["texts"][0]["perplexity"], abs=0.01)
    missing = sw("eval", "perplexity", tmp_path / "nope.fountain")
    assert missing.returncode == 1 and "no such file" in missing.stderr
    unknown = sw("eval", "perplexity", "--model", "no-such-model", short)
    assert unknown.returncode == 1 and "no model called 'no-such-model'" in unknown.stderr


def test_perplexity_of_the_logs_validation_split(tmp_path):
    script = write_script(tmp_path, "a.fountain", LINE + "\n")
    with EditLog.open(tmp_path / "log.db") as log:
        for i in range(3):
            rid = log.record_request(script=script, script_text=LINE, cursor=(2, 15), model="gemma3-270m",
                                     prompt=LINE + "\n\n", id=f"r{i}")
            sid = log.record_suggestion(rid, "KEEPER\nWho's there?", 0, id=f"s{i}")
            log.mark(sid, "accepted")
            log.record_final(sid, f"KEEPER\nWho's there? ({i})")
    out = sw("eval", "perplexity", "--db", tmp_path / "log.db", "--val-fraction", "0.999", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["texts"]) == 3 and all(t["name"].startswith("s") for t in data["texts"])
    empty = sw("eval", "perplexity", "--db", tmp_path / "empty.db")
    assert empty.returncode == 1 and "validation split is empty" in empty.stderr
