"""Pagination as the PDF prints it: US Letter, Courier 12, 55 lines a page."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.fountain import Element, Kind, parse
from engine.fountain.pagination import LETTER, Layout, paginate, wrap

LPP = LETTER.lines_per_page


def action(text: str, line: int) -> Element:
    n = text.count("\n")
    return Element(Kind.ACTION, text, line, line + n)


def heading(text: str, line: int, number: str | None = None) -> Element:
    return Element(Kind.SCENE_HEADING, text, line, line, scene_number=number)


def cue(name: str, line: int, dual: str | None = None) -> Element:
    return Element(Kind.CHARACTER, name, line, line, name=name, dual=dual)


def speech(text: str, line: int) -> Element:
    return Element(Kind.DIALOGUE, text, line, line + text.count("\n"))


def paren(text: str, line: int) -> Element:
    return Element(Kind.PARENTHETICAL, text, line, line)


def filler(count: int, start: int = 0) -> list[Element]:
    """``count`` one-line action paragraphs, a blank line apart in the source."""
    return [action(f"Filler line {i}.", start + 2 * i) for i in range(count)]


def rows_of(pages, number: int) -> list[tuple[int, str]]:
    return [(pl.row, pl.text) for pl in pages.pages[number - 1].lines]


# --------------------------------------------------------------------------- wrap
def test_wrap_breaks_at_words_within_the_width():
    text = "The night is WHIRRING and BREATHING, alive. The moon hangs low, casting long shadows."
    rows = wrap(text, 61)
    assert rows == ["The night is WHIRRING and BREATHING, alive. The moon hangs", "low, casting long shadows."]
    assert all(len(r) <= 61 for r in rows)


def test_wrap_keeps_double_spaces_and_lets_them_count_at_a_break():
    # screenplain's PDF (and a typewriter) keeps "on.  The": the first space stays on the line
    text = "Five kids walk past in silhouette.  Four have flashlights on.  The fifth keeps tripping."
    rows = wrap(text, 61)
    assert rows[0] == "Five kids walk past in silhouette.  Four have flashlights"
    assert rows[1].startswith("on.  The fifth")


def test_wrap_cuts_words_longer_than_the_width_and_expands_tabs():
    assert wrap("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert wrap("\tindented", 40) == ["    indented"]
    assert wrap("", 10) == [""]


# ---------------------------------------------------------------- page geometry
def test_an_empty_script_is_one_empty_page():
    pages = paginate([])
    assert pages.count == 1
    assert pages.runtime_s == 0
    assert pages.page_of_line(0) == 1


def test_fifty_five_lines_a_page():
    # a paragraph takes its line plus the blank before it, except at the top of a page:
    # 1 + 27 * 2 = 55 rows, so 28 one-line paragraphs fill a page exactly
    assert paginate(filler(28)).count == 1
    pages = paginate(filler(29))
    assert pages.count == 2
    assert rows_of(pages, 1)[-1] == (54, "Filler line 27.")
    assert rows_of(pages, 2) == [(0, "Filler line 28.")]  # no blank line at the top of a page
    assert all(pl.row < LPP for page in pages.pages for pl in page.lines)


def test_element_widths_and_indents():
    elements = [
        heading("INT. KITCHEN - NIGHT", 0),
        action("A" * 70, 2),
        cue("MARY (V.O.)", 4),
        paren("(quietly, to herself, because nobody listens anyway)", 5),
        speech("You're late. You're always late and you never say sorry.", 6),
        Element(Kind.TRANSITION, "CUT TO:", 8, 8),
    ]
    lines = paginate(elements).pages[0].lines
    by_kind = {}
    for pl in lines:
        by_kind.setdefault(pl.kind, []).append(pl)
    assert [(pl.indent, pl.width) for pl in by_kind[Kind.ACTION]] == [(0, 61), (0, 61)]
    assert by_kind[Kind.CHARACTER][0].indent == 19
    assert all(pl.indent == 13 and len(pl.text) <= 30 for pl in by_kind[Kind.PARENTHETICAL])
    assert [pl.text for pl in by_kind[Kind.DIALOGUE]] == [
        "You're late. You're always late and",
        "you never say sorry.",
    ]
    assert all(pl.indent == 9 and len(pl.text) <= 36 for pl in by_kind[Kind.DIALOGUE])
    assert by_kind[Kind.TRANSITION][0].align == "right"
    # heading, blank, 2 action rows, blank, cue, 2 paren rows, 2 speech rows, blank, transition
    assert [(pl.row, pl.kind) for pl in lines][:3] == [(0, Kind.SCENE_HEADING), (2, Kind.ACTION), (3, Kind.ACTION)]
    assert lines[-1].row == 11 and lines[-1].kind is Kind.TRANSITION


def test_forced_page_break():
    elements = [action("One.", 0), Element(Kind.PAGE_BREAK, "", 2, 2), action("Two.", 4)]
    pages = paginate(elements)
    assert pages.count == 2
    assert rows_of(pages, 2) == [(0, "Two.")]
    assert pages.page_of_line(2) == 2  # the === line belongs to the page it starts
    # a break on a page with nothing on it yet does not make an empty page
    assert paginate([Element(Kind.PAGE_BREAK, "", 0, 0), action("Only.", 2)]).count == 1


def test_title_page_is_not_a_script_page():
    elements = [
        Element(Kind.TITLE, "BIG FISH", 0, 0, key="Title"),
        Element(Kind.TITLE, "John August", 1, 1, key="Author"),
        action("FADE IN:", 3),
    ]
    pages = paginate(elements)
    assert pages.count == 1
    assert rows_of(pages, 1) == [(0, "FADE IN:")]
    assert pages.page_of_line(0) == 1
    assert not pages.placements[0].printed and pages.placements[2].printed


# ------------------------------------------------------------------- keep rules
def test_scene_heading_is_never_left_alone_at_the_bottom():
    # 27 paragraphs fill rows 0..52; a heading would go on row 54 with no room for its action
    elements = filler(27) + [heading("EXT. RIVER - DAY", 60), action("Water.\nMore water.", 62)]
    pages = paginate(elements)
    assert pages.count == 2
    assert rows_of(pages, 2)[:2] == [(0, "EXT. RIVER - DAY"), (2, "Water.")]
    assert pages.placements[27].page == 2 and pages.placements[27].row == 0


def test_scene_heading_stays_when_two_lines_of_action_fit():
    long_action = "\n".join(f"Row {i}." for i in range(6))
    elements = filler(24) + [heading("EXT. RIVER - DAY", 60), action(long_action, 62)]
    # filler ends on row 46; heading on 48, blank, action rows 50.. : 5 rows fit, 1 would move,
    # so the split keeps 4 and moves 2
    pages = paginate(elements)
    first = rows_of(pages, 1)
    assert (48, "EXT. RIVER - DAY") in first
    assert first[-1] == (53, "Row 3.")
    assert rows_of(pages, 2) == [(0, "Row 4."), (1, "Row 5.")]


def test_action_never_leaves_one_line_behind_or_alone():
    three = action("One.\nTwo.\nThree.", 60)
    elements = filler(27) + [three]  # rows 54 is all that is left: the paragraph moves whole
    pages = paginate(elements)
    assert rows_of(pages, 2) == [(0, "One."), (1, "Two."), (2, "Three.")]


def test_dialogue_splits_with_more_and_contd():
    words = " ".join(f"word{i:02d}" for i in range(60))  # 60 words of 6 letters: 18 rows at 36 columns
    elements = filler(22) + [cue("EDWARD", 60), speech(words, 61)]
    pages = paginate(elements)
    assert pages.count == 2
    first, second = pages.pages
    tail = first.lines[-1]
    assert (tail.text, tail.extra, tail.indent) == ("(MORE)", "more", LETTER.more.indent)
    assert tail.row <= LPP - 1
    head = second.lines[0]
    assert (head.row, head.text, head.extra) == (0, "EDWARD (CONT'D)", "contd")
    kept = [pl.text for pl in first.lines if pl.kind is Kind.DIALOGUE]
    moved = [pl.text for pl in second.lines if pl.kind is Kind.DIALOGUE]
    assert len(kept) >= 2 and len(moved) >= 2
    assert " ".join(kept + moved) == words  # nothing lost, nothing doubled
    placement = pages.placements[23]
    assert (placement.page, placement.end_page) == (1, 2)


def test_a_cue_with_an_existing_contd_is_not_marked_twice():
    words = " ".join(f"word{i:02d}" for i in range(60))
    elements = filler(22) + [cue("EDWARD (CONT'D)", 60), speech(words, 61)]
    second = paginate(elements).pages[1]
    assert second.lines[0].text == "EDWARD (CONT'D)"


def test_short_dialogue_moves_whole_rather_than_split():
    elements = filler(26) + [cue("WILL", 60), speech("One short line.\nAnd another.\nAnd a third.", 61)]
    # rows 52 (blank), 53 cue, 54: a split would leave one line: the block moves
    pages = paginate(elements)
    assert [pl.text for pl in pages.pages[1].lines] == ["WILL", "One short line.", "And another.", "And a third."]
    assert not any(pl.extra == "more" for pl in pages.pages[0].lines)


def test_never_split_right_after_a_parenthetical():
    lines = "\n".join(f"Line {i} of speech." for i in range(6))
    elements = filler(24) + [
        cue("SANDRA", 60), speech("First.\nSecond.\nThird.", 61), paren("(beat)", 64), speech(lines, 65),
    ]
    pages = paginate(elements)
    for page in pages.pages:
        for before, after in zip(page.lines, page.lines[1:], strict=False):
            if after.extra == "more":
                assert before.kind is not Kind.PARENTHETICAL


def test_dual_dialogue_sits_side_by_side():
    elements = [cue("BRICK", 0, dual="left"), speech("Screw retirement.", 1),
                cue("STEEL", 3, dual="right"), speech("Screw retirement, and screw you too.", 4)]
    lines = paginate(elements).pages[0].lines
    assert [(pl.row, pl.text) for pl in lines if pl.kind is Kind.CHARACTER] == [(0, "BRICK"), (0, "STEEL")]
    left = [pl for pl in lines if pl.element in (0, 1)]
    right = [pl for pl in lines if pl.element in (2, 3)]
    assert max(pl.indent + pl.width for pl in left) <= min(pl.indent for pl in right)
    assert max(pl.row for pl in lines) == max(pl.row for pl in right)


# ----------------------------------------------------------------- source lines
def test_page_of_line_follows_the_text():
    elements = filler(40)
    pages = paginate(elements)
    assert pages.count == 2
    assert pages.page_of_line(0) == 1
    assert pages.page_of_line(2 * 27) == 1
    assert pages.page_of_line(2 * 28) == 2
    assert pages.page_of_line(2 * 28 - 1) == 2  # a blank line goes with the text after it
    assert pages.page_of_line(10_000) == 2


def test_page_of_line_inside_a_split_paragraph():
    body = "\n".join(f"Row {i}." for i in range(80))
    pages = paginate([action(body, 0)])
    assert pages.count == 2
    assert pages.page_of_line(0) == 1
    assert pages.page_of_line(54) == 1
    assert pages.page_of_line(79) == 2


# --------------------------------------------------------------- through parse
def test_parsed_script_paginates(tmp_path):
    text = (
        "Title: Test\nAuthor: Me\n\n"
        "INT. HOUSE - DAY\n\nA room.\n\nMARY\n(softly)\nHello.\n\nJOHN ^\nHi.\n\n"
        "# Act Two\n\n= The turn.\n\n[[a note]]\n\n===\n\nEXT. YARD - NIGHT #2#\n\n> THE END <\n"
    )
    result = parse(text)
    pages = paginate(result.elements)
    assert pages.count == 2
    assert len(pages.placements) == len(result.elements)
    first = [pl.text for pl in pages.pages[0].lines]
    assert first[:3] == ["INT. HOUSE - DAY", "A room.", "MARY"]
    lines = text.split("\n")
    assert pages.page_of_line(lines.index("EXT. YARD - NIGHT #2#")) == 2
    assert pages.page_of_line(lines.index("# Act Two")) == 2  # unprinted: goes with the text after it
    assert [pl.align for pl in pages.pages[1].lines if pl.kind is Kind.CENTERED] == ["center"]


def test_emphasis_and_notes_take_no_room():
    result = parse("**" + "A" * 59 + "** [[note]]\n")
    assert [pl.text for pl in paginate(result.elements).pages[0].lines] == ["A" * 59]


# --------------------------------------------------------------- invariants
_KINDS = st.sampled_from(["action", "heading", "speech", "dual", "break", "section", "transition"])


@st.composite
def scripts(draw):
    elements: list[Element] = []
    line = 0
    for kind in draw(st.lists(_KINDS, max_size=60)):
        words = " ".join(draw(st.lists(st.sampled_from(["a", "fish", "swims", "Ashton", "x" * 40]),
                                       min_size=1, max_size=40)))
        if kind == "action":
            rows = draw(st.integers(1, 30))
            elements.append(action("\n".join([words] * rows), line))
            line += rows + 1
        elif kind == "heading":
            elements.append(heading("INT. ROOM " + words[:30].upper(), line))
            line += 2
        elif kind in ("speech", "dual"):
            sides = ["left", "right"] if kind == "dual" else [None]
            for side in sides:
                elements.append(cue("BOB", line, side))
                if draw(st.booleans()):
                    elements.append(paren("(" + words[:40] + ")", line + 1))
                    line += 1
                n = draw(st.integers(1, 25))
                elements.append(speech("\n".join([words] * n), line + 1))
                line += n + 2
        elif kind == "break":
            elements.append(Element(Kind.PAGE_BREAK, "", line, line))
            line += 2
        elif kind == "section":
            elements.append(Element(Kind.SECTION, words, line, line, level=1))
            line += 2
        else:
            elements.append(Element(Kind.TRANSITION, "CUT TO:", line, line))
            line += 2
    return elements


@settings(max_examples=150, deadline=None)
@given(scripts())
def test_pagination_invariants(elements):
    pages = paginate(elements)
    assert pages.count >= 1
    assert len(pages.placements) == len(elements)
    for page in pages.pages:
        rows = [pl.row for pl in page.lines]
        assert all(0 <= r < LPP for r in rows)
        assert rows == sorted(rows)
        for pl in page.lines:
            assert len(pl.text) <= pl.width
    # every printed word of every element is on some page, once, in order
    printed: dict[int, list[str]] = {}
    for page in pages.pages:
        for pl in page.lines:
            if pl.element is not None:
                printed.setdefault(pl.element, []).extend(pl.text.split())
    for i, e in enumerate(elements):
        if e.kind in (Kind.SECTION, Kind.PAGE_BREAK):
            assert not pages.placements[i].printed
            continue
        assert "".join(printed.get(i, [])) == "".join(e.text.split())
    # page_of_line never goes backwards
    last = max((e.end_line for e in elements), default=0)
    seen = [pages.page_of_line(n) for n in range(last + 2)]
    assert seen == sorted(seen) and seen[-1] == pages.count


# ------------------------------------------------- agreement with screenplain's PDF
def _screenplain_pdf_pages(path, tmp_path) -> int:
    pytest.importorskip("reportlab")
    fountain = pytest.importorskip("screenplain.parsers.fountain")
    from screenplain.export.pdf import to_pdf

    screenplay = fountain.parse(io.StringIO(path.read_text(encoding="utf-8-sig")))
    out = tmp_path / "out.pdf"
    to_pdf(screenplay, str(out))
    total = len(re.findall(rb"/Type\s*/Page(?![s\w])", out.read_bytes()))
    return total - (1 if screenplay.title_page else 0)


@pytest.mark.parametrize("name", ["Big-Fish", "Brick-and-Steel", "The-Last-Birthday-Card"])
def test_page_count_agrees_with_screenplain_pdf(corpus, tmp_path, name):
    path = corpus / "screenplain" / "examples" / f"{name}.fountain"
    theirs = _screenplain_pdf_pages(path, tmp_path)
    ours = paginate(parse(path.read_text(encoding="utf-8-sig")).elements).count
    assert abs(ours - theirs) <= max(1, 0.03 * theirs), (ours, theirs)


def test_layout_is_letter_courier_12():
    layout = Layout()
    assert layout.lines_per_page == 55
    assert layout.columns == 61 and layout.chars_per_inch == 10 and layout.lines_per_inch == 6
    assert (layout.page_width_in, layout.page_height_in) == (8.5, 11.0)
