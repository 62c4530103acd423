"""Locked scene numbers in the editor: Alt+N locks (one undo step), saving numbers new scenes
and keeps cut ones, Alt+U unlocks; the record beside the script follows the saved file."""

from __future__ import annotations

import json

from engine.fountain.scene_numbers import lock_path

SCRIPT = ("INT. LIGHTHOUSE - NIGHT\n\nMara climbs.\n\nEXT. REEF - DAY\n\nWaves.\n\n"
          "INT. KITCHEN - DAY\n\nTea.\n")


async def test_lock_update_on_save_and_unlock(open_app, script_path, settle, notifications):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        editor = pilot.app.screen.editor
        editor.move_cursor((2, 4))
        await pilot.press("alt+n")
        await settle(pilot)
        assert editor.text.startswith("INT. LIGHTHOUSE - NIGHT #1#\n")
        assert "INT. KITCHEN - DAY #3#" in editor.text
        assert editor.cursor_location == (2, 4)  # the cursor stays on its text
        assert any("3 scenes numbered and locked" in n for n in notifications(pilot.app))
        assert not lock_path(path).exists()  # not saved yet: the file on disk has no numbers
        await pilot.press("ctrl+z")  # one step takes all the numbers out
        assert editor.text == SCRIPT
        await pilot.press("ctrl+y")
        assert "EXT. REEF - DAY #2#" in editor.text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert json.loads(lock_path(path).read_text())["numbers"] == ["1", "2", "3"]

        # a new scene after 1 and a cut of scene 2: saving gives 1A and keeps 2 as OMITTED
        text = editor.text
        start = text.index("EXT. REEF")
        end = text.index("INT. KITCHEN")
        row = text[:start].count("\n")
        editor.replace("INT. CAVE - DAY\n\nDrip.\n\n", (row, 0), (text[:end].count("\n"), 0))
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = path.read_text()
        assert "INT. CAVE - DAY #1A#\n\nDrip.\n\n.OMITTED #2#\n\nINT. KITCHEN - DAY #3#" in saved
        assert json.loads(lock_path(path).read_text())["numbers"] == ["1", "1A", "2", "3"]
        pilot.app.screen.refresh_facts()  # without waiting for the pause after typing
        await settle(pilot)
        outline = [(e.scene_number, e.text) for e in pilot.app.screen.facts.outline if e.scene_number]
        assert outline[:3] == [("1", "INT. LIGHTHOUSE - NIGHT"), ("1A", "INT. CAVE - DAY"), ("2", "OMITTED")]

        await pilot.press("alt+u")
        await settle(pilot)
        assert "#" not in editor.text and "OMITTED" not in editor.text
        assert lock_path(path).exists()  # until the script is saved
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not lock_path(path).exists()
        assert path.read_text() == editor.text


async def test_locking_a_saved_script_with_its_numbers_keeps_the_lock_at_once(open_app, script_path, settle):
    path = script_path(SCRIPT.replace("NIGHT\n", "NIGHT #1#\n").replace("REEF - DAY\n", "REEF - DAY #2#\n")
                       .replace("KITCHEN - DAY\n", "KITCHEN - DAY #3#\n"))
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("alt+n")
        await settle(pilot)
        assert not pilot.app.screen.modified
        assert json.loads(lock_path(path).read_text())["numbers"] == ["1", "2", "3"]


async def test_a_broken_record_is_named_and_the_script_kept(open_app, script_path, settle, notifications):
    path = script_path(SCRIPT)
    lock_path(path).write_text("{broken", encoding="utf-8")
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        told = [n for n in notifications(pilot.app) if n.startswith("Scene numbers")]
        assert told and "script.fountain.scenes.json:1: not JSON" in told[0]
        assert pilot.app.screen.editor.text == SCRIPT
