"""``scenewright log show|mark|forget`` as a writer runs them (subprocesses, a real log file)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from logdata import build

from engine.editlog import EditLog, script_key


def sw(*args):
    return subprocess.run([sys.executable, "-m", "tui.main", *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def db(tmp_path):
    b = build(tmp_path)
    b.log.close()
    return b


def test_show_lists_scripts_and_latest_suggestions(db):
    out = sw("log", "show", "--db", db.log.path)
    assert out.returncode == 0, out.stderr
    assert f"Edit log {db.log.path}" in out.stdout
    assert "4 scripts, 8 requests, 8 suggestions, 0 A/B comparisons" in out.stdout
    assert f"yours     {script_key(db.scripts['mine'])}  (5 suggestions, drama)" in out.stdout
    assert "DETECTIVE RUIZ enters." in out.stdout
    data = json.loads(sw("log", "show", "--json", "--limit", "3", "--db", db.log.path).stdout)
    assert data["schema_version"] >= 2 and data["counts"]["suggestions"] == 8
    assert [s["text"] for s in data["suggestions"]] == ["DETECTIVE RUIZ enters.", "Nothing happens.",
                                                      "A spaceship lands outside."]
    assert {s["usage"] for s in data["scripts"]} == {"mine", "licensed", "not_mine", "unmarked"}


def test_show_on_a_new_machine(tmp_path):
    out = sw("log", "show")  # the default log in the (test's) data folder
    assert out.returncode == 0, out.stderr
    assert "0 scripts, 0 requests, 0 suggestions" in out.stdout and "(empty" in out.stdout


def test_mark_decides_what_is_exported(db, tmp_path):
    unmarked = db.scripts["unmarked"]
    out = sw("log", "mark", "--script", unmarked, "--mine", "--genre", "western", "--db", db.log.path)
    assert out.returncode == 0, out.stderr
    assert "as yours (western); it goes into dataset exports" in out.stdout
    exported = sw("dataset", "export", "--format", "prompt-completion", "-o", tmp_path / "x", "--db", db.log.path,
                  "--val-fraction", "0")
    assert exported.returncode == 0, exported.stderr
    assert "Quiet!" in (tmp_path / "x" / "train.jsonl").read_text(encoding="utf-8")
    out = sw("log", "mark", "--script", unmarked, "--not-mine", "--db", db.log.path)
    assert "it is never exported" in out.stdout
    missing = sw("log", "mark", "--script", tmp_path / "nowhere.fountain", "--mine", "--db", db.log.path)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    none = sw("log", "mark", "--script", unmarked, "--db", db.log.path)
    assert none.returncode == 2 and "one of the arguments --mine --licensed --not-mine --unmarked" in none.stderr


def test_forget_deletes_everything_about_a_script(db):
    out = sw("log", "forget", "--script", db.scripts["mine"], "--db", db.log.path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"Forgot {db.scripts['mine']}: 5 requests, 5 suggestions"
    with EditLog.open(db.log.path) as log:
        assert script_key(db.scripts["mine"]) not in {s["path"] for s in log.scripts()}
        assert log.counts() == {"scripts": 3, "requests": 3, "suggestions": 3, "comparisons": 0}
    again = sw("log", "forget", "--script", db.scripts["mine"], "--db", db.log.path)
    assert again.returncode == 0 and "has nothing about" in again.stdout
    assert db.scripts["mine"].read_text(encoding="utf-8").startswith("INT. DINER")  # the script itself stays


def test_a_broken_log_file_is_reported_without_a_traceback(tmp_path):
    bad = tmp_path / "broken.db"
    bad.write_text("not a database " * 100)
    out = sw("log", "show", "--db", bad)
    assert out.returncode == 1
    assert "not an SQLite database" in out.stderr and "Traceback" not in out.stderr
