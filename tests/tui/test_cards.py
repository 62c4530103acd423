"""The board (Alt+C): scenes as cards in act columns; Shift+arrows move a scene in the script
(one undo step, AI-written text still marked), Enter goes to it; it fits 80x24."""

from __future__ import annotations

from engine.fountain import parse
from engine.fountain.cards import board, plan_move
from engine.fountain.scene_numbers import apply
from tui.screens.cards import CardWidget, CardsScreen

SCRIPT = """Title: Tide

# ACT ONE

INT. LIGHTHOUSE - NIGHT

= Mara finds the lamp dead.

Mara climbs.

EXT. REEF - DAY

Waves.

# ACT TWO

INT. KITCHEN - DAY

Tea.
"""


def headings(text: str) -> list[str]:
    return [e.text for e in parse(text).elements if e.kind.value == "scene_heading"]


def test_board_and_moves_in_the_engine():
    lines = SCRIPT.split("\n")
    columns = board(lines, parse(SCRIPT).elements)
    assert [(c.title, [k.heading for k in c.cards]) for c in columns] == [
        ("ACT ONE", ["INT. LIGHTHOUSE - NIGHT", "EXT. REEF - DAY"]), ("ACT TWO", ["INT. KITCHEN - DAY"])]
    assert columns[0].cards[0].synopsis == "Mara finds the lamp dead."
    assert columns[0].cards[1].synopsis == "… Waves."
    reef = columns[0].cards[1]
    moved = apply(SCRIPT, plan_move(lines, columns, reef, 1, 1))
    assert headings(moved) == ["INT. LIGHTHOUSE - NIGHT", "INT. KITCHEN - DAY", "EXT. REEF - DAY"]
    assert moved.endswith("Tea.\n\nEXT. REEF - DAY\n\nWaves.\n")
    assert plan_move(lines, columns, reef, 0, 1) == []  # where it is already
    first = apply(SCRIPT, plan_move(lines, columns, reef, 0, 0))
    assert headings(first) == ["EXT. REEF - DAY", "INT. LIGHTHOUSE - NIGHT", "INT. KITCHEN - DAY"]
    assert "# ACT ONE\n\nEXT. REEF - DAY\n\nWaves.\n\nINT. LIGHTHOUSE" in first


async def test_moving_cards_moves_scenes(open_app, script_path, settle):
    path = script_path(SCRIPT)
    async with open_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        editor = screen.editor
        start = SCRIPT.index("Waves.")
        editor.mark_ai(editor.document.get_location_from_index(start),
                       editor.document.get_location_from_index(start + 6))
        editor.move_cursor((4, 0))
        await pilot.press("alt+c")
        await settle(pilot)
        cards = pilot.app.screen
        assert isinstance(cards, CardsScreen)
        assert [w.card.heading for w in cards.query(CardWidget)] == [
            "INT. LIGHTHOUSE - NIGHT", "EXT. REEF - DAY", "INT. KITCHEN - DAY"]
        await pilot.press("down", "shift+right")  # the reef scene into act two
        await settle(pilot)
        assert headings(editor.text) == ["INT. LIGHTHOUSE - NIGHT", "INT. KITCHEN - DAY", "EXT. REEF - DAY"]
        assert (cards.col, cards.row) == (1, 1) and cards.selected.heading == "EXT. REEF - DAY"
        assert [editor.text[a:b] for a, b in editor.provenance_spans] == ["Waves."]  # still AI-written
        await pilot.press("shift+down")  # the last card of the last column: nowhere to go
        await settle(pilot)
        assert headings(editor.text) == ["INT. LIGHTHOUSE - NIGHT", "INT. KITCHEN - DAY", "EXT. REEF - DAY"]
        await pilot.press("shift+up")  # before the kitchen
        await settle(pilot)
        assert headings(editor.text) == ["INT. LIGHTHOUSE - NIGHT", "EXT. REEF - DAY", "INT. KITCHEN - DAY"]
        assert "# ACT TWO\n\nEXT. REEF - DAY\n\nWaves.\n\nINT. KITCHEN - DAY\n\nTea.\n" in editor.text
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CardsScreen)
        assert editor.document[editor.cursor_location[0]] == "EXT. REEF - DAY"
        await pilot.press("ctrl+z")  # each move is one undo step
        assert headings(editor.text) == ["INT. LIGHTHOUSE - NIGHT", "INT. KITCHEN - DAY", "EXT. REEF - DAY"]
        await pilot.press("ctrl+z")
        assert editor.text == SCRIPT
        assert [editor.text[a:b] for a, b in editor.provenance_spans] == ["Waves."]


def test_cards_80x24(snap_compare, tmp_path):
    from engine.scriptfile import ScriptFile
    from tui.app import ScenewrightApp

    path = tmp_path / "tide.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    script, text = ScriptFile.open(path)

    async def opened(pilot) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press("alt+c")
        await pilot.pause()

    assert snap_compare(ScenewrightApp(script, text), terminal_size=(80, 24), run_before=opened)
