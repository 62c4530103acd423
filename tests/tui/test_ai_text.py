"""AI-written text in the editor: marked when a suggestion is accepted, followed through the
writer's edits (typing inside, retyping, undo and redo), saved beside the script, found again
when the script is reopened (also after an outside edit), and shown in a distinct style (Alt+I)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.style import Style

from engine.provenance import SUFFIX, provenance_path
from engine.document import RECORD_SUFFIX

BEFORE = "INT. DINER - NIGHT\n\nMara wipes the counter.\n\n"
SUGGESTION = "She locks the door and turns off the neon sign.\n"
AFTER = "\nEXT. STREET - DAY\n\nTom waits in the rain.\n"
SCRIPT = BEFORE + AFTER
ROW = 4  # the suggestion's line


async def opened(pilot, settle):
    """The editor with its provenance record read (the editor screen opens it at mount)."""
    screen = pilot.app.editor_screen
    await settle(pilot)
    return screen.editor


async def accept(pilot, settle, editor) -> None:
    editor.insert_suggestion(SUGGESTION, (ROW, 0), ai=True)
    await settle(pilot)


async def save(pilot, settle) -> None:
    """Ctrl+S, then the record beside the script (what the editor screen does after a save)."""
    screen = pilot.app.editor_screen
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert not screen.modified
    screen.editor.save_provenance(screen.script.path)
    await settle(pilot)


def ai_text(editor) -> list[str]:
    text = editor.text
    return [text[a:b] for a, b in editor.provenance_spans]


async def test_accepted_suggestion_edited_saved_and_reopened(open_app, script_path, settle):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        assert editor.provenance_spans == []
        await accept(pilot, settle, editor)
        assert ai_text(editor) == [SUGGESTION]
        # the writer types inside it: their words are theirs, the rest stays AI-written
        editor.move_cursor((ROW, len("She locks")))
        await pilot.press(*" slowly")
        assert ai_text(editor) == ["She locks", " the door and turns off the neon sign.\n"]
        # ...and edits before it: the spans move with the text
        editor.move_cursor((2, 0))
        await pilot.press(*"Old ")
        assert ai_text(editor) == ["She locks", " the door and turns off the neon sign.\n"]
        await save(pilot, settle)
        saved_text = editor.text
    record = json.loads(provenance_path(path).read_text(encoding="utf-8"))
    assert [s["text"] for s in record["spans"]] == ["She locks", " the door and turns off the neon sign.\n"]
    assert path.read_text(encoding="utf-8") == saved_text

    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        assert ai_text(editor) == ["She locks", " the door and turns off the neon sign.\n"]
        assert editor.line(ROW) == "She locks slowly the door and turns off the neon sign."


async def test_text_the_writer_retypes_is_theirs(open_app, script_path, settle):
    async with open_app(script_path(SCRIPT)).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        await accept(pilot, settle, editor)
        start = len("She locks the ")
        editor.selection = ((ROW, start), (ROW, start + len("door")))
        await pilot.press(*"door")  # the same word, typed by the writer over the selection
        assert editor.line(ROW) == SUGGESTION.rstrip("\n")
        assert ai_text(editor) == ["She locks the ", " and turns off the neon sign.\n"]


async def test_undo_and_redo_bring_the_marks_back_with_the_text(open_app, script_path, settle):
    async with open_app(script_path(SCRIPT)).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        await accept(pilot, settle, editor)
        editor.selection = ((ROW, 0), (ROW + 1, 0))
        await pilot.press("backspace")  # the writer deletes the AI line...
        assert ai_text(editor) == []
        await pilot.press("ctrl+z")  # ...and takes that back: it is AI-written again
        assert ai_text(editor) == [SUGGESTION]
        await pilot.press("ctrl+z")  # undo the accepted suggestion: gone with its text
        assert editor.text == SCRIPT and ai_text(editor) == []
        await pilot.press("ctrl+y")  # redo the acceptance: marked again
        assert ai_text(editor) == [SUGGESTION]


async def test_outside_edit_is_followed_when_reopened(open_app, script_path, settle, notifications):
    """The script edited elsewhere between sessions: the spans are found again by fuzzy
    matching; a changed word inside one is the writer's; nothing is reported dropped."""
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        await accept(pilot, settle, editor)
        await save(pilot, settle)
    text = path.read_text(encoding="utf-8")
    text = "# ACT ONE\n\n" + text.replace("turns off the neon", "switches off the neon")
    path.write_text(text, encoding="utf-8")

    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        pieces = ai_text(editor)
        assert "".join(pieces).startswith("She locks the door and")
        assert "the neon sign." in pieces[-1]
        assert not any("switches" in p for p in pieces)  # the outside edit is the writer's
        assert not [n for n in notifications(pilot.app) if "could not be found" in n]
        # typing goes on while the spans keep in step
        editor.move_cursor((0, 0))
        await pilot.press(*"XX ")
        assert "".join(ai_text(editor)).startswith("She locks the door and")


async def test_dropped_passages_are_told_once(open_app, script_path, settle, notifications):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        await accept(pilot, settle, editor)
        await save(pilot, settle)
    path.write_text(SCRIPT.replace("Mara", "Rosa"), encoding="utf-8")  # the AI line was deleted elsewhere

    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        assert ai_text(editor) == []
        told = [n for n in notifications(pilot.app) if "could not be found" in n]
        assert len(told) == 1 and "1 AI-written passage" in told[0] and path.name in told[0]
        await save(pilot, settle)  # the record now says there is none: not told again
    record = json.loads(provenance_path(path).read_text(encoding="utf-8"))
    assert record["spans"] == []


async def test_edits_while_the_record_is_read_are_kept(open_app, script_path, settle):
    """The record is read in a worker: what the writer types before it arrives still counts."""
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        await accept(pilot, settle, editor)
        await save(pilot, settle)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        screen = pilot.app.editor_screen
        editor = screen.editor
        editor.open_provenance(screen.script.path)  # no pause: the worker has not answered yet
        editor.move_cursor((0, 0))
        editor.insert("# ACT ONE\n\n", (0, 0))
        await settle(pilot)
        assert ai_text(editor) == [SUGGESTION]
        assert editor.provenance_spans[0][0] == len("# ACT ONE\n\n" + BEFORE)


async def test_a_broken_record_is_told_and_kept(open_app, script_path, settle, notifications):
    path = script_path(SCRIPT)
    provenance_path(path).write_text("{not json", encoding="utf-8")
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        await opened(pilot, settle)
        told = [n for n in notifications(pilot.app) if "AI text record" in n]
        assert len(told) == 1 and "not valid JSON" in told[0] and ".provenance.json" in told[0]
        await save(pilot, settle)
    assert provenance_path(path).read_text(encoding="utf-8") == "{not json"  # not overwritten with nothing


async def test_no_record_is_written_for_a_script_without_ai_text(open_app, script_path, settle):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        await opened(pilot, settle)
        await pilot.press(*"x")
        await save(pilot, settle)
    assert not provenance_path(path).exists()


# ------------------------------------------------------------------------- the style toggle
def cell_styles(editor, row: int) -> list[Style]:
    """The Rich style of each cell of the rendered line of document row ``row``."""
    y = row - editor.scroll_offset.y
    strip = editor.render_line(y)
    out: list[Style] = []
    for segment in strip:
        out.extend([segment.style or Style()] * len(segment.text))
    return out


async def test_alt_i_shows_ai_text_underlined(open_app, script_path, settle, notifications):
    async with open_app(script_path(SCRIPT)).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        await accept(pilot, settle, editor)
        editor.move_cursor((0, 0))
        await settle(pilot)
        assert not editor.show_ai_text  # off by default
        assert not any(s.underline for s in cell_styles(editor, ROW))
        await pilot.press("alt+i")
        await settle(pilot)
        assert editor.show_ai_text
        styles = cell_styles(editor, ROW)
        left = editor.gutter_width  # the strip starts inside the padding
        line = SUGGESTION.rstrip("\n")
        assert all(s.underline for s in styles[left:left + len(line)])
        assert not any(s.underline for s in cell_styles(editor, 2))  # the writer's line
        action = cell_styles(editor, 2)[left].color
        assert styles[left].color == action  # the element's colour stays
        assert any("AI text: shown" in n and "1 passage" in n for n in notifications(pilot.app))
        await pilot.press("alt+i")
        await settle(pilot)
        assert not any(s.underline for s in cell_styles(editor, ROW))
        assert any("AI text: hidden" in n for n in notifications(pilot.app))


async def test_non_ascii_ai_text_is_marked_on_the_right_columns(open_app, script_path, settle):
    async with open_app(script_path("INT. CAFÉ - NUIT\n\nÉlodie attend.\n")).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        editor.insert_suggestion(" Crème brûlée.", (2, len("Élodie attend.")))
        await pilot.press("alt+i")
        await settle(pilot)
        highlights = editor.highlights[2]
        ai = [h for h in highlights if h[2] == "fountain.ai_text"]
        line = editor.line(2)
        start = len("Élodie attend.".encode())
        assert ai == [(start, len(line.encode()), "fountain.ai_text")]


def test_the_tui_knows_where_the_record_is():
    assert RECORD_SUFFIX == SUFFIX
    from engine.document import record_path

    assert record_path(Path("/x/a.fountain")) == provenance_path("/x/a.fountain")


def test_every_theme_marks_ai_text_without_hiding_the_element_colours():
    from textual.app import App

    from tui.themes import derived_fountain_styles, load_catalog

    catalog = load_catalog()
    assert not catalog.errors
    assert {"dark", "light"} <= set(catalog.themes)
    for name, loaded in catalog.themes.items():
        style = Style.parse(loaded.fountain["ai_text"])
        assert style.underline and style.color is None and style.bgcolor is None, name
    for theme in App().available_themes.values():  # Textual's own themes: derived styles
        style = Style.parse(derived_fountain_styles(theme)["ai_text"])
        assert style.underline and style.color is None and style.bgcolor is None, theme.name


def test_the_toggle_key_is_free():
    from tui.app import ScenewrightApp
    from tui.keymap import binding_ids
    from tui.screens.editor import EditorScreen
    from tui.widgets.script_editor import ScriptEditor

    ids = binding_ids(ScriptEditor)
    assert ids["editor.toggle_ai_text"] == "alt+i"
    others = binding_ids(EditorScreen, ScenewrightApp)
    assert not [i for i, keys in others.items() if "alt+i" in keys.split(",")]


@pytest.mark.parametrize("size", [(100, 30)])
def test_ai_text_shown_snapshot(snap_compare, open_app, tmp_path, size):
    path = tmp_path / "script.fountain"
    path.write_text(SCRIPT, encoding="utf-8")

    async def shown(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await app.workers.wait_for_complete()
        editor = app.editor_screen.editor
        editor.open_provenance(path)
        await pilot.pause()
        await app.workers.wait_for_complete()
        editor.insert_suggestion(SUGGESTION, (ROW, 0))
        editor.action_toggle_ai_text()
        editor.move_cursor((0, 0))
        editor.cursor_blink = False
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(open_app(path), terminal_size=size, run_before=shown)


async def test_saving_the_record_right_away_before_quitting(open_app, script_path, settle):
    """``save_provenance(wait=True)``: written before the call returns (the app may exit next)."""
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 30)) as pilot:
        editor = await opened(pilot, settle)
        await accept(pilot, settle, editor)
        await pilot.press("ctrl+s")
        await settle(pilot)
        editor.save_provenance(path, wait=True)
        record = json.loads(provenance_path(path).read_text(encoding="utf-8"))
        assert [s["text"] for s in record["spans"]] == [SUGGESTION]
