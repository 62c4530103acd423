"""Typing into the editor: highlights come from the engine's live parse, edit by edit."""

from __future__ import annotations

from engine.fountain import parse
from tui.highlight import line_highlights


def names(highlights) -> list[str]:
    return [name for _, _, name in highlights]


async def test_a_line_becomes_a_character_cue_when_dialogue_follows(open_app, script_path):
    app = open_app(script_path("The bakery.\n\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor
        editor.move_cursor((2, 0))
        await pilot.press(*"JOSÉ")
        assert names(editor.highlights[2]) == ["fountain.action"]
        await pilot.press("enter", *"Hola, otra vez.")
        assert editor.text == "The bakery.\n\nJOSÉ\nHola, otra vez."
        assert names(editor.highlights[2]) == ["fountain.character"]
        assert names(editor.highlights[3]) == ["fountain.dialogue"]
        assert editor.element_kind_at(3).value == "dialogue"


async def test_live_parse_matches_a_full_parse_after_typing_paste_undo_redo(open_app, script_path, example_text, settle):
    app = open_app(script_path(example_text))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor

        def check() -> None:
            assert editor.live.lines == editor.text.split("\n")
            assert editor.live.result().line_kinds == parse(editor.text).line_kinds

        editor.move_cursor((25, 0))
        await pilot.press(*"MARISOL", "enter", *"Rise.")
        check()
        editor.move_cursor((48, 0))  # inside the boneyard
        await pilot.press("delete", "delete")
        check()
        editor.replace("EXT. ROOF - DAWN\r\n\r\nWind.\r\n", (10, 0), (10, 0))
        assert "\r" not in editor.text
        check()
        editor.undo()
        check()
        editor.redo()
        check()
        await settle(pilot)


async def test_highlight_columns_are_utf8_bytes(open_app, script_path):
    text = "Title: Noche\n\nJOSÉ (V.O.)\nUn café — *sí*, **ya**.\n"
    app = open_app(script_path(text))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor
        cue = line_highlights(editor.live, 2)
        line = editor.document[2]
        start, end, name = cue[1]
        assert name == "fountain.extension"
        assert line.encode()[start:end] == b"(V.O.)"
        spoken = editor.document[3]
        raw = spoken.encode()
        spans = {name: raw[a:b] for a, b, name in line_highlights(editor.live, 3)[1:] if name != "fountain.markup"}
        assert spans == {"fountain.italic": "sí".encode(), "fountain.bold": b"ya"}
        await pilot.pause()


async def test_only_rendered_rows_compute_highlights(open_app, script_path, example_text, settle):
    big = example_text * 20  # ~2,600 lines
    app = open_app(script_path(big))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = app.editor_screen.editor
        await pilot.press("x")
        await pilot.pause()
        computed = set(editor.highlights)
        assert computed, "rendering asked for highlights"
        assert len(computed) <= editor.size.height + 2
        assert max(computed) < 40


async def test_editing_keys_in_a_burst_keep_their_order(open_app, script_path, settle):
    """Backspace and arrows delivered together with letters (a laggy SSH link) act in order
    (Textual issue #6605 is worked around in ScriptEditor.on_key)."""
    from textual import events

    app = open_app(script_path(""))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ["a", "b", "c", "backspace", "d", "left", "x", "home", "y"]:
            event = events.Key(key, key if len(key) == 1 else None)
            event.set_sender(app)
            app._driver.send_message(event)  # as the terminal driver delivers keys
        await settle(pilot)
        assert app.editor_screen.editor.text == "yabxd"
