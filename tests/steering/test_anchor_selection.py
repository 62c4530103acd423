"""Which anchors a request uses: trigger keys, scopes, priorities and the token budget.

Token counts come from the default model's own tokenizer (``count_tokens`` fixture).
"""

from __future__ import annotations

import pytest

from engine.steering.anchors import (
    Anchor,
    AnchorError,
    Scope,
    anchor_from_dict,
    anchors_block,
    new_anchor_id,
    recent_text,
    select_anchors,
)

SCRIPT = """Title: Harbour Lights
Genre: Noir

# ACT ONE

INT. HARBOUR BAR - NIGHT

Rain on the windows. EMMA (40s) nurses a whisky.

EMMA
He said he'd come.

EXT. PIER - LATER

Fog. A boat horn.

# ACT TWO

INT. WAREHOUSE - NIGHT #7#

Crates. A single bulb. VIKTOR waits in the dark.

VIKTOR
You came alone.
"""
LINES = SCRIPT.split("\n")
BAR = LINES.index("INT. HARBOUR BAR - NIGHT")
PIER = LINES.index("EXT. PIER - LATER")
WAREHOUSE = LINES.index("INT. WAREHOUSE - NIGHT #7#")
LAST = LINES.index("You came alone.")


def anchor(aid, text="A note.", **fields) -> Anchor:
    return anchor_from_dict({"id": aid, "kind": fields.pop("kind", "world"), "text": text, **fields})


def ids(selection):
    return [c.anchor.id for c in selection.chosen]


BIG = 10_000


# ---------------------------------------------------------------- trigger keys
def test_key_matches_whole_words_in_any_case(count_tokens):
    a = anchor("emma", keys=["emma"])
    assert ids(select_anchors([a], SCRIPT, BAR + 4, BIG, count_tokens)) == ["emma"]
    choice = select_anchors([a], SCRIPT, BAR + 4, BIG, count_tokens).chosen[0]
    assert choice.matched_key == "emma" and "key 'emma'" in choice.reason


def test_key_inside_another_word_does_not_match(count_tokens):
    text = "INT. ROOM - DAY\n\nEmmanuel waits. The emmarald light.\n"
    sel = select_anchors([anchor("emma", keys=["Emma"])], text, 2, BIG, count_tokens)
    assert ids(sel) == []
    assert "none of its keys" in sel.inactive[0][1]


def test_key_with_accent_and_several_words(count_tokens):
    text = "INT. KITCHEN - DAY\n\nJOSÉ\nThe blue   sedan is gone.\n"
    sel = select_anchors(
        [anchor("jose", keys=["José"]), anchor("car", keys=["blue sedan"]), anchor("teo", keys=["Teo"])],
        text,
        3,
        BIG,
        count_tokens,
    )
    assert ids(sel) == ["jose", "car"]


def test_key_after_the_cursor_does_not_count(count_tokens):
    sel = select_anchors([anchor("viktor", keys=["Viktor"])], SCRIPT, PIER, BIG, count_tokens)
    assert ids(sel) == []
    sel = select_anchors([anchor("viktor", keys=["Viktor"])], SCRIPT, LAST, BIG, count_tokens)
    assert ids(sel) == ["viktor"]


def test_key_only_in_the_recent_text(count_tokens):
    # Emma is named near the top; with a short scan window she is out of reach at the end.
    a = anchor("emma", keys=["Emma"])
    assert ids(select_anchors([a], SCRIPT, LAST, BIG, count_tokens, scan_chars=2000)) == ["emma"]
    assert ids(select_anchors([a], SCRIPT, LAST, BIG, count_tokens, scan_chars=80)) == []
    window = recent_text(LINES, LAST, 80)
    assert len(window) <= 80 and window.endswith("You came alone.")
    assert not window[0].isspace()


def test_anchor_without_keys_is_constant(count_tokens):
    sel = select_anchors([anchor("rain", text="It always rains.")], SCRIPT, BAR, BIG, count_tokens)
    assert ids(sel) == ["rain"] and sel.chosen[0].matched_key is None
    assert sel.chosen[0].reason == "whole script; constant"


# ---------------------------------------------------------------- scopes
def test_scene_scope_by_written_number(count_tokens):
    a = anchor("w", scope="scene:7")
    assert ids(select_anchors([a], SCRIPT, LAST, BIG, count_tokens)) == ["w"]
    assert ids(select_anchors([a], SCRIPT, PIER + 2, BIG, count_tokens)) == []


def test_scene_scope_by_ordinal_when_the_heading_has_no_number(count_tokens):
    a = anchor("pier", scope="scene:2")
    assert ids(select_anchors([a], SCRIPT, PIER + 2, BIG, count_tokens)) == ["pier"]
    assert ids(select_anchors([a], SCRIPT, BAR + 2, BIG, count_tokens)) == []
    assert "scene 2 (EXT. PIER - LATER)" in select_anchors([a], SCRIPT, PIER, BIG, count_tokens).chosen[0].reason


def test_scene_scope_by_heading_any_case(count_tokens):
    a = anchor("bar", scope="scene:int. harbour bar -  night")
    assert ids(select_anchors([a], SCRIPT, BAR, BIG, count_tokens)) == ["bar"]  # on the heading line itself
    assert ids(select_anchors([a], SCRIPT, BAR + 5, BIG, count_tokens)) == ["bar"]
    assert ids(select_anchors([a], SCRIPT, PIER, BIG, count_tokens)) == []


def test_section_scope_covers_its_scenes_until_the_next_section(count_tokens):
    a = anchor("act1", scope="act:ACT ONE")
    assert ids(select_anchors([a], SCRIPT, BAR + 2, BIG, count_tokens)) == ["act1"]
    assert ids(select_anchors([a], SCRIPT, PIER + 2, BIG, count_tokens)) == ["act1"]
    sel = select_anchors([a], SCRIPT, LAST, BIG, count_tokens)
    assert ids(sel) == [] and "outside section ACT ONE" in sel.inactive[0][1]


def test_scope_that_names_nothing_is_reported(count_tokens):
    sel = select_anchors(
        [anchor("x", scope="scene:99"), anchor("y", scope="section:Epilogue")], SCRIPT, LAST, BIG, count_tokens
    )
    assert ids(sel) == []
    assert dict((a.id, why) for a, why in sel.inactive) == {
        "x": "no scene '99' in the script",
        "y": "no section titled 'Epilogue' in the script",
    }


def test_cursor_on_the_title_page_is_in_no_scene(count_tokens):
    sel = select_anchors([anchor("bar", scope="scene:1"), anchor("all")], SCRIPT, 0, BIG, count_tokens)
    assert ids(sel) == ["all"]


def test_switched_off_anchor_is_never_used(count_tokens):
    sel = select_anchors([anchor("off", enabled=False)], SCRIPT, LAST, BIG, count_tokens)
    assert ids(sel) == [] and sel.inactive[0][1] == "switched off"


# ---------------------------------------------------------------- order and budget
def test_constant_first_then_priority_then_definition_order(count_tokens):
    anchors = [
        anchor("keyed-high", keys=["Viktor"], priority=9),
        anchor("const-low", priority=0),
        anchor("keyed-low", keys=["Viktor"], priority=1),
        anchor("const-high", priority=5),
        anchor("const-low-2", priority=0),
    ]
    sel = select_anchors(anchors, SCRIPT, LAST, BIG, count_tokens)
    assert ids(sel) == ["const-high", "const-low", "const-low-2", "keyed-high", "keyed-low"]
    assert sel.text == anchors_block([c.anchor for c in sel.chosen])


def test_budget_is_counted_with_the_model_tokenizer(count_tokens):
    anchors = [
        anchor(
            "a",
            "Emma's breakthrough: she realises the villain's motives are rooted in betrayal.",
            kind="beat",
            priority=3,
        ),
        anchor("b", "Viktor never raises his voice.", kind="character", priority=2),
        anchor("c", "The harbour is closing down; everyone is leaving.", priority=1),
    ]
    two = count_tokens(anchors_block(anchors[:2]))
    sel = select_anchors(anchors, SCRIPT, LAST, two, count_tokens)
    assert ids(sel) == ["a", "b"]
    assert [c.anchor.id for c in sel.dropped] == ["c"]
    assert sel.tokens == two == count_tokens(sel.text) <= sel.budget
    assert sum(c.tokens for c in sel.chosen) == two
    assert "dropped: over the budget" in sel.reason_for("c")
    # one token fewer and the second one no longer fits either
    sel = select_anchors(anchors, SCRIPT, LAST, two - 1, count_tokens)
    assert ids(sel) == ["a"] and [c.anchor.id for c in sel.dropped] == ["b", "c"]


def test_budget_stops_at_the_first_anchor_that_does_not_fit(count_tokens):
    anchors = [anchor("long", "word " * 200, priority=2), anchor("short", "Rain.", priority=1)]
    sel = select_anchors(anchors, SCRIPT, LAST, 20, count_tokens)
    assert ids(sel) == [] and [c.anchor.id for c in sel.dropped] == ["long", "short"]
    assert sel.text == "" and sel.tokens == 0


def test_zero_budget_uses_no_anchor(count_tokens):
    sel = select_anchors([anchor("a")], SCRIPT, LAST, 0, count_tokens)
    assert ids(sel) == [] and len(sel.dropped) == 1


# ---------------------------------------------------------------- fields
@pytest.mark.parametrize(
    "text, scope",
    [
        ("script", Scope()),
        ("", Scope()),
        ("scene:3", Scope("scene", "3")),
        ("12", Scope("scene", "12")),
        ("act: ACT ONE", Scope("section", "ACT ONE")),
        ("section:The Lot", Scope("section", "The Lot")),
        ("scene:INT. BAR - NIGHT", Scope("scene", "INT. BAR - NIGHT")),
    ],
)
def test_scope_parsing(text, scope):
    assert Scope.parse(text) == scope
    assert Scope.parse(str(scope)) == scope


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "plot"}, "kind"),
        ({"text": "  "}, "text"),
        ({"scope": "chapter:1"}, "scope"),
        ({"scope": "scene:"}, "scope"),
        ({"keys": "x"}, None),
        ({"keys": [1]}, "keys"),
        ({"priority": "high"}, "priority"),
        ({"enabled": "yes"}, "enabled"),
        ({"id": "has space"}, "id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_fields_are_named(data, field):
    base = {"id": "a", "kind": "beat", "text": "A beat."}
    if field is None:  # a single key string is accepted as a list of one
        assert anchor_from_dict({**base, **data}).keys == ("x",)
        return
    with pytest.raises(AnchorError) as info:
        anchor_from_dict({**base, **data})
    assert info.value.field == field


def test_new_ids_are_readable_and_unique():
    assert new_anchor_id("beat", "José's breakthrough: he sees it", []) == "beat-joses-breakthrough-he-sees"
    assert new_anchor_id("beat", "José's breakthrough: he sees it", ["beat-joses-breakthrough-he-sees"]) == (
        "beat-joses-breakthrough-he-sees-2"
    )
