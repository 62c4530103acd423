"""The Fountain grammar, asked of llama.cpp's own grammar sampler (SmolLM2's vocabulary, no weights)."""

from __future__ import annotations

import pytest
from grammar_check import grammar_accepts
from model_helpers import smollm2_file

from engine.generation.shape import (
    AFTER_ACTION,
    AFTER_CUE,
    AFTER_SPEECH,
    BLOCK,
    IN_ACTION,
    IN_SPEECH,
    SCENE,
    continuation_grammar,
    fountain_grammar,
    script_cast,
    start_state,
)

CAST = ("MARA", "ABEL")


@pytest.fixture(scope="module")
def vocab():
    from llama_cpp import Llama

    path, _ = smollm2_file()
    llm = Llama(str(path), vocab_only=True, verbose=False)
    yield llm
    llm.close()


def accepts(vocab, text: str, start: str = BLOCK, *, cast=CAST, new_characters=False, complete=False) -> bool:
    grammar = fountain_grammar(cast, start=start, new_characters=new_characters)
    return grammar_accepts(vocab, grammar, text, complete=complete)


@pytest.mark.parametrize("text", [
    "MARA\nThe light of the moon.\n\n",
    "MARA (V.O.)\n(quietly)\nKeep it lit.\n\nABEL\nAlways.\n",
    "The lamp turns. Mara watches it.\n\nMARA\nAgain.\n",
    "Silence falls.\n",
    "Mara climbs the stairs.\nThe wind pushes at the door.\n",
    "Interior lights flicker, one by one.\n",
    "Intercom buzzes.\n",
    "Mara, \"I'm sorry,\" she says.\n",
    "ABEL\n\"Quoted,\" he says.\n",
])
def test_well_formed_fountain_is_allowed(vocab, text):
    assert accepts(vocab, text), text


@pytest.mark.parametrize("text, why", [
    ("INT. HALL - NIGHT", "a heading mid-scene"),
    ("EXT, REEF", "a near-miss heading"),
    ("INTA - LIGHTHOUSE - CONTINUOUS", "a near-miss heading in capitals"),
    ("INTERCOM buzzes.", "a heading word in capitals"),
    ("GRETA\nWho?", "a cue that is not in the cast"),
    ("MARA\n\n", "a cue without dialogue"),
    ("Mara\n", "a lone word: a cue without its capitals"),
    ("Lucia: I'm sorry.", "a chat transcript"),
    ("HIS MOTHER: no.", "a chat transcript in capitals"),
    ("INTA: (to her)", "a cue-like line"),
    ("CUT TO:", "a transition (no lower-case letter)"),
    ("(beat)\n", "a parenthetical outside dialogue"),
    ("The lamp turns.\n\n\nMARA", "two blank lines"),
    ("# ACT TWO", "a section"),
    ("WANGY-KEEPS WALKING - THE BUS - UPPER DECK - NIGHT", "capitals that run on"),
    ("The lamp turns.\n\nEXT", "the scene's end before anyone speaks"),
    ("INT", "the scene's end at once"),
])
def test_what_is_not_fountain_is_refused(vocab, text, why):
    assert not accepts(vocab, text), why


def test_the_next_heading_word_ends_the_grammar_once_someone_has_spoken(vocab):
    assert accepts(vocab, "The lamp turns.\n\nMARA\nAgain.\n\nEXT", complete=True)
    assert accepts(vocab, "Again.\n\nINT", start=AFTER_SPEECH, complete=True)
    assert not accepts(vocab, "MARA\nAgain.\n\nEXT. REEF")
    # in the middle of a speech, finishing the line is not enough: a block comes before the scene ends
    assert not accepts(vocab, "\n\nINT", start=IN_SPEECH)
    assert accepts(vocab, " again.\n\nMARA\nNo.\n\nINT", start=IN_SPEECH, complete=True)
    # without a cast nobody speaks: the scene may end after the first block
    assert accepts(vocab, "The lamp turns.\n\nEXT", cast=(), complete=True)


def test_new_characters_only_where_the_writer_allows_them(vocab):
    assert not accepts(vocab, "GRETA\nWho?\n")
    assert accepts(vocab, "GRETA\nWho?\n", new_characters=True)
    assert accepts(vocab, "Greta looks up.\n", cast=())  # no cast: action only
    assert not accepts(vocab, "MARA\nHi.\n", cast=())


@pytest.mark.parametrize("start, text, good", [
    (AFTER_CUE, "(softly)\nKeep it lit.\n", True),
    (AFTER_CUE, "\nThe lamp.", False),
    (AFTER_SPEECH, "And again.\n\nABEL\nNo.\n", True),
    (AFTER_ACTION, "She waits.\n\nMARA\nWell?\n", True),
    (IN_ACTION, " on the stairs.\n", True),
    (SCENE, "INT. LAMP ROOM - NIGHT\n\nMara climbs.\n", True),
    (SCENE, "Mara climbs.", False),
])
def test_the_grammar_starts_where_the_text_leaves_off(vocab, start, text, good):
    assert accepts(vocab, text, start=start) is good


def test_start_state_and_cast_read_the_script_as_fountain():
    script = "INT. LAMP ROOM - NIGHT\n\nMara climbs.\n\nMARA\nKeep it lit.\n\nABEL (O.S.)\nAlways.\n\n"
    assert script_cast(script) == ["MARA", "ABEL"]
    assert start_state(script) == BLOCK
    assert start_state(script.rstrip("\n") + "\n") == AFTER_SPEECH
    assert start_state("INT. HALL - DAY\n\nMARA\n") == AFTER_CUE
    assert start_state("INT. HALL - DAY\n\nShe walks") == IN_ACTION
    assert continuation_grammar(script, (9, 0), "off") is None
    grammar = continuation_grammar(script, (9, 0), "cursor", cast=["GRETA"])
    assert '"GRETA"' in grammar and '"MARA"' in grammar


def test_llama_cpp_parses_every_start_state(vocab):
    from engine.generation.shape import STATES

    for state in STATES:
        for new in (False, True):
            assert grammar_accepts(vocab, fountain_grammar(CAST, start=state, new_characters=new), "")
