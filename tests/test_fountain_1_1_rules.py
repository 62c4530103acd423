"""Three Fountain 1.1 rules the parser once broke (issue 13, part 6), each against the spec
text and what the reference implementations do."""

from __future__ import annotations

from engine.fountain import LiveParse, parse


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.kind.value, e.text) for e in parse(text).elements]


# (a) "A line beginning with a period followed by an alphanumeric character will be interpreted
# as a Scene Heading" -- and like every heading it needs the blank line after it.

def test_forced_heading_followed_by_a_blank_line_is_a_heading():
    assert kinds("Text.\n\n.FLASHBACK\n\nShe runs.\n") == [
        ("action", "Text."), ("scene_heading", "FLASHBACK"), ("action", "She runs.")]


def test_forced_heading_at_the_end_of_the_script_is_a_heading():
    assert kinds("Text.\n\n.SNIPER'S NEST") == [("action", "Text."), ("scene_heading", "SNIPER'S NEST")]


def test_period_line_opening_an_action_paragraph_stays_action():
    assert kinds("Text.\n\n.38 pistol at the ready,\nhe waits.\n") == [
        ("action", "Text."), ("action", ".38 pistol at the ready,\nhe waits.")]


def test_period_line_inside_an_action_paragraph_stays_action():
    assert kinds("He carries a\n.38 pistol at his side.\n") == [("action", "He carries a\n.38 pistol at his side.")]


def test_forced_heading_keeps_its_scene_number():
    [heading] = [e for e in parse(".FLASHBACK #4A#\n\nx").elements if e.kind.value == "scene_heading"]
    assert (heading.text, heading.scene_number) == ("FLASHBACK", "4A")


# (b) Transitions: "Uppercase, preceded by and followed by an empty line, ending in TO:". A line
# with spaces after the colon does not end in TO:. Jouvence's fixture says so in as many words
# ("NOT A TRANSITION TO:  / Because it has spaces after the colon."), and screenplain's
# transition pattern (`(.+?)(TO:)?$` on the unstripped line) agrees. Leading indentation is fine
# (screenplay-tools' "    GO TO:").

def test_transition_without_trailing_spaces():
    assert kinds("Text.\n\nCUT TO:\n\nINT. A - DAY\n") == [
        ("action", "Text."), ("transition", "CUT TO:"), ("scene_heading", "INT. A - DAY")]


def test_transition_with_trailing_spaces_is_action():
    assert kinds("Text.\n\nCUT TO:  \n\nINT. A - DAY\n") == [
        ("action", "Text."), ("action", "CUT TO:"), ("scene_heading", "INT. A - DAY")]
    assert kinds("NOT A TRANSITION TO:  \n\nBecause it has spaces after the colon.\n")[0] == (
        "action", "NOT A TRANSITION TO:")


def test_indented_transition_is_a_transition():
    assert kinds("x\n\n    GO TO:\n\ny\n")[1] == ("transition", "GO TO:")


def test_both_transitions_need_the_blank_line_after():
    assert kinds("x\n\nCUT TO:\nINT. A - DAY\n")[1][0] != "transition"
    assert kinds("x\n\nCUT TO:  \nINT. A - DAY\n")[1][0] != "transition"


def test_forced_transition_with_trailing_spaces_stays_forced():
    assert kinds("x\n\n> fade out  \n\ny\n")[1] == ("transition", "fade out")


# (c) Boneyard: an opener with no closer is ordinary text; it does not swallow the script.

def test_unclosed_boneyard_does_not_swallow_the_script():
    assert kinds("a\n\n/* open\n\nINT. HOUSE - DAY\n\nBOB\nHi.\n") == [
        ("action", "a"), ("action", "/* open"), ("scene_heading", "INT. HOUSE - DAY"),
        ("character", "BOB"), ("dialogue", "Hi.")]


def test_a_closed_boneyard_before_an_unclosed_opener_still_counts():
    assert kinds("a /* cut\n\nscene */ b\n\n/* later") == [
        ("action", "a"), ("boneyard", " cut\n\nscene "), ("action", " b"), ("action", "/* later")]


def test_closing_an_opener_later_turns_it_into_a_boneyard_live():
    live = LiveParse("a\n\n/* open\n\nINT. HOUSE - DAY\n\nBOB\nHi.\n")
    assert "boneyard" not in [e.kind.value for e in live.result().elements]
    live.replace((4, 16), (4, 16), " */")
    assert [e.kind.value for e in live.result().elements] == ["action", "boneyard", "character", "dialogue"]
    assert [e.kind.value for e in live.result().elements] == [e.kind.value for e in parse(live.text).elements]
