"""AI-written text (from accepted suggestions) followed through edits, saved beside the script,
found again after the script changed elsewhere, counted per scene, and labelled by the export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.export.fountain_draft import AI_NOTE
from engine.fountain import LiveParse
from engine.provenance import (
    AISpan,
    ProvenanceError,
    ProvenanceTracker,
    ai_share,
    load,
    load_spans,
    provenance_path,
    text_hash,
)

REPO = Path(__file__).resolve().parents[1]

BEFORE = "INT. DINER - NIGHT\n\nMara wipes the counter.\n\n"
SUGGESTION = "She locks the door and turns off the neon sign.\nRain."
AFTER = "\n\nEXT. STREET - DAY\n\nTom waits.\n"


def accepted() -> tuple[ProvenanceTracker, LiveParse]:
    """The editor's text with the suggestion inserted and marked, plus a LiveParse mirroring edits."""
    tracker = ProvenanceTracker(BEFORE + AFTER)
    lp = LiveParse(BEFORE + AFTER)
    edit(tracker, lp, (4, 0), (4, 0), SUGGESTION)
    span = tracker.add((4, 0), (5, 5), "s1")
    assert span == AISpan(len(BEFORE), len(BEFORE) + len(SUGGESTION), "s1")
    assert tracker.ai_text() == [SUGGESTION]
    return tracker, lp


def edit(tracker, lp, start, end, text):
    tracker.replace(start, end, text)
    lp.replace(start, end, text)
    assert tracker.text == lp.text  # same coordinates as the editor's document


# ----------------------------------------------------------------------------- edits
def test_the_writers_own_text_is_never_ai():
    tracker, lp = accepted()
    edit(tracker, lp, (4, 0), (4, 0), "Then ")  # typed at the span's start
    edit(tracker, lp, (5, 5), (5, 5), " Thunder.")  # typed at its end
    assert tracker.ai_text() == [SUGGESTION]


def test_edits_before_shift_spans_and_edits_after_leave_them():
    tracker, lp = accepted()
    edit(tracker, lp, (0, 0), (0, 0), "# ACT ONE\n\n")
    assert tracker.ai_text() == [SUGGESTION]
    assert tracker.location(tracker.spans[0][0]) == (6, 0)
    edit(tracker, lp, (2, 0), (2, 4), "Rosa")  # replace a word before it (same length)
    edit(tracker, lp, (2, 0), (2, 4), "Jo")  # shorter
    assert tracker.text.count(SUGGESTION) == 1
    a, b = tracker.spans[0]
    assert tracker.text[a:b] == SUGGESTION
    edit(tracker, lp, (10, 0), (10, 3), "Nobody")  # after it
    assert tracker.ai_text() == [SUGGESTION]


def test_typing_inside_a_span_splits_it_around_the_writers_text():
    tracker, lp = accepted()
    edit(tracker, lp, (4, 9), (4, 9), " slowly")  # "She locks| the door"
    assert tracker.ai_text() == ["She locks", " the door and turns off the neon sign.\nRain."]
    assert tracker.row_spans(4) == [(0, 9), (16, len("She locks slowly the door and turns off the neon sign."))]
    assert tracker.row_spans(5) == [(0, 5)]
    # deleting the writer's words again joins the two halves of the same suggestion
    edit(tracker, lp, (4, 9), (4, 16), "")
    assert tracker.ai_text() == [SUGGESTION]


def test_replacing_part_of_a_span_takes_those_characters_out():
    tracker, lp = accepted()
    # select "the neon sign" and type over it
    row = SUGGESTION.split("\n")[0]
    c = row.index("the neon sign")
    edit(tracker, lp, (4, c), (4, c + len("the neon sign")), "every light")
    assert tracker.ai_text() == ["She locks the door and turns off ", ".\nRain."]
    # a selection from before the span into it
    edit(tracker, lp, (2, 5), (4, 4), "")
    assert tracker.text.startswith("INT. DINER - NIGHT\n\nMara locks the door")
    assert tracker.ai_text() == ["locks the door and turns off ", ".\nRain."]


def test_deleting_a_whole_span_removes_it():
    tracker, lp = accepted()
    edit(tracker, lp, (4, 0), (5, 5), "")
    assert tracker.spans == []
    tracker, lp = accepted()
    edit(tracker, lp, (2, 0), (7, 0), "Gone.\n")  # a selection around it, replaced by typing
    assert tracker.spans == []
    assert tracker.row_spans(2) == []


def test_two_suggestions_and_a_span_added_over_another():
    tracker, lp = accepted()
    edit(tracker, lp, (2, 23), (2, 23), " She hums.")
    tracker.add((2, 23), (2, 33), "s2")
    assert tracker.ai_spans[0].suggestion_id == "s2" and tracker.ai_text() == [" She hums.", SUGGESTION]
    tracker.add((4, 0), (4, 3), "s3")  # a newer suggestion over part of an older one wins there
    assert [(s.suggestion_id, tracker.text[s.start:s.end]) for s in tracker.ai_spans] == [
        ("s2", " She hums."), ("s3", "She"), ("s1", SUGGESTION[3:])]
    assert tracker.add((0, 3), (0, 3)) is None  # nothing to mark


LINES = st.lists(st.text(alphabet="ab \n", max_size=6), min_size=1, max_size=4).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    base=st.text(alphabet="xy \n", min_size=0, max_size=30),
    steps=st.lists(
        st.tuples(st.booleans(), st.integers(0, 40), st.integers(0, 40), st.integers(0, 12), st.integers(0, 12),
                  LINES),
        max_size=12,
    ),
)
def test_spans_are_exactly_the_characters_that_came_from_suggestions(base, steps):
    """Against a model that colours every character: suggestion characters stay AI until removed,
    the writer's characters never are."""
    tracker = ProvenanceTracker(base)
    lp = LiveParse(base)
    model = [(ch, False) for ch in base]  # (character, AI?)
    for is_suggestion, r1, r2, c1, c2, text in steps:
        start, end = (r1 % (len(lp.lines)), c1), (r2 % (len(lp.lines)), c2)
        a, b = sorted((tracker.offset(start), tracker.offset(end)))
        edit(tracker, lp, start, end, text)
        model[a:b] = [(ch, False) for ch in text]
        if is_suggestion and text:
            ins_end = tracker.location(a + len(text))
            tracker.add(tracker.location(a), ins_end, "s")
            model[a:a + len(text)] = [(ch, True) for ch in text]
        assert "".join(ch for ch, _ in model) == tracker.text
        covered = [False] * len(model)
        for s, e in tracker.spans:
            assert 0 <= s < e <= len(model)
            covered[s:e] = [True] * (e - s)
        assert covered == [ai for _, ai in model]


# ----------------------------------------------------------------------------- the record on disk
def test_save_and_reopen(tmp_path):
    tracker, lp = accepted()
    edit(tracker, lp, (4, 9), (4, 9), " slowly")
    script = tmp_path / "diner.fountain"
    script.write_text(tracker.text, encoding="utf-8")
    written = tracker.save(script)
    assert written == provenance_path(script) == tmp_path / "diner.fountain.provenance.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diner.fountain", "diner.fountain.provenance.json"]
    record = json.loads(written.read_text(encoding="utf-8"))
    assert record["script_sha256"] == text_hash(tracker.text)
    assert [(r["text"], r["suggestion_id"]) for r in record["spans"]] == [
        ("She locks", "s1"), (" the door and turns off the neon sign.\nRain.", "s1")]

    text = script.read_text(encoding="utf-8")
    assert load_spans(script, text) == tracker.spans
    again = ProvenanceTracker.open(script, text)
    assert again.ai_spans == tracker.ai_spans and again.dropped == []
    assert load(script, text).relocated is False


def test_no_record_and_nothing_to_record(tmp_path):
    script = tmp_path / "plain.fountain"
    script.write_text("INT. ROOM - DAY\n\nQuiet.\n", encoding="utf-8")
    assert load_spans(script, script.read_text()) is None
    tracker = ProvenanceTracker.open(script, script.read_text())
    assert tracker.spans == [] and tracker.save(script) is None
    assert [p.name for p in tmp_path.iterdir()] == ["plain.fountain"]


def test_a_record_emptied_by_edits_is_kept_as_empty(tmp_path):
    tracker, lp = accepted()
    script = tmp_path / "diner.fountain"
    script.write_text(tracker.text, encoding="utf-8")
    tracker.save(script)
    edit(tracker, lp, (4, 0), (5, 5), "")
    script.write_text(tracker.text, encoding="utf-8")
    tracker.save(script)
    assert load_spans(script, tracker.text) == []  # known: no AI text left (not "unknown")


def test_script_edited_elsewhere_spans_are_found_again(tmp_path):
    tracker, _ = accepted()
    script = tmp_path / "diner.fountain"
    script.write_text(tracker.text, encoding="utf-8")
    tracker.save(script)
    # another editor adds a paragraph above the suggestion and changes one of its words
    changed = tracker.text.replace("Mara wipes the counter.\n\n",
                                   "Mara wipes the counter.\n\nA truck passes outside, headlights sweeping.\n\n")
    changed = changed.replace("turns off the neon sign", "turns off the pink sign")
    script.write_text(changed, encoding="utf-8")
    record = load(script, changed)
    assert record.relocated and record.dropped == []
    texts = [changed[a:b] for a, b in record.offsets()]
    assert texts == ["She locks the door and turns off the", "sign.\nRain."]  # "pink" is the writer's
    assert all(s.suggestion_id == "s1" for s in record.spans)
    # the tracker opened on the changed script saves the new positions and hash
    reopened = ProvenanceTracker.open(script, changed)
    reopened.save(script)
    assert load(script, changed).relocated is False
    assert load_spans(script, changed) == record.offsets()


def test_span_moved_and_duplicated_text_takes_the_nearest_copy(tmp_path):
    text = "INT. A - DAY\n\nThe kettle screams on the stove.\n\nINT. B - DAY\n\nThe kettle screams on the stove.\n"
    second = text.rindex("The kettle")
    tracker = ProvenanceTracker(text, [(second, second + len("The kettle screams on the stove."))])
    script = tmp_path / "k.fountain"
    tracker.save(script)
    changed = "INT. A - DAY\n\nNew line.\n\n" + text[len("INT. A - DAY\n\n"):]
    spans = load_spans(script, changed)
    assert spans == [(changed.rindex("The kettle"), changed.rindex("The kettle") + 32)]


def test_span_whose_text_is_gone_is_dropped_and_reported(tmp_path):
    tracker, _ = accepted()
    tracker.add((2, 0), (2, 4), "name")  # "Mara": short, found exactly or not at all
    script = tmp_path / "diner.fountain"
    tracker.save(script)
    changed = BEFORE.replace("Mara", "Lena") + "Totally different words now stand here.\n" + AFTER
    record = load(script, changed)
    assert record.spans == []
    assert [(d["text"], d["suggestion_id"]) for d in record.dropped] == [("Mara", "name"), (SUGGESTION, "s1")]
    assert ProvenanceTracker.open(script, changed).dropped == record.dropped


@pytest.mark.parametrize("content, message", [
    ('{"format": "scenewright-provenance",\n "version": 1,\n "spans": [', ":3: not valid JSON"),
    ('{"format": "other"}', "not a Scenewright provenance record"),
    ('{"format": "scenewright-provenance", "version": 7}', "version 7 is not supported"),
    ('{"format": "scenewright-provenance", "version": 1, "script_sha256": "x", "spans": [{"start": 3}]}',
     "spans[0] needs integer"),
])
def test_broken_record_names_the_file_and_cause(tmp_path, content, message):
    script = tmp_path / "s.fountain"
    script.write_text("Hello.\n", encoding="utf-8")
    provenance_path(script).write_text(content, encoding="utf-8")
    with pytest.raises(ProvenanceError) as exc:
        load_spans(script, "Hello.\n")
    assert str(provenance_path(script)) in str(exc.value) and message in str(exc.value)


# ----------------------------------------------------------------------------- AI share
SHARE_SCRIPT = """Title: Test
Author: Someone

INT. KITCHEN - DAY

Anna cuts bread.

ANNA
Pass the salt, please.

EXT. GARDEN - NIGHT

Owls call.
"""


def test_ai_share_per_scene_and_script():
    text = SHARE_SCRIPT
    a = text.index("Pass the salt, please.")
    b = text.index("Owls")
    spans = [(a, a + len("Pass the salt")),  # 3 words
             (text.index("please.") + 1, text.index("please.") + 4),  # 3 of 7 characters: not a word
             (b, b + 3)]  # "Owl" of "Owls": most of its characters, one word
    share = ai_share(text, spans)
    # words (whitespace tokens) without the title page: scene 1: INT. KITCHEN - DAY (4) Anna cuts bread. (3)
    # ANNA (1) Pass the salt, please. (4) = 12; scene 2: EXT. GARDEN - NIGHT (4) Owls call. (2) = 6
    assert share == {
        "script": round(4 / 18, 4),
        "scenes": [
            {"heading": "INT. KITCHEN - DAY", "line": 4, "ai_words": 3, "words": 12, "share": 0.25},
            {"heading": "EXT. GARDEN - NIGHT", "line": 11, "ai_words": 1, "words": 6, "share": round(1 / 6, 4)},
        ],
    }
    assert ai_share(text, []) ["script"] == 0.0
    assert ai_share("", []) == {"script": 0.0, "scenes": []}


# ----------------------------------------------------------------------------- the export, as a writer runs it
def scenewright(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tui.main", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def test_export_labels_ai_passages_from_the_record(tmp_path):
    tracker, lp = accepted()
    edit(tracker, lp, (4, 9), (4, 9), " slowly")  # the writer edits inside it: still AI-assisted
    script = tmp_path / "diner.fountain"
    script.write_text(tracker.text, encoding="utf-8")
    tracker.save(script)

    out = scenewright("export", script, "--to", "fountain", "--label-ai", "notes", cwd=REPO)
    assert out.returncode == 0, out.stderr
    draft = (tmp_path / "diner.draft.fountain").read_text(encoding="utf-8")
    labelled = [line for line in draft.split("\n") if AI_NOTE in line]
    assert labelled == [f"Rain. {AI_NOTE}"]  # only the paragraph holding the suggestion, once, after it
    assert draft.replace(f" {AI_NOTE}", "") == tracker.text

    # without a record, notes cannot be placed: a clear message, no file
    other = tmp_path / "plain.fountain"
    other.write_text(BEFORE + AFTER, encoding="utf-8")
    out = scenewright("export", other, "--to", "fountain", "--label-ai", "notes", cwd=REPO)
    assert out.returncode == 1 and "no provenance record beside it" in out.stderr
    assert not (tmp_path / "plain.draft.fountain").exists()
    assert not (tmp_path / "plain.draft.fountain").exists()


def test_stats_reports_the_ai_share(tmp_path):
    tracker, _ = accepted()
    script = tmp_path / "diner.fountain"
    script.write_text(tracker.text, encoding="utf-8")
    tracker.save(script)
    out = scenewright("stats", script, "--json", cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ai_share"] == ai_share(tracker.text, tracker.spans)
    assert json.loads(out.stdout)["ai_share"]["scenes"][0]["ai_words"] == 11
