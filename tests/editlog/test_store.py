"""The edit log store on real SQLite files: recording, decisions, ratings, final text, forgetting."""

from __future__ import annotations

import sqlite3

import pytest
from logdata import SCENE, Stats, build, suggest, write_script

from engine.editlog import (
    SCHEMA_VERSION,
    EditLog,
    EditLogError,
    Insertion,
    UnknownId,
    blind_pair,
    content_hash,
    default_path,
    model_file_hash,
    script_key,
    select_records,
)
from engine.paths import data_dir


def test_default_log_lives_in_the_data_dir_in_wal_mode_with_foreign_keys():
    with EditLog.open() as log:
        assert log.path == data_dir() / "editlog.sqlite3" == default_path()
        assert log.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert log.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert log.schema_version == SCHEMA_VERSION
        assert log.integrity_check() == "ok"
    assert (data_dir() / "editlog.sqlite3").is_file()


def test_a_request_records_everything_asked(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF" + bytes(100))
    with EditLog.open(tmp_path / "log.db") as log:
        rid = log.record_request(
            script=script, script_text=SCENE, cursor=(3, 7), scene="INT. DINER - NIGHT", scene_index=0,
            model="gemma3-270m", model_hash=model_file_hash(weights), prompt="PROMPT TEXT", prompt_id="continue",
            prompt_version=3, sampling={"temperature": 0.4, "top_k": 40}, seed=99, ttft_ms=120.5,
            tokens_per_s=80.0, prompt_tokens=512, generated_tokens=60,
        )
        row = dict(zip(
            [d[0] for d in log.db.execute("SELECT * FROM requests").description],
            log.db.execute("SELECT * FROM requests WHERE id = ?", [rid]).fetchone(),
        ))
        path = log.db.execute("SELECT path FROM scripts").fetchone()[0]
    assert path == str(script.resolve())
    assert row["script_hash"] == content_hash(SCENE)
    assert (row["cursor_line"], row["cursor_column"]) == (3, 7)
    assert (row["scene"], row["scene_index"]) == ("INT. DINER - NIGHT", 0)
    assert row["model_hash"] == __import__("hashlib").sha256(b"GGUF" + bytes(100)).hexdigest()
    assert (row["prompt_id"], row["prompt_version"], row["prompt"]) == ("continue", 3, "PROMPT TEXT")
    assert row["sampling"] == '{"temperature": 0.4, "top_k": 40}'
    assert (row["seed"], row["ttft_ms"], row["tokens_per_s"]) == (99, 120.5, 80.0)
    assert (row["prompt_tokens"], row["generated_tokens"]) == (512, 60)
    assert row["created_at"].endswith("Z")


def test_request_stats_come_from_the_alternatives_when_not_given(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    with EditLog.open(tmp_path / "log.db") as log:
        rid = log.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="p")
        log.record_suggestion(rid, "one", 0, stats=Stats(150.0, 90.0, 300, 20))
        log.record_suggestion(rid, "two", 1, stats=Stats(40.0, 95.0, 300, 25))
        given = log.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m", prompt="p",
                                   ttft_ms=10.0, generated_tokens=7)
        log.record_suggestion(given, "three", 0, stats=Stats(150.0, 90.0, 300, 20))
        rows = dict(log.db.execute("SELECT id, ttft_ms || '/' || generated_tokens FROM requests").fetchall())
        per = log.db.execute("SELECT idx, ttft_ms, generated_tokens FROM suggestions WHERE request_id = ? "
                             "ORDER BY idx", [rid]).fetchall()
    assert rows[rid] == "150.0/45"  # first alternative's time to first token, tokens of both
    assert rows[given] == "10.0/7"  # what record_request was given stays
    assert per == [(0, 150.0, 20), (1, 40.0, 25)]


def test_decisions_ratings_and_final_text(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    with EditLog.open(tmp_path / "log.db") as log:
        whole = suggest(log, script, "kitten", state="accepted")
        s = log.suggestion(whole)
        assert (s["state"], s["accepted_text"], s["partial"]) == ("accepted", "kitten", 0)
        assert (s["insert_start"], s["insert_end"], s["insert_line"], s["insert_end_line"]) == (
            len(SCENE), len(SCENE) + 6, 4, 5)
        # Levenshtein("kitten", "sitting") = 3, longer length 7
        assert log.record_final(whole, "sitting") == pytest.approx(3 / 7)
        assert log.suggestion(whole)["state"] == "edited"
        assert log.record_final(whole, "kitten") == 0.0  # written back as it was: accepted again
        assert log.suggestion(whole)["state"] == "accepted"

        part = suggest(log, script, "The lights flicker. Rain falls.", state="accepted_part",
                       accepted_text="The lights flicker.")
        log.record_final(part, "The lights flicker.")
        assert log.suggestion(part)["state"] == "accepted_part"
        log.record_final(part, "The lights die.")
        s = log.suggestion(part)
        assert (s["state"], s["partial"], s["final_text"]) == ("edited", 1, "The lights die.")

        rejected = suggest(log, script, "Aliens.", state="rejected")
        with pytest.raises(EditLogError, match="rejected, not accepted"):
            log.record_final(rejected, "Aliens!")
        log.rate(rejected, plot=1, tags=["off tone", " off   tone ", "too long"])
        log.rate(rejected, tone=2)  # other ratings stay
        s = log.suggestion(rejected)
        assert (s["plot"], s["dialogue"], s["tone"], s["tags"]) == (1, None, 2, ["off tone", "too long"])
        for bad in (0, 6, 2.5, True):
            with pytest.raises(ValueError, match="from 1 to 5"):
                log.rate(rejected, dialogue=bad)
        with pytest.raises(ValueError):
            log.mark(rejected, "edited")
        with pytest.raises(ValueError):
            log.mark(rejected, "accepted_part")
        with pytest.raises(UnknownId):
            log.mark("nope", "accepted")
        with pytest.raises(UnknownId):
            log.record_suggestion("no-such-request", "x", 0)
        log.mark(whole, "rejected")  # a change of mind clears what the acceptance recorded
        s = log.suggestion(whole)
        assert (s["state"], s["accepted_text"], s["final_text"], s["insert_start"]) == ("rejected", None, None, None)


def test_insertion_in_another_script_and_as_a_dataclass(tmp_path):
    a, b = write_script(tmp_path, "a.fountain"), write_script(tmp_path, "b.fountain")
    with EditLog.open(tmp_path / "log.db") as log:
        sid = suggest(log, a, "Text.")
        log.mark(sid, "accepted", inserted_at=Insertion(5, 10, 1, 1, path=str(b)))
        assert log.suggestion(sid)["insert_path"] == script_key(b)


def test_comparisons_and_blind_order(tmp_path):
    import random

    script = write_script(tmp_path, "a.fountain")
    orders = {blind_pair("x", "y", random.Random(seed)) for seed in range(20)}
    assert orders == {("x", "y"), ("y", "x")}
    with EditLog.open(tmp_path / "log.db") as log:
        one = suggest(log, script, "one")
        two = suggest(log, script, "two", model="smollm2-135m")
        cid = log.record_comparison(one, two)
        log.pick(cid, "B")
        assert log.db.execute("SELECT winner FROM comparisons").fetchone()[0] == "B"
        log.pick(cid, None)
        assert log.db.execute("SELECT winner FROM comparisons").fetchone()[0] == "none"
        with pytest.raises(ValueError):
            log.pick(cid, "C")
        with pytest.raises(UnknownId):
            log.pick("nope", "A")


def test_forget_script_deletes_everything_about_it_and_overwrites_it(tmp_path):
    b = build(tmp_path)
    log = b.log
    secret = "SECRET-PLOT-TWIST-4711"
    marker = suggest(log, b.scripts["mine"], f"The butler did it. {secret}", state="accepted",
                     final=f"The butler did it! {secret}", prompt=f"prompt with {secret}",
                     ratings={"plot": 5, "tags": [secret]})
    other = b.ids["licensed"]
    cid = log.record_comparison(marker, other)
    log.pick(cid, "A")
    before = log.counts()
    gone = log.forget_script(b.scripts["mine"])
    assert gone == {"scripts": 1, "requests": 6, "suggestions": 6, "comparisons": 1}
    after = log.counts()
    assert after == {"scripts": before["scripts"] - 1, "requests": before["requests"] - 6,
                     "suggestions": before["suggestions"] - 6, "comparisons": 0}
    assert script_key(b.scripts["mine"]) not in {s["path"] for s in log.scripts()}
    assert {r.suggestion_id for r in select_records(log)} == {b.ids["licensed"], b.ids["other"], b.ids["unmarked"]}
    assert log.integrity_check() == "ok"
    log.close()
    # nothing of it is left in the file or its WAL (secure_delete + checkpoint)
    for path in tmp_path.glob("log.sqlite3*"):
        assert secret.encode() not in path.read_bytes(), path
    with EditLog.open(tmp_path / "log.sqlite3") as again:
        assert again.forget_script(b.scripts["mine"]) == {"scripts": 0, "requests": 0, "suggestions": 0,
                                                           "comparisons": 0}


def test_mark_script_keeps_genre_unless_given(tmp_path):
    script = write_script(tmp_path, "a.fountain")
    with EditLog.open(tmp_path / "log.db") as log:
        log.mark_script(script, "mine", genre="noir")
        log.mark_script(script, "licensed")
        [s] = log.scripts()
        assert (s["usage"], s["genre"]) == ("licensed", "noir")
        with pytest.raises(ValueError):
            log.mark_script(script, "theirs")


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path):
    bad = tmp_path / "log.db"
    bad.write_bytes(b"this is not sqlite at all, just some text " * 50)
    with pytest.raises(EditLogError, match="not an SQLite database"):
        EditLog.open(bad)
    assert bad.read_bytes().startswith(b"this is not sqlite")  # left as it was


def test_a_log_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "log.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(EditLogError, match="newer Scenewright"):
        EditLog.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    conn.close()
