"""The outline panel, "go to scene" in the command palette, and the status bar."""

from __future__ import annotations

from engine.fountain import Kind


async def test_outline_lists_sections_scenes_synopses_with_pages(open_app, script_path, example_text, settle):
    app = open_app(script_path(example_text, name="night-shift.fountain"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        outline = app.editor_screen.outline
        assert outline.display  # wide terminal: shown from the start
        kinds = [e.kind for e in outline.entries]
        assert kinds.count(Kind.SCENE_HEADING) == 5
        assert kinds.count(Kind.SECTION) == 3 and kinds.count(Kind.SYNOPSIS) == 2
        scenes = [e for e in outline.entries if e.kind is Kind.SCENE_HEADING]
        assert [e.scene_number for e in scenes] == ["1", "2", "3", "4", "5"]
        assert all(e.page >= 1 and e.duration_s > 0 for e in scenes)
        assert outline.option_count == len(outline.entries)


async def test_choosing_an_outline_entry_jumps_there(open_app, script_path, example_text, settle):
    app = open_app(script_path(example_text))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        await pilot.press("ctrl+o")  # visible: focus it
        assert screen.outline.has_focus
        target = next(i for i, e in enumerate(screen.outline.entries) if e.scene_number == "4")
        screen.outline.highlighted = target
        await pilot.press("enter")
        await settle(pilot)
        line = screen.outline.entries[target].line
        assert screen.editor.has_focus
        assert screen.editor.cursor_location == (line, 0)
        assert screen.editor.document[line].startswith("EXT. FIFTH STREET TOW LOT - NIGHT")
        assert screen.status.info.scene == "#4 of 5"


async def test_outline_starts_hidden_in_a_small_terminal_and_toggles(open_app, script_path, example_text, settle):
    app = open_app(script_path(example_text))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        assert not screen.outline.display
        await pilot.press("ctrl+o")
        assert screen.outline.display and screen.outline.has_focus
        await pilot.press("escape")
        assert screen.editor.has_focus and screen.outline.display
        await pilot.press("ctrl+o", "ctrl+o")
        assert not screen.outline.display and screen.editor.has_focus


async def test_go_to_scene_from_the_command_palette(open_app, script_path, example_text, settle):
    app = open_app(script_path(example_text))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press(*"delivry van")  # fuzzy
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        editor = app.editor_screen.editor
        row = editor.cursor_location[0]
        assert editor.document[row] == "INT. DELIVERY VAN - MOVING - DAWN #5#"
        assert editor.has_focus


async def test_status_bar_shows_element_scene_page_and_runtime(open_app, script_path, example_text, settle):
    app = open_app(script_path(example_text, name="night-shift.fountain"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        info = screen.status.info
        assert (info.file, info.element, info.modified) == ("night-shift.fountain", "title", False)
        lines = screen.editor.text.split("\n")
        cue = lines.index("TEO")
        screen.editor.move_cursor((cue + 1, 0))
        await pilot.pause()
        info = screen.status.info
        assert info.element == "dialogue"
        assert info.scene == "#4 of 5"
        assert info.pages == screen.facts.pages.count and 1 <= info.page <= info.pages
        assert info.runtime and info.runtime.endswith("min")
        await pilot.press("x")
        await pilot.pause()
        assert screen.status.info.modified


async def test_page_count_follows_typing_after_a_pause(open_app, script_path, settle):
    app = open_app(script_path("INT. ROOM - DAY\n\nA line.\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        assert screen.status.info.pages == 1
        screen.editor.move_cursor(screen.editor.document.end)
        screen.editor.insert("\n\nMore action.\n" * 60)
        screen.refresh_facts()  # what the 0.3 s debounce timer calls
        await settle(pilot)
        assert screen.status.info.pages >= 2
        assert len([e for e in screen.outline.entries if e.kind is Kind.SCENE_HEADING]) == 1
