"""The panel over its session, with a scripted model behind the engine's loader seam: the keys a
writer presses, the text that goes in, and the edit log's rows, in a second or two and the same
every run (the real model's panel tests are in test_suggestion_panel.py)."""

from __future__ import annotations

from dataclasses import replace

from engine.editlog import EditLog, default_path
from engine.session import BlindAB
from scripted_backend import scripted_engine

SCENE = "INT. KITCHEN - DAY\n\nAna slices bread.\n\n"


async def test_ask_accept_and_save_with_a_scripted_model(open_app, script_path, settle, wait_until):
    engine, models = scripted_engine("BEN\nSave me the heel.\n")
    path = script_path(SCENE)
    app = open_app(path, engine=engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        screen.editor.move_cursor(screen.editor.document.end)
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: screen.panel.suggestion is not None and not screen.panel.generating,
                         "the suggestion")
        key = screen.panel.suggestion.shown.key
        assert screen.panel.suggestion.shown.text == "BEN\nSave me the heel.\n"
        assert "Ana slices bread." in models.prompts[0]
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert screen.editor.text.endswith("BEN\nSave me the heel.\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.edit_recording.flush()
        with EditLog.open(default_path()) as log:
            row = log.suggestion(key)
    assert path.read_text(encoding="utf-8").endswith("BEN\nSave me the heel.\n")
    assert row["state"] == "accepted" and row["accepted_text"] == "BEN\nSave me the heel.\n"
    assert row["insert_start"] == len(SCENE)


async def test_blind_ab_in_the_panel_samples_both_sides_then_picks(open_app, script_path, settle, wait_until):
    engine, models = scripted_engine("One side.", "The other side.")
    app = open_app(script_path(SCENE), engine=engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel = screen.panel
        panel.apply_settings(replace(panel.settings, ab=BlindAB("seed")))
        screen.editor.move_cursor(screen.editor.document.end)
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: panel.can_pick, "both sides written")
        assert sorted(a.text for a in panel.suggestion.alternatives) == ["One side.", "The other side."]
        assert not models.replies  # the second side was asked for once the first had ended
        panel.focus()
        await pilot.press("a")
        await settle(pilot)
        assert panel.blind is None and panel.notice.startswith("You picked A.")
        assert app.edit_recording.flush()
        with EditLog.open(default_path()) as log:
            [comparison] = list(log.db["comparisons"].rows)
    assert comparison["winner"] == "A"
