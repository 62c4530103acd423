"""The edit log written by the editor, driven by Pilot with the real default model (Gemma 3 270M)
and a real SQLite file in the test's data folder: generate, accept, edit what was accepted,
reject, rate, save; then the database is read back. No waiting on the clock: on the app's state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from engine.generation.request import SAMPLING_KEYS
from engine.editlog import EditLog, content_hash, default_path, edit_distance, script_key
from tui.messages import EditLogProblem, SuggestionAccepted, SuggestionShown
from tui.screens.rate_suggestion import RateSuggestionScreen
from engine.session import GenerationSettings
from message_recorder import Recorder

SCENE = (
    "INT. LIGHTHOUSE - NIGHT\n\n"
    "The lamp turns. MARA (60s) climbs the last steps with a kettle.\n\n"
    "MARA\nStorm's early this year.\n\n"
)
TYPED = "\nMARA\nGet the lamp."




def keys(text: str) -> list[str]:
    names = {" ": "space", ".": "full_stop", ",": "comma", "\n": "enter", "'": "apostrophe"}
    return [names.get(char, char) for char in text]


def end_of(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


async def generate(pilot, app) -> None:
    await pilot.press("ctrl+j")
    await app.workers.wait_for_complete()
    await pilot.pause()


def read_log() -> EditLog:
    return EditLog.open(default_path())


async def test_generate_accept_edit_reject_rate_save_is_in_the_log(
    open_app, script_path, generation_engine, settle, wait_until
):
    path = script_path(SCENE, name="lighthouse.fountain")
    recorder = Recorder()
    app = open_app(path, engine=generation_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        editor.move_cursor(editor.document.end)
        panel.apply_settings(GenerationSettings(max_tokens=16, seed=11))
        await pilot.pause()

        # 1. a suggestion, accepted, then edited: a line typed at its end, a word of it rewritten
        await generate(pilot, app)
        offered = panel.offer("whole").text
        assert offered
        await pilot.press("ctrl+t")
        assert editor.text == SCENE + offered
        await pilot.press(*keys(TYPED))
        assert editor.text.startswith(SCENE + offered) and len(editor.text) > len(SCENE + offered)
        # ... and one word of the suggestion itself is rewritten
        words = offered.rstrip().split(" ")
        if len(words) > 1:
            last_word = words[-1]
            start = len(SCENE) + offered.rstrip().rfind(last_word)
            row, col = end_of(editor.text[:start])
            editor.replace("RAIN", (row, col), (row, col + len(last_word)))
        final = editor.text[len(SCENE):]

        # 2. rate it (Alt+S rates the last one decided once it left the panel)
        accepted = recorder.of(SuggestionAccepted)[0].record
        await pilot.press("alt+s")
        await pilot.pause()
        assert isinstance(app.screen, RateSuggestionScreen)
        await pilot.press("4", "3", "5")  # each digit rates a line and moves to the next
        await pilot.press(*"needs more conflict, too neat")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, RateSuggestionScreen)
        status = str(panel.query_one("#suggestion-status").render())
        assert status == "Rated: plot 4 · dialogue 3 · tone 5 · needs more conflict · too neat."

        # 3. a second suggestion, dismissed (rejected)
        editor.move_cursor(editor.document.end)
        await generate(pilot, app)
        thrown = panel.suggestion.shown.text
        assert thrown
        await pilot.press("escape")
        await pilot.pause()
        assert panel.suggestion is None

        # 4. save: the final texts are recorded
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.modified
        # 5. mark the script as mine (from the command palette), so that it can be exported
        await pilot.press("ctrl+p", *keys("Edit log: this script is mine"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        shown = recorder.of(SuggestionShown)
        assert app.edit_recording.flush()
    # the app closed the writer

    first, second = shown[0].record, shown[1].record
    assert first.key == accepted.key
    with read_log() as log:
        kept = log.suggestion(first.key)
        assert (kept["state"], kept["text"], kept["accepted_text"]) == ("edited", offered, offered)
        assert kept["final_text"] == final != offered
        assert kept["edit_distance"] == edit_distance(offered, final) > 0
        assert (kept["plot"], kept["dialogue"], kept["tone"]) == (4, 3, 5)
        assert kept["tags"] == ["needs more conflict", "too neat"]
        assert kept["seed"] == first.seed == 11 and kept["finish_reason"] == first.reason
        assert (kept["insert_start"], kept["insert_line"]) == (len(SCENE), SCENE.count("\n"))
        assert kept["generated_tokens"] == first.stats.generated_tokens

        gone = log.suggestion(second.key)
        assert (gone["state"], gone["text"], gone["final_text"]) == ("rejected", thrown, None)

        cur = log.db.execute(
            "SELECT r.id, s.path, r.script_hash, r.scene, r.scene_index, r.cursor_line, r.cursor_column, r.model, "
            "r.model_hash, r.prompt_id, r.prompt_version, r.prompt, r.system_chars, r.sampling, r.seed, r.ttft_ms, "
            "r.tokens_per_s, r.prompt_tokens, r.generated_tokens FROM requests r JOIN scripts s ON r.script_id = s.id "
            "ORDER BY r.created_at"
        )
        names = [d[0] for d in cur.description]
        requests = [dict(zip(names, row)) for row in cur.fetchall()]
    assert len(requests) == 2
    req = requests[0]
    entry = generation_engine.registry.get(None)
    assert req["id"] == first.request_key
    assert req["path"] == script_key(path) and req["script_hash"] == content_hash(SCENE)
    assert (req["scene"], req["scene_index"]) == ("INT. LIGHTHOUSE - NIGHT", 0)
    assert (req["cursor_line"], req["cursor_column"]) == end_of(SCENE)
    assert (req["model"], req["model_hash"]) == ("gemma3-270m", entry.sha256)
    assert (req["prompt_id"], req["prompt_version"]) == first.prompt_ref == ("continue", 1)
    assert req["prompt"] == first.context.prompt and req["prompt"].endswith(SCENE)
    assert 0 < req["system_chars"] < len(req["prompt"])
    assert req["prompt"][: req["system_chars"]] == first.context.rendered.prefix
    sampling = json.loads(req["sampling"])
    assert sampling == {**{name: getattr(entry, name) for name in SAMPLING_KEYS}, "max_tokens": 16,
                        "shape": "cursor", "alternatives": 1}
    assert sampling["dry_multiplier"] == entry.dry_multiplier > 0  # the log says DRY was on
    assert req["seed"] == 11
    stats = first.stats
    assert (req["ttft_ms"], req["tokens_per_s"]) == (stats.ttft_ms, stats.tokens_per_s)
    assert (req["prompt_tokens"], req["generated_tokens"]) == (first.context.prompt_tokens, stats.generated_tokens)
    # the second request was made on the script as it stood then, further down
    second_text = SCENE + final
    assert requests[1]["script_hash"] == content_hash(second_text)
    assert (requests[1]["cursor_line"], requests[1]["cursor_column"]) == end_of(second_text)
    assert path.read_text(encoding="utf-8") == SCENE + final

    # what a trainer gets: the writer's text chosen, the raw suggestion rejected
    export = subprocess.run([sys.executable, "-m", "tui.main", "dataset", "export", "--format", "dpo",
                             "-o", str(path.parent / "dpo"), "--val-fraction", "0"], capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    [row] = [json.loads(line) for line in (path.parent / "dpo" / "train.jsonl").read_text("utf-8").splitlines()]
    assert (row["prompt"], row["chosen"], row["rejected"]) == (req["prompt"], final, offered)


async def test_accept_line_by_line_then_rate_in_the_panel(open_app, script_path, generation_engine, settle):
    """Accepting an alternative line by line is one suggestion, accepted in part and then whole;
    ``r`` in the panel rates the one on show and the panel says so."""
    path = script_path(SCENE)
    app = open_app(path, engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor, panel = screen.editor, screen.panel
        editor.move_cursor(editor.document.end)
        panel.apply_settings(GenerationSettings(max_tokens=24, seed=3))
        await generate(pilot, app)
        alt = panel.suggestion.shown
        key, text = alt.key, alt.text
        assert "\n" in text.strip("\n"), text  # more than one line (seed 3)
        await pilot.press("f4")  # into the panel
        await pilot.press("r")
        assert isinstance(app.screen, RateSuggestionScreen)
        await pilot.press("2", "right", "right", "right")  # plot 2 (the digit moves on), dialogue 3
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert alt.rating is not None and (alt.rating.plot, alt.rating.dialogue, alt.rating.tone) == (2, 3, None)
        assert "★ plot 2 · dialogue 3" in str(panel.query_one("#suggestion-title").render())

        await pilot.press("ctrl+l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        partial = editor.text[len(SCENE):]
        app.edit_recording.flush()
        with read_log() as log:
            row = log.suggestion(key)
            assert (row["state"], row["accepted_text"], row["plot"]) == ("accepted_part", partial, 2)
        while panel.offer("whole") is not None and panel.suggestion.shown.key == key:
            await pilot.press("ctrl+l")
            await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.edit_recording.flush()
        with read_log() as log:
            row = log.suggestion(key)
    assert editor.text == SCENE + text
    assert (row["state"], row["accepted_text"], row["final_text"], row["edit_distance"]) == (
        "accepted", text, text, 0.0)


async def test_a_log_that_cannot_be_opened_is_one_message_and_writing_goes_on(
    open_app, script_path, generation_engine, settle, wait_until, notifications, tmp_path
):
    broken = tmp_path / "editlog.sqlite3"
    broken.write_text("not a database " * 100, encoding="utf-8")
    app = open_app(script_path(SCENE), engine=generation_engine, edit_log=broken)
    recorder = Recorder()
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await wait_until(pilot, lambda: recorder.of(EditLogProblem), "the edit log's problem")
        await pilot.pause()
        shown = [n for n in notifications(app) if "edit log" in n.lower()]
        assert shown == [
            f"Edit log not available: edit log {broken}: not an SQLite database; move it aside and Scenewright "
            "starts a new one. Suggestions are not recorded this session; writing works as usual."
        ]
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor(editor.document.end)
        screen.panel.apply_settings(GenerationSettings(max_tokens=8, seed=5))
        await generate(pilot, app)
        await pilot.press("ctrl+t")
        await pilot.press(*"Rain.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.text.endswith("Rain.") and not screen.modified
        assert not app.edit_recording.active  # and typing pays nothing for it: no listener left
        assert all(getattr(f, "__self__", None) is not app.edit_recording for f in editor.document.listeners)
        assert all(getattr(f, "__self__", None) is not app.edit_recording for f in editor.script.change_listeners)
        assert len([n for n in notifications(app) if "edit log" in n.lower()]) == 1  # said once
    assert broken.read_text(encoding="utf-8").startswith("not a database")


async def test_a_data_folder_that_is_a_file_is_named(open_app, script_path, settle, wait_until, notifications,
                                                     tmp_path, monkeypatch):
    from engine.generation import GenerationEngine

    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("SCENEWRIGHT_DATA_DIR", str(blocker / "scenewright"))
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: any("Edit log" in n for n in notifications(app)), "the message")
        [shown] = [n for n in notifications(app) if "Edit log" in n]
        assert f"edit log {blocker / 'scenewright' / 'editlog.sqlite3'}: cannot create its folder" in shown
        await pilot.press(*"Hi.")
        assert app.editor_screen.editor.text.startswith("Hi.")
    assert os.path.isfile(blocker)


def scenewright(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.main", *args], capture_output=True, text=True)


async def test_the_genre_of_the_prompt_is_the_scripts_genre_for_balanced_exports(
    open_app, example_text, generation_engine, settle, tmp_path
):
    """The example script's title page says ``Genre: Drama``: its requests are recorded with it, and
    it becomes the script's genre in the log, which ``dataset export --balance-genre`` balances
    on; a genre the writer gave with ``scenewright log mark --genre`` is not overridden."""
    drama = tmp_path / "night-shift.fountain"
    retold = tmp_path / "night-shift-retold.fountain"
    assert "\nGenre: Drama\n" in example_text
    drama.write_text(example_text, encoding="utf-8")
    retold.write_text(example_text.replace("Title: Night Shift", "Title: Night Shift, Retold"), encoding="utf-8")
    mark = scenewright("log", "mark", "--script", str(drama), "--mine")  # marked first, without a genre
    assert mark.returncode == 0, mark.stderr
    mark = scenewright("log", "mark", "--script", str(retold), "--licensed", "--genre", "Comedy")
    assert mark.returncode == 0, mark.stderr

    rendered_genres = []
    for path in (drama, retold):
        app = open_app(path, engine=generation_engine)
        async with app.run_test(size=(140, 36)) as pilot:
            await settle(pilot)
            screen = app.editor_screen
            screen.editor.move_cursor(screen.editor.document.end)
            screen.panel.apply_settings(GenerationSettings(max_tokens=4, seed=2))
            await pilot.pause()
            await generate(pilot, app)
            assert screen.panel.suggestion.shown.text
            rendered_genres.append(screen.panel.suggestion.context.rendered.genre)
            await pilot.press("escape")  # dismissed: a rejected suggestion, which KTO exports
            await pilot.pause()
            assert screen.panel.suggestion is None
            assert app.edit_recording.flush()
    assert rendered_genres == ["Drama", "Drama"]

    with read_log() as log:
        genres = {s["path"]: s["genre"] for s in log.scripts()}
        usages = {s["path"]: s["usage"] for s in log.scripts()}
    assert genres == {script_key(drama): "Drama", script_key(retold): "Comedy"}
    assert usages == {script_key(drama): "mine", script_key(retold): "licensed"}  # recording kept the marks

    out = tmp_path / "kto"
    export = scenewright("dataset", "export", "--format", "kto", "-o", str(out), "--val-fraction", "0",
                         "--balance-genre")
    assert export.returncode == 0, export.stderr
    assert "0 rows left out to balance genres" in export.stdout
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "- genres: comedy (1), drama (1)\n" in card
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 2 and all(row["label"] is False for row in rows)
