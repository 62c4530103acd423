"""Tab cycling, Enter continuation and autocomplete, driven by keys as a writer types."""

from __future__ import annotations

from engine.fountain import Kind

SCRIPT = (
    "INT. LA ESTRELLA BAKERY - NIGHT\n"
    "\n"
    "Flour in the air.\n"
    "\n"
    "MARISOL\n"
    "Rise.\n"
    "\n"
    "JOSÉ\n"
    "Oranges.\n"
    "\n"
    "EXT. FIFTH STREET TOW LOT - NIGHT\n"
    "\n"
    "Rain.\n"
    "\n"
)


async def test_tab_cycles_the_line_through_the_elements(open_app, script_path):
    app = open_app(script_path("Before.\n\nthe van stops\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor
        editor.move_cursor((2, 13))
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(editor.document[2])
        assert seen == ["THE VAN STOPS", ".THE VAN STOPS", "> THE VAN STOPS", "the van stops"]
        assert editor.has_focus  # Tab did not move focus away
        await pilot.press("tab", "tab")
        assert editor.live.line_kind(2) is Kind.SCENE_HEADING
        editor.undo()  # each Tab is one undo step
        assert editor.document[2] == "THE VAN STOPS"


async def test_tab_on_empty_lines_and_in_dialogue(open_app, script_path):
    app = open_app(script_path("Before.\n\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor
        editor.move_cursor((2, 0))
        await pilot.press("tab")
        assert editor.document[2] == "@"
        await pilot.press("escape")  # closes the name list the empty cue offers (if any)
        await pilot.press(*"teo")  # typed in capitals after Tab made a cue
        assert editor.document[2] == "@TEO"
        await pilot.press("enter", "tab")
        assert editor.document[3] == "()"
        assert editor.cursor_location == (3, 1)
        await pilot.press(*"beat", "end", "enter", *"Hi.")
        assert editor.text == "Before.\n\nTEO\n(beat)\nHi."  # the "@" went: TEO is a cue without it
        assert [editor.live.line_kind(r) for r in (2, 3, 4)] == [Kind.CHARACTER, Kind.PARENTHETICAL, Kind.DIALOGUE]


async def test_enter_continues_dialogue_and_ends_the_block(open_app, script_path):
    app = open_app(script_path("Before.\n\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor
        editor.move_cursor((2, 0))
        await pilot.press(*"MARISOL", "enter")
        assert editor.cursor_location == (3, 0)  # no blank line after the cue
        await pilot.press(*"(quietly)", "enter")
        assert editor.cursor_location == (4, 0)  # nor after a parenthetical
        await pilot.press(*"Nobody is off.", "enter")
        assert editor.cursor_location == (6, 0)  # the speech ends: a blank line
        await pilot.press(*"She leaves.")
        assert editor.text == "Before.\n\nMARISOL\n(quietly)\nNobody is off.\n\nShe leaves."
        kinds = [editor.live.line_kind(r) for r in range(7)]
        assert kinds[2:7] == [Kind.CHARACTER, Kind.PARENTHETICAL, Kind.DIALOGUE, None, Kind.ACTION]


async def test_location_autocomplete_accepts_with_tab(open_app, script_path, settle):
    app = open_app(script_path(SCRIPT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor((14, 0))
        await pilot.press(*"INT. ")
        await pilot.pause()
        assert screen.menu.shown
        assert screen.menu.items[:2] == ["LA ESTRELLA BAKERY", "FIFTH STREET TOW LOT"]
        await pilot.press(*"fith")  # a typo: fuzzy still finds it
        await pilot.pause()
        assert screen.menu.items[0] == "FIFTH STREET TOW LOT"
        await pilot.press("tab")
        await pilot.pause()
        assert editor.document[14] == "INT. FIFTH STREET TOW LOT - "
        assert not screen.menu.shown
        await pilot.press(*"dawn")  # the time of day is written in capitals
        assert editor.document[14] == "INT. FIFTH STREET TOW LOT - DAWN"


async def test_character_autocomplete_accepts_with_right_and_esc_dismisses(open_app, script_path, settle):
    app = open_app(script_path(SCRIPT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor((14, 0))
        await pilot.press(*"JO")
        await pilot.pause()
        assert screen.menu.shown and screen.menu.choice == "JOSÉ"
        await pilot.press("right")
        await pilot.pause()
        assert editor.document[14] == "JOSÉ"
        assert not screen.menu.shown

        await pilot.press("enter", *"Sí.", "enter")
        await pilot.press(*"MA")
        await pilot.pause()
        assert screen.menu.choice == "MARISOL"
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.menu.shown
        await pilot.press("right")  # with the list closed Right is just Right
        assert editor.document[17] == "MA"


async def test_completion_never_takes_keys_while_typing_prose(open_app, script_path, settle):
    app = open_app(script_path(SCRIPT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor((14, 0))
        await pilot.press(*"Jo walks to the door.")
        await pilot.pause()
        assert not screen.menu.shown
        assert editor.document[14] == "Jo walks to the door."
        await pilot.press("tab")  # no list: Tab cycles the element
        assert editor.document[14] == "JO WALKS TO THE DOOR."


async def test_a_burst_of_keys_is_applied_in_order(open_app, script_path, settle):
    """Keys arriving faster than they are handled (a fast typist, a slow SSH link that
    delivers several at once) still act in the order typed: Tab is not overtaken by the
    letters after it."""
    from textual import events

    app = open_app(script_path("Before.\n\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor_screen.editor
        editor.move_cursor((2, 0))
        await pilot.pause()
        burst = [*"ANA", "enter", "tab", *"beat", "end", "enter", *"Hi.", "enter", "tab"]
        for key in burst:
            character = key if len(key) == 1 else ("\r" if key == "enter" else "\t" if key == "tab" else None)
            event = events.Key(key, character)
            event.set_sender(app)
            app._driver.send_message(event)  # as the terminal driver delivers keys
        await settle(pilot)
        assert editor.text == "Before.\n\nANA\n(beat)\nHi.\n\n@"


async def test_a_name_typed_moments_ago_completes(open_app, script_path, settle):
    """Names written since the last pause in typing are offered too."""
    app = open_app(script_path("Before.\n\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = app.editor_screen.editor
        editor.move_cursor((2, 0))
        await pilot.press(*"ANA", "enter", *"Never again.", "enter", *"AN")
        await pilot.pause()
        assert editor.completion_items == ["ANA"]
        await pilot.press("right")
        assert editor.document[5] == "ANA"


async def test_tab_on_an_empty_line_keeps_cycling_in_a_script_with_names(open_app, script_path, settle):
    """No list of every name after Tab writes "@": the next Tab goes on to a scene heading."""
    app = open_app(script_path(SCRIPT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor((14, 0))
        await pilot.press("tab")
        await pilot.pause()
        assert editor.document[14] == "@"
        assert not screen.menu.shown
        await pilot.press("tab")
        await pilot.pause()
        assert editor.document[14] == "INT. "
        assert editor.live.line_kind(14) is not Kind.CHARACTER


async def test_the_at_tab_wrote_goes_when_the_name_does_not_need_it(open_app, script_path, settle):
    app = open_app(script_path(SCRIPT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        editor = app.editor_screen.editor
        editor.move_cursor((14, 0))
        await pilot.press("tab", *"teo", "enter", *"Hi.")
        assert editor.document[14:16] == ["TEO", "Hi."]
        assert editor.live.line_kind(14) is Kind.CHARACTER
        await pilot.press("enter", "tab", *"ana")  # the speech ends: a blank line, then a new cue
        assert editor.document[17] == "@ANA"
        await pilot.press("up")  # leaving the line drops the "@" too
        await pilot.pause()
        assert editor.document[17] == "ANA"


async def test_a_name_typed_in_lower_case_completes_in_capitals(open_app, script_path, settle):
    app = open_app(script_path(SCRIPT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor((14, 0))
        await pilot.press(*"mar")
        await pilot.pause()
        assert screen.menu.shown and screen.menu.choice == "MARISOL"
        await pilot.press("tab")
        await pilot.pause()
        assert editor.document[14] == "MARISOL"
        await pilot.press("enter", *"Again.")
        assert editor.live.line_kind(14) is Kind.CHARACTER

        await pilot.press("enter", *"MRSL")  # an abbreviation
        await pilot.pause()
        assert screen.menu.choice == "MARISOL"


async def test_a_lower_case_heading_prefix_is_written_in_capitals(open_app, script_path, settle):
    app = open_app(script_path(SCRIPT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        editor = screen.editor
        editor.move_cursor((14, 0))
        await pilot.press(*"int. la es")
        await pilot.pause()
        assert screen.menu.choice == "LA ESTRELLA BAKERY"
        await pilot.press("tab")
        assert editor.document[14] == "INT. LA ESTRELLA BAKERY - "


async def test_enter_on_the_last_visible_row_keeps_the_cursor_in_view(open_app, script_path, settle):
    """Enter at the end of a script that fills the view: the new line scrolls into view at
    once, not with the next key."""
    app = open_app(script_path("".join(f"Line {n}.\n\n" for n in range(30)).rstrip("\n")))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = app.editor_screen.editor
        editor.move_cursor(editor.document.end)
        await pilot.pause()
        for _ in range(2):
            await pilot.press("enter")
            await pilot.pause()
            top, height = editor.scroll_offset.y, editor.scrollable_content_region.height
            row_on_screen = editor.wrapped_document.location_to_offset(editor.cursor_location).y
            assert top <= row_on_screen < top + height
            await pilot.press("x")
