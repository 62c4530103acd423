"""Stop sequences and the loop detector on plain text (no model needed)."""

from __future__ import annotations

from engine.generation import RepetitionGuard, StopFilter


def stream(pieces, stops):
    f = StopFilter(stops)
    shown = "".join(f.feed(p) for p in pieces)
    if not f.stopped:
        shown += f.flush()
    return f, shown


def test_stop_sequence_split_across_tokens_is_never_shown():
    f, shown = stream(["Hello", " wor", "ld\n", "\nFADE", " OUT", ". more"], ["FADE OUT."])
    assert f.stopped and shown == f.text == "Hello world\n\n"


def test_text_that_only_looks_like_a_stop_start_is_released():
    f, shown = stream(["CUT", " ", "TO", " THE", " CHASE"], ["CUT TO:"])
    assert not f.stopped and shown == "CUT TO THE CHASE"


def test_earliest_of_several_stops_wins():
    f, shown = stream(["a b c d"], ["c", "b"])
    assert shown == "a "


def guard_cut(text):
    guard = RepetitionGuard()
    for i in range(1, len(text) + 1):  # as if streamed character by character
        cut = guard.check(text[:i])
        if cut is not None:
            return text[:i][:cut], guard.reason
    return None, ""


def test_a_paragraph_repeated_three_times_is_cut_after_its_first_copy():
    text = "Intro.\n\nTOM\nI said no.\n\nTOM\nI said no.\n\nTOM\nI said no.\n\n"
    kept, reason = guard_cut(text)
    assert kept == "Intro.\n\nTOM\nI said no.\n\n" and "repeats" in reason


def test_a_line_repeated_over_and_over():
    text = "She runs to the door.\nShe runs to the door.\nShe runs to the door.\n"
    kept, _ = guard_cut(text)
    assert kept == "She runs to the door.\n"


def test_a_phrase_looping_inside_a_line():
    kept, reason = guard_cut("He says no no no no no no no no no no no no no no no no")
    assert kept is not None and kept.count("no") < 6 and "phrase" in reason
    kept, _ = guard_cut("Wait" + "." * 60)
    assert kept is not None and len(kept) < 20


def test_ordinary_dialogue_with_recurring_names_is_not_a_loop():
    scene = (
        "INT. KITCHEN - NIGHT\n\nMARA\nWhere were you?\n\nJOHN\nOut.\n\nMARA\nOut where?\n\n"
        "JOHN\n(beat)\nJust out.\n\nMARA\nThat's not an answer.\n\nJOHN\nIt's the one I have.\n\n"
        "CUT TO:\n\nEXT. STREET - NIGHT\n\nRain. MARA walks.\n\nMARA (V.O.)\nHe never said where.\n\n"
        "Ha ha ha!\n\n"
    )
    assert guard_cut(scene) == (None, "")
