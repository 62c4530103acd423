"""The engine's spell checker: the dictionary from the pyspellchecker wheel, the script's own
names, the personal word list; only action, dialogue, parentheticals and lyrics."""

from __future__ import annotations

from engine.fountain import parse
from engine.spelling import Speller, word_at, words_of

SCRIPT = """Title: Zorblax

INT. ZORBLAX STATION - NIGHT

Teh lamp is out. [[Fix the lampp]] Quorra's hand shakes.

QUORRA
(whisprs)
I recieve nothing. Don't.

/* Cutt this */
"""


def checked(speller: Speller, text: str) -> list[str]:
    result = parse(text)
    speller.learn(result.elements)
    found = speller.check(text.split("\n"), result.line_kinds)
    return [line[a:b] for line, spans in found.items() for a, b in spans]


def test_only_action_and_dialogue_words_outside_notes(tmp_path):
    speller = Speller(word_list=tmp_path / "words.txt")
    assert checked(speller, SCRIPT) == ["Teh", "whisprs", "recieve"]


def test_the_personal_word_list(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("# mine\nrecieve  # on purpose\n", encoding="utf-8")
    speller = Speller(word_list=words)
    assert checked(speller, SCRIPT) == ["Teh", "whisprs"]
    speller.add_word("Teh")
    assert checked(speller, SCRIPT) == ["whisprs"]
    assert words.read_text(encoding="utf-8").splitlines()[-1] == "Teh"
    assert "teh" in Speller(word_list=words).personal


def test_a_word_list_in_a_missing_folder_is_created(tmp_path):
    speller = Speller(word_list=tmp_path / "new" / "words.txt")
    speller.add_word("Quorraland")
    assert (tmp_path / "new" / "words.txt").read_text(encoding="utf-8").endswith("Quorraland\n")


def test_suggestions_keep_the_case(tmp_path):
    speller = Speller(word_list=tmp_path / "w.txt")
    assert speller.suggestions("Teh")[0] == "The"
    assert speller.suggestions("RECIEVE")[0] == "RECEIVE"
    assert speller.suggestions("recieve")[0] == "receive"


def test_words_and_word_at():
    assert [w for _, _, w in words_of("It's 3 o’clock [[note]] now")] == ["It's", "o’clock", "now"]
    assert word_at("Teh lamp", 2) == (0, 3, "Teh") and word_at("Teh lamp", 3) == (0, 3, "Teh")
