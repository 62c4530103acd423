"""``scenewright report``: characters, scenes and locations of a small script."""

from __future__ import annotations

import csv
import io

from engine.cli import main
from engine.export import report
from engine.fountain import parse


def test_characters(small):
    rows = {r["name"]: r for r in report(parse(small), "characters")}
    assert rows["MARA"]["scenes"] == ["1", "2"] and rows["MARA"]["dialogue_blocks"] == 2
    assert rows["MARA"]["words"] == 7 + 4  # "Who keeps a light burning out here?" + "Tell me the truth."
    assert rows["TOM"]["scenes"] == ["1", "2", "3"] and rows["TOM"]["dialogue_blocks"] == 3
    # "Someone who likes <visitors> & tea", "I always do.", "She'll be back." and the song he sings
    assert rows["TOM"]["words"] == 5 + 3 + 3 + 8


def test_scenes_and_locations(small):
    scenes = report(parse(small), "scenes")
    assert [(s["scene"], s["page"], s["location"], s["characters"]) for s in scenes] == [
        ("1", 1, "LIGHTHOUSE", ["MARA", "TOM"]),
        ("2", 1, "CLIFF PATH", ["MARA", "TOM"]),
        ("3", 1, "LIGHTHOUSE", ["TOM"]),
    ]
    assert all(s["eighths"] >= 1 for s in scenes)
    places = {r["location"]: r for r in report(parse(small), "locations")}
    assert places["LIGHTHOUSE"]["scenes"] == ["1", "3"]
    assert places["LIGHTHOUSE"]["eighths"] == scenes[0]["eighths"] + scenes[2]["eighths"]
    assert places["CLIFF PATH"]["scene_count"] == 1


def test_report_cli_csv(tmp_path, small, capsys):
    path = tmp_path / "s.fountain"
    path.write_text(small)
    assert main(["report", str(path), "--kind", "characters", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["name"] == "TOM" and rows[0]["scenes"] == "1; 2; 3"
    assert main(["report", str(path), "--kind", "scenes"]) == 0
    assert "CLIFF PATH" in capsys.readouterr().out
