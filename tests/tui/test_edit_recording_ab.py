"""Blind A/B in the panel, driven by Pilot with the real default model: two seeds of the same
model and prompt, and two versions of a prompt; the pick goes into the edit log as a comparison
that ``scenewright eval`` reports."""

from __future__ import annotations

import subprocess
import sys

from engine.editlog import EditLog, comparisons, default_path
from engine.steering import load_library, save_new_version
from engine.session import BlindAB
from tui.messages import BlindPicked
from tui.screens.generation_settings import GenerationSettingsScreen
from engine.session import GenerationSettings
from message_recorder import Recorder

SCENE = (
    "INT. LIGHTHOUSE - NIGHT\n\n"
    "The lamp turns. MARA (60s) climbs the last steps with a kettle.\n\n"
    "MARA\nStorm's early this year.\n\n"
)




async def both_written(pilot, wait_until) -> None:
    """Until the panel has sampled both candidates (the second starts when the first is done)."""
    panel = pilot.app.editor_screen.panel
    await wait_until(pilot, lambda: not panel.generating, "both candidates")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(widget) -> str:
    return str(widget.render())


async def test_blind_ab_of_two_seeds_picked_in_the_panel(open_app, script_path, generation_engine, settle,
                                                           wait_until):
    recorder = Recorder()
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        editor.move_cursor(editor.document.end)
        panel.apply_settings(GenerationSettings(max_tokens=12, seed=21))
        # on from the command palette
        await pilot.press("ctrl+p", *"Blind A/B: compare")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Another seed")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert panel.settings.ab == BlindAB("seed")

        await pilot.press("ctrl+j")
        await both_written(pilot, wait_until)
        suggestion = panel.suggestion
        a, b = suggestion.alternatives
        assert (a.label, b.label) == ("A", "B") and a.text and b.text and a.finished and b.finished
        assert a.request_key != b.request_key  # each candidate is a request of its own in the log
        assert sorted([a.seed, b.seed]) == [21, 22]
        writers = suggestion.blind.writers
        assert (a if writers == "A" else b).seed == 21  # the writer's own settings
        title = text_of(panel.query_one("#suggestion-title"))
        assert title.startswith("Blind A/B: A") and "gemma3-270m" not in title  # hidden until picked
        assert text_of(panel.query_one("#suggestion-stats")) == ""
        assert text_of(panel.query_one("#suggestion-status")).startswith("Which is better?")
        await pilot.press("ctrl+n")
        assert text_of(panel.query_one("#suggestion-title")).startswith("Blind A/B: B")
        await pilot.press("ctrl+n")  # no third sample in a comparison
        await pilot.pause()
        assert len(suggestion.alternatives) == 2 and not panel.generating

        await pilot.press("f4")  # into the panel
        await pilot.press("b")
        await pilot.pause()
        [picked] = recorder.of(BlindPicked)
        assert (picked.winner, picked.a.key, picked.b.key) == ("B", a.key, b.key)
        status = text_of(panel.query_one("#suggestion-status"))
        assert status.startswith("You picked B. A was gemma3-270m · continue@1 · seed ")
        assert "(your settings)" in status
        assert "gemma3-270m" in text_of(panel.query_one("#suggestion-title"))  # told now
        await pilot.press("enter")  # accept the picked one: no second pick
        await pilot.pause()
        assert editor.text == SCENE + b.text
        assert len(recorder.of(BlindPicked)) == 1
        assert app.edit_recording.flush()

    with EditLog.open(default_path()) as log:
        rows = log.db.execute("SELECT id, a_id, b_id, winner FROM comparisons").fetchall()
        assert rows == [(suggestion.blind.key, a.key, b.key, "B")]
        assert log.suggestion(b.key)["state"] == "accepted" and log.suggestion(a.key)["state"] == "shown"
        seeds = sorted(r[0] for r in log.db.execute("SELECT seed FROM requests"))
        assert seeds == [21, 22]
        [decided] = comparisons(log)
        assert decided["a"] == decided["b"] == "gemma3-270m continue@1" and decided["winner"] == "B"
    report = subprocess.run([sys.executable, "-m", "tui.main", "eval"], capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert "gemma3-270m continue@1, two samples: A vs B: 0-1  0% [0%, 79%]" in report.stdout
    assert "side shown as A picked in 0 of 1 decided picks" in report.stdout


async def test_blind_ab_of_two_prompt_versions_from_the_settings_screen(
    open_app, script_path, generation_engine, settle, wait_until
):
    library = load_library()
    base = library.get("continue")
    newer = save_new_version(base, "Write it tense and spare.\n" + base.template_text, library=library)
    assert newer.ref == "continue@2"  # the script now uses it (the highest version)
    recorder = Recorder()
    app = open_app(script_path(SCENE), engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        editor.move_cursor(editor.document.end)
        panel.apply_settings(GenerationSettings(max_tokens=10, seed=4))
        await pilot.press("f5")
        await pilot.pause()
        settings = app.screen
        assert isinstance(settings, GenerationSettingsScreen)
        values = [value for _, value in settings.query_one("#ab")._options]
        assert {"off", "model:smollm2-135m", "prompt:continue@1", "prompt:continue@2", "seed"} <= set(values)
        settings.query_one("#ab").value = "prompt:continue@1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert panel.settings.ab == BlindAB("prompt", "continue@1")

        await pilot.press("ctrl+j")
        await both_written(pilot, wait_until)
        suggestion = panel.suggestion
        shown = suggestion.shown
        assert shown.label == "A" and all(alt.text for alt in suggestion.alternatives)
        await pilot.press("ctrl+t")  # accepting the one on show picks it
        await pilot.pause()
        [picked] = recorder.of(BlindPicked)
        assert picked.winner == "A"
        assert editor.text == SCENE + shown.text
        assert "You picked A." in text_of(panel.query_one("#suggestion-status"))
        assert app.edit_recording.flush()

    with EditLog.open(default_path()) as log:
        [decided] = comparisons(log)
        versions = {alt.label: alt for alt in suggestion.alternatives}
        expected = {label: f"gemma3-270m continue@{2 if label == suggestion.blind.writers else 1}"
                    for label in "AB"}
        assert (decided["a"], decided["b"], decided["winner"]) == (expected["A"], expected["B"], "A")
        assert log.suggestion(versions["A"].key)["state"] == "accepted"
        prompts = dict(log.db.execute("SELECT prompt_version, prompt FROM requests").fetchall())
        assert prompts[2].startswith("Write it tense and spare.") and not prompts[1].startswith("Write it")


async def test_blind_ab_of_two_models(open_app, script_path, settle, wait_until):
    """The other candidate from SmolLM2 135M (the second packaged model); turning the comparison
    on makes the engine keep both loaded, so neither is read again for the next comparison."""
    from pathlib import Path

    from engine.generation import GenerationEngine
    from engine.models import load_registry

    engine = GenerationEngine(load_registry(user_path=Path("/nonexistent/models.toml")))  # keeps one
    recorder = Recorder()
    app = open_app(script_path(SCENE), engine=engine)
    try:
        async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
            await settle(pilot)
            screen = app.editor_screen
            editor, panel = screen.editor, screen.panel
            editor.move_cursor(editor.document.end)
            panel.apply_settings(GenerationSettings(max_tokens=8, seed=2, ab=BlindAB("model", "smollm2-135m")))
            await pilot.press("ctrl+j")
            await both_written(pilot, wait_until)
            suggestion = panel.suggestion
            assert all(alt.text for alt in suggestion.alternatives), [a.reason for a in suggestion.alternatives]
            await pilot.press("escape")  # neither
            await pilot.pause()
            [picked] = recorder.of(BlindPicked)
            assert picked.winner is None
            assert {picked.a.model, picked.b.model} == {"gemma3-270m", "smollm2-135m"}
            assert sorted(engine.loaded()) == ["gemma3-270m", "smollm2-135m"]  # both stay for the next one
            assert app.edit_recording.flush()
    finally:
        engine.close()
    with EditLog.open(default_path()) as log:
        rows = dict(log.db.execute("SELECT model, model_hash FROM requests").fetchall())
        assert rows["gemma3-270m"] == engine.registry.get("gemma3-270m").sha256
        assert len(rows["smollm2-135m"]) == 64  # hashed from the file (models.toml has no sha256 for it)
        [row] = log.db.execute("SELECT winner FROM comparisons").fetchall()
        states = [r[0] for r in log.db.execute("SELECT state FROM suggestions")]
    assert row == ("none",)
    assert states == ["rejected", "rejected"]  # neither: both refused
