"""engine.document.Document: one copy of the text, its parse, AI spans, undo and the file (no Textual)."""

from __future__ import annotations

import random

import pytest

from engine.document import Document, record_path
from engine.fountain import Kind, parse
from engine.provenance import SUFFIX
from engine.scriptfile import ExternalChangeError, ScriptFile

SCRIPT = "INT. DINER - NIGHT\n\nMara waits.\n\nMARA\nCoffee.\n"


def type_text(doc: Document, at: tuple[int, int], text: str) -> tuple[int, int]:
    """Type ``text`` a character at a time, as TextArea sends it."""
    row, col = at
    for char in text:
        doc.replace((row, col), (row, col), char)
        row, col = (row + 1, 0) if char == "\n" else (row, col + 1)
    return row, col


def test_edits_change_the_one_copy_of_the_text_and_its_parse():
    doc = Document(SCRIPT)
    assert doc.lines is doc.live.lines
    change = doc.replace((4, 0), (4, 4), "TEO")
    assert (change.replaced, change.new_end) == ("MARA", (4, 3))
    assert doc.text == SCRIPT.replace("MARA", "TEO")
    assert doc.live.line_kind(4) is Kind.CHARACTER
    assert doc.version == 1
    doc.replace((0, 0), (0, 0), "x\r\ny\r")
    assert "\r" not in doc.text and doc.lines[:3] == ["x", "y", "INT. DINER - NIGHT"]
    assert doc.live.result().line_kinds == parse(doc.text).line_kinds


def test_offsets_and_locations_agree_with_the_text_after_random_edits():
    rng = random.Random(7)
    doc = Document(SCRIPT * 3)
    for _ in range(200):
        a = doc.location(rng.randrange(len(doc.text) + 1))
        b = doc.location(rng.randrange(len(doc.text) + 1))
        doc.replace(a, b, rng.choice(["", "x", "\n", "ab\ncd", "MARA\n"]))
        text = doc.text
        for offset in (0, len(text), rng.randrange(len(text) + 1)):
            row, col = doc.location(offset)
            assert doc.offset((row, col)) == offset
            assert sum(len(line) + 1 for line in doc.lines[:row]) + col == offset


def test_listeners_get_each_edit_in_the_coordinates_before_it():
    doc = Document(SCRIPT)
    seen = []
    doc.add_listener(lambda start, end, text: seen.append((start, end, text, doc.text)))
    doc.replace((2, 5), (0, 0), "")  # either order
    assert seen[0][:3] == ((0, 0), (2, 5), "")
    doc.undo()
    assert seen[1][:3] == ((0, 0), (0, 0), "INT. DINER - NIGHT\n\nMara ")
    assert seen[1][3] == SCRIPT


def test_undo_batches_typing_like_textarea_and_redo_restores():
    doc = Document(SCRIPT)
    type_text(doc, (2, 11), " Rain.")
    doc.replace((5, 0), (5, 7), "Tea.")  # a replacement after insertions: a new batch
    assert doc.undo() is not None
    assert doc.text == SCRIPT.replace("waits.", "waits. Rain.")
    doc.undo()
    assert doc.text == SCRIPT
    assert doc.undo() is None
    doc.redo()
    doc.redo()
    assert doc.text == SCRIPT.replace("waits.", "waits. Rain.").replace("Coffee.", "Tea.")
    assert doc.version == 21  # every edit, undone and redone edit by edit, counts


def test_checkpoint_newlines_and_pastes_start_new_batches():
    doc = Document("")
    type_text(doc, (0, 0), "ab")
    doc.checkpoint()
    type_text(doc, (0, 2), "c\nd")
    doc.replace((1, 1), (1, 1), "pasted")
    assert [len(b.changes) for b in doc.undo_stack] == [2, 1, 1, 1, 1]
    doc.undo()
    assert doc.text == "abc\nd"


def test_a_group_is_one_undo_step_however_far_apart():
    doc = Document(SCRIPT * 20)
    with doc.group():
        doc.replace((100, 0), (100, 0), "#1#")
        doc.replace((2, 0), (2, 0), "#2#")
    assert len(doc.undo_stack) == 1 and doc.undo_stack[0].joined
    doc.undo()
    assert doc.text == SCRIPT * 20


def test_cursor_states_come_back_with_undo_and_redo():
    doc = Document("ab")
    doc.replace((0, 2), (0, 2), "c")
    doc.note_cursor("before", "after")
    assert doc.undo().cursor_before == "before"
    assert doc.redo().cursor_after == "after"
    doc.replace((0, 0), (0, 0), "")  # no edit: nothing recorded, nothing noted
    doc.note_cursor("x", "y")
    assert doc.undo().cursor_before == "before"


def test_ai_spans_follow_edits_without_a_copy_of_the_text():
    doc = Document(SCRIPT)
    assert doc.provenance.tracker is None and not doc.provenance.has_spans
    end = doc.replace((2, 11), (2, 11), " The lights die.").new_end
    doc.provenance.mark((2, 11), end, "s1")
    assert doc.provenance.tracker.text == doc.text  # reads the document's lines
    start, stop = doc.provenance.spans[0]
    assert doc.text[start:stop] == " The lights die."
    doc.replace((0, 0), (0, 0), "TITLE\n\n")  # above: the span moves
    start, stop = doc.provenance.spans[0]
    assert doc.text[start:stop] == " The lights die."
    assert doc.provenance.row_spans(4) == [(11, 27)]
    doc.replace((4, 16), (4, 16), "XX")  # typed inside: the writer's
    assert [doc.text[a:b] for a, b in doc.provenance.spans] == [" The ", "lights die."]


def test_undo_brings_back_ai_text_and_redo_marks_the_suggestion_again():
    doc = Document(SCRIPT)
    doc.checkpoint()
    end = doc.replace((2, 11), (2, 11), " The lights die.").new_end
    doc.checkpoint()
    doc.provenance.mark((2, 11), end, "s1")
    marked = doc.provenance.spans
    doc.undo()
    assert doc.text == SCRIPT and doc.provenance.spans == []
    doc.redo()
    assert doc.provenance.spans == marked
    doc.checkpoint()
    doc.replace((2, 0), (3, 0), "")  # delete the AI-written line
    assert doc.provenance.spans == []
    doc.undo()
    assert doc.provenance.spans == marked
    type_text(doc, (2, len(doc.lines[2])), " Again.")  # typed: the writer's
    assert doc.provenance.spans == marked


def test_loading_a_record_replays_the_edits_made_meanwhile(tmp_path):
    path = tmp_path / "s.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    first = Document(SCRIPT)
    first.provenance.mark((5, 0), (5, 7), "s1")
    written, error = first.provenance.write(path, *first.provenance.save_state())
    assert error is None and written == record_path(path)
    assert str(written).endswith(SUFFIX)

    doc = Document(SCRIPT)
    token = doc.provenance.begin_load()
    text = doc.text
    record, error = doc.provenance.read(path, text)  # in a worker, in the editor
    doc.replace((0, 0), (0, 0), "TITLE\n\n")  # typed meanwhile
    assert doc.provenance.loading
    assert doc.provenance.finish_load(token, text, record, broken=error is not None)
    assert [doc.text[a:b] for a, b in doc.provenance.spans] == ["Coffee."]
    assert not doc.provenance.finish_load(token, text, record, broken=False)  # stale


def test_nothing_to_record_writes_nothing_and_rapidfuzz_stays_unloaded(tmp_path):
    path = tmp_path / "s.fountain"
    doc = Document(SCRIPT)
    assert doc.provenance.write(path, *doc.provenance.save_state()) == (None, None)
    assert doc.provenance.read(path, doc.text) == (None, None)
    assert not record_path(path).exists()


def test_load_replaces_the_text_keeps_listeners_and_forgets_history_and_ai_text():
    doc = Document(SCRIPT)
    seen = []
    doc.add_listener(lambda *edit: seen.append(edit))
    doc.provenance.mark((0, 0), (0, 4), None)
    doc.replace((0, 0), (0, 0), "x")
    doc.load("NEW\n")
    assert doc.text == "NEW\n" and doc.offset((1, 0)) == 4
    assert not doc.can_undo and doc.provenance.spans == []
    doc.replace((0, 0), (0, 0), "y")
    assert len(seen) == 2


def test_save_recovery_and_recover(tmp_path, monkeypatch):
    monkeypatch.setenv("SCENEWRIGHT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "s.fountain"
    path.write_bytes(SCRIPT.replace("\n", "\r\n").encode())
    script, text = ScriptFile.open(path)
    doc = Document(text)
    assert not doc.modified
    assert not doc.write_recovery(script)  # nothing unsaved
    doc.replace((5, 0), (5, 7), "Tea.")
    assert doc.modified
    assert doc.write_recovery(script)
    assert not doc.write_recovery(script)  # already copied
    assert script.recovery() == doc.text
    assert doc.save(script) == doc.version and not doc.modified
    assert path.read_bytes() == doc.text.replace("\n", "\r\n").encode()  # line endings kept
    assert script.recovery() is None

    path.write_text("changed elsewhere\n", encoding="utf-8")
    doc.replace((0, 0), (0, 0), "x")
    with pytest.raises(ExternalChangeError):
        doc.save(script)
    assert doc.modified

    other = Document(SCRIPT)
    other.recover("recovered\n")
    assert other.text == "recovered\n" and other.modified
    other.undo()
    assert other.text == SCRIPT


def test_a_save_or_copy_written_elsewhere_marks_the_version_it_took():
    """The editor writes in a thread what it took on its own: the version marked is that one,
    and edits made meanwhile stay unsaved (and not in the copy)."""
    doc = Document(SCRIPT)
    doc.replace((5, 0), (5, 7), "Tea.")
    taken = doc.version
    assert doc.needs_recovery
    doc.replace((0, 0), (0, 0), "x")  # typed while the copy is written
    doc.mark_recovery(taken)
    assert doc.recovery_version == taken and doc.needs_recovery
    doc.mark_recovery(taken - 1)  # a late report of an older copy
    assert doc.recovery_version == taken
    doc.mark_saved(taken)  # a save of the text at ``taken``
    assert doc.modified and doc.saved_version == doc.recovery_version == taken
    doc.mark_saved()
    assert not doc.modified and not doc.needs_recovery


def test_change_listeners_can_follow_offsets_without_a_copy_of_the_text():
    doc = Document(SCRIPT)
    before = doc.text
    moves = []
    doc.change_listeners.append(
        lambda change: moves.append((doc.offset(change.start), len(change.replaced), len(change.text))))
    doc.replace((2, 0), (4, 2), "Rain.\n\nTE")
    a, removed, inserted = moves[0]
    assert before[:a] + doc.text[a:a + inserted] + before[a + removed:] == doc.text
    assert before[a:a + removed] == "Mara waits.\n\nMA"
