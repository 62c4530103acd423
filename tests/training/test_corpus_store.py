"""The training corpus: cleaning PDF text, segmenting, deduplicating, licences, splits, stats, CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from engine.cli import main
from engine.corpus import Corpus, CorpusError, Metadata, clean_fountain, clean_layout_text, segments
from engine.corpus.clean import looks_like_layout_text
from engine.corpus.store import split_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "night-shift.fountain"
HELDOUT = ROOT / "benchmarks" / "heldout"

# what `pdftotext -layout` gives for two pages of a screenplay
LAYOUT = (
    "                                                        1.\n"
    "\n"
    "     INT. DINER - NIGHT\n"
    "\n"
    "     Rain on the windows. MARY (40s) wipes the counter.\n"
    "\n"
    "                         MARY\n"
    "               We're closed.\n"
    "\n"
    "                         JOE\n"
    "               Not to me you're not.\n"
    "                         (MORE)\n"
    "                                                   (CONTINUED)\n"
    "\f                                                        2.\n"
    "     CONTINUED:\n"
    "                         JOE (CONT'D)\n"
    "               I came a long way.\n"
    "\n"
    "     He sits.\n"
    "\n"
    "                         MARY\n"
    "                    (softening)\n"
    "               Coffee, then.\n"
    "\n"
    "                                                  CUT TO:\n"
)


def test_pdf_text_furniture_is_removed_and_the_layout_becomes_fountain():
    assert looks_like_layout_text(LAYOUT)
    text = clean_layout_text(LAYOUT)
    assert text == (
        "INT. DINER - NIGHT\n\n"
        "Rain on the windows. MARY (40s) wipes the counter.\n\n"
        "MARY\nWe're closed.\n\n"
        "JOE\nNot to me you're not.\nI came a long way.\n\n"  # one speech across the page break
        "He sits.\n\n"
        "MARY\n(softening)\nCoffee, then.\n\n"
        "CUT TO:\n"
    )
    for furniture in ("(MORE)", "CONT'D", "CONTINUED", "1.", "2."):
        assert furniture not in text


def test_running_headers_and_margin_scene_numbers_go():
    page = ("     DRAFT 3 - CONFIDENTIAL\n\n  {n}   INT. ROOM {n} - DAY   {n}\n\n     Someone waits.\n\n"
            "                         ANNA\n               Hello {n}.\n\n                                    {n}.\n")
    text = clean_layout_text("\f".join(page.format(n=n) for n in range(1, 5)))
    assert "DRAFT 3" not in text
    assert "INT. ROOM 3 - DAY" in text and "  3" not in text
    assert text.count("ANNA\nHello") == 4


def test_fountain_is_cleaned_of_title_page_notes_and_boneyard():
    text = clean_fountain("Title: X\nAuthor: Me\n\nINT. A - DAY\n\nHe waits. [[a note]]\n\n/* gone */\nEND.\n")
    assert text == "INT. A - DAY\n\nHe waits.\n\nEND.\n"


def test_segments_are_scenes_and_exchanges():
    text = clean_fountain(EXAMPLE.read_text(encoding="utf-8"))
    parts = segments(text)
    scenes = [p for p in parts if p.kind == "scene"]
    exchanges = [p for p in parts if p.kind == "exchange"]
    assert [s.heading for s in scenes][:2] == ["INT. LA ESTRELLA BAKERY - NIGHT", "EXT. FIFTH STREET TOW LOT - CONTINUOUS"]
    assert all(s.text.startswith(s.heading) for s in scenes)  # no scene of sections and synopses alone
    assert "".join(s.text for s in scenes).count("\n\n") > 10
    assert exchanges and all(e.text.count("\n\n") >= 1 for e in exchanges)
    for e in exchanges:  # an exchange is a run of speeches inside one scene
        assert any(e.text.strip() in s.text for s in scenes)


def test_add_dedupe_licence_split_and_stats(tmp_path):
    with Corpus.open(tmp_path / "c.sqlite3") as corpus:
        added = corpus.add(EXAMPLE, Metadata(genre="Drama", licence="own", runtime=5, source="bundled example"))
        assert added.trainable and added.scenes >= 5 and added.exchanges >= 1 and added.title == "Night Shift"
        with pytest.raises(CorpusError, match="already in the corpus as #1"):
            corpus.add(EXAMPLE, Metadata(genre="drama", licence="own"))
        # the same text, differently spaced and cased, is the same script
        with pytest.raises(CorpusError, match="already in the corpus"):
            corpus.add_text(clean_fountain(EXAMPLE.read_text()).upper().replace("\n\n", "\n\n\n"),
                            Metadata(title="copy", licence="own"))
        kept = corpus.add_text(clean_layout_text(LAYOUT), Metadata(title="Diner", genre="comedy",
                                                                   licence="all-rights-reserved"))
        assert not kept.trainable
        stats = {(r["genre"], r["licence"]): r for r in corpus.stats()}
        assert stats[("drama", "own")]["scenes"] == added.scenes and stats[("drama", "own")]["trainable"]
        assert not stats[("comedy", "all-rights-reserved")]["trainable"]
        # never trained on: the unlicensed script's scenes are not in any training unit
        assert all("We're closed" not in u.text for u in corpus.units("scene"))
        assert any("We're closed" in u.text for u in corpus.units("scene", trainable_only=False))
        # the split is the scene's own, and an exchange has its scene's
        for unit in corpus.units("scene"):
            import hashlib

            from engine.corpus.clean import normalised

            assert unit.split == split_of(hashlib.sha256(normalised(unit.text).encode()).hexdigest())
        assert corpus.remove(kept.script_id)
        assert corpus.conn.execute("SELECT COUNT(*) FROM segments WHERE script_id = ?", (kept.script_id,)).fetchone()[0] == 0


def test_bad_input_is_named(tmp_path):
    with Corpus.open(tmp_path / "c.sqlite3") as corpus:
        with pytest.raises(CorpusError, match="licence 'mine'"):
            corpus.add(EXAMPLE, Metadata(licence="mine"))
        with pytest.raises(CorpusError, match="no such file|cannot read"):
            corpus.add(tmp_path / "missing.fountain", Metadata(licence="own"))
        (tmp_path / "s.pdf").write_bytes(b"%PDF-1.4")
        with pytest.raises(CorpusError, match="pdftotext -layout"):
            corpus.add(tmp_path / "s.pdf", Metadata(licence="own"))
        (tmp_path / "bad.fdx").write_text("<not xml")
        with pytest.raises(CorpusError, match="bad.fdx"):
            corpus.add(tmp_path / "bad.fdx", Metadata(licence="own"))
    (tmp_path / "junk.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorpusError, match="junk.sqlite3"):
        Corpus.open(tmp_path / "junk.sqlite3")


def test_balance_cuts_each_genre_to_the_smallest(tmp_path):
    with Corpus.open(tmp_path / "c.sqlite3") as corpus:
        for path in sorted(HELDOUT.glob("*.fountain")):
            corpus.add(path, Metadata(genre="big" if path.stem < "10" else "small", licence="own"))
        units = corpus.units("scene", "train") + corpus.units("scene", "val")
        balanced = corpus.training_units("scene", "train", balance=True)
        chars = {g: sum(len(u.text) for u in balanced if u.genre == g) for g in ("big", "small")}
        small_total = sum(len(u.text) for u in corpus.units("scene", "train") if u.genre == "small")
        assert chars["small"] == small_total
        assert small_total <= chars["big"] < small_total + max(len(u.text) for u in units)


def test_tokenize_with_the_models_tokenizer(tmp_path):
    from engine.steering.tokens import model_token_counter

    with Corpus.open(tmp_path / "c.sqlite3") as corpus:
        corpus.add(EXAMPLE, Metadata(genre="drama", licence="own"))
        count = model_token_counter("smollm2-135m")
        n = corpus.tokenize(count, "smollm2-135m")
        assert n == corpus.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        assert corpus.tokenize(count, "smollm2-135m") == 0  # counted once
        row = corpus.stats("smollm2-135m")[0]
        first = corpus.units("scene")[0]
        assert row["tokens"] > row["chars"] / 8
        assert count(first.text) > 0


def test_cli_add_list_stats_export(tmp_path, capsys):
    db = str(tmp_path / "c.sqlite3")
    layout = tmp_path / "diner.txt"
    layout.write_text(LAYOUT, encoding="utf-8")
    assert main(["corpus", "add", str(EXAMPLE), str(layout), "--genre", "drama", "--licence", "own",
                 "--corpus", db]) == 0
    out = capsys.readouterr().out
    assert "#1 Night Shift" in out and "#2 Diner" in out
    assert main(["corpus", "add", str(EXAMPLE), "--licence", "own", "--corpus", db]) == 1
    assert "already in the corpus as #1" in capsys.readouterr().err
    assert main(["corpus", "list", "--json", "--corpus", db]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["format"] for r in rows] == ["fountain", "text"]
    assert main(["corpus", "stats", "--corpus", db]) == 0
    assert "drama" in capsys.readouterr().out
    assert main(["corpus", "export", "--kind", "exchange", "-o", str(tmp_path / "x.jsonl"), "--corpus", db]) == 0
    lines = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text().splitlines()]
    assert lines and all(set(line) == {"text", "genre", "kind", "split"} for line in lines)
    assert main(["corpus", "remove", "9", "--corpus", db]) == 1
    assert "no script #9" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM scripts").fetchone()[0] == 2
