"""Evaluation metrics against values computed by hand, per model and prompt version, A/B win rates."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys

import pytest
from logdata import write_script

from engine.editlog import EditLog, comparisons, edit_distance, select_records
from engine.editlog.evaluation import ab_summary, evaluate
from engine.editlog.metrics import rouge_l, sentence_bleu, tokenize_13a, wilson_interval


def test_edit_distance_is_levenshtein_over_the_longer_length():
    assert edit_distance("kitten", "sitting") == pytest.approx(3 / 7)
    assert edit_distance("the cat sat on the mat", "the cat sat on a mat") == pytest.approx(3 / 22)
    assert edit_distance("same", "same") == 0.0
    assert edit_distance("abc", "") == 1.0
    assert edit_distance("", "") == 0.0


def test_13a_tokenization():
    # as sacrebleu's Tokenizer13a splits them (apostrophes stay, "-" + newline joins a hyphenated word)
    assert tokenize_13a("MARISOL (quietly): Don't go, 3.5 miles.") == [
        "MARISOL", "(", "quietly", ")", ":", "Don't", "go", ",", "3.5", "miles", "."]
    assert tokenize_13a("INT. DINER -\nNIGHT\nShe runs - fast.") == [
        "INT", ".", "DINER", "NIGHT", "She", "runs", "-", "fast", "."]


def test_bleu_by_hand():
    # clipped n-gram precisions 5/6, 3/5, 2/4, 1/3; same length, no brevity penalty
    assert sentence_bleu("the cat sat on the mat", "the cat sat on a mat") == pytest.approx(
        100 * (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25)
    assert sentence_bleu("He waits.", "He waits.") == pytest.approx(100.0)
    # exp smoothing: n-gram orders without a match count 1/2, 1/4, ... of a match
    assert sentence_bleu("a b c d", "a c e") == pytest.approx((50 * (100 / 6) * 12.5 * 12.5) ** 0.25)
    assert sentence_bleu("the cat sat", "the dog ran") == pytest.approx((100 / 3 * 25 * 25) ** (1 / 3))
    # effective order (2) and brevity penalty exp(1 - 6/2)
    assert sentence_bleu("the cat", "the cat sat on the mat") == pytest.approx(100 * math.exp(-2))
    assert sentence_bleu("nothing alike", "completely different") == 0.0
    assert sentence_bleu("", "x") == 0.0


def test_rouge_l_by_hand():
    assert rouge_l("the cat sat on the mat", "the cat was on the mat") == pytest.approx(5 / 6)
    assert rouge_l("a b c d", "a c e") == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert rouge_l("The Door, OPENS!", "the door opens") == pytest.approx(1.0)  # case and punctuation aside
    assert rouge_l("", "x") == 0.0 and rouge_l("x y", "z") == 0.0


def test_wilson_interval():
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    low, high = wilson_interval(2, 3)
    assert (round(low, 4), round(high, 4)) == (0.2077, 0.9385)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(5, 5)[1] == 1.0


def _request(log, script, model, version, ttft):
    return log.record_request(script=script, script_text="x", cursor=(0, 0), model=model, prompt="p",
                              prompt_id="continue", prompt_version=version, ttft_ms=ttft)


@pytest.fixture
def evaluated(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    log = EditLog.open(tmp_path / "log.db")
    ids = {}
    ids["s1"] = log.record_suggestion(_request(log, script, "m1", 1, 100.0), "the cat sat on the mat", 0)
    log.mark(ids["s1"], "accepted")
    log.record_final(ids["s1"], "the cat sat on a mat")
    log.rate(ids["s1"], plot=4, dialogue=2)
    ids["s2"] = log.record_suggestion(_request(log, script, "m1", 1, 300.0), "He waits.", 0)
    log.mark(ids["s2"], "accepted")
    log.record_final(ids["s2"], "He waits.")
    log.rate(ids["s2"], plot=2)
    ids["s3"] = log.record_suggestion(_request(log, script, "m1", 1, 200.0), "Aliens land.", 0)
    log.mark(ids["s3"], "rejected")
    log.rate(ids["s3"], tone=1)
    ids["s4"] = log.record_suggestion(_request(log, script, "m1", 1, None), "Shown only.", 0)
    ids["s5"] = log.record_suggestion(_request(log, script, "m2", 2, 50.0), "a b c d", 0)
    log.mark(ids["s5"], "accepted_part", "a b")
    log.record_final(ids["s5"], "a c e")
    for a, b, winner in (("s1", "s5", "A"), ("s5", "s2", "A"), ("s2", "s5", "A"), ("s1", "s5", None)):
        log.pick(log.record_comparison(ids[a], ids[b]), winner)
    yield log
    log.close()


def test_per_model_and_prompt_version(evaluated):
    g1, g2 = evaluate(select_records(evaluated))
    assert (g1.model, g1.prompt, g2.model, g2.prompt) == ("m1", "continue@1", "m2", "continue@2")
    assert (g1.suggestions, g1.accepted, g1.rejected, g1.edited, g1.finals, g1.requests) == (4, 2, 1, 1, 2, 4)
    assert g1.acceptance_rate == 0.5
    assert g1.edit_distance == pytest.approx((3 / 22 + 0) / 2)
    assert g1.bleu == pytest.approx((100 * (1 / 12) ** 0.25 + 100) / 2)
    assert g1.rouge_l == pytest.approx((5 / 6 + 1) / 2)
    assert (g1.plot, g1.dialogue, g1.tone, g1.rated) == (3.0, 2.0, 1.0, 3)
    assert g1.ttft_ms == 200.0  # over the requests that measured it
    assert (g2.suggestions, g2.accepted, g2.edited, g2.acceptance_rate) == (1, 1, 1, 1.0)
    assert g2.edit_distance == pytest.approx(3 / 7)
    assert g2.bleu == pytest.approx((50 * (100 / 6) * 12.5 * 12.5) ** 0.25)
    assert g2.rouge_l == pytest.approx(4 / 7)
    assert (g2.plot, g2.ttft_ms) == (None, 50.0)


def test_ab_win_rates(evaluated):
    summary = ab_summary(comparisons(evaluated))
    [pair] = summary.pairs
    assert (pair.first, pair.second) == ("m1 continue@1", "m2 continue@2")
    assert (pair.first_wins, pair.second_wins, pair.neither) == (2, 1, 1)
    assert pair.win_rate == pytest.approx(2 / 3)
    assert (round(pair.ci_low, 4), round(pair.ci_high, 4)) == (0.2077, 0.9385)
    assert (summary.decided, summary.picked_a) == (3, 3)


def _sw(*args):
    return subprocess.run([sys.executable, "-m", "tui.main", *map(str, args)], capture_output=True, text=True)


def test_eval_command_table_csv_and_json(evaluated):
    db = evaluated.path
    evaluated.close()
    table = _sw("eval", "--db", db)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["model", "prompt", "n", "accept", "edit", "BLEU", "ROUGE-L", "plot", "dialog",
                                "tone", "ttft", "ms", "tok/s"]
    assert lines[1].split()[:7] == ["m1", "continue@1", "4", "50%", f"{3 / 44:.3f}",
                                    f"{(100 * (1 / 12) ** 0.25 + 100) / 2:.1f}", f"{(5 / 6 + 1) / 2:.3f}"]
    assert lines[2].split()[:4] == ["m2", "continue@2", "1", "100%"]
    assert "m1 continue@1  vs  m2 continue@2: 2-1 (1 neither)  67% [21%, 94%]" in table.stdout

    out = _sw("eval", "--csv", "--db", db)
    assert out.returncode == 0, out.stderr
    groups, _, ab = out.stdout.partition("\n\n")
    rows = list(csv.DictReader(io.StringIO(groups)))
    assert [r["model"] for r in rows] == ["m1", "m2"]
    assert float(rows[0]["edit_distance"]) == pytest.approx(3 / 44)
    assert float(rows[0]["acceptance_rate"]) == 0.5 and rows[1]["plot"] == ""
    [pair] = list(csv.DictReader(io.StringIO(ab)))
    assert (pair["first_wins"], pair["second_wins"], pair["neither"]) == ("2", "1", "1")

    js = _sw("eval", "--json", "--model", "m2", "--db", db)
    data = json.loads(js.stdout)
    assert [g["model"] for g in data["groups"]] == ["m2"]
    assert data["ab_decided"] == 3

    bad = _sw("eval", "--prompt", "continue@x", "--db", db)
    assert bad.returncode == 1 and "must be a number" in bad.stderr
