"""engine.fountain.editing: what Tab, Enter and autocomplete write, checked against the parser."""

from __future__ import annotations

import pytest

from engine.fountain import Kind, parse
from engine.fountain.editing import (
    CYCLE,
    apply_completion,
    bare_text,
    complete,
    completion_context,
    cycle_element,
    effective_kind,
    looks_like_cue,
    newline_for,
    render_as,
    unforced_cue,

)


def kind_in_script(line: str, followed_by_text: bool = True) -> Kind | None:
    """How the parser reads ``line`` as its own paragraph (after a blank line)."""
    after = "\nSome dialogue.\n" if followed_by_text else "\n\n"
    return parse("Before.\n\n" + line + after).line_kinds[2]


# ------------------------------------------------------------------ Tab
def test_tab_walks_action_character_heading_transition_and_back():
    line, kind, origin = "José walks in — slowly.", Kind.ACTION, "José walks in — slowly."
    seen = []
    for _ in range(4):
        rewrite = cycle_element(line, kind, origin=origin)
        assert rewrite is not None
        seen.append((rewrite.kind, rewrite.text))
        line, kind = rewrite.text, rewrite.kind
    assert seen == [
        (Kind.CHARACTER, "JOSÉ WALKS IN — SLOWLY."),
        (Kind.SCENE_HEADING, ".JOSÉ WALKS IN — SLOWLY."),
        (Kind.TRANSITION, "> JOSÉ WALKS IN — SLOWLY."),
        (Kind.ACTION, "José walks in — slowly."),  # the writer's case comes back
    ]


@pytest.mark.parametrize("target", CYCLE)
def test_every_rewrite_is_read_by_the_parser_as_intended(target):
    for text in ["john walks in", "INT. HOUSE - DAY", "CUT TO:", "MARISOL", "123", "José"]:
        written = render_as(text, target)
        followed = target in (Kind.CHARACTER, Kind.ACTION)
        assert kind_in_script(written, followed_by_text=followed) is target, (text, written)


def test_plain_forms_are_used_where_the_parser_allows_them():
    assert render_as("int. diner - night", Kind.SCENE_HEADING) == "INT. DINER - NIGHT"
    assert render_as("cut to:", Kind.TRANSITION) == "CUT TO:"
    assert render_as("marisol", Kind.CHARACTER) == "MARISOL"
    assert render_as("A quiet street.", Kind.ACTION) == "A quiet street."
    assert render_as("BANG", Kind.ACTION) == "!BANG"  # capitals alone would be a cue


def test_tab_on_an_empty_line_inserts_the_mark_of_each_element():
    line, kind = "", None
    texts = []
    for _ in range(4):
        rewrite = cycle_element(line, kind)
        texts.append(rewrite.text)
        # what the parser says of the lone mark: it is still action
        line, kind = rewrite.text, parse(rewrite.text).line_kinds[0]
    assert texts == ["@", "INT. ", ">", ""]


def test_tab_inside_dialogue_toggles_parenthetical():
    assert cycle_element("", None, prev_blank=False, in_dialogue=True).text == "()"
    assert cycle_element("", None, prev_blank=False, in_dialogue=True).cursor == 1
    to_paren = cycle_element("quietly", Kind.DIALOGUE, prev_blank=False, in_dialogue=True)
    assert (to_paren.text, to_paren.kind) == ("(quietly)", Kind.PARENTHETICAL)
    back = cycle_element("(quietly)", Kind.PARENTHETICAL, prev_blank=False, in_dialogue=True)
    assert (back.text, back.kind) == ("quietly", Kind.DIALOGUE)


def test_tab_leaves_sections_notes_and_title_page_alone():
    assert cycle_element("# ACT ONE", Kind.SECTION) is None
    assert cycle_element("Title: Night Shift", Kind.TITLE) is None
    assert cycle_element("[[a note]]", Kind.NOTE) is None


def test_a_cue_being_typed_counts_as_a_character():
    assert looks_like_cue("JOSÉ")
    assert looks_like_cue("@McCLANE")
    assert not looks_like_cue("José walks.")
    assert effective_kind("JOSÉ", Kind.ACTION, prev_blank=True) is Kind.CHARACTER
    assert effective_kind("JOSÉ", Kind.ACTION, prev_blank=False) is Kind.ACTION
    assert effective_kind("@", Kind.ACTION, prev_blank=True) is Kind.CHARACTER
    assert bare_text("@JOSÉ ^", Kind.CHARACTER) == "JOSÉ"
    assert bare_text("INT. ", Kind.SCENE_HEADING) == ""


# ------------------------------------------------------------------ Enter
def enter(line, kind, column, prev_blank, next_line):
    done = newline_for(line, kind, column, prev_blank=prev_blank, next_line=next_line)
    return done.text, done.rows


def test_enter_after_cue_and_parenthetical_continues_into_dialogue():
    assert enter("JOSÉ", Kind.ACTION, 4, True, None) == ("\n", 1)
    assert enter("MARISOL", Kind.CHARACTER, 7, True, "Hi.") == ("\n", 1)
    assert enter("(beat)", Kind.PARENTHETICAL, 6, False, None) == ("\n", 1)


def test_enter_after_last_dialogue_line_ends_the_block():
    assert enter("Rise, you lazy thing.", Kind.DIALOGUE, 21, False, "") == ("\n\n", 2)
    assert enter("Rise.", Kind.DIALOGUE, 5, False, None) == ("\n\n", 2)
    # inside a speech, or in the middle of a line: a plain line break
    assert enter("Rise.", Kind.DIALOGUE, 5, False, "More words.") == ("\n", 1)
    assert enter("Rise, you lazy thing.", Kind.DIALOGUE, 4, False, "") == ("\n", 1)


def test_enter_after_heading_and_action_adds_the_blank_line_fountain_needs():
    assert enter("INT. DINER - NIGHT", Kind.SCENE_HEADING, 18, True, None) == ("\n\n", 2)
    assert enter("Rain falls.", Kind.ACTION, 11, True, "") == ("\n\n", 2)
    assert enter("", None, 0, True, None) == ("\n", 1)
    assert enter("Title: X", Kind.TITLE, 8, True, None) == ("\n", 1)


def test_enter_on_the_blank_line_between_paragraphs_opens_a_new_one():
    # "CUT TO:" / "" (cursor) / "INT. ...": the new line gets a blank line on each side
    assert enter("", None, 0, False, "INT. DINER - NIGHT") == ("\n\n", 1)
    # "" / "" (cursor) / "INT. ...": one more line is enough
    assert enter("", None, 0, True, "INT. DINER - NIGHT") == ("\n", 0)
    lines = ["Rain.", "", "CUT TO:", "", "INT. DINER - NIGHT", ""]
    done = newline_for("", None, 0, prev_blank=False, next_line=lines[4])
    new_lines = ("\n".join(lines[:3]) + "\n" + done.text + "\n".join(lines[3:])).split("\n")
    new_lines[3 + done.rows] = "EXT. ROOF - DAY"  # typed where the cursor went
    kinds = parse("\n".join(new_lines)).line_kinds
    assert kinds[2:7] == [Kind.TRANSITION, None, Kind.SCENE_HEADING, None, Kind.SCENE_HEADING]


# ------------------------------------------------------------------ autocomplete
def test_completion_context_for_names_and_locations():
    ctx = completion_context("JO", 2, prev_blank=True)
    assert (ctx.kind, ctx.query, ctx.start, ctx.end) == ("character", "JO", 0, 2)
    assert completion_context("JO", 2, prev_blank=False) is None  # not after a blank line
    lower = completion_context("mar", 3, prev_blank=True)  # a cue typed in lower case
    assert (lower.kind, lower.query, lower.strict) == ("character", "mar", True)
    assert completion_context("Jo walks", 8, prev_blank=True) is None  # more words: action being typed
    assert completion_context("Jo ", 3, prev_blank=True) is None
    assert completion_context("j", 1, prev_blank=True) is None  # one letter is not enough
    assert completion_context("JO", 1, prev_blank=True) is None  # not at the end of the line
    assert completion_context("JOSÉ (V.O", 9, prev_blank=True) is None  # an extension is being typed
    forced = completion_context("@mc", 3, prev_blank=True)
    assert (forced.kind, forced.query, forced.forced) == ("character", "mc", True)

    loc = completion_context("INT. LA ES", 10, prev_blank=True)
    assert (loc.kind, loc.query, loc.start) == ("location", "LA ES", 5)
    assert completion_context("INT. ", 5, prev_blank=True).query == ""
    assert completion_context("INT.", 4, prev_blank=True) is None  # may still become INT./EXT.
    assert completion_context("EXT. LOT - NI", 13, prev_blank=True) is None  # time of day
    assert completion_context(".ROOF", 5, prev_blank=True).query == "ROOF"


def test_complete_prefers_prefix_then_fuzzy_and_ignores_accents():
    names = ["MARISOL", "JOSÉ", "TEO", "MAJOR JONES"]
    assert complete("JO", names)[0] == "JOSÉ"
    assert "MAJOR JONES" in complete("JO", names)
    assert complete("jose", names) == ["JOSÉ"]
    assert complete("MRSOL", names) == ["MARISOL"]
    assert complete("", names, limit=2) == ["MARISOL", "JOSÉ"]
    assert complete("TEO", names) == []  # already complete: nothing to offer
    assert complete("ZZZZ", names) == []
    assert complete("MRSL", names) == ["MARISOL"]  # an abbreviation
    assert complete("mar", names, fuzzy=False)[0] == "MARISOL"
    assert complete("mrsl", names, fuzzy=False) == ["MARISOL"]
    assert complete("jnes", names, fuzzy=False) == []  # not the first letter: no abbreviation


def test_lower_case_name_completes_to_the_cue_in_capitals():
    ctx = completion_context("mar", 3, prev_blank=True)
    done = apply_completion("mar", ctx, "MARISOL")
    assert (done.text, done.kind) == ("MARISOL", Kind.CHARACTER)
    assert kind_in_script(done.text) is Kind.CHARACTER


def test_location_completion_writes_the_heading_prefix_in_capitals():
    ctx = completion_context("int. la es", 10, prev_blank=True)
    done = apply_completion("int. la es", ctx, "LA ESTRELLA BAKERY")
    assert done.text == "INT. LA ESTRELLA BAKERY - "


def test_the_at_mark_tab_wrote_goes_once_the_name_is_a_cue_without_it():
    assert unforced_cue("@TEO") == "TEO"
    assert unforced_cue("@MARISOL (V.O.)") == "MARISOL (V.O.)"
    assert unforced_cue("@McCLANE") is None  # needs the mark
    assert unforced_cue("@") is None  # no name yet
    assert unforced_cue("TEO") is None  # no mark


def test_apply_completion_writes_valid_fountain():
    ctx = completion_context("INT. LA", 7, prev_blank=True)
    done = apply_completion("INT. LA", ctx, "LA ESTRELLA BAKERY")
    assert done.text == "INT. LA ESTRELLA BAKERY - " and done.cursor == len(done.text)
    cue = apply_completion("JO", completion_context("JO", 2, prev_blank=True), "JOSÉ")
    assert (cue.text, cue.kind) == ("JOSÉ", Kind.CHARACTER)
    mixed = apply_completion("MC", completion_context("MC", 2, prev_blank=True), "McCLANE")
    assert mixed.text == "@McCLANE"
    assert kind_in_script(mixed.text) is Kind.CHARACTER


def test_a_suggested_cue_under_a_line_of_text_gets_its_blank_line():
    from engine.fountain.editing import separate_suggestion

    lines = [">THE END<", ""]
    assert separate_suggestion(lines, (1, 0), "JOSÉ\n(to the van)\nLate.") == "\nJOSÉ\n(to the van)\nLate."
    assert separate_suggestion(lines, (1, 0), "INT. VAN - DAWN\n\nRain.") == "\nINT. VAN - DAWN\n\nRain."
    for opener in ("# ACT THREE", "= José finds the kid.", "===", ">THE END<"):  # sections, synopses, ...
        assert separate_suggestion(lines, (1, 0), f"{opener}\n\nRain.") == f"\n{opener}\n\nRain."
    # dialogue under a cue the writer just typed stays where it is
    assert separate_suggestion(["JOSÉ", ""], (1, 0), "I'm late.\n\nTEO\nNo.") == "I'm late.\n\nTEO\nNo."
    # after a blank line, mid-line, or when the suggestion already starts a paragraph: unchanged
    assert separate_suggestion(["Text.", "", ""], (2, 0), "JOSÉ\nHi.") == "JOSÉ\nHi."
    assert separate_suggestion(["Text.", "x"], (1, 1), "JOSÉ\nHi.") == "JOSÉ\nHi."
    assert separate_suggestion(lines, (1, 0), "\nJOSÉ\nHi.") == "\nJOSÉ\nHi."
