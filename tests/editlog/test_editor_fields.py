"""What the editor leaves to the writer's thread (finding the scene, hashing the model file), the
error that says the log cannot be opened, and the A/B table for two samples of one variant."""

from __future__ import annotations

import os

import pytest
from logdata import write_script

from engine.editlog import EditLog, EditLogError, EditLogWriter, LogUnavailable, model_file_hash, scene_at
from engine.editlog.evaluation import ABResult, ABSummary, ab_table

SCRIPT = (
    "Title: Lighthouse\n\n"
    "INT. LIGHTHOUSE - NIGHT\n\nThe lamp turns.\n\n"
    ".THE STAIRS\n\nMARA climbs.\n\n"
    "EXT. ROCKS - DAWN\n\nGulls.\n"
)


def test_scene_at_finds_the_heading_before_the_cursor():
    lines = SCRIPT.split("\n")
    assert scene_at(SCRIPT, (0, 0)) == (None, None)  # the title page
    assert scene_at(SCRIPT, (lines.index("The lamp turns."), 3)) == (0, "INT. LIGHTHOUSE - NIGHT")
    assert scene_at(SCRIPT, (lines.index("MARA climbs."), 0)) == (1, "THE STAIRS")  # a forced heading
    assert scene_at(SCRIPT, (len(lines) - 1, 0)) == (2, "EXT. ROCKS - DAWN")
    assert scene_at(SCRIPT, (lines.index("EXT. ROCKS - DAWN"), 0)) == (2, "EXT. ROCKS - DAWN")


def test_the_writer_thread_finds_the_scene_and_hashes_the_model(tmp_path):
    script = write_script(tmp_path, "a.fountain", SCRIPT)
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF" + bytes(1000))
    row = SCRIPT.split("\n").index("MARA climbs.")
    with EditLogWriter(tmp_path / "log.db") as writer:
        rid = writer.record_request(script=script, script_text=SCRIPT, cursor=(row, 4), model="m", prompt="p",
                                    locate_scene=True, model_path=weights)
        bare = writer.record_request(script=script, script_text=SCRIPT, cursor=(row, 4), model="m", prompt="p",
                                     model_path=tmp_path / "gone.gguf")
        assert writer.flush()
        assert list(writer.errors) == []
    with EditLog.open(tmp_path / "log.db") as log:
        got = log.db.execute("SELECT scene_index, scene, model_hash FROM requests WHERE id = ?", [rid]).fetchone()
        plain = log.db.execute("SELECT scene_index, scene, model_hash FROM requests WHERE id = ?", [bare]).fetchone()
    assert got == (1, "THE STAIRS", model_file_hash(weights))
    assert plain == (None, None, None)  # not asked to find the scene; a model file that is gone: no hash


def test_a_log_that_cannot_be_opened_is_reported_once_as_unavailable(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    errors: list[EditLogError] = []
    writer = EditLogWriter(blocker / "editlog.sqlite3", on_error=errors.append)
    writer.record_request(script=tmp_path / "a.fountain", script_text="", cursor=(0, 0), model="m", prompt="p")
    assert writer.flush()
    writer.close()
    [error] = errors
    assert isinstance(error, LogUnavailable) and writer.unavailable is error
    assert str(error).startswith(f"edit log {blocker / 'editlog.sqlite3'}: cannot create its folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_named(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(EditLogError, match="its folder .* is read-only"):
            EditLog.open(folder / "editlog.sqlite3")
    finally:
        folder.chmod(0o755)


def test_ab_table_names_two_samples_of_one_variant():
    same = ABResult("m continue@1", "m continue@1", 1, 2, 0, 1 / 3, 0.06, 0.79)
    other = ABResult("m continue@1", "m continue@2", 2, 1, 1, 2 / 3, 0.21, 0.94)
    table = ab_table(ABSummary([same, other], 6, 3))
    assert "  m continue@1, two samples: A vs B: 1-2  33% [6%, 79%]" in table
    assert "  m continue@1  vs  m continue@2: 2-1 (1 neither)  67% [21%, 94%]" in table


def test_a_model_hash_found_later_fills_the_requests_without_one(tmp_path):
    script = write_script(tmp_path, "a.fountain", SCRIPT)
    with EditLog.open(tmp_path / "log.db") as log:
        early = log.record_request(script=script, script_text=SCRIPT, cursor=(0, 0), model="m", prompt="p")
        other = log.record_request(script=script, script_text=SCRIPT, cursor=(0, 0), model="n", prompt="p")
        known = log.record_request(script=script, script_text=SCRIPT, cursor=(0, 0), model="m", prompt="p",
                                   model_hash="cd" * 32)
        assert log.set_model_hash("m", "ab" * 32) == 1
        hashes = dict(log.db.execute("SELECT id, model_hash FROM requests").fetchall())
    assert hashes == {early: "ab" * 32, other: None, known: "cd" * 32}
