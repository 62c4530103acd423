"""How the editor looks (pytest-textual-snapshot), with the example script.

These also pin how highlighting reaches the screen (``ScriptEditor.get_line`` styles each line,
under TextArea's cursor line and selection as ``FountainLine`` arranges; Textual is pinned to one
version): if a Textual upgrade draws lines another way, the colours change and these snapshots fail.
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
        # let the debounced page/outline refresh (0.3 s after typing) run and finish, so the
        # status bar is the same whatever the machine's load (this snapshot flaked under load)
        await pilot.pause(0.5)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(example_app(), terminal_size=(100, 30), run_before=typing_a_heading)


SUGGESTION = "JOSÉ\n(setting the bag down)\nThen don't start now.\n\nMarisol tears an orange open with her thumbs.\n"


async def with_a_suggestion(pilot) -> None:
    """A finished suggestion in the panel, shown through the panel's own message path with
    fixed events (the model's timings would differ from run to run)."""
    from engine.generation import ContextEvent, DoneEvent, PromptEvent, StatsEvent, TokenEvent

    await ready(pilot)
    screen = pilot.app.editor_screen
    editor = screen.editor
    row = editor.text.split("\n").index("I never ask. That's why you keep coming back.") + 1
    editor.move_cursor((row, 0))
    editor.scroll_to(y=row - 12, animate=False)
    screen.show_panel()
    text = editor.text
    events = [
        ContextEvent("gemma3-270m", "…", 412, len(text), 0, 0),
        PromptEvent(0, 412, 412),
        *(TokenEvent(piece) for piece in ("JOSÉ\n", "(setting the bag", " down)\n", "Then don't start now.\n",
                                          "\nMarisol tears", " an orange open with her thumbs.\n")),
        StatsEvent("gemma3-270m", 412, 398, 31, 84.0, 40.0, 38.5, 350.0, (1, 1)),
        DoneEvent(SUGGESTION, "length", 0, 7),
    ]
    screen.panel.replay(text, (row, 0), screen.generation, events)
    await pilot.pause()
    await pilot.pause()


def test_suggestion_panel_beside_the_script_140x36(snap_compare):
    assert snap_compare(example_app(), terminal_size=(140, 36), run_before=with_a_suggestion)


def test_suggestion_panel_under_the_script_80x24(snap_compare):
    assert snap_compare(example_app(), terminal_size=(80, 24), run_before=with_a_suggestion)


def test_suggestion_settings_80x24(snap_compare):
    async def settings_open(pilot) -> None:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        pilot.app.screen.query_one("#temperature").cursor_blink = False
        await pilot.pause()

    assert snap_compare(example_app(), terminal_size=(80, 24), run_before=settings_open)


def test_context_view_120x36(snap_compare, tmp_path):
    """The context view of the example script (a copy, with an anchor store beside it) at its
    first dialogue: sections with token counts, the anchors and why, what was trimmed."""
    from engine.generation import GenerationEngine
    from engine.steering import Anchor, AnchorStore

    path = tmp_path / "night-shift.fountain"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    store = AnchorStore.for_script(path)
    store.add(Anchor("char-marisol", "character", "Marisol will not sell the bakery.", keys=("MARISOL",)))
    store.add(Anchor("beat-truck", "beat", "The tow truck is a bluff by the landlord."))
    store.save()
    script, text = ScriptFile.open(path)

    async def run_before(pilot) -> None:
        await at_first_dialogue(pilot)
        await pilot.press("f9")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(ScenewrightApp(script, text, engine=GenerationEngine()), terminal_size=(120, 36),
                        run_before=run_before)


async def after_a_crash(pilot) -> None:
    """The model process died of SIGSEGV mid-stream: the text that came stays, the report says why.
    The report is the one ``engine.models.process.client`` writes, with fixed pid and log lines."""
    from engine.generation import ContextEvent, ErrorEvent, PromptEvent, TokenEvent
    from engine.models.process.client import crash_error

    await ready(pilot)
    screen = pilot.app.editor_screen
    editor = screen.editor
    row = editor.text.split("\n").index("I never ask. That's why you keep coming back.") + 1
    editor.move_cursor((row, 0))
    editor.scroll_to(y=row - 12, animate=False)
    screen.show_panel()
    text = editor.text
    partial = "JOSÉ\n(setting the bag down)\n"
    report = crash_error("model process for 'gemma3-270m'", -11, "generating",
                         ["sched_reserve: CPU compute buffer size = 514.50 MiB",
                          "set_n_threads: n_threads = 2, n_threads_batch = 2"], None, 4242)
    events = [
        ContextEvent("gemma3-270m", "…", 412, len(text), 0, 0),
        PromptEvent(0, 412, 412),
        *(TokenEvent(piece) for piece in ("JOSÉ\n", "(setting the bag", " down)\n")),
        ErrorEvent(str(report), "crash", partial, 0),
    ]
    screen.panel.replay(text, (row, 0), screen.generation, events)
    await pilot.pause()
    await pilot.pause()


def test_model_process_crash_in_the_panel_140x36(snap_compare):
    assert snap_compare(example_app(), terminal_size=(140, 36), run_before=after_a_crash)
