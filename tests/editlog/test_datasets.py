"""Dataset exports: every format's exact fields (loaded back), filters, de-duplication, split, balance, card."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from logdata import SCENE, build, suggest, write_script

from engine.editlog import EditLog, Filters
from engine.editlog.datasets import ExportError, export, in_validation

PROMPT_PREFIX = "Continue the screenplay.\n\n"
FULL_PROMPT = PROMPT_PREFIX + SCENE


def load_jsonl(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def run_export(b, tmp_path, fmt, **kw) -> tuple[list, Path]:
    out = tmp_path / f"out-{fmt}-{len(list(tmp_path.iterdir()))}"
    filters = kw.pop("filters", None)
    export(b.log, out, fmt, filters, val_fraction=kw.pop("val_fraction", 0.0), **kw)
    if fmt == "csv":
        with open(out / "train.csv", encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh)), out
    return load_jsonl(out / "train.jsonl"), out


@pytest.fixture
def built(tmp_path):
    b = build(tmp_path)
    yield b
    b.log.close()


def test_sft_is_trl_conversational(built, tmp_path):
    rows, out = run_export(built, tmp_path, "sft")
    assert len(rows) == 4  # whole, edited, part, licensed: the ones with a writer's text, mine or licensed
    for row in rows:
        assert list(row) == ["messages"]
        assert isinstance(row["messages"], list)
        for message in row["messages"]:
            assert list(message) == ["role", "content"]
            assert isinstance(message["content"], str)
        assert [m["role"] for m in row["messages"]][-2:] == ["user", "assistant"]
    by_answer = {row["messages"][-1]["content"]: row["messages"] for row in rows}
    assert set(by_answer) == {"She locks the door.", "He orders tea.", "The lights flicker.",
                              "DETECTIVE RUIZ enters, soaked."}
    # the request with recorded instructions splits them off as the system message
    assert by_answer["He orders tea."] == [
        {"role": "system", "content": "Continue the screenplay."},
        {"role": "user", "content": SCENE},
        {"role": "assistant", "content": "He orders tea."},
    ]
    assert by_answer["She locks the door."][0] == {"role": "user", "content": FULL_PROMPT}
    assert not (out / "validation.jsonl").exists()


def test_openai_chat_jsonl(built, tmp_path):
    rows, _ = run_export(built, tmp_path, "openai")
    assert len(rows) == 4
    for row in rows:
        assert list(row) == ["messages"]
        assert row["messages"][-1]["role"] == "assistant"
        assert {m["role"] for m in row["messages"]} <= {"system", "user", "assistant"}


def test_prompt_completion(built, tmp_path):
    rows, _ = run_export(built, tmp_path, "prompt-completion")
    assert len(rows) == 4
    for row in rows:
        assert list(row) == ["prompt", "completion"]
        assert isinstance(row["prompt"], str) and isinstance(row["completion"], str)
    assert {r["completion"] for r in rows} == {"She locks the door.", "He orders tea.", "The lights flicker.",
                                                "DETECTIVE RUIZ enters, soaked."}
    assert all(r["prompt"] == FULL_PROMPT for r in rows)


def test_dpo_pairs_final_text_against_raw_suggestion_where_they_differ(built, tmp_path):
    rows, _ = run_export(built, tmp_path, "dpo")
    for row in rows:
        assert list(row) == ["prompt", "chosen", "rejected"]
        assert all(isinstance(v, str) for v in row.values())
        assert row["chosen"] != row["rejected"]
    assert {(r["chosen"], r["rejected"]) for r in rows} == {
        ("He orders tea.", "He orders coffee, black."),
        ("The lights flicker.", "The lights flicker. Rain hammers the glass."),
        ("DETECTIVE RUIZ enters, soaked.", "DETECTIVE RUIZ enters."),
    }


def test_kto_unpaired_labels(built, tmp_path):
    rows, _ = run_export(built, tmp_path, "kto")
    for row in rows:
        assert list(row) == ["prompt", "completion", "label"]
        assert isinstance(row["label"], bool)
    got = sorted((r["completion"], r["label"]) for r in rows)
    assert got == sorted([
        ("She locks the door.", True),
        ("He orders tea.", True), ("He orders coffee, black.", False),
        ("The lights flicker.", True), ("The lights flicker. Rain hammers the glass.", False),
        ("A spaceship lands outside.", False),
        ("DETECTIVE RUIZ enters, soaked.", True), ("DETECTIVE RUIZ enters.", False),
    ])
    accepted_only, _ = run_export(built, tmp_path, "kto", filters=Filters(accepted_only=True))
    assert ("A spaceship lands outside.", False) not in {(r["completion"], r["label"]) for r in accepted_only}
    assert len(accepted_only) == 7


def test_csv_id_prompt_response(built, tmp_path):
    rows, _ = run_export(built, tmp_path, "csv")
    assert rows[0] == ["id", "prompt", "response"]
    body = rows[1:]
    assert len(body) == 4
    assert {r[0] for r in body} == {built.ids[k] for k in ("whole", "edited", "part", "licensed")}
    assert {r[2] for r in body} == {"She locks the door.", "He orders tea.", "The lights flicker.",
                                    "DETECTIVE RUIZ enters, soaked."}
    assert all(r[1] == FULL_PROMPT for r in body)  # newlines survive the CSV round trip


def test_only_scripts_marked_mine_or_licensed_are_exported(built, tmp_path):
    for fmt in ("sft", "kto", "csv", "dpo"):
        _, out = run_export(built, tmp_path, fmt)
        text = "".join(p.read_text(encoding="utf-8") for p in out.iterdir() if p.name != "README.md")
        assert "A pie hits the wall." not in text  # not mine
        assert "Quiet" not in text  # unmarked
    built.log.mark_script(built.scripts["licensed"], "not_mine")
    rows, _ = run_export(built, tmp_path, "sft")
    assert "DETECTIVE RUIZ enters, soaked." not in {r["messages"][-1]["content"] for r in rows}


def _answers(rows):
    return {r["completion"] for r in rows}


def test_filters(built, tmp_path):
    def pc(**filters):
        return _answers(run_export(built, tmp_path, "prompt-completion", filters=Filters(**filters))[0])

    assert pc(scripts=(str(built.scripts["licensed"]),)) == {"DETECTIVE RUIZ enters, soaked."}
    assert pc(models=("smollm2-135m",)) == {"The lights flicker."}
    assert pc(prompts=("continue@2",)) == {"DETECTIVE RUIZ enters, soaked."}
    assert pc(prompts=("continue@1",)) == {"She locks the door.", "He orders tea.", "The lights flicker."}
    assert pc(since="2026-02-01T00:00:00Z") == {"The lights flicker.", "DETECTIVE RUIZ enters, soaked."}
    assert pc(until="2026-01-25") == {"She locks the door.", "He orders tea."}
    assert pc(since="2026-01-10", until="2026-02-15") == {"He orders tea.", "The lights flicker."}
    assert pc(min_rating=3) == {"She locks the door."}  # mean of (4, 4, 5); (2, 3) and unrated left out
    with pytest.raises(ExportError, match="no suggestion matches"):
        run_export(built, tmp_path, "sft", filters=Filters(models=("no-such-model",)))


def test_duplicates_are_removed(built, tmp_path):
    mine = built.scripts["mine"]
    for _ in range(2):
        suggest(built.log, mine, "She locks the door.", state="accepted", final="She locks the door.")
    rows, out = run_export(built, tmp_path, "sft")
    assert len(rows) == 4
    assert "duplicates removed: 2" in (out / "README.md").read_text(encoding="utf-8")


def _many(tmp_path, n=200) -> EditLog:
    log = EditLog.open(tmp_path / "many.db")
    script = write_script(tmp_path, "many.fountain")
    log.mark_script(script, "mine")
    for i in range(n):
        rid = log.record_request(script=script, script_text=SCENE, cursor=(0, 0), model="m",
                                 prompt=f"prompt {i}", id=f"r{i:04d}")
        sid = log.record_suggestion(rid, f"raw {i}", 0, id=f"s{i:04d}")
        log.mark(sid, "accepted")
        log.record_final(sid, f"final {i}")
    return log


def test_split_is_a_hash_of_the_id_and_the_same_every_time(tmp_path):
    log = _many(tmp_path)
    try:
        export(log, tmp_path / "a", "csv", val_fraction=0.2)
        export(log, tmp_path / "b", "csv", val_fraction=0.2)
        for name in ("train.csv", "validation.csv"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        with open(tmp_path / "a" / "validation.csv", encoding="utf-8", newline="") as fh:
            val_ids = {row["id"] for row in csv.DictReader(fh)}
        with open(tmp_path / "a" / "train.csv", encoding="utf-8", newline="") as fh:
            train_ids = {row["id"] for row in csv.DictReader(fh)}
        expected = {f"s{i:04d}" for i in range(200)
                    if int.from_bytes(hashlib.sha256(f"s{i:04d}".encode()).digest()[:8], "big") / 2**64 < 0.2}
        assert val_ids == expected and train_ids == {f"s{i:04d}" for i in range(200)} - expected
        assert 0 < len(val_ids) < 200
        assert all(in_validation(i, 0.2) for i in val_ids)
        # rows made from one suggestion stay in one split (KTO: the writer's text and the raw suggestion)
        export(log, tmp_path / "k", "kto", val_fraction=0.2)
        train = {r["prompt"] for r in load_jsonl(tmp_path / "k" / "train.jsonl")}
        val = {r["prompt"] for r in load_jsonl(tmp_path / "k" / "validation.jsonl")}
        assert len(val) == len(expected) and not train & val
        # a larger fraction only moves suggestions from train to validation
        export(log, tmp_path / "c", "csv", val_fraction=0.5)
        with open(tmp_path / "c" / "validation.csv", encoding="utf-8", newline="") as fh:
            assert val_ids <= {row["id"] for row in csv.DictReader(fh)}
    finally:
        log.close()


def test_balance_by_genre(built, tmp_path):
    rows, out = run_export(built, tmp_path, "sft", balance_genre=True)
    # drama has three suggestions with a writer's text, thriller one: one of each is kept
    answers = [r["messages"][-1]["content"] for r in rows]
    assert len(answers) == 2 and "DETECTIVE RUIZ enters, soaked." in answers
    again, _ = run_export(built, tmp_path, "sft", balance_genre=True)
    assert again == rows
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "genres: drama (1), thriller (1)" in card
    assert "balanced by genre: 2 row(s) left out" in card


def test_dataset_card(built, tmp_path):
    out = tmp_path / "card"
    result = export(built.log, out, "dpo", Filters(accepted_only=True), val_fraction=0.0)
    card = (out / "README.md").read_text(encoding="utf-8")
    front, body = card.split("---\n")[1], card.split("---\n", 2)[2]
    assert "license: other" in front and "- split: train" in front and 'path: "train.jsonl"' in front
    assert "| train | train.jsonl | 3 |" in body
    assert "3 suggestions from 2 script(s)" in body
    assert "genres: drama (2), thriller (1)" in body
    assert "models: gemma3-270m (2; weights sha256 abababababab), smollm2-135m (1; weights sha256 abababababab)" in body
    assert "prompt versions: continue@1 (2), continue@2 (1)" in body
    assert "filters: accepted suggestions only" in body
    assert "Only scripts the writer marked as their own or licensed" in body
    assert "2 other script(s) in the log (unmarked or marked not the writer's) were left out" in body
    assert result.files == [out / "train.jsonl"] and result.card == out / "README.md"


def _sw(*args):
    return subprocess.run([sys.executable, "-m", "tui.main", *map(str, args)], capture_output=True, text=True)


def test_export_command(built, tmp_path):
    db = built.log.path
    out = tmp_path / "cli"
    done = _sw("dataset", "export", "--format", "dpo", "-o", out, "--db", db, "--val-fraction", "0")
    assert done.returncode == 0, done.stderr
    assert f"Wrote {out / 'train.jsonl'} (3 rows)" in done.stdout
    assert ("3 suggestions from 2 scripts; 0 duplicates removed; 2 scripts not marked yours or licensed left out"
            in done.stdout)
    assert [list(r) for r in load_jsonl(out / "train.jsonl")] == [["prompt", "chosen", "rejected"]] * 3
    bad = _sw("dataset", "export", "--format", "sft", "-o", out, "--db", db, "--since", "yesterday")
    assert bad.returncode == 1 and "'yesterday' is not a date" in bad.stderr and "Traceback" not in bad.stderr
    empty = _sw("dataset", "export", "--format", "sft", "-o", tmp_path / "none", "--db", tmp_path / "empty.db")
    assert empty.returncode == 1 and "the edit log is empty" in empty.stderr
    assert not (tmp_path / "none").exists()
    wrong = _sw("dataset", "export", "--format", "alpaca", "-o", out, "--db", db)
    assert wrong.returncode == 2 and "invalid choice: 'alpaca'" in wrong.stderr
