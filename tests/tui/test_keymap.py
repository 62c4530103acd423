"""Every action is a Binding with an id; ``keymap.toml`` in the config folder remaps them."""

from __future__ import annotations

import os
from pathlib import Path

from textual.binding import Binding

from tui.app import ScenewrightApp
from tui.screens.cards import CardsScreen
from tui.screens.dialogue_report import DialogueReportScreen
from tui.screens.editor import EditorScreen
from tui.screens.spelling import SpellingScreen
from tui.screens.generation_settings import GenerationSettingsScreen
from tui.widgets.outline_panel import OutlinePanel
from tui.widgets.script_editor import ScriptEditor
from tui.widgets.suggestion_panel import SuggestionPanel


def write_keymap(text: str) -> Path:
    path = Path(os.environ["SCENEWRIGHT_CONFIG_DIR"]) / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_binding_of_ours_has_an_id_and_a_tooltip():
    for cls in (ScenewrightApp, EditorScreen, ScriptEditor, OutlinePanel, SuggestionPanel, GenerationSettingsScreen,
                DialogueReportScreen, SpellingScreen, CardsScreen):
        for binding in [*cls.__dict__["BINDINGS"], *cls.__dict__.get("COMPLETION_BINDINGS", [])]:
            assert isinstance(binding, Binding) and binding.id, (cls, binding)
            assert binding.tooltip, (cls, binding.id)


def test_the_writing_tools_are_in_the_key_map():
    known = ScenewrightApp.known_bindings(ScenewrightApp.__new__(ScenewrightApp))
    for binding_id in ("editor.lock_scene_numbers", "editor.unlock_scene_numbers", "editor.spelling",
                       "editor.toggle_spelling", "editor.dialogue_report", "editor.cards", "cards.move_up", "editor.revision_mode", "editor.next_revision", "editor.clear_revisions", "editor.next_revised_line", "dialogue.tag_gender", "dialogue.tag_role",
                       "spelling.add", "spelling.ignore"):
        assert binding_id in known, binding_id


async def test_lock_scene_numbers_can_be_remapped(open_app, script_path, settle):
    write_keymap('[keymap]\n"editor.lock_scene_numbers" = "f10"\n')
    path = script_path("INT. A - DAY\n\nRain.\n")
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert pilot.app.editor_screen.editor.document[0] == "INT. A - DAY #1#"


async def test_keymap_remaps_save(open_app, script_path, settle, notifications):
    write_keymap('[keymap]\n"editor.save" = "f9"\n"editor.cycle_element" = "f4"\n')
    path = script_path("Rain.\n")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert notifications(app) == []
        await pilot.press(*"Wind. ")
        await pilot.press("ctrl+s")  # no longer bound to save
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "Rain.\n"
        await pilot.press("f9")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "Wind. Rain.\n"
        await pilot.press("f4")  # Tab's action moved to F4
        assert app.editor_screen.editor.document[0] == "WIND. RAIN."


async def test_bad_keymap_gives_a_clear_notification(open_app, script_path, settle, notifications):
    path = write_keymap('[keymap]\n"editor.sav" = "ctrl+w"\n"editor.save" = 5\n"editor.toggle_outline" = "f2"\n')
    app = open_app(script_path("Rain.\n"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        shown = "\n".join(notifications(app))
        assert f"{path}:2: keymap.editor.sav: unknown binding id" in shown
        assert f"{path}:3: keymap.editor.save: must be a key string" in shown
        # the valid entry still applies
        assert app.editor_screen.outline.display
        await pilot.press("f2")
        await settle(pilot)
        assert not app.editor_screen.outline.display or app.editor_screen.outline.has_focus


async def test_unparsable_keymap(open_app, script_path, settle, notifications):
    path = write_keymap("[keymap\n")
    app = open_app(script_path("Rain.\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert any(f"{path}:1: invalid TOML" in n for n in notifications(app))


async def test_a_key_the_editor_uses_is_reported(open_app, script_path, settle, notifications):
    path = write_keymap('[keymap]\n"editor.save" = "ctrl+w"\n')
    app = open_app(script_path("Rain.\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = "\n".join(notifications(app))
        assert f"{path}:2: keymap.editor.save: ctrl+w is used by the script editor (delete_word_left)" in shown


async def test_completion_keys_can_be_remapped(open_app, script_path, settle):
    write_keymap('[keymap]\n"completion.accept" = "ctrl+l"\n')
    app = open_app(script_path("MARISOL\nRise.\n\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = app.editor_screen.editor
        editor.move_cursor((3, 0))
        await pilot.press(*"MA")
        await pilot.pause()
        assert app.editor_screen.menu.shown
        await pilot.press("ctrl+l")
        assert editor.document[3] == "MARISOL"
        await pilot.press("enter", *"Hi.", "enter", *"MA")
        await pilot.pause()
        assert app.editor_screen.menu.shown
        await pilot.press("tab")  # no longer accepts: Tab cycles the element
        assert editor.document[6] == ".MA"


async def test_suggestion_keys_can_be_remapped(open_app, script_path, settle, notifications):
    write_keymap('[keymap]\n"suggest.request" = "f9"\n"suggest.accept" = "f6"\n')
    app = open_app(script_path("Rain.\n"))
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        shown = "\n".join(notifications(app))
        assert "keymap.suggest.accept: f6 is used by the script editor (select_line)" in shown
        panel = app.editor_screen.panel
        assert str(panel.text_view.render()).startswith("f9 continues the script")  # the panel says the key
        await pilot.press("ctrl+j")  # no longer asks
        assert panel.suggestion is None
        await pilot.press("f9")
        assert panel.suggestion is not None and panel.generating
        panel.cancel()  # (the model was still loading: that stops too)
        await settle(pilot)
        assert not panel.generating
