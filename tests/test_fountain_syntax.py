"""The Fountain 1.1 syntax, element by element (fountain.io/syntax)."""

from __future__ import annotations

import pytest

from engine.fountain import Kind, LiveParse, parse


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.kind.value, e.text) for e in parse(text).elements]


def one(text: str, kind: Kind):
    found = [e for e in parse(text).elements if e.kind is kind]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("heading", [
    "INT. HOUSE - DAY", "EXT. PIER - NIGHT", "EST. CITY - DAWN", "INT./EXT. CAR - DAY",
    "INT/EXT CAR - DAY", "I/E CAR - DAY", "int. lowercase kitchen - day", "EXT BRIDGE - NIGHT",
])
def test_scene_heading_prefixes(heading):
    assert kinds(f"{heading}\n\nAction.") == [("scene_heading", heading), ("action", "Action.")]


def test_scene_heading_needs_a_blank_line_after():
    assert kinds("INT. HOUSE - DAY\nShe sits.")[0][0] == "action"


def test_forced_scene_heading_and_ellipsis():
    assert kinds(".FLASHBACK\n\nx")[0] == ("scene_heading", "FLASHBACK")
    assert kinds("...and then\n\nx")[0][0] == "action"


@pytest.mark.parametrize("text,number", [("INT. HOUSE - DAY #1#", "1"), ("INT. HOUSE - DAY #1A#", "1A"),
                                         ("INT. HOUSE - DAY #I-1-A#", "I-1-A"), (".DREAM #110A#", "110A")])
def test_scene_numbers(text, number):
    e = one(text + "\n\nx", Kind.SCENE_HEADING)
    assert e.scene_number == number and "#" not in e.text


def test_action_keeps_indentation_and_tabs():
    e = one("\n    Indented line.\n\tTabbed line.\n", Kind.ACTION)
    assert e.text == "    Indented line.\n\tTabbed line."


def test_forced_action():
    assert kinds("!SCANNING THE AREA\nsomething") [0] == ("action", "SCANNING THE AREA\nsomething")


@pytest.mark.parametrize("cue,name,ext", [
    ("STEEL", "STEEL", None), ("MOM (O. S.)", "MOM", "(O. S.)"), ("HANS (on the radio)", "HANS", "(on the radio)"),
    ("STEEL (V.O.) (CONT'D)", "STEEL", "(V.O.) (CONT'D)"), ("JOSÉ", "JOSÉ", None), ("ZOË (V.O.)", "ZOË", "(V.O.)"),
    ("R2D2", "R2D2", None), ("@McCLANE", "McCLANE", None), ("    DAVE", "DAVE", None),
])
def test_character_cues(cue, name, ext):
    e = one(f"\n{cue}\nLine.\n", Kind.CHARACTER)
    assert (e.name, e.extension) == (name, ext)


@pytest.mark.parametrize("text", ["\n23\nLine.\n", "\nMcCLANE\nLine.\n", "\nSTEEL\n\nLine.\n"])
def test_not_character_cues(text):
    assert Kind.CHARACTER not in [e.kind for e in parse(text).elements]


def test_dialogue_parenthetical_and_two_space_line():
    got = kinds("BRICK\n(quietly)\nFirst line.\n  \nAfter a kept blank.\n(beat)\nMore.\n")
    assert got == [("character", "BRICK"), ("parenthetical", "(quietly)"),
                   ("dialogue", "First line.\n\nAfter a kept blank."), ("parenthetical", "(beat)"),
                   ("dialogue", "More.")]


def test_dual_dialogue():
    res = parse("BRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n")
    cues = [e for e in res.elements if e.kind is Kind.CHARACTER]
    assert [(c.name, c.dual) for c in cues] == [("BRICK", "left"), ("STEEL", "right")]


@pytest.mark.parametrize("text,expected", [
    ("CUT TO:", ("transition", "CUT TO:")), ("> Burn to white.", ("transition", "Burn to white.")),
    ("SMASH CUT TO:", ("transition", "SMASH CUT TO:")),
])
def test_transitions(text, expected):
    assert kinds(f"Action.\n\n{text}\n\nMore.")[1] == expected


def test_transition_needs_blank_lines_and_capitals():
    assert kinds("Action.\n\nboop boop to:\n\nx")[1][0] == "action"


def test_centered_lyrics_page_break():
    assert kinds(">THE END<") == [("centered", "THE END")]
    assert kinds("~Willy Wonka!\n~Willy Wonka!") == [("lyrics", "Willy Wonka!\nWilly Wonka!")]
    assert kinds("a\n\n===\n\nb")[1] == ("page_break", "")


def test_sections_and_synopses():
    res = parse("# Act\n\n## Sequence\n\n= Steel retires.\n")
    sections = [(e.text, e.level) for e in res.elements if e.kind is Kind.SECTION]
    assert sections == [("Act", 1), ("Sequence", 2)]
    assert one("= Steel retires.", Kind.SYNOPSIS).text == "Steel retires."


def test_title_page_inline_and_indented_values():
    res = parse("Title:\n    _**BRICK & STEEL**_\n    _**FULL RETIRED**_\nCredit: Written by\n"
                "Author: Stu\n\nINT. HOUSE - DAY\n\nx")
    title = [(e.key, e.text) for e in res.title_page]
    assert title == [("Title", "_**BRICK & STEEL**_\n_**FULL RETIRED**_"), ("Credit", "Written by"), ("Author", "Stu")]
    assert res.elements[3].kind is Kind.SCENE_HEADING


def test_title_page_only_at_the_top():
    assert parse("Action first.\n\nTitle: Not a title").title_page == []


def test_notes_inline_standalone_multiline():
    res = parse("He looks[[Or does he?]] around.\n\n[[A standalone note.]]\n\n"
                "Then[[A note\nover two lines.]] more.\n")
    notes = [(e.text, e.line, e.end_line) for e in res.elements if e.kind is Kind.NOTE]
    assert notes == [("Or does he?", 0, 0), ("A standalone note.", 2, 2), ("A note\nover two lines.", 4, 5)]
    assert res.elements[0].text == "He looks around."


def test_note_broken_by_a_blank_line_is_text():
    res = parse("Text[[not\n\nclosed.]] more.")
    assert Kind.NOTE not in [e.kind for e in res.elements]


def test_boneyard_inline_and_multiline():
    res = parse("Keep /* cut */this.\n\n/*\nINT. GONE - DAY\n\nGone.\n*/\n\nINT. KEPT - DAY\n\nKept.")
    got = [(e.kind.value, e.text) for e in res.elements]
    assert ("action", "Keep this.") in got
    assert ("scene_heading", "INT. KEPT - DAY") in got
    assert ("scene_heading", "INT. GONE - DAY") not in got
    assert [e.kind for e in res.elements].count(Kind.BONEYARD) == 2


def test_emphasis_spans_and_escapes():
    live = LiveParse("Plain *italic* **bold** ***both*** _under_ \\*not\\* *no\ncross*")
    spans = {(s.start, s.end, s.style) for s in live.line_spans(0)}
    text = live.lines[0]
    styled = {text[a:b]: style for a, b, style in spans if style != "markup"}
    assert styled == {"italic": "italic", "bold": "bold", "both": "bold_italic", "under": "underline"}
    assert all("not" not in text[a:b] for a, b, _ in spans)
    assert [s for s in live.line_spans(1) if s.style != "markup"] == []


def test_spans_mark_syntax_characters():
    live = LiveParse("\n@McCLANE (V.O.) ^\nYippee.\n\n.FORCED #12#\n\nx")
    assert {(s.start, s.end, s.style) for s in live.line_spans(1)} == {(0, 1, "markup"), (9, 15, "extension"), (16, 17, "markup")}
    assert {(s.start, s.end, s.style) for s in live.line_spans(4)} == {(0, 1, "markup"), (8, 12, "scene_number")}


def test_positions_are_lines_of_the_source():
    res = parse("Title: T\n\nINT. A - DAY\n\nBOB\nHi.\nThere.\n")
    got = [(e.kind.value, e.line, e.end_line) for e in res.elements]
    assert got == [("title", 0, 0), ("scene_heading", 2, 2), ("character", 4, 4), ("dialogue", 5, 6)]


def test_fade_in_is_not_a_title_page():
    assert kinds("FADE IN:\n\nINT. A - DAY\n\nx")[:2] == [("action", "FADE IN:"), ("scene_heading", "INT. A - DAY")]


def test_removing_an_inline_note_leaves_one_space():
    assert kinds("Hola [[aside]] there.")[0] == ("action", "Hola there.")
