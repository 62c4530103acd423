"""Saving from the editor: real files, line endings and BOM kept, outside changes caught,
recovery copies written and offered, quitting with unsaved work asks first."""

from __future__ import annotations

import os

from engine.scriptfile import ScriptFile
from tui.screens.external_change import ExternalChangeScreen
from tui.screens.quit_unsaved import QuitUnsavedScreen
from tui.screens.recover import RecoverScreen

BOM = b"\xef\xbb\xbf"


async def test_ctrl_s_saves_keeping_crlf_and_bom(open_app, script_path, settle):
    path = script_path(raw=BOM + b"INT. HOUSE - DAY\r\n\r\nRain.\r\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.editor_screen
        screen.editor.move_cursor((2, 5))
        await pilot.press(*" Wind.")
        assert screen.modified
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_bytes() == BOM + b"INT. HOUSE - DAY\r\n\r\nRain. Wind.\r\n"
        assert not screen.modified
        assert screen.status.info.message == "Saved"


async def test_a_missing_file_is_created_on_first_save(open_app, tmp_path, settle):
    path = tmp_path / "new.fountain"
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.editor_screen.editor.text == ""
        assert not path.exists()
        await pilot.press(*"EXT. ROOF - DAWN")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert path.read_text(encoding="utf-8") == "EXT. ROOF - DAWN"


async def test_outside_change_asks_and_overwrite_wins(open_app, script_path, settle):
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Wind. ")
        path.write_text("Someone else's text.\n", encoding="utf-8")
        os.utime(path, ns=(1, 1))  # a different stat, whatever the clock's granularity
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExternalChangeScreen)
        assert path.read_text(encoding="utf-8") == "Someone else's text.\n"  # nothing overwritten yet
        await pilot.press("o")
        await settle(pilot)
        assert not isinstance(app.screen, ExternalChangeScreen)
    assert path.read_text(encoding="utf-8") == "Wind. Rain.\n"


async def test_outside_change_reload_keeps_the_writers_version_in_undo(open_app, script_path, settle):
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor
        await pilot.press(*"Wind. ")
        path.write_text("Snow.\n", encoding="utf-8")
        os.utime(path, ns=(1, 1))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert editor.text == "Snow.\n"
        assert not app.editor_screen.modified
        editor.undo()
        assert editor.text == "Wind. Rain.\n"


async def test_cancel_leaves_both_versions_alone(open_app, script_path, settle):
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Wind. ")
        path.write_text("Snow.\n", encoding="utf-8")
        os.utime(path, ns=(1, 1))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.editor_screen.editor.text == "Wind. Rain.\n"
        assert app.editor_screen.modified
    assert path.read_text(encoding="utf-8") == "Snow.\n"


async def test_autosave_writes_a_recovery_copy_that_is_offered_on_reopen(open_app, script_path, settle):
    path = script_path("INT. HOUSE - DAY\n\nRain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.editor_screen
        screen.editor.move_cursor((2, 5))
        await pilot.press(*" The roof leaks.")
        screen.write_recovery_now()  # what the autosave timer calls every few seconds
        await settle(pilot)
        assert screen.recovery_generation == screen.generation
    # the editor "crashed": nothing was saved, the copy is there
    assert path.read_text(encoding="utf-8") == "INT. HOUSE - DAY\n\nRain.\n"
    assert ScriptFile.open(path)[0].recovery() == "INT. HOUSE - DAY\n\nRain. The roof leaks.\n"

    reopened = open_app(path)
    async with reopened.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(reopened.screen, RecoverScreen)
        await pilot.press("r")
        await settle(pilot)
        screen = reopened.editor_screen
        assert screen.editor.text == "INT. HOUSE - DAY\n\nRain. The roof leaks.\n"
        assert screen.modified  # recovered, not yet saved
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert path.read_text(encoding="utf-8") == "INT. HOUSE - DAY\n\nRain. The roof leaks.\n"
    assert ScriptFile.open(path)[0].recovery() is None


async def test_discarding_the_recovery_copy(open_app, script_path, settle):
    path = script_path("Rain.\n")
    ScriptFile.open(path)[0].write_recovery("Rain. Lost words.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RecoverScreen)
        await pilot.press("d")
        await settle(pilot)
        assert app.editor_screen.editor.text == "Rain.\n"
    assert ScriptFile.open(path)[0].recovery() is None


async def test_no_recovery_copy_while_there_is_nothing_unsaved(open_app, script_path, settle):
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.editor_screen.write_recovery_now()
        await settle(pilot)
    assert ScriptFile.open(path)[0].recovery() is None


async def test_quit_with_unsaved_changes_asks_first(open_app, script_path, settle):
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Wind. ")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, QuitUnsavedScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, QuitUnsavedScreen)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert not app.is_running
    assert path.read_text(encoding="utf-8") == "Wind. Rain.\n"


async def test_quit_without_unsaved_changes_just_quits(open_app, script_path, settle):
    app = open_app(script_path("Rain.\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_a_failed_save_says_why_and_keeps_the_text(open_app, tmp_path, settle, notifications):
    folder = tmp_path / "gone"
    folder.mkdir()
    path = folder / "script.fountain"
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Rain.")
        folder.rmdir()
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = "\n".join(notifications(app))
        assert "Not saved" in shown and "does not exist" in shown
        assert app.editor_screen.editor.text == "Rain."
        assert app.editor_screen.modified
        assert app.editor_screen.status.info.message == "Not saved"


async def test_enter_in_the_changed_on_disk_dialog_overwrites_nothing(open_app, script_path, settle):
    """Enter takes the focused button: Cancel, never Overwrite (the other program's text stays)."""
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Wind. ")
        path.write_text("Someone else's text.\n", encoding="utf-8")
        os.utime(path, ns=(1, 1))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExternalChangeScreen)
        assert app.screen.focused is not None and app.screen.focused.id == "answer-cancel"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ExternalChangeScreen)
        assert app.editor_screen.editor.text == "Wind. Rain.\n"
        assert app.editor_screen.modified
    assert path.read_text(encoding="utf-8") == "Someone else's text.\n"


async def test_enter_in_the_quit_dialog_goes_back_to_the_script(open_app, script_path, settle):
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Wind. ")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, QuitUnsavedScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, QuitUnsavedScreen)
        assert app.editor_screen.editor.text == "Wind. Rain.\n"
    assert path.read_text(encoding="utf-8") == "Rain.\n"


async def test_enter_in_the_recover_dialog_keeps_the_recovered_text(open_app, script_path, settle):
    path = script_path("Rain.\n")
    ScriptFile.open(path)[0].write_recovery("Rain. Lost words.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RecoverScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert app.editor_screen.editor.text == "Rain. Lost words.\n"
    assert ScriptFile.open(path)[0].recovery() == "Rain. Lost words.\n"


async def test_opening_a_file_in_a_missing_folder_warns_at_once(open_app, tmp_path, settle, notifications):
    path = tmp_path / "no-such-folder" / "script.fountain"
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = "\n".join(notifications(app))
        assert "Folder missing" in shown and "no-such-folder" in shown and "does not exist" in shown
        await pilot.press(*"Rain.")
        assert app.editor_screen.editor.text == "Rain."  # typing goes on


async def test_no_folder_warning_for_a_new_file_in_an_existing_folder(open_app, tmp_path, settle, notifications):
    app = open_app(tmp_path / "new.fountain")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not any("Folder missing" in n for n in notifications(app))
