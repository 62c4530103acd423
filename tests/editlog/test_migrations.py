"""Schema versions: a log written at the first schema is brought up to date with its data intact."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from logdata import SCENE, write_script

from engine.editlog import MIGRATIONS, SCHEMA_VERSION, EditLog, select_records
from engine.editlog.schema import migrate, version

# The first schema as released: step 1 must never change (a change would leave old logs behind).
V1_TABLES = {
    "scripts": ["id", "path", "usage", "genre", "created_at", "marked_at"],
    "requests": [
        "id", "script_id", "script_hash", "scene_index", "scene", "cursor_line", "cursor_column", "model",
        "model_hash", "prompt_id", "prompt_version", "prompt", "system_chars", "sampling", "seed", "ttft_ms",
        "tokens_per_s", "prompt_tokens", "generated_tokens", "created_at",
    ],
    "suggestions": [
        "id", "request_id", "idx", "text", "seed", "finish_reason", "ttft_ms", "tokens_per_s", "generated_tokens",
        "state", "partial", "accepted_text", "insert_path", "insert_start", "insert_end", "insert_line",
        "insert_end_line", "final_text", "edit_distance", "plot", "dialogue", "tone", "tags", "created_at",
        "decided_at", "final_at", "rated_at",
    ],
}


def _first_schema_log(path, script) -> None:
    """A log as Scenewright with schema 1 left it, written with plain SQL."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, target=1)
    assert version(db) == 1
    with db.atomic():
        db.execute("INSERT INTO scripts (id, path, usage, genre, created_at) VALUES "
                   "(1, ?, 'mine', 'drama', '2025-12-01T10:00:00.000Z')", [str(script.resolve())])
        db.execute(
            "INSERT INTO requests (id, script_id, script_hash, cursor_line, cursor_column, model, prompt, prompt_id, "
            "prompt_version, sampling, seed, ttft_ms, created_at) VALUES ('r1', 1, 'h', 3, 0, 'gemma3-270m', "
            "'PROMPT', 'continue', 1, '{\"temperature\": 0.4}', 5, 210.0, '2025-12-01T10:00:01.000Z')"
        )
        db.execute(
            "INSERT INTO suggestions (id, request_id, idx, text, state, accepted_text, final_text, edit_distance, "
            "plot, tags, created_at) VALUES ('s1', 'r1', 0, 'She runs.', 'edited', 'She runs.', 'She walks.', "
            "0.4, 4, '[\"good\"]', '2025-12-01T10:00:02.000Z'), "
            "('s2', 'r1', 1, 'He waits.', 'shown', NULL, NULL, NULL, NULL, '[]', '2025-12-01T10:00:03.000Z')"
        )
    db.conn.close()


def test_the_first_schema_is_frozen(tmp_path):
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "v1.db"))
    migrate(db, target=1)
    assert {name: [c.name for c in db[name].columns] for name in db.table_names()} == V1_TABLES


def test_steps_are_ordered_functions_one_per_version():
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 2
    assert [step.__name__ for step in MIGRATIONS] == [f"_v{i}" for i in range(1, SCHEMA_VERSION + 1)]


def test_a_first_schema_log_is_upgraded_with_its_data(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    path = tmp_path / "log.db"
    _first_schema_log(path, script)
    with EditLog.open(path) as log:
        assert log.schema_version == SCHEMA_VERSION
        assert "comparisons" in log.db.table_names()
        indexes = {i.name for t in ("requests", "comparisons") for i in log.db[t].indexes}
        assert {"requests_script", "requests_created", "requests_model", "comparisons_a"} <= indexes
        [s1, s2] = select_records(log)
        assert (s1.suggestion_id, s1.state, s1.final_text, s1.edit_distance, s1.plot, s1.tags) == (
            "s1", "edited", "She walks.", 0.4, 4, ("good",))
        assert (s1.usage, s1.genre, s1.model, s1.prompt_ref, s1.ttft_ms) == (
            "mine", "drama", "gemma3-270m", "continue@1", 210.0)
        assert s2.state == "shown"
        # the new version's features work on the old data
        cid = log.record_comparison("s1", "s2")
        log.pick(cid, "A")
        rid = log.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="p")
        log.record_suggestion(rid, "new", 0)
        assert log.integrity_check() == "ok"
        assert log.db.execute("PRAGMA foreign_key_check").fetchall() == []
    with EditLog.open(path) as again:  # opening an up-to-date log migrates nothing
        assert again.schema_version == SCHEMA_VERSION
        assert migrate(again.db) == []


def test_each_step_commits_with_its_version(tmp_path):
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "steps.db"))
    assert migrate(db, target=1) == [1]
    assert version(db) == 1 and "comparisons" not in db.table_names()
    assert migrate(db) == list(range(2, SCHEMA_VERSION + 1))
    assert version(db) == SCHEMA_VERSION
