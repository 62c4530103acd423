"""The background writer: calls return at once with ids, are written in order, failures are reported."""

from __future__ import annotations

import sqlite3

import pytest
from logdata import SCENE, Stats, write_script

from engine.editlog import EditLog, EditLogError, EditLogWriter, UnknownId, select_records


def test_calls_return_ids_at_once_and_are_written_in_order(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    errors = []
    with EditLogWriter(tmp_path / "log.db", on_error=errors.append) as writer:
        rid = writer.record_request(script=script, script_text=SCENE, cursor=(1, 0), model="m", prompt="p",
                                    prompt_id="continue", prompt_version=1)
        sids = [writer.record_suggestion(rid, f"text {i}", i, stats=Stats(10.0, 50.0, 100, 5)) for i in range(3)]
        writer.mark(sids[0], "accepted", inserted_at=(0, 6, 0, 0))
        writer.record_final(sids[0], "text zero")
        writer.mark(sids[1], "rejected")
        writer.rate(sids[1], plot=2, tags=["flat"])
        cid = writer.record_comparison(sids[0], sids[2])
        writer.pick(cid, "A")
        assert writer.flush()
        assert errors == []
    with EditLog.open(tmp_path / "log.db") as log:
        records = {r.suggestion_id: r for r in select_records(log)}
        assert [records[s].state for s in sids] == ["edited", "rejected", "shown"]
        assert records[sids[1]].plot == 2 and records[sids[1]].tags == ("flat",)
        assert log.db.execute("SELECT generated_tokens FROM requests").fetchone()[0] == 15
        assert log.db.execute("SELECT winner FROM comparisons WHERE id = ?", [cid]).fetchone()[0] == "A"


def test_a_held_database_lock_never_blocks_the_caller(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    path = tmp_path / "log.db"
    EditLog.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    writer = EditLogWriter(path)
    try:
        rid = writer.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="p")
        sid = writer.record_suggestion(rid, "queued", 0)
        # the calls have returned their ids while nothing could be written yet
        assert other.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0] == 0
        other.execute("ROLLBACK")
        assert writer.flush()
    finally:
        writer.close()
        other.close()
    with EditLog.open(path) as log:
        assert log.suggestion(sid)["text"] == "queued"
    assert writer.errors == type(writer.errors)()


def test_failures_go_to_on_error_and_the_writer_goes_on(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    errors: list[EditLogError] = []
    with EditLogWriter(tmp_path / "log.db", on_error=errors.append) as writer:
        writer.mark("no-such-suggestion", "accepted")
        writer.rate("no-such-suggestion", plot=9)
        rid = writer.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="p")
        sid = writer.record_suggestion(rid, "still written", 0)
        writer.flush()
    assert isinstance(errors[0], UnknownId)
    assert "from 1 to 5" in str(errors[1])
    assert len(errors) == 2 and list(writer.errors) == errors
    with EditLog.open(tmp_path / "log.db") as log:
        assert log.suggestion(sid)["text"] == "still written"


def test_a_closed_writer_refuses_new_calls(tmp_path):
    writer = EditLogWriter(tmp_path / "log.db")
    writer.close()
    assert writer.flush()
    with pytest.raises(EditLogError, match="closed"):
        writer.mark("x", "accepted")
    with EditLogWriter(tmp_path / "log2.db") as other:
        with pytest.raises(AttributeError):
            other.put("_writing", "x")
        with pytest.raises(AttributeError):
            other.put("no_such_method")


def test_a_log_that_cannot_be_opened_is_reported_once_and_calls_are_dropped(tmp_path):
    bad = tmp_path / "log.db"
    bad.write_text("not a database " * 100)
    errors = []
    writer = EditLogWriter(bad, on_error=errors.append)  # returns at once; the thread finds out
    rid = writer.record_request(script=tmp_path / "a.fountain", script_text="", cursor=(0, 0), model="m", prompt="p")
    writer.record_suggestion(rid, "dropped", 0)
    assert writer.flush()
    writer.close()
    assert len(errors) == 1 and "not an SQLite database" in str(errors[0])
    assert writer.unavailable is errors[0]
    assert bad.read_text().startswith("not a database")
