"""Locked scene numbers (issue 13, part 2): numbered once, kept through inserts and cuts, in
the file, the outline, the PDF and the FDX, from the engine and from `scenewright scenes`."""

from __future__ import annotations

import io
import json

import pytest

from engine.cli import main
from engine.export import pdf_bytes, to_fdx
from engine.fountain import Kind, parse
from engine.fountain.outline import build_outline
from engine.fountain.pagination import paginate
from engine.fountain.scene_numbers import (
    OMITTED, SceneLock, SceneLockError, apply, lock_path, number_between, number_key, plan, plan_unlock,
)

SCRIPT = ("Title: Tide\n\nINT. LIGHTHOUSE - NIGHT\n\nMara climbs.\n\nEXT. REEF - DAY\n\nWaves.\n\n"
          "INT. KITCHEN - DAY\n\nTea.\n")


def numbered(text: str, lock: SceneLock | None) -> tuple[str, list[str]]:
    changes, numbers = plan(text.split("\n"), parse(text).elements, lock)
    return apply(text, changes), numbers


def headings(text: str) -> list[tuple[str, str | None]]:
    return [(e.text, e.scene_number) for e in parse(text).elements if e.kind is Kind.SCENE_HEADING]


def test_locking_numbers_every_scene_in_the_file():
    text, numbers = numbered(SCRIPT, None)
    assert numbers == ["1", "2", "3"]
    assert "INT. LIGHTHOUSE - NIGHT #1#\n" in text and "EXT. REEF - DAY #2#\n" in text
    assert text.endswith("INT. KITCHEN - DAY #3#\n\nTea.\n")


def test_a_scene_written_between_two_gets_a_letter():
    text, numbers = numbered(SCRIPT, None)
    lock = SceneLock.new(numbers)
    text = text.replace("Waves.\n", "Waves.\n\nEXT. BEACH - DAY\n\nSand.\n\nEXT. DUNES - DAY\n\nWind.\n")
    text = "INT. BOAT - DAWN\n\nRowing.\n\n" + text.replace("Title: Tide\n\n", "")
    text, numbers = numbered(text, lock)
    assert headings(text) == [("INT. BOAT - DAWN", "A1"), ("INT. LIGHTHOUSE - NIGHT", "1"), ("EXT. REEF - DAY", "2"),
                              ("EXT. BEACH - DAY", "2A"), ("EXT. DUNES - DAY", "2B"), ("INT. KITCHEN - DAY", "3")]
    assert numbers == ["A1", "1", "2", "2A", "2B", "3"]


def test_a_cut_scene_stays_as_omitted_and_the_numbers_after_it_stay_put():
    text, numbers = numbered(SCRIPT, None)
    lock = SceneLock.new(numbers)
    cut = text.replace("EXT. REEF - DAY #2#\n\nWaves.\n\n", "")
    text, numbers = numbered(cut, lock)
    assert headings(text) == [("INT. LIGHTHOUSE - NIGHT", "1"), (OMITTED, "2"), ("INT. KITCHEN - DAY", "3")]
    assert ".OMITTED #2#\n\nINT. KITCHEN - DAY #3#" in text
    assert numbered(text, SceneLock.new(numbers))[0] == text  # stable: nothing more to do


def test_cutting_the_last_scene_keeps_the_final_newline():
    text, numbers = numbered(SCRIPT, None)
    cut = text.replace("\n\nINT. KITCHEN - DAY #3#\n\nTea.\n", "\n")
    text, _ = numbered(cut, SceneLock.new(numbers))
    assert text.endswith("Waves.\n\n.OMITTED #3#\n")
    assert headings(text)[-1] == (OMITTED, "3")


def test_a_pasted_copy_keeps_the_number_once():
    text, numbers = numbered(SCRIPT, None)
    text = text.replace("INT. KITCHEN", "EXT. REEF - DAY #2#\n\nWaves again.\n\nINT. KITCHEN")
    text, numbers = numbered(text, SceneLock.new(numbers))
    assert [n for _, n in headings(text)] == ["1", "2", "2A", "3"]


def test_numbers_the_writer_set_are_kept_when_locking():
    text, numbers = numbered("INT. A - DAY #10#\n\nx\n\nINT. B - DAY\n\ny\n\nINT. C - DAY #11#\n\nz\n", None)
    assert numbers == ["10", "10A", "11"]


def test_unlocking_takes_numbers_and_placeholders_out():
    text, numbers = numbered(SCRIPT, None)
    cut = text.replace("EXT. REEF - DAY #2#\n\nWaves.\n\n", "")
    text, _ = numbered(cut, SceneLock.new(numbers))
    plain = apply(text, plan_unlock(text.split("\n"), parse(text).elements))
    assert plain == SCRIPT.replace("EXT. REEF - DAY\n\nWaves.\n\n", "")


@pytest.mark.parametrize("before, after, taken, expected", [
    ("12", "13", set(), "12A"), ("12A", "13", {"12A"}, "12B"), (None, "1", set(), "A1"),
    ("A1", "1", {"A1"}, "B1"), ("12", "13", {"12A"}, "12B"), ("12", None, set(), "12A"),
    ("12Z", "13", {"12Z"}, "12ZA"),
])
def test_number_between(before, after, taken, expected):
    assert number_between(before, after, taken | ({before} if before else set())) == expected


def test_number_order():
    assert sorted(["2", "1A", "A1", "1", "1B", "10"], key=number_key) == ["A1", "1", "1A", "1B", "2", "10"]


def test_the_lock_record_beside_the_script(tmp_path):
    script = tmp_path / "tide.fountain"
    SceneLock.new(["1", "1A", "2"]).save(script)
    assert lock_path(script).name == "tide.fountain.scenes.json"
    assert SceneLock.load(script).numbers == ["1", "1A", "2"]
    SceneLock.remove(script)
    assert SceneLock.load(script) is None


def test_a_broken_record_names_the_file_and_line(tmp_path):
    script = tmp_path / "tide.fountain"
    lock_path(script).write_text('{\n "numbers": [1,\n', encoding="utf-8")
    with pytest.raises(SceneLockError, match=r"tide\.fountain\.scenes\.json:3: not JSON"):
        SceneLock.load(script)
    lock_path(script).write_text('{"numbers": ["1", "twelve"]}', encoding="utf-8")
    with pytest.raises(SceneLockError, match='"numbers" must be a list of scene numbers'):
        SceneLock.load(script)


def test_outline_pdf_and_fdx_carry_the_locked_numbers():
    pypdf = pytest.importorskip("pypdf")
    text, numbers = numbered(SCRIPT, None)
    text, _ = numbered(text.replace("EXT. REEF - DAY #2#\n\nWaves.\n\n", "INT. CAVE - DAY\n\nDrip.\n\n"),
                       SceneLock.new(numbers))
    result = parse(text)
    outline = build_outline(result.elements, paginate(result.elements))
    assert [(o.text, o.scene_number) for o in outline if o.kind is Kind.SCENE_HEADING] == [
        ("INT. LIGHTHOUSE - NIGHT", "1"), ("INT. CAVE - DAY", "1A"), (OMITTED, "2"), ("INT. KITCHEN - DAY", "3")]
    fdx = to_fdx(result)
    assert 'Number="1A"' in fdx and 'Number="2"' in fdx and ">OMITTED<" in fdx
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes(result))).pages[-1].extract_text()
    assert "1A" in page and "OMITTED" in page


def test_scenes_command(tmp_path, capsys):
    path = tmp_path / "tide.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    assert main(["scenes", str(path), "lock"]) == 0
    assert "3 scene numbers locked, 3 headings numbered" in capsys.readouterr().out
    assert json.loads(lock_path(path).read_text())["numbers"] == ["1", "2", "3"]
    path.write_text(path.read_text().replace("EXT. REEF - DAY #2#\n\nWaves.\n\n", "INT. CAVE - DAY\n\nDrip.\n\n"))
    assert main(["scenes", str(path), "update"]) == 0
    assert "OMITTED placeholders added" in capsys.readouterr().out
    assert main(["scenes", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "    1A  INT. CAVE - DAY" in shown and "     2  OMITTED" in shown
    assert main(["scenes", str(path), "unlock"]) == 0
    assert not lock_path(path).exists() and "#" not in path.read_text()


def test_scenes_update_needs_a_lock(tmp_path, capsys):
    path = tmp_path / "tide.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    assert main(["scenes", str(path), "update"]) == 1
    assert "not locked" in capsys.readouterr().err
    assert path.read_text() == SCRIPT
