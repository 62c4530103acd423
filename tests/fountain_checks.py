"""What any parse must be, whatever the text; shared by the robustness and corpus tests."""

from __future__ import annotations

from engine.fountain import Kind, LiveParse, parse


def assert_well_formed(text: str) -> None:
    """What any parse must be, whatever the text: positions within the text and in order, every
    non-blank line inside an element, each element's text taken from its own lines (markup and
    forcing marks may go, nothing is added), the incremental parser agreeing with the whole parse,
    and highlight spans inside their line."""
    lines = text.split("\n")
    res = parse(text)
    assert len(res.line_kinds) == len(lines)
    covered: set[int] = set()
    previous = 0
    sources: dict[tuple[int, int], str] = {}  # many inline notes share one line: squash it once
    for e in res.elements:
        assert 0 <= e.line <= e.end_line < len(lines), e
        assert e.line >= previous, f"{e} comes before an element on line {previous}"
        previous = e.line
        covered.update(range(e.line, e.end_line + 1))
        if e.kind not in (Kind.NOTE, Kind.BONEYARD):
            assert res.line_kinds[e.line] is e.kind, e
        rows = (e.line, e.end_line)
        if rows not in sources:
            sources[rows] = "".join("".join(lines[e.line:e.end_line + 1]).split())
        source = iter(sources[rows])
        assert all(c in source for c in "".join(e.text.split())), f"{e.text[:80]!r} is not from its lines"
    for row, line in enumerate(lines):
        assert row in covered or (not line.strip() and res.line_kinds[row] is None), (row, line[:80])
    live = LiveParse(text)
    assert live.text == text
    assert live.elements == res.elements
    for row in range(min(len(live.lines), 50)):
        for span in live.line_spans(row):
            assert span.line == row and 0 <= span.start < span.end <= len(lines[row]), span
