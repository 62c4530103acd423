"""The export dialog driven by Pilot, opened from the editor as the editor screen does: the
script's path, the editor's text and its AI-written spans. Real files, read back."""

from __future__ import annotations

import io

import pytest

from engine.export import default_output as engine_default_output
from engine.export.fountain_draft import AI_NOTE, NO_AI_TEXT
from engine.fountain import parse
from engine.fountain.pagination import paginate
from tui.screens.export_dialog import FORMATS, ExportDialog, ExportDone, default_output

pypdf = pytest.importorskip("pypdf")

SCRIPT = """Title: The Night Shift
Author: Ada Quill

INT. DINER - NIGHT

Mara wipes the counter. [[check the time]]

MARA
We're closed.

"""
SUGGESTION = "Tom sits down anyway and orders *two* coffees.\n"
AFTER = """
EXT. STREET - DAY

The neon sign flickers out.
"""
ROW = SCRIPT.count("\n")


async def editor_with_ai_text(pilot, settle):
    """The example scene with one accepted suggestion, as the writer would have it."""
    screen = pilot.app.editor_screen
    editor = screen.editor
    editor.insert_suggestion(SUGGESTION, (ROW, 0), ai=True)
    await settle(pilot)
    return screen, editor


async def open_dialog(pilot, settle, fmt: str = "pdf") -> tuple[ExportDialog, list]:
    screen = pilot.app.editor_screen
    editor = screen.editor
    results: list = []
    dialog = ExportDialog(screen.script.path, editor.text, editor.provenance_spans)
    pilot.app.push_screen(dialog, results.append)
    await settle(pilot)
    # Textual's Button ignores presses for 0.2 s after one (its "active" look): the tests press
    # again at once, without sleeping
    dialog.query_one("#export").active_effect_duration = 0
    if fmt != "pdf":
        await pilot.click(f"#format-{fmt}")
        await settle(pilot)
    return dialog, results


async def press_export(pilot, dialog) -> None:
    """Enter on the Export button, as a writer who tabbed to it."""
    dialog.query_one("#export").focus()
    await pilot.press("enter")


async def test_export_pdf(open_app, script_path, settle, notifications):
    path = script_path(SCRIPT + AFTER)
    async with open_app(path).run_test(size=(100, 36)) as pilot:
        screen, editor = await editor_with_ai_text(pilot, settle)
        dialog, results = await open_dialog(pilot, settle)
        assert dialog.query_one("#output").value == str(path.with_suffix(".pdf"))
        await pilot.click("#paper-a4")
        await pilot.click("#export")
        await settle(pilot)
        text = editor.text
    out = path.with_suffix(".pdf")
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    from engine.export.pdf import layout_for

    pages = paginate(parse(text).elements, layout_for("a4")).count
    assert len(reader.pages) == pages + 1  # and the title page
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4
    body = reader.pages[1].extract_text()
    assert "Tom sits down anyway and orders two coffees." in body  # the unsaved accepted text, emphasis printed
    assert "check the time" not in body
    assert results == [ExportDone(out.resolve(), "pdf", pages, True)]
    told = [n for n in notifications(pilot.app) if n.startswith("Exported")]
    assert told == [f"Exported: Wrote {out.resolve()}: {pages} page{'s' * (pages != 1)} and a title page."]


async def test_fountain_draft_with_ai_labels(open_app, script_path, settle):
    path = script_path(SCRIPT + AFTER)
    async with open_app(path).run_test(size=(100, 40)) as pilot:
        await editor_with_ai_text(pilot, settle)
        dialog, results = await open_dialog(pilot, settle, "fountain")
        assert dialog.query_one("#output").value == str(path.with_name("script.draft.fountain"))
        await pilot.click("#label-notes")
        await pilot.click("#drop-notes")
        await pilot.click("#number-scenes")
        dialog.query_one("#draft-date").value = "28 November 2026"
        await pilot.click("#export")
        await settle(pilot)
    draft = path.with_name("script.draft.fountain").read_text(encoding="utf-8")
    assert results and results[0].format == "fountain"
    assert draft.count(AI_NOTE) == 1  # one AI-assisted paragraph, labelled once, right after it
    assert f"Tom sits down anyway and orders *two* coffees. {AI_NOTE}" in draft
    assert "check the time" not in draft  # the writer's note dropped, the label kept
    assert "INT. DINER - NIGHT #1#" in draft and "EXT. STREET - DAY #2#" in draft
    assert "Draft date: 28 November 2026" in draft
    headings = [e for e in parse(draft).elements if e.kind.value == "scene_heading"]
    assert [e.scene_number for e in headings] == ["1", "2"]


async def test_fountain_draft_with_a_title_page_line(open_app, script_path, settle):
    # the title page has a Notes key already: the AI line joins it, no second Notes key
    path = script_path(SCRIPT.replace("Author: Ada Quill", "Author: Ada Quill\nNotes: For the workshop.") + AFTER)
    async with open_app(path).run_test(size=(100, 40)) as pilot:
        await editor_with_ai_text(pilot, settle)
        dialog, _ = await open_dialog(pilot, settle, "fountain")
        await pilot.click("#label-title")
        await settle(pilot)
        assert str(dialog.query_one("#export-status").render()) == ""  # AI text known: nothing to warn of
        await pilot.click("#export")
        await settle(pilot)
    draft = path.with_name("script.draft.fountain").read_text(encoding="utf-8")
    assert AI_NOTE not in draft and draft.count("Notes:") == 1
    title = [e for e in parse(draft).elements if e.kind.value == "title"]
    notes = [e.text for e in title if (e.key or "").casefold() == "notes"]
    assert len(notes) == 1 and notes[0].startswith("For the workshop.\nAI-assisted draft: about ")
    assert notes[0].endswith("% of the words come from accepted model suggestions.")


@pytest.mark.parametrize("label", ["title", "notes"])
async def test_an_ai_label_without_ai_text_adds_nothing_and_says_so(open_app, script_path, settle,
                                                                    notifications, label):
    path = script_path(SCRIPT + AFTER)
    async with open_app(path).run_test(size=(100, 40)) as pilot:
        dialog, results = await open_dialog(pilot, settle, "fountain")  # no suggestion accepted
        assert dialog.ai_spans == []
        assert "No text in it came from accepted suggestions" in str(dialog.query_one("#export-about").render())
        await pilot.click(f"#label-{label}")
        await settle(pilot)
        status = dialog.query_one("#export-status")
        assert str(status.render()) == ("No text in this script came from accepted suggestions: "
                                        "no AI label will be added.")
        assert not status.has_class("-error")
        await pilot.click("#label-none")
        await settle(pilot)
        assert str(status.render()) == ""
        await pilot.click(f"#label-{label}")
        await pilot.click("#export")
        await settle(pilot)
        told = [n for n in notifications(pilot.app) if n.startswith("Exported")]
    out = path.with_name("script.draft.fountain")
    assert out.read_text(encoding="utf-8") == SCRIPT + AFTER  # no Notes line, no AI note
    assert results == [ExportDone(out.resolve(), "fountain", remarks=(NO_AI_TEXT,))]
    assert told == [f"Exported: Wrote {out.resolve()}. Note: No text in the script came from accepted "
                    "model suggestions, so no AI label was added."]


async def test_an_ai_label_is_refused_when_ai_text_is_unknown(open_app, script_path, settle):
    # the editor passes None when it cannot know (the record beside the script could not be read)
    path = script_path(SCRIPT + AFTER)
    async with open_app(path).run_test(size=(100, 40)) as pilot:
        screen = pilot.app.editor_screen
        results: list = []
        dialog = ExportDialog(screen.script.path, screen.editor.text, None, fmt="fountain")
        pilot.app.push_screen(dialog, results.append)
        await settle(pilot)
        dialog.query_one("#export").active_effect_duration = 0
        assert "AI-written is not known" in str(dialog.query_one("#export-about").render())
        await pilot.click("#label-title")
        await settle(pilot)
        status = dialog.query_one("#export-status")
        assert str(status.render()) == "Which text is AI-written is not known, so it cannot be labelled."
        assert status.has_class("-error")
        await press_export(pilot, dialog)
        await settle(pilot)
        assert str(status.render()).startswith("Not exported: which text is AI-written is not known")
        assert results == [] and pilot.app.screen is dialog
        assert not path.with_name("script.draft.fountain").exists()
        await pilot.click("#label-none")  # without a label it exports
        await press_export(pilot, dialog)
        await settle(pilot)
    assert path.with_name("script.draft.fountain").read_text(encoding="utf-8") == SCRIPT + AFTER
    assert results and results[0].remarks == ()


async def test_fdx_and_html(open_app, script_path, settle):
    path = script_path(SCRIPT + AFTER)
    async with open_app(path).run_test(size=(100, 36)) as pilot:
        await editor_with_ai_text(pilot, settle)
        for fmt in ("fdx", "html"):
            await open_dialog(pilot, settle, fmt)
            await pilot.click("#export")
            await settle(pilot)
    fdx = path.with_suffix(".fdx").read_text(encoding="utf-8")
    assert '<Paragraph Type="Scene Heading"' in fdx and "Tom sits down anyway" in fdx
    html = path.with_suffix(".html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "Tom sits down anyway" in html


async def test_an_existing_file_is_kept_unless_the_writer_confirms(open_app, script_path, settle):
    path = script_path(SCRIPT + AFTER)
    out = path.with_suffix(".pdf")
    out.write_bytes(b"the writer's own file")
    async with open_app(path).run_test(size=(100, 36)) as pilot:
        await editor_with_ai_text(pilot, settle)
        dialog, results = await open_dialog(pilot, settle)
        await press_export(pilot, dialog)
        await settle(pilot)
        assert out.read_bytes() == b"the writer's own file"
        assert "already exists" in str(dialog.query_one("#export-status").render())
        assert str(dialog.query_one("#export").label) == "Overwrite"
        assert results == [] and pilot.app.screen is dialog
        # changing the name takes the confirmation back
        dialog.query_one("#output").value = str(out) + " "
        dialog.query_one("#output").value = str(out)
        await settle(pilot)
        assert str(dialog.query_one("#export").label) == "Export"
        await press_export(pilot, dialog)  # asks again
        await settle(pilot)
        assert out.read_bytes() == b"the writer's own file"
        await press_export(pilot, dialog)  # Overwrite
        await settle(pilot)
    assert out.read_bytes().startswith(b"%PDF")
    assert results and results[0].path == out.resolve()


async def test_a_failed_export_says_why_and_writes_nothing(open_app, script_path, settle, tmp_path):
    path = script_path(SCRIPT + AFTER)
    async with open_app(path).run_test(size=(100, 36)) as pilot:
        await editor_with_ai_text(pilot, settle)
        dialog, results = await open_dialog(pilot, settle)
        missing = tmp_path / "no-such-folder" / "script.pdf"
        dialog.query_one("#output").value = str(missing)
        await press_export(pilot, dialog)
        await settle(pilot)
        status = str(dialog.query_one("#export-status").render())
        assert "Not exported" in status and "does not exist" in status and "no-such-folder" in status
        assert pilot.app.screen is dialog and results == []
        assert not dialog.query_one("#export").disabled  # the writer can fix the name and go on
        dialog.query_one("#output").value = str(path)  # the script itself: refused before any work
        await press_export(pilot, dialog)
        await settle(pilot)
        assert "is the script itself" in str(dialog.query_one("#export-status").render())
        await pilot.press("escape")
        await settle(pilot)
        assert results == [None]
    assert not missing.parent.exists()
    assert path.read_text(encoding="utf-8") == SCRIPT + AFTER


async def test_relative_names_are_beside_the_script(open_app, script_path, settle):
    path = script_path(SCRIPT + AFTER)
    async with open_app(path).run_test(size=(100, 36)) as pilot:
        dialog, results = await open_dialog(pilot, settle, "html")
        dialog.query_one("#output").value = "for-reading.html"
        dialog.query_one("#output").focus()
        await pilot.press("enter")  # Enter in the name field exports too
        await settle(pilot)
    assert path.with_name("for-reading.html").is_file()
    assert results[0].path == path.with_name("for-reading.html").resolve()


def test_default_names_agree_with_the_command_line(tmp_path):
    script = tmp_path / "My Film.fountain"
    for fmt, _, _ in FORMATS:
        assert default_output(script, fmt) == engine_default_output(script, fmt)


def test_export_dialog_snapshot(snap_compare, open_app, tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCRIPT + AFTER, encoding="utf-8")

    async def dialog_open(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await app.workers.wait_for_complete()
        editor = app.editor_screen.editor
        editor.insert_suggestion(SUGGESTION, (ROW, 0))
        editor.cursor_blink = False
        app.push_screen(ExportDialog(path, editor.text, editor.provenance_spans))
        await pilot.pause()
        await pilot.click("#format-fountain")
        dialog = app.screen
        dialog.query_one("#output").value = "script.draft.fountain"  # not the temporary folder's name
        await pilot.pause()

    assert snap_compare(open_app(path), terminal_size=(100, 36), run_before=dialog_open)
