"""Requests of other kinds than "continue", driven by the writer's keys with the real default
model: rewriting the selection with an instruction (accepting replaces the passage, one undo
step), short alternatives for the selection, a scene from a plot beat (the anchored beats are
offered), a remembered prompt that needs a selection, and editing a prompt as a new version."""

from __future__ import annotations

from engine.generation import GenerationEngine
from engine.paths import config_dir
from engine.steering import Anchor, AnchorStore, load_library
from tui.screens.editor import fit_replacement
from tui.screens.prompt_edit import PromptEditScreen
from tui.screens.request_input import RequestInputScreen
from engine.session import GenerationSettings

SCENE = """\
Title: The Bakery
Genre: Thriller

INT. LA ESTRELLA BAKERY - NIGHT

Flour hangs in the air. MARISOL (40s) kneads dough under a buzzing light.

MARISOL
Tell them we close at six.

"""
LINE = "Tell them we close at six."


def select_line(editor, text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    row = editor.document.lines.index(text)
    start, end = (row, 0), (row, len(text))
    editor.selection = (start, end)
    return start, end


async def test_rewrite_replaces_the_selection_and_undo_brings_it_back(
    open_app, script_path, generation_engine, settle, wait_until
):
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        panel.apply_settings(GenerationSettings(max_tokens=12, seed=7))
        start, end = select_line(editor, LINE)
        await pilot.press("alt+r")
        await wait_until(pilot, lambda: isinstance(app.screen, RequestInputScreen), "the instruction line")
        await pilot.press(*"angrier", "enter")
        await wait_until(pilot, lambda: panel.suggestion is not None and not panel.generating, "the rewrite")
        await settle(pilot)
        suggestion = panel.suggestion
        assert suggestion.steered.prompt.kind == "rewrite"
        prompt = suggestion.context.prompt
        assert f"Passage:\n{LINE}" in prompt and "Instruction: angrier" in prompt
        assert prompt.rstrip().endswith("following the instruction:")
        offered = panel.offer().text
        assert offered.strip()
        before = editor.text
        await pilot.press("ctrl+t")
        await settle(pilot)
        lines = before.split("\n")
        expected = "\n".join(lines[: start[0]] + [fit_replacement(LINE, offered)] + lines[start[0] + 1:])
        assert editor.text == expected  # the passage is gone, the rewrite stands in its place
        # the next request goes back to the script's prompt
        assert screen.steering.steer(editor.text, editor.cursor_location).prompt.kind == "continue"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert editor.text == before


async def test_rewrite_without_a_selection_says_what_to_do(open_app, script_path, settle, notifications):
    engine = GenerationEngine()  # not loaded: the refusal comes before any model
    app = open_app(script_path(SCENE), engine=engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        await pilot.press("alt+r")
        await settle(pilot)
        assert not isinstance(app.screen, RequestInputScreen)
        assert any("Select the passage to rewrite" in n for n in notifications(app))
        assert app.editor_screen.panel.suggestion is None
    assert engine.loaded() == []


async def test_alternatives_for_the_selection(open_app, script_path, generation_engine, settle, wait_until):
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel = screen.panel
        panel.apply_settings(GenerationSettings(max_tokens=6, seed=3))
        select_line(screen.editor, LINE)
        await pilot.press("alt+a")
        await wait_until(pilot, lambda: panel.suggestion is not None and not panel.generating, "the alternatives")
        await settle(pilot)
        suggestion = panel.suggestion
        assert suggestion.steered.prompt.kind == "alternatives"
        assert len(suggestion.alternatives) == 4  # the built-in prompt asks for four
        assert f"{LINE}" in suggestion.context.prompt


async def test_scene_from_an_anchored_beat(open_app, script_path, generation_engine, settle, wait_until):
    path = script_path(SCENE)
    store = AnchorStore.for_script(path)
    store.add(Anchor("beat-landlord", "beat", "The landlord arrives to collect the rent."))
    store.save()
    app = open_app(path, engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel = screen.panel
        panel.apply_settings(GenerationSettings(max_tokens=6))
        screen.editor.move_cursor(screen.editor.document.end)
        await pilot.press("alt+b")
        await wait_until(pilot, lambda: isinstance(app.screen, RequestInputScreen), "the beat line")
        await pilot.press("enter")  # nothing written: the beat is required
        await settle(pilot)
        assert isinstance(app.screen, RequestInputScreen)
        await pilot.press("down", "enter")  # pick the anchored beat ...
        await pilot.press("enter")  # ... and send it
        await wait_until(pilot, lambda: panel.suggestion is not None and not panel.generating, "the scene")
        await settle(pilot)
        suggestion = panel.suggestion
        assert suggestion.steered.prompt.kind == "beat"
        assert "Beat: The landlord arrives to collect the rent." in suggestion.context.prompt


async def test_remembered_rewrite_prompt_on_ctrl_j_needs_a_selection(open_app, script_path, settle, notifications):
    path = script_path(SCENE)
    store = AnchorStore.for_script(path)
    store.remember_prompt("rewrite")
    store.save()
    engine = GenerationEngine()  # not loaded: neither the refusal nor the instruction screen needs a model
    app = open_app(path, engine=engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert any("Select the passage to rewrite" in n for n in notifications(app))
        select_line(app.editor_screen.editor, LINE)
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert isinstance(app.screen, RequestInputScreen)  # the instruction comes next
    assert engine.loaded() == []


async def test_editing_a_prompt_writes_a_new_version_and_uses_it(
    open_app, script_path, generation_engine, settle, wait_until
):
    path = script_path(SCENE)
    app = open_app(path, engine=generation_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel = screen.panel
        panel.apply_settings(GenerationSettings(max_tokens=2))
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptEditScreen), "the prompt editor")
        edit = app.screen
        area = edit.query_one("#prompt-template")
        original = area.text
        area.text = "Nothing here names the script."  # a continue prompt without {{script}} or {{scene}}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PromptEditScreen)  # still open, with the writer's text
        assert "script" in str(edit.query_one("#prompt-problem").render())
        assert not list((config_dir() / "prompts").glob("*.toml"))
        area.text = "Every line is spoken in a whisper.\n" + original
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, PromptEditScreen)
        assert (config_dir() / "prompts" / "continue.v2.toml").is_file()
        assert load_library().get("continue", 1).template_text == load_library(
            user_dir=config_dir() / "nowhere").get("continue").template_text  # version 1 is untouched
        assert AnchorStore.for_script(path).settings.prompt_version == 2
        screen.editor.move_cursor(screen.editor.document.end)
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: panel.suggestion is not None and not panel.generating, "the request")
        await settle(pilot)
        assert panel.suggestion.steered.prompt.ref == "continue@2"
        assert panel.suggestion.context.prompt.startswith("Every line is spoken in a whisper.")
