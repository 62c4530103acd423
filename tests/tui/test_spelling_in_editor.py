"""Spelling in the editor: action and dialogue words the dictionary lacks are underlined (not
cues, headings or notes); F7 goes to the next one and offers suggestions, the personal word
list and ignore; Alt+K turns it off. Checking runs in a worker, never on the keystroke path."""

from __future__ import annotations

import pytest

from engine.spelling import word_list_path
from tui.highlight import HIGHLIGHT_PREFIX, MISSPELLED_STYLE
from tui.screens.spelling import SpellingScreen

SCRIPT = """INT. ZORBLAX STATION - NIGHT

Teh lamp is out. [[Fix the lampp later]]

QUORRA
I recieve nothing.

QUORRA enters, smiling.
"""


@pytest.fixture(autouse=True)
def own_word_list(tmp_path, monkeypatch):
    monkeypatch.setenv("SCENEWRIGHT_CONFIG_DIR", str(tmp_path / "config"))


def marked(editor) -> list[str]:
    words = []
    for row in range(editor.document.line_count):
        line = editor.document[row]
        data = line.encode("utf-8")
        for start, end, name in editor.highlights[row]:
            if name == HIGHLIGHT_PREFIX + MISSPELLED_STYLE:
                words.append(data[start:end].decode("utf-8"))
    return words


async def test_misspellings_are_marked_and_corrected_from_f7(open_app, script_path, settle):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = pilot.app.screen.editor
        assert marked(editor) == ["Teh", "recieve"]  # not the note, the cue, the heading or the name in action
        editor.move_cursor((0, 0))
        await pilot.press("f7")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SpellingScreen) and screen.word == "Teh"
        assert screen.suggestions[0] == "The"
        await pilot.press("enter")  # the first suggestion
        await settle(pilot)
        assert editor.document[2].startswith("The lamp is out.")
        await pilot.press("f7")  # the next one: after the cursor
        await settle(pilot)
        assert pilot.app.screen.word == "recieve"
        await pilot.press("escape")
        await settle(pilot)
        assert "recieve" in editor.text
        await pilot.press("ctrl+z")
        assert editor.document[2].startswith("Teh lamp")  # the correction was one undo step


async def test_add_to_the_word_list_and_ignore(open_app, script_path, settle):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = pilot.app.screen.editor
        editor.move_cursor((0, 0))
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("a")  # add "Teh"
        await settle(pilot)
        assert marked(editor) == ["recieve"]
        assert "Teh" in word_list_path().read_text(encoding="utf-8").splitlines()
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert marked(editor) == []
        await pilot.press("f7")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, SpellingScreen)


async def test_typing_a_misspelling_marks_it_after_the_pause_and_alt_k_turns_it_off(open_app, script_path, settle,
                                                                                    notifications):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = pilot.app.screen.editor
        editor.move_cursor((7, 0))
        await pilot.press(*"Wierd.")
        await pilot.pause(0.5)
        await settle(pilot)
        assert "Wierd" in marked(editor)
        await pilot.press("alt+k")
        await settle(pilot)
        assert marked(editor) == []
        await pilot.press("f7")
        assert any("Spell checking is off" in n for n in notifications(pilot.app))
