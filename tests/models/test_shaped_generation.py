"""Fountain-shaped generation and DRY on the default model (Gemma 3 270M), through the model process."""

from __future__ import annotations

import json

import pytest
from grammar_check import grammar_accepts
from model_helpers import end_of, of_type

from engine.fountain import Kind
from engine.generation import SCENE_END, DoneEvent, ContinueRequest
from engine.generation.shape import continuation_grammar, script_cast
from engine.bench.criteria import elements_of

SCENE = (
    "INT. LIGHTHOUSE - LAMP ROOM - NIGHT\n\n"
    "Rain on the glass. MARA (60s) winds the clockwork; ABEL (20s) holds the lamp steady.\n\n"
    "MARA\nKeep it turning. Ships are out tonight.\n\n"
    "ABEL\nHow many?\n\n"
    "MARA\nEnough to matter.\n\n"
)
LOOP = ("INT. LIGHTHOUSE - NIGHT\n\nMara climbs.\n\nMARA\nThe light of the moon.\n\n"
        "ABEL\nThe light of the moon.\n\nMARA\nThe light of the moon.\n\n")


@pytest.fixture(scope="module")
def vocab():
    from llama_cpp import Llama
    from engine.models import load_registry, resolve
    from pathlib import Path

    llm = Llama(str(resolve(load_registry(user_path=Path("/nonexistent/models.toml")).get())), vocab_only=True,
                verbose=False)
    yield llm
    llm.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_shaped_continuation_is_what_the_grammar_allows(engine, vocab, seed):
    cursor = end_of(SCENE)
    done = of_type(list(engine.continue_at(SCENE, cursor, ContinueRequest(max_tokens=60, seed=seed))), DoneEvent)[0]
    assert done.text.strip()
    grammar = continuation_grammar(SCENE, cursor, "cursor")
    assert grammar_accepts(vocab, grammar, done.text), done.text
    elements = elements_of(SCENE, done.text)
    cues = {e.name for e in elements if e.kind is Kind.CHARACTER}
    assert cues <= set(script_cast(SCENE)), done.text
    assert not [e for e in elements if e.kind is Kind.SCENE_HEADING], done.text
    if done.reason == SCENE_END:  # cut before the next heading, which is not in the text
        assert not done.text.rstrip().endswith(("INT", "EXT"))


def test_shape_off_and_new_characters_are_the_writers_choice(engine, vocab):
    cursor = end_of(SCENE)
    request = ContinueRequest(max_tokens=40, seed=4, new_characters=True)
    done = of_type(list(engine.continue_at(SCENE, cursor, request)), DoneEvent)[0]
    grammar = continuation_grammar(SCENE, cursor, "cursor", new_characters=True)
    assert grammar_accepts(vocab, grammar, done.text), done.text
    free = of_type(list(engine.continue_at(SCENE, cursor, ContinueRequest(max_tokens=40, seed=4, shaped=False))),
                   DoneEvent)[0]
    assert free.reason != SCENE_END and free.text.strip()


def test_dry_breaks_a_loop_that_greedy_sampling_falls_into(engine):
    cursor = end_of(LOOP)
    texts = {}
    for dry in (0.0, 0.8):
        request = ContinueRequest(max_tokens=60, seed=2, temperature=0.0, dry_multiplier=dry, shaped=False,
                                  repetition_guard=False)
        texts[dry] = of_type(list(engine.continue_at(LOOP, cursor, request)), DoneEvent)[0].text
    assert texts[0.0].count("The light of the moon.") >= 4, texts[0.0]
    assert texts[0.8].count("The light of the moon.") <= 1, texts[0.8]


def test_bench_quality_compares_the_shaped_path_with_the_free_one(capsys):
    from engine.cli import main as cli_main

    args = ["bench", "quality", "--limit", "1", "--seeds", "1", "--max-tokens", "24", "--paths", "shaped,free"]
    assert cli_main([*args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["summary"]) == {"gemma3-270m|continue|shaped", "gemma3-270m|continue|free"}
    for summary in result["summary"].values():
        assert summary["runs"] == 1 and 0 <= summary["all"] <= 1 and summary["tokens_per_s"] > 0
        assert {"well_formed", "loop_free", "cast_only", "has_dialogue", "stays_in_scene", "distinct_2",
                "ttft_ms", "loops_shown"} <= summary.keys()
    assert [r["path"] for r in result["runs"]] and all(r["text"] for r in result["runs"])
    assert cli_main(args) == 0
    table = capsys.readouterr().out
    assert "shaped" in table and "free" in table
    assert cli_main(["bench", "quality", "--paths", "shaped,nonsense"]) != 0
    assert "nonsense" in capsys.readouterr().err
