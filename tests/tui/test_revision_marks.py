"""Revision mode in the editor: Alt+V marks the lines you change with the current colour, the
marks are shown, saved beside the script and shown again on reopening; Alt+W the next colour,
Alt+Down/Up jump between marks, Alt+X clears them; the PDF export prints them."""

from __future__ import annotations

import io
import json

import pytest

from engine.revisions import revisions_path
from tui.highlight import HIGHLIGHT_PREFIX, REVISED_STYLE

SCRIPT = "INT. LIGHTHOUSE - NIGHT\n\nMara climbs.\n\nMARA\nThe lamp is out.\n\nShe waits.\n"


def revised_rows(editor) -> list[int]:
    return [row for row in range(editor.document.line_count)
            if (0, None, HIGHLIGHT_PREFIX + REVISED_STYLE) in editor.highlights[row]]


async def test_revision_mode_marks_saves_and_reopens(open_app, script_path, settle, notifications):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        editor = screen.editor
        editor.move_cursor((2, 0))
        await pilot.press(*"Old ")  # before revision mode: not marked
        assert revised_rows(editor) == []
        await pilot.press("alt+v")
        assert screen.status.info.revision == "Rev Blue"
        editor.move_cursor((5, 4))
        await pilot.press(*"big ")
        editor.move_cursor((7, 0))
        await pilot.press(*"Then ")
        assert revised_rows(editor) == [5, 7]
        await pilot.press("alt+w")  # the next colour: pink
        editor.move_cursor((2, 0))
        await pilot.press(*"Very ")
        assert screen.revisions.record.marks == {2: "Pink", 5: "Blue", 7: "Blue"}
        editor.move_cursor((0, 0))
        await pilot.press("alt+down")
        assert editor.cursor_location == (2, 0)
        await pilot.press("alt+down", "alt+down")
        assert editor.cursor_location[0] == 7
        await pilot.press("alt+up")
        assert editor.cursor_location[0] == 5
        await pilot.press("ctrl+s")
        await settle(pilot)
    data = json.loads(revisions_path(path).read_text(encoding="utf-8"))
    assert data["current"] == "Pink"
    assert [(d["line"], d["text"], d["revision"]) for d in data["lines"]] == [
        (2, "Very Old Mara climbs.", "Pink"), (5, "The big lamp is out.", "Blue"), (7, "Then She waits.", "Blue")]

    async with open_app(path).run_test(size=(80, 24)) as pilot:  # reopened: the marks are there
        await settle(pilot)
        editor = pilot.app.screen.editor
        assert revised_rows(editor) == [2, 5, 7]
        await pilot.press("alt+x")
        assert revised_rows(editor) == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not revisions_path(path).exists()


async def test_the_pdf_export_prints_the_marks(open_app, script_path, settle):
    pypdf = pytest.importorskip("pypdf")
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        editor = pilot.app.screen.editor
        await pilot.press("alt+v")
        editor.move_cursor((5, 0))
        await pilot.press(*"Now ")
        await pilot.press("alt+e")
        await settle(pilot)
        await pilot.click("#export")
        await settle(pilot)
    text = pypdf.PdfReader(io.BytesIO(path.with_suffix(".pdf").read_bytes())).pages[0].extract_text()
    assert "Blue Revision" in text and "*" in text


async def test_a_broken_record_is_named(open_app, script_path, settle, notifications):
    path = script_path(SCRIPT)
    revisions_path(path).write_text("nope", encoding="utf-8")
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        told = [n for n in notifications(pilot.app) if n.startswith("Revision marks")]
        assert told and "script.fountain.revisions.json:1: not JSON" in told[0]
        assert pilot.app.screen.editor.text == SCRIPT
    assert revisions_path(path).read_text(encoding="utf-8") == "nope"
