"""Following an accepted suggestion through edits to find its final text at a save."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.editlog import Insertion, InsertionTracker
from engine.fountain import LiveParse

BEFORE = "INT. DINER - NIGHT\n\n"
SUGGESTION = "She locks the door.\nRain."
AFTER = "\n\nEXT. STREET - DAY\n"


def tracked() -> tuple[InsertionTracker, LiveParse]:
    """The editor's text after the suggestion was inserted, tracked, and a LiveParse to mirror edits."""
    text = BEFORE + SUGGESTION + AFTER
    t = InsertionTracker(text)
    ins = t.add("s", (2, 0), (3, 5))
    assert ins == Insertion(len(BEFORE), len(BEFORE) + len(SUGGESTION), 2, 3)
    return t, LiveParse(text)


def edit(t, lp, start, end, text):
    t.replace(start, end, text)
    lp.replace(start, end, text)
    assert t.text == lp.text  # same coordinates as the editor's document


def test_untouched_suggestion_is_its_own_final_text():
    t, _ = tracked()
    assert t.finals() == {"s": SUGGESTION}


def test_edits_before_move_it_and_edits_inside_change_it():
    t, lp = tracked()
    edit(t, lp, (0, 0), (0, 0), "# ACT ONE\n\n")
    assert t.finals() == {"s": SUGGESTION}
    assert t.insertion("s").line == 4
    edit(t, lp, (4, 4), (4, 9), "bolts")  # "locks" -> "bolts", inside the suggestion
    assert t.finals() == {"s": "She bolts the door.\nRain."}
    edit(t, lp, (7, 0), (7, 0), "Later text. ")  # after it
    assert t.finals() == {"s": "She bolts the door.\nRain."}


def test_typing_at_the_start_stays_outside():
    t, lp = tracked()
    edit(t, lp, (2, 0), (2, 0), "Meanwhile. ")
    assert t.finals() == {"s": SUGGESTION}


def test_retyping_the_end_counts_until_the_cursor_leaves():
    t, lp = tracked()
    edit(t, lp, (3, 0), (3, 5), "")  # delete "Rain."
    t.cursor_moved((3, 0))
    for ch in "Snow.":  # typed at the end, one key at a time
        row, col = t.location(t.insertion("s").end)
        edit(t, lp, (row, col), (row, col), ch)
    assert t.finals() == {"s": "She locks the door.\nSnow."}
    t.cursor_moved((0, 0))  # the writer goes elsewhere, then comes back and adds a line after it
    row, col = t.location(t.insertion("s").end)
    edit(t, lp, (row, col), (row, col), "\n\nNEW SCENE")
    assert t.finals() == {"s": "She locks the door.\nSnow."}


def test_deleting_it_leaves_an_empty_final_text():
    t, lp = tracked()
    edit(t, lp, (2, 0), (3, 5), "")
    assert t.finals() == {"s": ""}
    t2, lp2 = tracked()
    edit(t2, lp2, (1, 0), (4, 0), "")  # a wider deletion that takes it along
    assert t2.finals() == {"s": ""}


def test_replacing_exactly_its_text_is_a_rewrite():
    t, lp = tracked()
    edit(t, lp, (2, 0), (3, 5), "She waits.")
    assert t.finals() == {"s": "She waits."}


def test_overlapping_edits_keep_what_remains():
    t, lp = tracked()
    edit(t, lp, (1, 0), (2, 4), "")  # from the blank line into "She "
    assert t.finals() == {"s": "locks the door.\nRain."}
    edit(t, lp, (2, 0), (5, 0), "Rain")  # from inside "Rain." past its end
    assert t.finals()["s"].startswith("locks the door.\nRain")


def test_several_suggestions_and_discard():
    t, lp = tracked()
    t.add("t", (0, 0), (0, 4))  # "INT."
    edit(t, lp, (2, 4), (2, 9), "slams")
    assert t.finals() == {"s": "She slams the door.\nRain.", "t": "INT."}
    t.discard("t")
    assert "t" not in t and "s" in t


_edits = st.lists(
    st.tuples(st.booleans(), st.integers(0, 30), st.integers(0, 5), st.text("ab\n", max_size=6)), max_size=8
)


@given(_edits)
def test_edits_that_do_not_touch_it_never_change_its_final_text(edits):
    t, lp = tracked()
    t.cursor_moved((0, 0))  # the writer works elsewhere
    for before, at, length, text in edits:
        ins = t.insertion("s")
        if before:  # strictly before the suggestion's first character
            a = min(at, max(0, ins.start - 1))
            b = min(a + length, max(0, ins.start - 1))
        else:  # strictly after its last character
            a = ins.end + 1 + at
            b = a + length
            if a > len(t.text):
                continue
            b = min(b, len(t.text))
        if before and ins.start == 0:
            continue
        edit(t, lp, t.location(a), t.location(b), text)
    assert t.finals() == {"s": SUGGESTION}


# ---------------------------------------------------------------------- reading a document's lines
def on_document(text: str = BEFORE + SUGGESTION + AFTER):
    """A tracker reading an engine Document's lines (no copy), told each edit as the editor's is."""
    from engine.document import Document

    doc = Document(text)
    t = InsertionTracker(lines=doc)
    doc.change_listeners.append(t.changed)
    return t, doc


def test_a_tracker_on_a_document_reads_its_lines_and_follows_its_edits():
    t, doc = on_document()
    assert t._own is None  # no text of its own
    assert t.add("s", (2, 0), (3, 5)) == Insertion(len(BEFORE), len(BEFORE) + len(SUGGESTION), 2, 3)
    doc.replace((0, 0), (0, 0), "# ACT ONE\n\n")
    doc.replace((4, 4), (4, 9), "bolts")
    assert t.text == doc.text and t.line_count == doc.line_count and t.line(4) == doc.line(4)
    assert t.finals() == {"s": "She bolts the door.\nRain."} and t.insertion("s").line == 4
    doc.undo()  # undo and redo are edits the tracker hears like any other
    assert t.finals() == {"s": SUGGESTION}
    doc.redo()
    assert t.finals() == {"s": "She bolts the door.\nRain."}


def test_a_tracker_on_a_document_is_not_edited_itself():
    t, _ = on_document()
    with pytest.raises(ValueError):
        t.replace((0, 0), (0, 0), "x")
    with pytest.raises(ValueError):
        t.edit_lines((0, 0), (0, 0), "x")


_steps = st.lists(
    st.tuples(st.sampled_from(["edit", "move", "undo", "redo"]), st.integers(0, 60), st.integers(0, 8),
              st.text("ab \n", max_size=5)),
    max_size=12,
)


@given(_steps)
def test_reading_a_document_tracks_as_a_copy_of_the_text_does(steps):
    """The same edits (undo and redo too) and cursor moves give the same ranges either way."""
    text = BEFORE + SUGGESTION + AFTER
    own = InsertionTracker(text)
    read, doc = on_document(text)
    doc.listeners.append(own.replace)  # the copy is told (start, end, text), as it always was
    for tracker in (own, read):
        tracker.add("s", (2, 0), (3, 5))
        tracker.add("t", (0, 0), (0, 4))
    for step, at, length, typed in steps:
        a = min(at, len(doc.text))
        b = min(a + length, len(doc.text))
        if step == "edit":
            doc.replace(doc.location(a), doc.location(b), typed)
        elif step == "move":
            own.cursor_moved(doc.location(a))
            read.cursor_moved(doc.location(a))
        else:
            getattr(doc, step)()
        assert own.text == read.text == doc.text
        assert own.finals() == read.finals()
        assert [own.insertion(k) for k in "st"] == [read.insertion(k) for k in "st"]
