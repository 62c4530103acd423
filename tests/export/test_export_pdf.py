"""The PDF read back with a PDF reader: text, fonts, pages, title page, split speeches."""

from __future__ import annotations

import io
import re

import pytest

from engine.export import pdf_bytes
from engine.fountain import parse
from engine.fountain.pagination import paginate

pypdf = pytest.importorskip("pypdf")


def read(data: bytes):
    return pypdf.PdfReader(io.BytesIO(data))


def fonts(reader) -> set[str]:
    found = set()
    for page in reader.pages:
        res = page.get("/Resources") or {}
        for font in (res.get("/Font") or {}).values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


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
    assert fonts(reader) == {"/Courier"}
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
    # scene numbers in both margins: the number is drawn twice on the heading's line
    assert first.count("7") >= 2


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
    assert fonts(reader) == {"/Courier"}
    texts = [p.extract_text() for p in reader.pages[1:]]
    assert any("(MORE)" in t for t in texts) and any("(CONT'D)" in t for t in texts)
