"""Revision marks (issue 13, part 1): the industry colour order, the record beside the script
found again after outside edits, marks following edits, and the PDF's asterisks and header."""

from __future__ import annotations

import io
import json

import pytest

from engine.cli import main
from engine.export import pdf_bytes
from engine.fountain import parse
from engine.revisions import COLOURS, RevisionError, Revisions, next_colour, revisions_path

SCRIPT = "INT. LIGHTHOUSE - NIGHT\n\nMara climbs.\n\nMARA\nThe lamp is out.\n"


def test_colours_in_industry_order():
    assert COLOURS[:6] == ("White", "Blue", "Pink", "Yellow", "Green", "Goldenrod")
    assert next_colour("White") == "Blue" and next_colour("Goldenrod") == "Buff"
    assert next_colour(COLOURS[-1]) == "White"


def test_marks_follow_edits():
    record = Revisions("Blue", "2026-12-07", {2: "Blue", 5: "Blue"})
    record.edited(0, 0, 3, mark=False)  # two lines inserted at the top, unmarked
    assert record.marks == {4: "Blue", 7: "Blue"}
    record.current = "Pink"
    record.edited(4, 4, 1, mark=True)  # the marked line edited again: now Pink
    assert record.marks == {4: "Pink", 7: "Blue"}
    record.edited(6, 7, 1, mark=False)  # two lines joined: the mark of the second goes with it
    assert record.marks == {4: "Pink"}


def test_the_record_round_trips_and_is_found_again(tmp_path):
    script = tmp_path / "tide.fountain"
    Revisions("Blue", "2026-12-07", {2: "Blue", 5: "Blue"}).save(script, SCRIPT)
    data = json.loads(revisions_path(script).read_text())
    assert data["lines"][0] == {"line": 2, "text": "Mara climbs.", "revision": "Blue"}
    moved = "FADE IN:\n\n" + SCRIPT.replace("The lamp is out.", "The lamp is dark.")
    record = Revisions.load(script, moved)
    assert record.marks == {4: "Blue"} and record.dropped == 1  # the changed line's mark is gone, and said


def test_a_broken_record_names_the_file(tmp_path):
    script = tmp_path / "tide.fountain"
    revisions_path(script).write_text("{\n oops", encoding="utf-8")
    with pytest.raises(RevisionError, match=r"tide\.fountain\.revisions\.json:2: not JSON"):
        Revisions.load(script, SCRIPT)


def test_pdf_asterisks_and_header():
    pypdf = pytest.importorskip("pypdf")
    data = pdf_bytes(parse(SCRIPT), revised=frozenset({2}), revision="Blue Revision 2026-12-07")
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    text = page.extract_text()
    assert "Blue Revision 2026-12-07" in text
    found = []
    page.extract_text(visitor_text=lambda t, cm, tm, font, size: found.append((t, tm[4])) if t.strip() == "*" else None)
    assert len(found) == 1 and found[0][1] > 7.5 * 72  # in the right margin, right of 7.5 inches
    plain = pypdf.PdfReader(io.BytesIO(pdf_bytes(parse(SCRIPT)))).pages[0].extract_text()
    assert "*" not in plain and "Revision" not in plain


def test_export_cli_prints_the_marks(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    script = tmp_path / "tide.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    Revisions("Pink", "2026-12-07", {5: "Pink"}).save(script, SCRIPT)
    assert main(["export", str(script), "--to", "pdf"]) == 0
    text = pypdf.PdfReader(str(tmp_path / "tide.pdf")).pages[0].extract_text()
    assert "Pink Revision 2026-12-07" in text and "*" in text
