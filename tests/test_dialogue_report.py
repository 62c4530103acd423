"""Dialogue analysis (issue 13, part 5): shares, the tag split, who speaks per scene; the
`[cast]` table of the anchors store; `scenewright report --kind dialogue`."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.export.dialogue import dialogue_csv, dialogue_report, dialogue_text, share_bar
from engine.fountain import parse
from engine.steering import AnchorStore
from engine.steering.cast import CharacterTags, next_tag
from engine.steering.store import store_path
from engine.tomlconf import ConfigError

SCRIPT = """INT. LIGHTHOUSE - NIGHT #1#

MARA
The lamp is out. Again.

TOM (V.O.)
Then light it.

MARA (CONT'D)
(to herself)
With what, the moon?

EXT. REEF - DAY #2#

Waves. Nobody speaks.

INT. KITCHEN - DAY #3#

ELI
Tea?

MARA
Yes.
"""


def test_shares_words_and_scenes():
    report = dialogue_report(parse(SCRIPT))
    assert [(c.name, c.words, c.blocks, c.scenes) for c in report.characters] == [
        ("MARA", 10, 3, ["1", "3"]), ("TOM", 3, 1, ["1"]), ("ELI", 1, 1, ["3"])]
    assert report.total_words == 14
    assert report.characters[0].share == pytest.approx(10 / 14)
    assert [(s.scene, s.words) for s in report.scenes] == [
        ("1", {"MARA": 9, "TOM": 3}), ("2", {}), ("3", {"ELI": 1, "MARA": 1})]


def test_the_split_by_the_writers_tags():
    cast = {"MARA": CharacterTags("woman", "lead"), "TOM": CharacterTags("man", "supporting")}
    report = dialogue_report(parse(SCRIPT), cast)
    assert report.splits["gender"] == {
        "woman": {"characters": 1, "words": 10, "speeches": 3, "share": 0.7143},
        "man": {"characters": 1, "words": 3, "speeches": 1, "share": 0.2143},
        "untagged": {"characters": 1, "words": 1, "speeches": 1, "share": 0.0714}}
    assert list(report.splits["role"]) == ["lead", "supporting", "untagged"]
    text = dialogue_text(report)
    assert "By gender:" in text and "woman" in text and "No character is tagged" not in text
    assert dialogue_csv(report).splitlines()[1] == "MARA,10,0.7143,3,2,woman,lead,1; 3"


def test_text_says_how_to_tag_and_draws_the_chart():
    text = dialogue_text(dialogue_report(parse(SCRIPT)))
    assert "No character is tagged" in text
    assert "    1  MARA 75%, TOM 25%" in text and "(no dialogue)  EXT. REEF - DAY" in text
    assert dialogue_text(dialogue_report(parse("INT. A - DAY\n\nNothing.\n"))) == "No dialogue in this script.\n"


def test_share_bar():
    assert share_bar(1.0, 4) == "████" and share_bar(0.5, 4) == "██" and share_bar(0.0, 4) == ""
    assert share_bar(1 / 8, 4) == "▌" and share_bar(1 / 16, 4) == "▎"


def test_next_tag_cycles_through_none():
    assert [next_tag(x, ("a", "b")) for x in (None, "a", "b", "own word")] == ["a", "b", None, None]


def test_the_cast_table_round_trips_with_the_anchors(tmp_path):
    script = tmp_path / "tide.fountain"
    store = AnchorStore.for_script(script)
    store.set_tags("Mara", CharacterTags("woman", "lead"))
    store.set_tags("TOM", CharacterTags(role="minor"))
    store.save()
    text = store_path(script).read_text()
    assert '[cast.MARA]\ngender = "woman"\nrole = "lead"' in text
    again = AnchorStore.for_script(script)
    assert again.tags("mara") == CharacterTags("woman", "lead") and again.tags("TOM").role == "minor"
    again.set_tags("TOM", CharacterTags())
    assert "TOM" not in again.to_dict()["cast"]


def test_a_bad_cast_entry_names_file_line_and_key(tmp_path):
    script = tmp_path / "tide.fountain"
    store_path(script).write_text('format = 1\n\n[cast.MARA]\ngender = "woman"\nage = 30\n', encoding="utf-8")
    store = AnchorStore.for_script(script)
    assert isinstance(store.error, ConfigError)
    assert "tide.anchors.toml:5" in str(store.error) and "cast.MARA.age" in str(store.error)


def test_report_dialogue_cli(tmp_path, capsys):
    script = tmp_path / "tide.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    store_path(script).write_text('format = 1\n[cast.MARA]\ngender = "woman"\n', encoding="utf-8")
    assert main(["report", str(script), "--kind", "dialogue"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dialogue: 14 words, 3 speaking characters") and "By gender:" in out
    assert main(["report", str(script), "--kind", "dialogue", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["characters"][0]["gender"] == "woman" and data["splits"]["gender"]["woman"]["words"] == 10
    assert main(["report", str(script), "--kind", "dialogue", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("name,words,share,speeches")


def test_report_dialogue_cli_names_a_broken_store(tmp_path, capsys):
    script = tmp_path / "tide.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    store_path(script).write_text("format = 1\n[cast]\nMARA = 3\n", encoding="utf-8")
    assert main(["report", str(script), "--kind", "dialogue"]) == 1
    err = capsys.readouterr().err
    assert "tide.anchors.toml:3" in err and "the character tags are read from there" in err
