"""Incremental re-parsing equals a full parse, whatever the edit (property test)."""

from __future__ import annotations

from dataclasses import astuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.bench.sample import generate_script
from engine.fountain import LiveParse, parse

BASE = generate_script(300, seed=11)
PIECES = ["\n", "\n\n", "INT. HOUSE - DAY", "BOB", " ^", "(beat)", "hello", "CUT TO:", "/*", "*/", "[[", "]]",
          "  ", "!", "@", "#", "=", ">", "<", "~", "Title: X", "===", "JOSÉ — ZOË", " ", "x", "*", "_", "\t",
          ".", ".38 pistol", "TO:", "CUT TO:  "]


def snapshot(result):
    return [astuple(e) for e in result.elements], result.line_kinds


edit = st.tuples(
    st.floats(0, 1), st.floats(0, 1), st.integers(0, 4), st.floats(0, 1),
    st.lists(st.sampled_from(PIECES), max_size=4).map("".join),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([BASE, "", "Title: A\n\nBOB\nHi.\n\nSTEEL ^\nYo.\n", "\n\nFADE IN:\n\nINT. HOUSE - DAY\n\nBob sits.\n",
                        "Title: Night\n\n\nCUT TO:\n\nINT. A - DAY\n", "  _yn\n/*.\n"]), st.lists(edit, min_size=1, max_size=25))
def test_random_edits_equal_a_full_parse(base, edits):
    live = LiveParse(base)
    text = base
    for row_f, col_f, extra_rows, col2_f, insert in edits:
        lines = text.split("\n")
        r1 = int(row_f * (len(lines) - 1))
        c1 = int(col_f * len(lines[r1]))
        r2 = min(len(lines) - 1, r1 + extra_rows)
        c2 = int(col2_f * len(lines[r2])) if r2 > r1 else c1 + int(col2_f * (len(lines[r1]) - c1))
        live.replace((r1, c1), (r2, c2), insert)
        text = "\n".join(lines[:r1] + [lines[r1][:c1] + insert + lines[r2][c2:]] + lines[r2 + 1:])
        assert live.text == text
        assert snapshot(live.result()) == snapshot(parse(text))


def test_replace_returns_the_rows_it_reclassified():
    live = LiveParse(BASE)
    row = next(i for i, line in enumerate(live.lines) if line.startswith("MARGOT"))
    first, last = live.replace((row, 0), (row, 0), "x")
    assert first <= row <= last and last - first < 20


def test_typing_a_cue_changes_the_line_kind():
    live = LiveParse("INT. DINER - NIGHT\n\n\nShe waits.\n")
    live.replace((2, 0), (2, 0), "MARGOT")
    assert live.line_kind(2).value == "character"
    assert live.line_kind(3).value == "dialogue"


def test_the_paragraph_that_becomes_first_is_reclassified_with_its_line_kinds():
    # found by review: the elements were right but line kinds (highlighting) went stale
    live = LiveParse("\n\nFADE IN:\n\nINT. HOUSE - DAY\n\nBob sits.\n")
    live.replace((0, 0), (0, 0), "# Act One")
    assert snapshot(live.result()) == snapshot(parse(live.text))
    live = LiveParse("Title: Night\n\n\nCUT TO:\n\nINT. A - DAY\n")
    live.replace((0, 0), (1, 0), "")
    assert snapshot(live.result()) == snapshot(parse(live.text))
