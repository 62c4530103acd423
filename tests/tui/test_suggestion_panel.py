"""The suggestion panel driven by Pilot, with the real default model (Gemma 3 270M).

The model is loaded once per session (``generation_engine`` in conftest.py); each test asks for
a few tokens only. Waiting is done on the app's state and messages, never on the clock.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual import events

from engine.generation import GenerationEngine
from tui.messages import (
    PromptProgress,
    SuggestionAccepted,
    SuggestionRejected,
    SuggestionRetried,
    SuggestionShown,
    TokensStreamed,
)
from tui.screens.generation_settings import GenerationSettingsScreen
from engine.session import GenerationSettings, first_line
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


def long_script(example_text: str, name: str) -> str:
    """The example script twice (about 1,800 prompt tokens: the model reads it for a second or
    more) under a title line of its own, so that no earlier request has it in the prompt cache."""
    body = example_text.split("\n\n", 1)[1]  # without its title page
    return f"Title: {name}\n\n{body}\n{body}"


def end_of(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


def burst(app, text: str = "", *keys: str) -> None:
    """Send ``text`` (then the named ``keys``) as key presses all at once, as a fast typist or
    an SSH link delivers them. ``Pilot.press`` waits for the process to go idle after each key,
    which it is not while the model computes in a thread: the model would be done by then."""
    names = {" ": "space", ".": "full_stop", ",": "comma", "\n": "enter"}
    for char in text:
        app.post_message(events.Key(names.get(char, char), None if char == "\n" else char))
    for key in keys:
        app.post_message(events.Key(key, "\x1b" if key == "escape" else None))




async def start(pilot, settle, *, max_tokens: int = 16, **settings) -> None:
    """Settle the app, put the cursor at the end of the script and choose small settings."""
    await settle(pilot)
    screen = pilot.app.editor_screen
    screen.editor.move_cursor(screen.editor.document.end)
    screen.panel.apply_settings(GenerationSettings(max_tokens=max_tokens, **settings))
    await pilot.pause()


async def test_request_streams_into_the_panel_while_the_writer_types(
    open_app, script_path, example_text, generation_engine, settle, wait_until
):
    text = long_script(example_text, "streaming test")
    recorder = Recorder()
    app = open_app(script_path(text), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await start(pilot, settle, max_tokens=24)
        screen = app.editor_screen
        panel, editor = screen.panel, screen.editor
        assert panel.display  # shown from the start in a wide terminal
        burst(app, "", "ctrl+j")
        await wait_until(pilot, lambda: recorder.of(PromptProgress), "prompt evaluation to start")
        # the model is busy reading the script: the editor still takes every key, at once
        burst(app, "\nRain on the roof.")
        last = lambda: editor.document[editor.document.line_count - 1]  # noqa: E731
        await wait_until(pilot, lambda: last() == "Rain on the roof.", "the typed line")
        assert panel.generating
        await app.workers.wait_for_complete()
        await pilot.pause()

        alt = panel.suggestion.shown
        assert alt.finished and alt.reason != "cancelled"
        streamed = [m.text for m in recorder.of(TokensStreamed)]
        assert len(streamed) >= 2, streamed  # it arrived in pieces, not at the end
        assert all(later.startswith(earlier) for earlier, later in zip(streamed, streamed[1:]))
        assert alt.text.startswith(streamed[0]) and alt.text
        assert str(panel.text_view.render()) == alt.text  # what the writer sees
        # growing text is laid out again only when it gains a line, not for every token
        assert panel.text_view.layouts <= alt.text.count("\n") + len(alt.text) // 20 + 3
        shown = recorder.of(SuggestionShown)
        assert [m.record.text for m in shown] == [alt.text]
        status = str(panel.query_one("#suggestion-status").render())
        assert status.startswith("Done")
        stats = str(panel.query_one("#suggestion-stats").render())
        assert f"Prompt {alt.stats.prompt_tokens} tokens" in stats and "First token" in stats


async def test_escape_cancels_mid_generation_and_keeps_what_came(
    open_app, script_path, generation_engine, settle, wait_until
):
    recorder = Recorder()
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await start(pilot, settle, max_tokens=200, seed=5)
        panel = app.editor_screen.panel
        burst(app, "", "ctrl+j")
        await wait_until(pilot, lambda: recorder.of(TokensStreamed), "the first tokens")
        burst(app, "", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        alt = panel.suggestion.shown
        assert alt.reason == "cancelled"
        assert alt.stats is not None and alt.stats.generated_tokens < 200
        assert alt.text == recorder.of(TokensStreamed)[-1].text  # nothing shown is lost
        assert str(panel.query_one("#suggestion-status").render()) == "Cancelled."
        # what came so far can still be accepted
        assert panel.offer("whole").text == alt.text
        # a second Esc dismisses it, reported as rejected
        await pilot.press("escape")
        await pilot.pause()
        assert panel.suggestion is None
        assert [m.why for m in recorder.of(SuggestionRejected)] == ["dismissed"]


async def test_escape_cancels_while_the_model_reads_the_prompt(
    open_app, script_path, example_text, generation_engine, settle, wait_until
):
    recorder = Recorder()
    app = open_app(script_path(long_script(example_text, "cancel while reading")), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await start(pilot, settle)
        panel = app.editor_screen.panel
        burst(app, "", "ctrl+j")
        await wait_until(pilot, lambda: recorder.of(PromptProgress), "prompt evaluation to start")
        assert str(panel.query_one("#suggestion-status").render()).startswith("Reading the script")
        burst(app, "", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        progress = recorder.of(PromptProgress)
        assert progress[-1].done < progress[-1].total  # it stopped inside the prompt
        assert not recorder.of(TokensStreamed)
        assert panel.suggestion.shown.reason == "cancelled"
        assert str(panel.query_one("#suggestion-status").render()) == "Cancelled before any text."
        assert not panel.generating


async def test_escape_closes_the_completion_menu_first(
    open_app, script_path, example_text, generation_engine, settle, wait_until
):
    recorder = Recorder()
    app = open_app(script_path(long_script(example_text, "completion and escape")), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await start(pilot, settle)
        screen = app.editor_screen
        burst(app, "", "ctrl+j")
        await wait_until(pilot, lambda: recorder.of(PromptProgress), "prompt evaluation to start")
        burst(app, "\nMA")
        await wait_until(pilot, lambda: screen.menu.shown, "the completion menu")
        burst(app, "", "escape")
        await wait_until(pilot, lambda: not screen.menu.shown, "the menu to close")
        assert screen.panel.generating  # the same Esc did not stop the suggestion
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.panel.suggestion.shown.reason != "cancelled"


async def test_accept_inserts_one_undo_step(open_app, script_path, generation_engine, settle):
    recorder = Recorder()
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await start(pilot, settle, seed=1)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        editor.move_cursor((10, 0))  # the blank line after MARISOL's speech: the request is made here
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        offered = panel.offer("whole").text
        assert offered
        editor.move_cursor((0, 0))  # the writer looks elsewhere; the script itself did not change
        await pilot.press("ctrl+t")
        lines = SCENE.split("\n")
        before = "\n".join(lines[:10]) + "\n"
        assert editor.text == before + offered + SCENE[len(before):]
        accepted = recorder.of(SuggestionAccepted)
        assert [(m.part, m.text, m.at) for m in accepted] == [("whole", offered, (10, 0))]
        assert panel.suggestion is None
        assert editor.cursor_location == end_of(before + offered)
        await pilot.press("ctrl+z")
        assert editor.text == SCENE  # one undo takes the whole suggestion out again
        await pilot.press("ctrl+y")
        assert editor.text == before + offered + SCENE[len(before):]


async def test_accept_after_typing_goes_to_the_cursor(open_app, script_path, generation_engine, settle):
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await start(pilot, settle, seed=2)
        editor, panel = app.editor_screen.editor, app.editor_screen.panel
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        offered = panel.offer("whole").text
        await pilot.press(*"JOSÉ", "enter")  # the writer went on meanwhile
        typed = editor.text
        row, column = editor.cursor_location
        await pilot.press("ctrl+t")
        from engine.fountain.editing import separate_suggestion

        # nothing of what was typed is lost (a cue under a line of text gets its blank line)
        assert editor.text == typed + separate_suggestion(typed.split("\n"), end_of(typed), offered)
        assert (row, column) == end_of(typed)
        await pilot.press("ctrl+z")
        assert editor.text == typed


async def test_accept_line_keeps_the_rest_on_offer(open_app, script_path, generation_engine, settle):
    recorder = Recorder()
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await start(pilot, settle, max_tokens=24, seed=3)
        editor, panel = app.editor_screen.editor, app.editor_screen.panel
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        offered = panel.offer("whole").text
        part = first_line(offered)
        await pilot.press("ctrl+l")
        assert editor.text == SCENE + part
        rest = offered[len(part):]
        assert (panel.offer("whole").text if panel.offer("whole") else "") == rest
        assert [(m.part, m.text) for m in recorder.of(SuggestionAccepted)] == [("line", part)]
        await pilot.press("ctrl+z")
        assert editor.text == SCENE


async def test_alternatives_retry_and_step(open_app, script_path, generation_engine, settle):
    recorder = Recorder()
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await start(pilot, settle, max_tokens=12, seed=21, alternatives=2)
        panel = app.editor_screen.panel
        title = lambda: str(panel.query_one("#suggestion-title").render()).split("  ")[0]  # noqa: E731
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        suggestion = panel.suggestion
        assert len(suggestion.alternatives) == 2 and title() == "Suggestion 1/2"
        assert [a.seed for a in suggestion.alternatives] == [21, 22]
        await pilot.press("ctrl+r")  # another sample of the same request
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(suggestion.alternatives) == 3 and title() == "Suggestion 3/3"
        assert suggestion.alternatives[2].seed == 23
        assert len(recorder.of(SuggestionRetried)) == 1
        await pilot.press("f8")
        assert title() == "Suggestion 2/3"
        assert str(panel.text_view.render()) == suggestion.alternatives[1].text
        await pilot.press("ctrl+n")
        assert title() == "Suggestion 3/3"
        await pilot.press("ctrl+n")  # past the last one: a new sample, like a swipe
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(suggestion.alternatives) == 4 and title() == "Suggestion 4/4"
        assert {m.record.slot for m in recorder.of(SuggestionShown)} == {0, 1, 2, 3}


async def test_warm_model_reads_the_script_ahead(open_app, script_path, generation_engine, settle, wait_until):
    app = open_app(script_path(SCENE + "EXT. STREET - NIGHT\n\nThe tow truck idles.\n"),
                   engine=generation_engine, warm_model=True)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        # loaded a moment after start (here: already loaded)
        await wait_until(pilot, lambda: screen.panel.model_state == "ready", "the model to load")
        screen.panel.apply_settings(GenerationSettings(max_tokens=16))
        end = screen.editor.document.end
        screen.editor.move_cursor(end)  # after a pause, the model reads the script up to the cursor
        await wait_until(pilot, lambda: screen.panel.primed_at == end and not screen.panel.busy,
                         "the script to be read ahead")
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        stats = screen.panel.suggestion.shown.stats
        assert stats.cached_tokens >= stats.prompt_tokens - 1  # only the last token evaluated again


async def test_warm_model_waits_for_the_editor_then_reads_ahead_only_after_a_pause(
    open_app, script_path, generation_engine, wait_until, monkeypatch
):
    """Start-up belongs to the writer: the model load starts after the first screen, the
    read-ahead does not follow the load at once, and it runs as background work (one core
    left to the editor)."""
    requests = []
    continue_at = generation_engine.continue_at

    def recording(script, cursor, request, **kwargs):
        requests.append(request)
        return continue_at(script, cursor, request, **kwargs)

    monkeypatch.setattr(generation_engine, "continue_at", recording)
    app = open_app(script_path(SCENE), engine=generation_engine, warm_model=True)
    async with app.run_test(size=(140, 36)) as pilot:
        screen = app.editor_screen
        panel = screen.panel
        assert panel.model_state == "idle"  # nothing loading while the first screen comes up
        await wait_until(pilot, lambda: panel.model_state == "ready", "the model to load")
        await pilot.pause()
        assert not panel.busy and requests == []  # loaded: no read-ahead yet
        await pilot.press("x")  # typing puts the read-ahead off again
        end = screen.editor.cursor_location
        await wait_until(pilot, lambda: panel.primed_at == end and not panel.busy, "the read-ahead")
        assert len(requests) == 1 and requests[0].background


async def test_missing_model_file_is_a_message_and_typing_goes_on(open_app, script_path, settle):
    Path(os.environ["SCENEWRIGHT_CONFIG_DIR"], "models.toml").write_text(
        'default = "ghost"\n\n[models.ghost]\nsource = "path:/nonexistent/ghost.gguf"\n', encoding="utf-8"
    )
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel, editor = screen.panel, screen.editor
        editor.move_cursor(editor.document.end)
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert panel.display  # asking shows the panel, even in a small terminal
        status = str(panel.query_one("#suggestion-status").render())
        assert status == "⚠ model 'ghost': the file /nonexistent/ghost.gguf does not exist"
        assert panel.suggestion is None and not panel.generating
        await pilot.press(*"Rain.")
        assert editor.text == SCENE + "Rain."


async def test_corrupt_model_file_is_a_message(open_app, script_path, settle, tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 60)
    Path(os.environ["SCENEWRIGHT_CONFIG_DIR"], "models.toml").write_text(
        f'[models.broken]\nsource = "path:{broken}"\n', encoding="utf-8"
    )
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        screen.choose_model("broken")  # what "Model: choose" does
        await settle(pilot)
        status = str(screen.panel.query_one("#suggestion-status").render())
        assert status.startswith("⚠ ") and str(broken) in status, status
        assert screen.panel.model_state == "failed"
        await pilot.press(*"Rain.")
        assert screen.editor.document[0].startswith("Rain.")


async def test_model_choice_from_the_command_palette(open_app, script_path, settle):
    Path(os.environ["SCENEWRIGHT_CONFIG_DIR"], "models.toml").write_text(
        '[models.ghost]\nsource = "path:/nonexistent/ghost.gguf"\n', encoding="utf-8"
    )
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Model: choose")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"ghost")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        panel = app.editor_screen.panel
        assert panel.settings.model == "ghost"
        assert str(panel.query_one("#suggestion-status").render()).endswith("/nonexistent/ghost.gguf does not exist")


async def test_settings_screen_changes_sampling(open_app, script_path, settle):
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.editor_screen.panel
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, GenerationSettingsScreen)
        assert app.screen.query_one("#temperature").value == "0.4"  # the model's default
        app.screen.query_one("#temperature").value = "9"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, GenerationSettingsScreen)  # stays open, says why
        assert "Temperature: must be between 0 and 5, not 9" in str(app.screen.query_one("#settings-error").render())
        app.screen.query_one("#temperature").value = "0.8"
        app.screen.query_one("#max_tokens").value = "40"
        app.screen.query_one("#seed").value = "7"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, GenerationSettingsScreen)
        assert panel.settings == GenerationSettings(temperature=0.8, max_tokens=40, seed=7)
        request = panel.settings.request()
        assert (request.temperature, request.top_p, request.max_tokens, request.seed) == (0.8, None, 40, 7)
        # the Fountain shape and new characters: yes/no, the model's defaults first
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert (screen.query_one("#shaped").value, screen.query_one("#new_characters").value) == ("yes", "no")
        assert screen.query_one("#dry_multiplier").value == "0.8"
        screen.query_one("#shaped").value = "no"
        screen.query_one("#new_characters").value = "yes"
        screen.query_one("#dry_multiplier").value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert panel.settings == GenerationSettings(temperature=0.8, max_tokens=40, seed=7, shaped=False,
                                                    new_characters=True, dry_multiplier=0.0)
        request = panel.settings.request()
        assert (request.shaped, request.new_characters, request.dry_multiplier) == (False, True, 0.0)
        # F2 puts the model's own values back in the fields
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert (app.screen.query_one("#shaped").value, app.screen.query_one("#dry_multiplier").value) == ("yes", "0.8")
        await pilot.press("escape")
        await pilot.pause()
        # from the command palette: back to the model's own values
        await pilot.press("ctrl+p", *"Sampling: model defaults")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert panel.settings == GenerationSettings()


async def test_small_terminal_panel_is_hidden_and_toggles(open_app, script_path, settle):
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel, editor = screen.panel, screen.editor
        assert not panel.display
        await pilot.press("f4")
        assert panel.display and panel.has_focus
        await pilot.pause()
        assert panel.region.y > editor.region.y and panel.region.width == 80  # docked under the script
        await pilot.press("escape")  # back to the script
        assert editor.has_focus and panel.display
        await pilot.press("f4", "f4")
        assert not panel.display and editor.has_focus


async def test_continue_from_the_command_palette(open_app, script_path, generation_engine, settle):
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, settle, max_tokens=8)
        panel = app.editor_screen.panel
        assert not panel.display
        await pilot.press("ctrl+p", *"Continue from cursor")
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.display and panel.suggestion.shown.finished
        assert panel.suggestion.cursor == end_of(SCENE)


def shown(panel, selector: str) -> str:
    return str(panel.query_one(selector).render())


async def test_the_model_line_names_the_prompt_and_p_chooses_another(open_app, script_path, settle):
    """Beside the script the model line starts with the prompt the next request uses (its title in
    the tooltip: the line is one row of a narrow panel); ``p`` in the panel opens the prompt
    picker; under the script, where the model line is left out, the title names the prompt."""
    from textual.command import CommandPalette

    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel = screen.panel
        await pilot.press("f4")
        await pilot.pause()
        assert panel.display and panel.has_focus
        model_line = panel.query_one("#suggestion-model")
        assert shown(panel, "#suggestion-model").startswith("continue@1 · temp ")
        assert model_line.size.height == 1
        assert str(model_line.tooltip).startswith("Prompt: Continue from the cursor (continue@1)\nSampling: temp ")
        assert shown(panel, "#suggestion-keys").endswith("  p prompt")  # the panel's own key

        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"dialogue")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.steering.prompt_id == "dialogue"
        assert shown(panel, "#suggestion-model").startswith("dialogue@1 · temp ")
        assert str(model_line.tooltip).startswith("Prompt: Dialogue for the current scene (dialogue@1)\n")

        await pilot.press("escape")  # back to the script: the hint names the editor's key
        await pilot.pause()
        assert screen.editor.has_focus
        assert shown(panel, "#suggestion-keys").endswith("  f12 prompt")

        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert panel.display and not model_line.display  # docked under the script
        assert shown(panel, "#suggestion-title") == "Suggestion  gemma3-270m · dialogue@1"


async def test_a_rewrite_shows_its_own_prompt_then_the_scripts_again(
    open_app, script_path, generation_engine, settle, wait_until
):
    """A rewrite uses the rewrite prompt, not the script's: the model line says so while the
    rewrite is on show, and names the script's prompt again once it is dismissed."""
    from tui.screens.request_input import RequestInputScreen

    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await start(pilot, settle, max_tokens=4, seed=5)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        screen.show_panel()
        await pilot.pause()
        assert shown(panel, "#suggestion-model").startswith("continue@1 · ")
        row = editor.document.lines.index("Tell them we close at six.")
        editor.selection = ((row, 0), (row, len(editor.document.lines[row])))
        await pilot.press("alt+r")
        await wait_until(pilot, lambda: isinstance(app.screen, RequestInputScreen), "the instruction line")
        await pilot.press(*"angrier", "enter")
        await wait_until(pilot, lambda: panel.suggestion is not None and not panel.generating, "the rewrite")
        await settle(pilot)
        assert panel.suggestion.steered.prompt.kind == "rewrite"
        assert shown(panel, "#suggestion-model").startswith("rewrite@1 · ")
        assert "Prompt: Rewrite the selection (rewrite@1)" in str(panel.query_one("#suggestion-model").tooltip)
        await pilot.press("escape")  # dismissed
        await pilot.pause()
        assert panel.suggestion is None
        assert shown(panel, "#suggestion-model").startswith("continue@1 · ")
