"""The PDF read back with a PDF reader: text, fonts, pages, title page, split speeches."""

from __future__ import annotations

import io
import re

import pytest

from engine.export import pdf_bytes
from engine.fountain import parse
from engine.fountain.pagination import paginate

pypdf = pytest.importorskip("pypdf")


COURIER = {"/Courier", "/Courier-Bold", "/Courier-Oblique", "/Courier-BoldOblique"}
INCH = 72.0
CHAR = INCH / 10  # Courier 12: 10 characters an inch
LEFT = 1.5 * INCH  # the left margin
RIGHT = LEFT + 61 * CHAR  # the end of the 6.1 in line


def read(data: bytes):
    return pypdf.PdfReader(io.BytesIO(data))


def fonts(reader) -> set[str]:
    found = set()
    for page in reader.pages:
        res = page.get("/Resources") or {}
        for font in (res.get("/Font") or {}).values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


def placed(page) -> list[tuple[str, float, float]]:
    """(text, x, baseline y) of every piece of text the page draws, read with pypdf."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text.strip(), round(cm[4] + tm[4], 2), round(cm[5] + tm[5], 2)))

    page.extract_text(visitor_text=visit)
    return out


def long_speech_script() -> str:
    filler = "\n\n".join(f"Filler action line number {i}." for i in range(22))
    speech = "\n".join(f"This is line {i} of a very long speech that goes on." for i in range(14))
    return f"INT. HALL - DAY #7#\n\n{filler}\n\nHARRY\n{speech}\n\nEXT. YARD - DAY\n\nEnd.\n"


def test_title_page_then_script_pages_in_courier(small):
    reader = read(pdf_bytes(parse(small)))
    title = reader.pages[0].extract_text()
    for text in ("The Lighthouse", "written by", "Ada Quill", "12 Harbour Row", "1 March 2025"):
        assert text in title
    assert "**" not in title
    body = reader.pages[1].extract_text()
    assert "INT. LIGHTHOUSE - NIGHT" in body and "MARA" in body and "(breathless)" in body
    assert "check her age" not in body and "old version" not in body  # notes and boneyard don't print
    assert fonts(reader) == {"/Courier", "/Courier-Bold"}  # "The **Lighthouse**" on the title page
    width, height = (float(x) for x in reader.pages[1].mediabox.upper_right)
    assert (width, height) == (612.0, 792.0)


def test_a4_paper(small):
    reader = read(pdf_bytes(parse(small), paper="a4"))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)


def test_split_speech_has_more_and_contd_and_page_numbers():
    result = parse(long_speech_script())
    pages = paginate(result.elements)
    assert pages.count == 2
    reader = read(pdf_bytes(result))
    assert len(reader.pages) == 2  # no title page without title keys
    first, second = (p.extract_text() for p in reader.pages)
    assert first.rstrip().endswith("(MORE)")
    assert "HARRY (CONT'D)" in second
    assert re.match(r"\s*2\.", second)  # page number top right from page 2
    assert not re.match(r"\s*1\.", first)
    # scene numbers in both margins, on the heading's baseline (positions read from the PDF)
    seen = placed(reader.pages[0])
    heading = [(x, y) for text, x, y in seen if text == "INT. HALL - DAY"]
    numbers = sorted((x, y) for text, x, y in seen if text == "7")
    assert len(heading) == 1 and len(numbers) == 2
    assert {y for _, y in numbers} == {heading[0][1]}
    (left, _), (right, _) = numbers
    assert left + CHAR == pytest.approx(LEFT - 0.4 * INCH)  # right-aligned 0.4 in before the text
    assert right == pytest.approx(RIGHT + 0.3 * INCH)  # 0.3 in after the 6.1 in line
    assert not [t for t, *_ in placed(reader.pages[1]) if t == "7"]  # only where the heading is


def test_positions_follow_the_pagination():
    """Words are drawn where the pagination put them: 1.5 in left margin, cue at 1.9 in from it."""
    result = parse("INT. HALL - DAY\n\nA door.\n\nHARRY\nHello.\n")
    reader = read(pdf_bytes(result))
    seen = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            seen[text.strip()] = (round(tm[4], 1), round(tm[5], 1), size)

    reader.pages[0].extract_text(visitor_text=visit)
    assert seen["INT. HALL - DAY"][0] == 108.0  # 1.5 in
    assert seen["HARRY"][0] == pytest.approx(108 + 19 * 7.2)
    assert seen["Hello."][0] == pytest.approx(108 + 9 * 7.2)
    assert {v[2] for v in seen.values()} == {12}
    assert seen["INT. HALL - DAY"][1] - seen["A door."][1] == pytest.approx(24)  # one blank line between


DUAL = """INT. HALL - DAY #12A#

Mara and Tom, face to face.

MARA
(quietly)
Tell me the truth, all of it, every single word of it.

TOM ^
I always do.

MARA
One more thing.
"""


def test_dual_dialogue_prints_side_by_side():
    reader = read(pdf_bytes(parse(DUAL)))
    seen = placed(reader.pages[0])
    at: dict[str, tuple[float, float]] = {}
    for text, x, y in seen:
        at.setdefault(text, (x, y))  # the first MARA: the dual one
    # the two cues on the same baseline, Mara's in the left half of the line, Tom's in the right
    (mara_x, mara_y), (tom_x, tom_y) = at["MARA"], at["TOM"]
    middle = (LEFT + RIGHT) / 2
    assert mara_y == tom_y and mara_x < middle < tom_x
    # their speeches start on the same baseline too, each in its own column
    assert at["(quietly)"][1] == at["I always do."][1] < mara_y
    below = [(t, x, y) for t, x, y in seen if y < mara_y and x < middle]
    after = next(i for i, (t, *_) in enumerate(below) if t == "MARA")  # the next, single speech
    left_lines = below[:after]
    assert [t for t, *_ in left_lines] == ["(quietly)", "Tell me the truth,", "all of it, every", "single word of it."]
    assert all(x + len(t) * CHAR <= middle for t, x, _ in left_lines)  # wrapped to the half column
    assert at["I always do."][0] >= middle
    # after the pair, speech is back to the full-width layout, a blank line below the longer column
    cue, speech = below[after], below[after + 1]
    assert cue == ("MARA", pytest.approx(LEFT + 19 * CHAR), pytest.approx(left_lines[-1][2] - 2 * 12))
    assert speech == ("One more thing.", pytest.approx(LEFT + 9 * CHAR), pytest.approx(cue[2] - 12))
    # the scene number in both margins, right-aligned in the left one
    numbers = sorted(x for t, x, y in seen if t == "12A" and y == at["INT. HALL - DAY"][1])
    assert numbers == [pytest.approx(LEFT - 0.4 * INCH - 3 * CHAR), pytest.approx(RIGHT + 0.3 * INCH)]
    # a reader extracting the layout sees the two cues on one line, Mara's first
    layout = reader.pages[0].extract_text(extraction_mode="layout").splitlines()
    cues = [line for line in layout if "MARA" in line and "TOM" in line]
    assert len(cues) == 1 and cues[0].index("MARA") < cues[0].index("TOM")


def test_big_fish_page_count_matches_screenplain(corpus, tmp_path):
    screenplain = pytest.importorskip("screenplain.parsers.fountain")
    from screenplain.export.pdf import to_pdf

    path = corpus / "screenplain" / "examples" / "Big-Fish.fountain"
    text = path.read_text(encoding="utf-8-sig")
    theirs_path = tmp_path / "screenplain.pdf"
    play = screenplain.parse(io.StringIO(text))
    to_pdf(play, str(theirs_path))
    theirs = len(pypdf.PdfReader(str(theirs_path)).pages) - (1 if play.title_page else 0)
    reader = read(pdf_bytes(parse(text)))
    ours = len(reader.pages) - 1  # the title page
    assert "Big Fish" in reader.pages[0].extract_text()
    assert abs(ours - theirs) <= 0.03 * theirs, (ours, theirs)
    assert fonts(reader) <= COURIER  # standard Courier faces only (emphasis in bold / oblique)
    texts = [p.extract_text() for p in reader.pages[1:]]
    assert any("(MORE)" in t for t in texts) and any("(CONT'D)" in t for t in texts)


# ----------------------------------------------------------------------------- emphasis
def drawn(page) -> list[tuple[str, str]]:
    """(text, font) of every piece of text the page draws, in order."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text.strip(), str(font["/BaseFont"]) if font else None))

    page.extract_text(visitor_text=visit)
    return out


EMPHASIS = """INT. HALL - DAY

Mara *whispers* the **one** word: _never_. ***Nobody*** moves. A \\*starred\\* sign.

HARRY
I *told* you **twice**.
"""


def test_emphasis_prints_in_courier_faces_and_underlined():
    result = parse(EMPHASIS)
    reader = read(pdf_bytes(result))
    assert len(reader.pages) == 1
    pieces = drawn(reader.pages[0])
    assert ("whispers", "/Courier-Oblique") in pieces
    assert ("one", "/Courier-Bold") in pieces
    assert ("Nobody", "/Courier-BoldOblique") in pieces
    assert ("told", "/Courier-Oblique") in pieces and ("twice", "/Courier-Bold") in pieces
    assert ("never", "/Courier") in pieces  # underline: the plain face, with a rule under it
    text = reader.pages[0].extract_text()
    assert "Mara whispers the one word: never. Nobody moves. A *starred*\nsign." in text  # wrapped at 61
    assert "I told you twice." in text
    assert "**" not in text and "_" not in text
    # one rule under "never", as long as the word (5 characters of 7.2 pt), just below its baseline
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    rules = [tuple(map(float, m.groups())) for m in
             re.finditer(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", content)]
    assert len(rules) == 1
    x1, y1, x2, y2 = rules[0]
    assert y1 == y2 and x2 - x1 == pytest.approx(5 * 7.2)


def test_emphasis_does_not_change_the_text_or_the_pages(corpus):
    """Same printed text line by line and the same page count as the plain drawing would give:
    emphasis changes faces, never characters or places."""
    path = corpus / "screenplain" / "examples" / "Big-Fish.fountain"
    text = path.read_text(encoding="utf-8-sig")
    result = parse(text)
    pages = paginate(result.elements)
    reader = read(pdf_bytes(result, pages=pages))
    assert len(reader.pages) == pages.count + 1  # the title page
    for number in (1, pages.count // 2, pages.count):
        extracted = [ln.strip() for ln in reader.pages[number].extract_text().splitlines() if ln.strip()]
        expected = [pl.text.strip() for pl in pages.pages[number - 1].lines if pl.text.strip()]
        for line in expected:
            assert any(line in got for got in extracted), line


def test_emphasis_rows_follow_the_wrap():
    from engine.export.emphasis import BOLD, ITALIC, UNDERLINE, styled_rows
    from engine.fountain.pagination import wrap, printed_text

    text = "A long line with *italic words that wrap over* and **bold** then _under lined_ words\tto the end."
    rows = styled_rows(text, 30)
    assert [r[0] for r in rows] == wrap(printed_text(text), 30)
    styled = {r[0][i]: m for r in rows for i, m in enumerate(r[1]) if m}
    flat = [(ch, m) for r in rows for ch, m in zip(*r)]
    word = lambda w: {m for ch, m in flat_word(flat, w)}  # noqa: E731
    assert word("italic") == {ITALIC} and word("bold") == {BOLD} and word("lined") == {UNDERLINE}
    assert word("long") == {0} and styled


def flat_word(flat, word):
    chars = "".join(ch for ch, _ in flat)
    i = chars.index(word)
    return flat[i:i + len(word)]
