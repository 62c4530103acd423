"""How the editor looks (pytest-textual-snapshot), with the example script.

These also pin the private ``TextArea._build_highlight_map`` hook that highlighting relies on
(Textual is pinned to one version): if a Textual upgrade stops calling it, the colours go and
these snapshots fail.
"""

from __future__ import annotations

from engine.scriptfile import ScriptFile
from tui.app import ScenewrightApp

from conftest import EXAMPLE


def example_app(**kwargs) -> ScenewrightApp:
    script, text = ScriptFile.open(EXAMPLE)
    return ScenewrightApp(script, text, **kwargs)


async def ready(pilot) -> None:
    """Stats and outline computed, cursor steady (no blink), scrolled to the first scene."""
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    editor = app.editor_screen.editor
    editor.cursor_blink = False
    await pilot.pause()


async def at_first_dialogue(pilot) -> None:
    await ready(pilot)
    editor = pilot.app.editor_screen.editor
    row = editor.text.split("\n").index("MARISOL")
    editor.move_cursor((row + 1, 0))
    editor.scroll_to(y=row - 12, animate=False)
    await pilot.pause()


def test_main_screen_80x24(snap_compare):
    assert snap_compare(example_app(), terminal_size=(80, 24), run_before=at_first_dialogue)


def test_main_screen_120x36(snap_compare):
    assert snap_compare(example_app(), terminal_size=(120, 36), run_before=at_first_dialogue)


def test_light_theme_120x36(snap_compare):
    assert snap_compare(example_app(theme="light"), terminal_size=(120, 36), run_before=at_first_dialogue)


def test_location_completion_dropdown(snap_compare):
    async def typing_a_heading(pilot) -> None:
        await ready(pilot)
        editor = pilot.app.editor_screen.editor
        row = editor.text.split("\n").index("CUT TO:")
        editor.move_cursor((row + 1, 0))
        await pilot.press("enter", *"EXT. fi")
        await pilot.pause()

    assert snap_compare(example_app(), terminal_size=(100, 30), run_before=typing_a_heading)
