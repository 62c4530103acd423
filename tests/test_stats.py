"""Script statistics, the outline's pages and durations, and `scenewright stats`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine.cli import main as cli_main
from engine.fountain import Element, Kind, parse
from engine.fountain.outline import build_outline, eighths_text, scene_spans
from engine.fountain.pagination import paginate
from engine.fountain.stats import character_key, count_words, runtime_text, script_stats

SCRIPT = """Title: Coffee
Author: Test

# ACT ONE

= Mary waits.

INT. KITCHEN - NIGHT #1#

MARY pours coffee.

MARY (V.O.)
I waited for an hour.

JOHN
(out of breath)
Sorry. The bus
never came.

MARY (CONT'D)
It never does.

@McCLANE
Yippee.

@McCLANE (O.S.)
Again.

BRICK
Screw it.

STEEL ^
Screw you.

===

# ACT TWO

EXT. STREET - DAY #2#

Rain.
"""


def run_stats(argv: list[str]) -> int:
    """`scenewright stats ...` in this process, through the command line's own entry."""
    return cli_main(argv)


# --------------------------------------------------------------------- pieces
def test_character_names_lose_extensions_and_marks():
    def named(text, name=None):
        return Element(Kind.CHARACTER, text, 0, 0, name=name)

    assert character_key(named("MARY (V.O.)", "MARY")) == "MARY"
    assert character_key(named("EDWARD (V.O.) (CONT'D)")) == "EDWARD"
    assert character_key(named("WILL  (CONT'D)")) == "WILL"
    assert character_key(named("STEEL ^")) == "STEEL"
    assert character_key(named("@McCLANE")) == "McCLANE"


def test_words_and_runtime_text():
    assert count_words("Don't stop, it's well-known.") == 4
    assert count_words("**Bold** [[not a word]] _here_") == 2
    assert runtime_text(0) == "0:00"
    assert runtime_text(59) == "0:01"
    assert runtime_text(7223) == "2:00"
    assert runtime_text(3 * 3600 + 5 * 60) == "3:05"
    assert eighths_text(11) == "1 3/8"
    assert eighths_text(3) == "3/8"
    assert eighths_text(16) == "2"


# --------------------------------------------------------------------- stats
def test_script_stats_of_a_small_script():
    stats = script_stats(parse(SCRIPT))
    assert stats["pages"] == 2  # the title page does not count; === starts page 2
    assert stats["scene_count"] == 2
    assert 60 <= stats["runtime_s"] <= 120 and stats["runtime"] in ("0:01", "0:02")
    chars = {c["name"]: c for c in stats["characters"]}
    assert set(chars) == {"MARY", "JOHN", "McCLANE", "BRICK", "STEEL"}
    assert chars["MARY"] == {"name": "MARY", "dialogue_blocks": 2, "words": 8}
    assert chars["JOHN"]["words"] == 5  # the parenthetical is not dialogue
    assert chars["McCLANE"]["dialogue_blocks"] == 2
    assert chars["STEEL"] == {"name": "STEEL", "dialogue_blocks": 1, "words": 2}
    assert stats["characters"][0]["name"] in ("MARY", "McCLANE")  # most blocks first
    first, second = stats["scenes"]
    lines = SCRIPT.split("\n")
    assert first["heading"] == "INT. KITCHEN - NIGHT" and first["scene_number"] == "1"
    assert first["line"] == lines.index("INT. KITCHEN - NIGHT #1#") + 1
    assert (first["page_start"], first["page_end"]) == (1, 1)
    assert second["heading"] == "EXT. STREET - DAY" and second["page_start"] == 2
    # the first scene runs to the end of page 1 (the forced break): a full page
    assert first["eighths"] == 8 and first["duration_s"] == 60.0
    assert second["eighths"] == 1 and second["duration_s"] == 7.5
    json.dumps(stats)  # plain JSON data


def test_an_empty_script():
    stats = script_stats(parse(""))
    assert stats == {"pages": 1, "runtime_s": 0, "runtime": "0:00", "scene_count": 0,
                     "characters": [], "scenes": []}


def test_scene_page_span_across_pages():
    action = "\n".join(f"Row {i}." for i in range(70))
    stats = script_stats(parse(f"INT. LONG - DAY\n\n{action}\n\nEXT. SHORT - DAY\n\nEnd.\n"))
    long_scene, short = stats["scenes"]
    assert (long_scene["page_start"], long_scene["page_end"]) == (1, 2)
    # heading, blank, 53 rows on page 1; 17 rows and a blank on page 2; the next heading on row 18
    assert long_scene["eighths"] == round((55 + 18) * 8 / 55)
    assert short["page_start"] == short["page_end"] == 2


# ------------------------------------------------------------------- outline
def test_outline_entries_pages_and_durations():
    result = parse(SCRIPT)
    pages = paginate(result.elements)
    outline = build_outline(result.elements, pages)
    assert [(o.kind, o.text) for o in outline] == [
        (Kind.SECTION, "ACT ONE"),
        (Kind.SYNOPSIS, "Mary waits."),
        (Kind.SCENE_HEADING, "INT. KITCHEN - NIGHT"),
        (Kind.SECTION, "ACT TWO"),
        (Kind.SCENE_HEADING, "EXT. STREET - DAY"),
    ]
    act1, synopsis, kitchen, act2, street = outline
    assert act1.level == 1 and kitchen.scene_number == "1" and street.scene_number == "2"
    assert [o.page for o in outline] == [1, 1, 1, 2, 2]
    assert kitchen.duration_s == 60.0
    assert act1.duration_s == 60.0  # to the next section of its level
    assert synopsis.duration_s == act1.duration_s  # what it describes
    assert street.duration_s == 7.5
    assert act2.duration_s == 7.5
    lines = SCRIPT.split("\n")
    assert kitchen.line == lines.index("INT. KITCHEN - NIGHT #1#")


def test_nested_sections_last_until_a_section_of_their_level():
    filler = "\n\n".join(f"Action {i}." for i in range(27))
    text = (f"# One\n\n## One A\n\nINT. A - DAY\n\n{filler}\n\n## One B\n\nINT. B - DAY\n\n{filler}\n\n"
            f"# Two\n\nINT. C - DAY\n\nEnd.\n")
    result = parse(text)
    pages = paginate(result.elements)
    outline = {o.text: o for o in build_outline(result.elements, pages)}
    halves = outline["One A"].duration_s + outline["One B"].duration_s
    assert outline["One"].duration_s == pytest.approx(halves, abs=7.5)
    assert outline["One A"].level == 2
    assert outline["Two"].page == outline["INT. C - DAY"].page == pages.count


def test_scene_spans_match_scene_headings():
    result = parse(SCRIPT)
    pages = paginate(result.elements)
    spans = scene_spans(result.elements, pages)
    assert [s.heading.text for s in spans] == ["INT. KITCHEN - NIGHT", "EXT. STREET - DAY"]
    assert all(s.end >= s.start for s in spans)


# ------------------------------------------------------------- on a feature
def test_stats_of_big_fish(corpus):
    path = corpus / "screenplain" / "examples" / "Big-Fish.fountain"
    result = parse(path.read_text(encoding="utf-8-sig"))
    pages = paginate(result.elements)
    stats = script_stats(result, pages)
    assert stats["pages"] == pages.count
    assert stats["scene_count"] == sum(1 for e in result.elements if e.kind is Kind.SCENE_HEADING)
    assert stats["characters"][0]["name"] == "EDWARD"
    assert stats["runtime_s"] == pages.runtime_s
    assert abs(stats["runtime_s"] - 60 * stats["pages"]) <= 60
    eighths = sum(s["eighths"] for s in stats["scenes"])
    assert eighths <= 8 * stats["pages"] + len(stats["scenes"])  # rounding adds at most 1/2 each
    assert all(s["page_start"] <= s["page_end"] for s in stats["scenes"])
    starts = [s["page_start"] for s in stats["scenes"]]
    assert starts == sorted(starts)


# ----------------------------------------------------------------- the command
def test_stats_command_json(tmp_path, capsys):
    path = tmp_path / "coffee.fountain"
    path.write_text(SCRIPT)
    assert run_stats(["stats", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert data == {**script_stats(parse(SCRIPT)), "ai_share": None}  # no provenance record beside it


def test_stats_command_table(tmp_path, capsys):
    path = tmp_path / "coffee.fountain"
    path.write_bytes(b"\xef\xbb\xbf" + SCRIPT.replace("\n", "\r\n").encode())
    assert run_stats(["stats", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Pages    2" in out
    assert "Scenes   2" in out
    assert "McCLANE" in out and "INT. KITCHEN - NIGHT" in out
    assert "Character" in out and "Blocks" in out and "Words" in out


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "no such file"),
        (b"INT. CAF\xc9 - DAY\n", "byte offset 8"),
        ("folder", "directory"),
    ],
)
def test_stats_command_bad_files(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.fountain"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    assert run_stats(["stats", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert str(path) in err and expected in err


def test_stats_command_in_a_fresh_process(tmp_path):
    """The installed entry point: JSON on stdout; a bad file is one line on stderr, exit 1."""
    good = tmp_path / "coffee.fountain"
    good.write_text(SCRIPT)
    bad = tmp_path / "latin1.fountain"
    bad.write_bytes(b"INT. CAF\xc9 - DAY\n")
    entry = "import sys; from tui.main import main; sys.exit(main(sys.argv[1:]))"
    ok = subprocess.run([sys.executable, "-c", entry, "stats", str(good), "--json"],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["scene_count"] == 2
    failed = subprocess.run([sys.executable, "-c", entry, "stats", str(bad), "--json"],
                            capture_output=True, text=True, check=False)
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert str(bad) in failed.stderr and "byte offset 8" in failed.stderr
