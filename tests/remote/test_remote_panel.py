"""The issue's walk-through, as a new user would do it, driven by Pilot against a real server:
start llama_cpp.server, `scenewright models add`, switch to it in the panel (F5), generate, kill
the server mid-stream: a clear message, the text streamed so far on offer, the script untouched,
and the writer typing on throughout."""

from __future__ import annotations

from textual import events
from textual.widgets import Select

from engine.cli import main as cli_main
from engine.generation import GenerationEngine
from engine.scriptfile import ScriptFile
from tui.app import ScenewrightApp
from tui.messages import TokensStreamed
from tui.screens.generation_settings import GenerationSettingsScreen

from llama_server import ALIAS, start_server
from message_recorder import Recorder

SCENE = """\
INT. LA ESTRELLA BAKERY - NIGHT

Flour hangs in the air. MARISOL (40s) kneads dough under a buzzing light.

JOSÉ
(at the door)
The tow truck is outside.

MARISOL
Tell them we close at six.

"""




async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, condition, what: str, tries: int = 12000) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"gave up waiting for {what}")


def type_keys(app, text: str) -> None:
    """Key presses posted at once, as a typist delivers them while the panel streams."""
    names = {" ": "space", ".": "full_stop", "\n": "enter"}
    for char in text:
        app.post_message(events.Key(names.get(char, char), None if char == "\n" else char))


async def test_switch_to_the_server_generate_and_kill_it_mid_stream(tmp_path, capsys):
    server = start_server(tmp_path, key=None)
    try:
        assert cli_main(["models", "add", "studio", "--base-url", server.base_url, "--served-model", ALIAS,
                         "--context-length", "2048"]) == 0
        assert "added studio" in capsys.readouterr().out
        path = tmp_path / "bakery.fountain"
        path.write_text(SCENE, encoding="utf-8")
        script, text = ScriptFile.open(path)
        recorder = Recorder()
        app = ScenewrightApp(script, text, engine=GenerationEngine())
        async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
            await settle(pilot)
            screen = app.editor_screen
            panel, editor = screen.panel, screen.editor
            editor.move_cursor(editor.document.end)
            # switch to the server in the panel's settings (F5), as the README says
            await pilot.press("f5")
            await pilot.pause()
            settings = app.screen
            assert isinstance(settings, GenerationSettingsScreen)
            settings.query_one("#model", Select).value = "studio"
            await pilot.pause()
            settings.query_one("#max_tokens").value = "400"
            settings.query_one("#seed").value = "4"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert not isinstance(app.screen, GenerationSettingsScreen)
            assert panel.model_name() == "studio"

            app.post_message(events.Key("ctrl+j", None))
            await wait_until(pilot, lambda: recorder.of(TokensStreamed), "the first tokens from the server")
            server.process.kill()  # the server dies mid-stream
            type_keys(app, "Rain.")  # the writer goes on typing meanwhile
            await wait_until(pilot, lambda: panel.error is not None, "the panel to say the server stopped")
            await settle(pilot)

            status = str(panel.query_one("#suggestion-status").render())
            assert status.startswith("⚠ the server at " + server.base_url) and "stopped in the middle" in status
            assert "the text so far is kept" in status
            alt = panel.suggestion.shown
            shown = recorder.of(TokensStreamed)[-1].text
            assert alt.text == shown and alt.text and alt.reason == "failed"  # nothing that was shown is lost
            assert str(panel.text_view.render()) == alt.text
            assert not panel.generating and panel.model_state != "failed" and panel.can_accept
            assert editor.text == SCENE + "Rain."  # every key arrived; the script itself untouched by the failure
            assert path.read_text(encoding="utf-8") == SCENE  # nothing written behind the writer's back
            await pilot.press("ctrl+t")  # what came is the writer's to take
            await pilot.pause()
            assert editor.text.startswith(SCENE + "Rain.") and alt.text.strip() in editor.text
    finally:
        server.stop()
