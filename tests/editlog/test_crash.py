"""A killed writer process and a full disk leave a sound log (and never touch the script)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from logdata import SCENE, Stats, write_script

from engine.editlog import DiskFull, EditLog, EditLogWriter

# Writes request after request (a few KB of prompt each, three alternatives, decisions, ratings) and
# prints how many iterations are flushed; it stops by itself after 100,000.
CHILD = r"""
import sys
from engine.editlog import EditLog, EditLogWriter
path, script, mode, start = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
text = open(script, encoding="utf-8").read()
sink = EditLogWriter(path) if mode == "writer" else EditLog.open(path)
for i in range(start, start + 100_000):
    rid = sink.record_request(script=script, script_text=text, cursor=(i % 40, 0), model="gemma3-270m",
                              prompt=f"request {i}\n" + text * 30, prompt_id="continue", prompt_version=1,
                              sampling={"temperature": 0.4}, seed=i)
    sids = [sink.record_suggestion(rid, f"alternative {k} of {i}", k) for k in range(3)]
    sink.mark(sids[0], "accepted")
    sink.record_final(sids[0], f"final {i}")
    sink.mark(sids[1], "rejected")
    sink.rate(sids[2], plot=3, tags=["t"])
    if mode == "writer":
        sink.flush()
    print(i + 1, flush=True)
"""


@pytest.mark.parametrize("mode", ["writer", "direct"])
def test_killing_a_writing_process_leaves_a_sound_log(tmp_path, mode):
    script = write_script(tmp_path, "a.fountain")
    original = script.read_bytes()
    path = tmp_path / "log.db"
    acknowledged = 0  # iterations the children reported as written, all rounds together
    start = 0
    for round_ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(script), mode, str(start)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(15 + 10 * round_):
            line = child.stdout.readline()
            assert line, child.stderr.read()
            acknowledged += 1
        os.kill(child.pid, signal.SIGKILL)  # while it goes on writing
        child.wait()
        child.stdout.close()
        child.stderr.close()
        assert child.returncode == -signal.SIGKILL
        with EditLog.open(path) as log:
            assert log.integrity_check() == "ok"
            assert log.db.execute("PRAGMA foreign_key_check").fetchall() == []
            requests = log.db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
            complete = log.db.execute(
                "SELECT COUNT(*) FROM suggestions WHERE state = 'edited' AND final_text LIKE 'final %'"
            ).fetchone()[0]
            # every iteration reported before the kill was committed
            assert requests >= acknowledged and complete >= acknowledged
            # every transaction is whole: no half-made row
            assert log.db.execute(
                "SELECT COUNT(*) FROM suggestions WHERE text NOT LIKE 'alternative _ of %'").fetchone()[0] == 0
        start = requests  # the next child numbers its requests on from what is there
    assert script.read_bytes() == original


def _fill(log: EditLog, script, extra_pages: int = 3) -> None:
    pages = log.db.execute("PRAGMA page_count").fetchone()[0]
    log.db.execute(f"PRAGMA max_page_count = {pages + extra_pages}")


def test_a_full_disk_gives_a_clear_error_and_loses_nothing_else(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    original, mtime = script.read_bytes(), script.stat().st_mtime_ns
    with EditLog.open(tmp_path / "log.db") as log:
        rid = log.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="small")
        sid = log.record_suggestion(rid, "kept", 0)
        log.mark(sid, "accepted")
        before = log.counts()
        _fill(log, script)
        with pytest.raises(DiskFull) as caught:
            for _ in range(50):
                log.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="x" * 50_000)
        message = str(caught.value)
        assert "disk is full" in message and str(log.path) in message and "script is not affected" in message
        assert log.integrity_check() == "ok"
        assert log.counts()["suggestions"] == before["suggestions"]
        assert log.suggestion(sid)["state"] == "accepted"
        # once there is room again, writing goes on
        log.db.execute("PRAGMA max_page_count = 1073741823")
        log.record_final(sid, "kept, and edited")
    with EditLog.open(tmp_path / "log.db") as log:
        assert log.integrity_check() == "ok"
        assert log.suggestion(sid)["final_text"] == "kept, and edited"
    assert script.read_bytes() == original and script.stat().st_mtime_ns == mtime


def test_a_full_disk_under_the_writer_is_reported_and_the_writer_goes_on(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    log = EditLog.open(tmp_path / "log.db")
    errors = []
    writer = EditLogWriter(on_error=errors.append, log_=log)
    rid = writer.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="small")
    writer.flush()
    _fill(log, script)
    big = [writer.record_suggestion(rid, "y" * 60_000, i, stats=Stats(1.0, 1.0, 1, 1)) for i in range(10)]
    writer.flush()
    assert errors and all(isinstance(e, DiskFull) for e in errors)
    log.db.execute("PRAGMA max_page_count = 1073741823")
    after = writer.record_suggestion(rid, "room again", 99)
    writer.close()
    with EditLog.open(tmp_path / "log.db") as check:
        assert check.integrity_check() == "ok"
        assert check.suggestion(after)["text"] == "room again"
        stored = check.db.execute("SELECT COUNT(*) FROM suggestions WHERE idx < 10").fetchone()[0]
        assert stored == 10 - len(errors)
        assert {s for s in big} >= {r[0] for r in check.db.execute("SELECT id FROM suggestions WHERE idx < 10")}
