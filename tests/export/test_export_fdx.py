"""FDX export and import: paragraph types, dual dialogue, scene numbers, title page, notes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine.cli import main
from engine.export import FdxError, fdx_paragraph_types, fdx_to_fountain, to_fdx
from engine.fountain import Kind, parse

PRINTED = {Kind.SCENE_HEADING, Kind.ACTION, Kind.CHARACTER, Kind.DIALOGUE, Kind.PARENTHETICAL,
           Kind.TRANSITION, Kind.CENTERED, Kind.LYRICS}


def printed(text: str) -> list[tuple]:
    return [(e.kind, e.text.lstrip("@").rstrip(" ^"), e.scene_number, e.dual)
            for e in parse(text).elements if e.kind in PRINTED]


def test_types_numbers_dual_title_and_notes(small):
    fdx = to_fdx(parse(small))
    root = ET.fromstring(fdx)
    assert root.tag == "FinalDraft"
    types = fdx_paragraph_types(fdx)
    assert types[:7] == ["Scene Heading", "Action", "Character", "Parenthetical", "Dialogue", "Character", "Dialogue"]
    assert {"Transition"} <= set(types)
    heading = root.find("Content/Paragraph[@Type='Scene Heading']")
    assert heading.get("Number") == "1" and heading.find("Text").text == "INT. LIGHTHOUSE - NIGHT"
    dual = root.findall("Content/Paragraph/DualDialogue/Paragraph")
    assert [p.get("Type") for p in dual] == ["Character", "Dialogue", "Character", "Dialogue"]
    assert [p.find("Text").text for p in dual if p.get("Type") == "Character"] == ["MARA", "TOM"]
    title = [p.find("Text").text for p in root.findall("TitlePage/Content/Paragraph")]
    assert title[:3] == ["The Lighthouse", "written by", "Ada Quill"]
    assert [n.find("Paragraph/Text").text for n in root.findall("ScriptNotes/ScriptNote")] == ["check her age"]
    centered = root.find("Content/Paragraph[@Alignment='Center']")
    assert centered.get("Type") == "Action" and centered.find("Text").text == "THE END"
    assert "&lt;visitors&gt; &amp; tea" in fdx
    # Tom's song: Final Draft's Lyrics paragraphs, one a line, after his dialogue
    assert types[-5:] == ["Character", "Dialogue", "Lyrics", "Lyrics", "Action"]
    lyrics = root.findall("Content/Paragraph[@Type='Lyrics']")
    assert [p.find("Text").text for p in lyrics] == ["Bring her home, the tide,", "bring her home."]
    # what FDX does not carry (as the README says): sections, synopses, boneyard
    assert "Act One" not in fdx and "logbook" not in fdx and "An old version" not in fdx


def test_fountain_to_fdx_to_fountain_keeps_elements(small):
    back = fdx_to_fountain(to_fdx(parse(small)))
    ours = [(k, t.replace("**", ""), n, d) for k, t, n, d in printed(small)]
    assert printed(back) == ours
    title = {e.key: e.text for e in parse(back).elements if e.kind is Kind.TITLE}
    assert title["Title"] == "The Lighthouse" and title["Author"] == "Ada Quill"
    assert title["Contact"] == "12 Harbour Row\nPorthleven"
    assert [e.text for e in parse(back).elements if e.kind is Kind.NOTE] == ["check her age"]
    assert "TOM\nShe'll be back.\n~Bring her home, the tide,\n~bring her home.\n" in back
    song = [e for e in parse(back).elements if e.kind is Kind.LYRICS]
    assert [e.text for e in song] == ["Bring her home, the tide,\nbring her home."]


def test_general_and_shot_survive_a_round_trip():
    fdx = """<?xml version="1.0" encoding="UTF-8"?>
<FinalDraft DocumentType="Script" Version="5"><Content>
<Paragraph Type="Scene Heading" Number="4"><Text>EXT. PIER - DAWN</Text></Paragraph>
<Paragraph Type="Shot"><Text>CLOSE ON THE ROPE</Text></Paragraph>
<Paragraph Type="General"><Text>SUPER: </Text><Text Style="Bold">Ten years later</Text></Paragraph>
<Paragraph Type="Action"><Text>A GULL CRIES.</Text></Paragraph>
<Paragraph Type="Character"><Text>Old Sam</Text></Paragraph>
<Paragraph Type="Dialogue"><Text>Morning.</Text></Paragraph>
<Paragraph Type="Transition"><Text>FADE OUT</Text></Paragraph>
</Content></FinalDraft>"""
    text = fdx_to_fountain(fdx)
    assert "**Ten years later**" in text
    assert fdx_paragraph_types(to_fdx(parse(text))) == fdx_paragraph_types(fdx)
    heading = [e for e in parse(text).elements if e.kind is Kind.SCENE_HEADING][0]
    assert heading.scene_number == "4"


def test_corpus_fdx_files_import_and_export_back(corpus):
    files = sorted(corpus.glob("screenplay-tools/TestFDX-*.fdx")) + sorted(corpus.glob("screenplain/**/*.fdx"))
    assert files
    for path in files:
        data = path.read_bytes()
        text = fdx_to_fountain(data)
        assert parse(text).elements, path.name
        assert fdx_paragraph_types(to_fdx(parse(text))) == fdx_paragraph_types(data), path.name


def test_corpus_fountain_through_fdx_keeps_element_kinds(corpus):
    for path in sorted((corpus / "screenplain" / "examples").glob("*.fountain")):
        text = path.read_text(encoding="utf-8-sig")
        back = fdx_to_fountain(to_fdx(parse(text)))
        kinds = [k for k, *_ in printed(text)]
        assert [k for k, *_ in printed(back)] == kinds, path.name


@pytest.mark.parametrize("data, message", [
    (b"<FinalDraft><Content>", "not valid XML (line 1)"),
    (b"<html></html>", "not a Final Draft file"),
])
def test_broken_fdx_is_a_clear_error(data, message):
    with pytest.raises(FdxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fdx_to_fountain(data)


def test_emphasis_becomes_styled_runs_and_comes_back():
    text = ("INT. HALL - DAY\n\nShe reads it for the *third* time, **slowly**, ***twice***, _underlined_.\n\n"
            "MARA\nI *said*\nno **twice**.\n")
    fdx = to_fdx(parse(text))
    root = ET.fromstring(fdx)
    runs = [(t.text, t.get("Style")) for t in root.iter("Text") if t.get("Style")]
    assert runs == [("third", "Italic"), ("slowly", "Bold"), ("twice", "Bold+Italic"), ("underlined", "Underline"),
                    ("said", "Italic"), ("twice", "Bold")]
    action = next(p for p in root.iter("Paragraph") if p.get("Type") == "Action")
    assert "".join(t.text for t in action.iter("Text")) == "She reads it for the third time, slowly, twice, underlined."
    back = fdx_to_fountain(fdx)
    assert "She reads it for the *third* time, **slowly**, ***twice***, _underlined_." in back
    assert "I *said*\nno **twice**." in back


def test_lyrics_outside_a_speech_and_in_dual_dialogue_come_back():
    text = ("INT. CHAPEL - NIGHT\n\n~Abide with me,\n~fast falls the eventide.\n\nThe choir stops.\n\n"
            "MARA\nAmen.\n~Amen.\n\nTOM ^\n~Amen.\n\nTOM\n(softly)\n~Again.\nOnce more.\n")
    fdx = to_fdx(parse(text))
    types = fdx_paragraph_types(fdx)
    assert types == ["Scene Heading", "Lyrics", "Lyrics", "Action", "Character", "Dialogue", "Lyrics", "Character",
                     "Lyrics", "Character", "Parenthetical", "Lyrics", "Dialogue"]
    dual = ET.fromstring(fdx).findall("Content/Paragraph/DualDialogue/Paragraph")
    assert [p.get("Type") for p in dual] == ["Character", "Dialogue", "Lyrics", "Character", "Lyrics"]
    back = fdx_to_fountain(fdx)
    assert printed(back) == printed(text)
    assert "~Abide with me,\n~fast falls the eventide.\n" in back  # one song, not two
    assert fdx_paragraph_types(to_fdx(parse(back))) == types


def test_the_example_through_fdx_and_import_keeps_paragraph_types(tmp_path, capsys):
    example = Path(__file__).resolve().parents[2] / "examples" / "night-shift.fountain"
    fdx, imported, again = tmp_path / "night-shift.fdx", tmp_path / "imported.fountain", tmp_path / "again.fdx"
    assert main(["export", str(example), "--to", "fdx", "-o", str(fdx)]) == 0
    assert main(["import", str(fdx), "-o", str(imported)]) == 0
    assert main(["export", str(imported), "--to", "fdx", "-o", str(again)]) == 0
    capsys.readouterr()
    types = fdx_paragraph_types(fdx.read_bytes())
    assert types == fdx_paragraph_types(again.read_bytes())
    assert types.count("Lyrics") == 2 and {"Scene Heading", "Action", "Character", "Dialogue", "Parenthetical",
                                           "Transition"} <= set(types)
    # and the Fountain it gives has the example's printed elements, Marisol's lullaby as lyrics
    assert printed(imported.read_text(encoding="utf-8")) == printed(example.read_text(encoding="utf-8"))
