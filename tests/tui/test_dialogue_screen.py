"""The dialogue screen (Alt+D): shares and the who-speaks chart of the text in the editor,
tags cycled from the keyboard and kept with the anchors; it fits 80x24."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from engine.steering.store import store_path
from tui.screens.dialogue_report import DialogueReportScreen

from conftest import EXAMPLE


async def test_dialogue_screen_tags_and_keeps_them(open_app, script_path, settle, example_text):
    path = script_path(example_text, name="night-shift.fountain")
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("alt+d")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DialogueReportScreen)
        table = screen.query_one(DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["MARISOL", "JOSÉ", "TEO"]
        chart = str(screen.query_one("#dialogue-scenes", Static).render())
        assert "MARISOL" in chart and "(no dialogue) EXT. FIFTH STREET TOW LOT" in chart
        await pilot.press("g")  # MARISOL: woman
        await pilot.press("r", "r")  # lead, then supporting
        await pilot.press("down", "g", "g")  # JOSÉ: man
        splits = str(screen.query_one("#dialogue-splits", Static).render())
        assert "By gender: woman 49% (1)  man 41% (1)  untagged 10% (1)" in splits
        assert table.get_row_at(0)[6:] == ["woman", "supporting"]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, DialogueReportScreen)
    stored = store_path(path).read_text(encoding="utf-8")
    assert '[cast.MARISOL]\ngender = "woman"\nrole = "supporting"' in stored
    assert '[cast."JOSÉ"]\ngender = "man"' in stored


async def test_tags_of_a_broken_store_are_refused_with_its_error(open_app, script_path, settle, example_text,
                                                                 notifications):
    path = script_path(example_text, name="night-shift.fountain")
    store_path(path).write_text("format = 1\n[cast]\nMARISOL = 3\n", encoding="utf-8")
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("alt+d")
        await settle(pilot)
        summary = str(pilot.app.screen.query_one("#dialogue-summary", Static).render())
        assert "Tags cannot be kept" in summary and "night-shift.anchors.toml:3" in summary
        await pilot.press("g")
        assert any("night-shift.anchors.toml:3" in n for n in notifications(pilot.app))
    assert store_path(path).read_text(encoding="utf-8") == "format = 1\n[cast]\nMARISOL = 3\n"


def test_dialogue_screen_80x24(snap_compare):
    from engine.scriptfile import ScriptFile
    from tui.app import ScenewrightApp

    script, text = ScriptFile.open(EXAMPLE)

    async def opened(pilot) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press("alt+d")
        await pilot.pause()

    assert snap_compare(ScenewrightApp(script, text), terminal_size=(80, 24), run_before=opened)


async def test_the_writing_tools_are_in_the_command_palette(open_app, script_path, settle, example_text):
    """Terminals that do not send Alt+letter still reach every tool: Ctrl+P lists them."""
    from tui.screens.cards import CardsScreen

    path = script_path(example_text, name="night-shift.fountain")
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for title, screen_type in (("Dialogue analysis", DialogueReportScreen), ("Cards", CardsScreen)):
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*title)
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(pilot.app.screen, screen_type), title
            await pilot.press("escape")
            await settle(pilot)
