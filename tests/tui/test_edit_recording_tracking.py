"""How the edit log follows accepted text in the editor: location mapping through edits, a
blank line put before a cue, and typing that lands before the acceptance's report arrives.
These replay fixed engine events into the panel (no model needed)."""

from __future__ import annotations

from engine.editlog import EditLog, default_path
from engine.generation import ContextEvent, DoneEvent, GenerationEngine, StatsEvent, TokenEvent
from engine.session.recording import map_location, margins

SCENE = "INT. KITCHEN - DAY\n\nAna slices bread.\n\n"
SUGGESTION = "BEN\nSave me the heel.\n"


def test_map_location_follows_edits():
    # typing before a location moves it, on its row and below
    assert map_location((2, 5), (2, 0), (2, 0), "ab", to_end=False) == (2, 7)
    assert map_location((3, 1), (2, 0), (2, 0), "a\nb", to_end=False) == (4, 1)
    # a line break typed on its row, before it
    assert map_location((2, 5), (2, 2), (2, 2), "\n", to_end=False) == (3, 3)
    # edits after it leave it be
    assert map_location((2, 5), (2, 6), (2, 9), "", to_end=False) == (2, 5)
    # typing exactly there: it moves on (a range's start leaves typing out, its end takes it in)
    assert map_location((2, 5), (2, 5), (2, 5), "xyz", to_end=True) == (2, 8)
    # inside a replaced passage: to its start, or the end of the new text
    assert map_location((2, 5), (2, 1), (4, 0), "new", to_end=False) == (2, 1)
    assert map_location((2, 5), (2, 1), (4, 0), "new", to_end=True) == (2, 4)
    # a deletion across rows pulls a later location up
    assert map_location((5, 2), (3, 4), (4, 0), "", to_end=False) == (4, 2)


def test_margins_find_the_suggestion_in_what_went_in():
    assert margins("\nBEN\nHi.\n", "BEN\nHi.\n") == (1, 0)
    assert margins("\n\nTighter line.\n\n", "Tighter line.") == (2, 2)
    assert margins("BEN\nHi.", "BEN\nHi.") == (0, 0)


def replay_events(text: str):
    return [
        ContextEvent("gemma3-270m", "Write on.\n\n" + text, 40, len(text), 0, 0),
        TokenEvent(SUGGESTION),
        StatsEvent("gemma3-270m", 40, 0, 7, 50.0, 30.0, 40.0, 300.0, (1, 1)),
        DoneEvent(SUGGESTION, "eos", 0, 9),
    ]


async def test_typing_before_the_report_arrives_is_followed(open_app, script_path, settle):
    """The acceptance is reported by a message; edits made before the app reads it (a fast
    typist) are followed, so the range and the final text are right."""
    path = script_path(SCENE)
    app = open_app(path, engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor(editor.document.end)
        screen.panel.replay(editor.text, editor.cursor_location, screen.generation, replay_events(editor.text))
        await settle(pilot)
        key = screen.panel.suggestion.shown.key
        screen.action_accept_suggestion("whole")  # posts SuggestionAccepted; not handled yet
        end = editor.cursor_location
        editor.insert("Then he leaves.", end)  # typed at its end: part of the writer's edit
        editor.insert("TITLE\n", (0, 0))  # and a line above everything
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.edit_recording.flush()
        with EditLog.open(default_path()) as log:
            row = log.suggestion(key)
    assert editor.text == "TITLE\n" + SCENE + SUGGESTION + "Then he leaves."
    assert row["state"] == "edited" and row["accepted_text"] == SUGGESTION
    assert row["final_text"] == SUGGESTION + "Then he leaves."
    assert row["insert_start"] == len("TITLE\n" + SCENE)


async def test_a_blank_line_put_before_a_cue_is_not_part_of_the_suggestion(open_app, script_path, settle):
    text = "INT. KITCHEN - DAY\n\nAna slices bread.\n"  # the cursor goes under a line of action
    app = open_app(script_path(text), engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor(editor.document.end)
        screen.panel.replay(editor.text, editor.cursor_location, screen.generation, replay_events(editor.text))
        await settle(pilot)
        key = screen.panel.suggestion.shown.key
        await pilot.press("ctrl+t")
        assert editor.text == text + "\n" + SUGGESTION  # the cue got its blank line
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.edit_recording.flush()
        with EditLog.open(default_path()) as log:
            row = log.suggestion(key)
            request = log.db.execute("SELECT model, model_hash, prompt_tokens, scene FROM requests").fetchone()
    assert (row["state"], row["accepted_text"], row["final_text"], row["edit_distance"]) == (
        "accepted", SUGGESTION, SUGGESTION, 0.0)
    assert row["insert_start"] == len(text) + 1
    assert request == ("gemma3-270m", GenerationEngine().registry.get("gemma3-270m").sha256, 40,
                       "INT. KITCHEN - DAY")


async def test_a_suggestion_accepted_where_the_last_one_ends_is_its_own(open_app, script_path, settle):
    """Typing at the end of an accepted suggestion edits it; a second suggestion accepted there
    is not part of the first."""
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        keys = []
        for typed in ("Ana nods.", None):
            editor.move_cursor(editor.document.end)
            panel.replay(editor.text, editor.cursor_location, screen.generation, replay_events(editor.text))
            await settle(pilot)
            keys.append(panel.suggestion.shown.key)
            await pilot.press("ctrl+t")
            if typed:
                await pilot.press(*[{" ": "space", ".": "full_stop"}.get(c, c) for c in typed])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.edit_recording.flush()
        with EditLog.open(default_path()) as log:
            first, second = (log.suggestion(key) for key in keys)
    typed = "Ana nods."
    assert editor.text == SCENE + SUGGESTION + typed + SUGGESTION
    assert (first["state"], first["final_text"]) == ("edited", SUGGESTION + typed)
    assert (second["state"], second["final_text"]) == ("accepted", SUGGESTION)
