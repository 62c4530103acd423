"""The parse state of a script open for editing, kept up to date edit by edit.

``LiveParse.replace`` takes the same edits as Textual's ``TextArea`` (a range and new text),
re-splits and re-classifies only the paragraphs around the edit, and shifts the others. A
full re-parse happens only when the edit touches a boneyard (``/* */``), the one construct
that crosses paragraphs. ``tests/test_live_parse.py`` checks with random edits that the
result always equals a fresh ``parse`` of the same text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

from . import boneyard as bone
from .blocks import Block, classify_block
from .elements import Element, Kind, ParseResult, Span
from .inline import line_runs
from .syntax import BONEYARD_CLOSE, BONEYARD_OPEN, SCENE_HEADING, is_blank

Location = tuple[int, int]


def _touches_boneyard(text: str) -> bool:
    return BONEYARD_OPEN in text or BONEYARD_CLOSE in text


class LiveParse:
    def __init__(self, text: str = "") -> None:
        self._lines: list[str] = text.split("\n")
        self._full()

    # ----------------------------------------------------------------- whole document
    def _full(self) -> None:
        lines = self._lines
        self._regions = bone.find_regions(lines) if any(BONEYARD_OPEN in line for line in lines) else []
        if self._regions:
            self._masked, self._bone_spans = bone.mask(lines, self._regions)
        else:
            self._masked, self._bone_spans = lines, {}
        self._blocks = self._split(0, len(lines), first=True)
        self._starts = [b.start for b in self._blocks]
        self._link_dual(0, len(self._blocks))
        self._kinds: list[Kind | None] = self._kinds_for(0, len(lines), self._blocks)
        self._elements: list[Element] | None = None

    def _split(self, lo: int, hi: int, first: bool) -> list[Block]:
        """Split lines ``lo:hi`` into paragraphs and classify each."""
        masked = self._masked
        blocks: list[Block] = []
        r = lo
        while r < hi:
            m = masked[r]
            if m is not None and is_blank(m):
                r += 1
                continue
            s = r
            r += 1
            while r < hi:
                m = masked[r]
                if m is not None and is_blank(m):
                    break
                r += 1
            blocks.append(classify_block(masked[s:r], s, first and not blocks))
        return blocks

    def _kinds_for(self, lo: int, hi: int, blocks: list[Block]) -> list[Kind | None]:
        kinds: list[Kind | None] = [None] * (hi - lo)
        for b in blocks:
            kinds[b.start - lo : b.end - lo] = b.kinds
        if self._bone_spans:
            for r in self._bone_spans:
                if lo <= r < hi and (kinds[r - lo] is None or self._masked[r] is None):
                    kinds[r - lo] = Kind.BONEYARD
        return kinds

    def _link_dual(self, lo: int, hi: int) -> None:
        """Mark the cue before a ``^`` cue as the left side of a dual dialogue pair,
        for the blocks ``lo:hi`` (and the link from block ``hi`` back into the range)."""
        blocks = self._blocks
        hi = min(hi, len(blocks))
        for b in blocks[lo:hi]:
            if b.last_cue is not None and b.last_cue.dual == "left":
                b.last_cue.dual = None
        for i in range(lo + 1, min(hi + 1, len(blocks))):
            right = blocks[i].dual_right
            left = blocks[i - 1].last_cue
            if right is not None and left is not None and left.dual is None:
                left.dual = "left"

    # ----------------------------------------------------------------- editing
    def replace(self, start: Location, end: Location, text: str) -> tuple[int, int]:
        """Replace the text between ``start`` and ``end`` (row, column; end exclusive) with
        ``text``. Returns the first and last row (new coordinates) whose classification may
        have changed."""
        if end < start:
            start, end = end, start
        (r1, c1), (r2, c2) = start, end
        lines = self._lines
        last = len(lines) - 1
        r1, r2 = max(0, min(r1, last)), max(0, min(r2, last))
        old = lines[r1 : r2 + 1]
        new = (old[0][:c1] + text + old[-1][c2:]).split("\n")
        delta = len(new) - len(old)
        lines[r1 : r2 + 1] = new
        self._elements = None

        if (
            _touches_boneyard(text)
            or any(_touches_boneyard(x) for x in old)
            or any(_touches_boneyard(x) for x in new)
            or any(reg.line1 <= r2 and reg.line2 >= r1 for reg in self._regions)
        ):
            self._full()
            return 0, len(lines) - 1

        if self._regions:  # boneyards elsewhere: shift those below the edit
            self._masked[r1 : r2 + 1] = new
            self._regions = [reg.shifted(delta) if reg.line1 > r2 else reg for reg in self._regions]
            self._bone_spans = {(r + delta if r > r2 else r): v for r, v in self._bone_spans.items()}

        blocks, starts = self._blocks, self._starts
        # old blocks touching lines r1-1 .. r2+1 (a changed blank line can join or split them)
        i = bisect_right(starts, r1 - 1) - 1
        if i < 0 or blocks[i].end <= r1 - 1:
            i += 1
        j = bisect_right(starts, r2 + 1) - 1
        lo = min(r1, blocks[i].start) if i <= j else r1
        hi_old = max(r2 + 1, blocks[j].end) if i <= j else r2 + 1
        fresh = self._split(lo, hi_old + delta, first=i == 0)
        if delta:
            for b in blocks[j + 1 :]:
                b.start += delta
        blocks[i : j + 1] = fresh
        k = i + len(fresh)
        self._kinds[lo:hi_old] = self._kinds_for(lo, hi_old + delta, fresh)
        first_row, last_row = lo, max(lo, hi_old + delta - 1)
        # only the first paragraph can be a title page: re-classify the one that gained or lost that place
        for index, first in ((0, True), (k, False)):
            if index < len(blocks) and blocks[index].first != first and (first or index != 0):
                block = blocks[index] = self._reclassify(blocks[index], first=first)
                self._kinds[block.start : block.end] = self._kinds_for(block.start, block.end, [block])
                first_row, last_row = min(first_row, block.start), max(last_row, block.end - 1)
        self._starts = [b.start for b in blocks]
        self._link_dual(max(i - 1, 0), k + 1)
        return first_row, last_row

    def _reclassify(self, block: Block, first: bool) -> Block:
        return classify_block(self._masked[block.start : block.end], block.start, first)

    # ----------------------------------------------------------------- reading
    @property
    def lines(self) -> list[str]:
        return self._lines

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    @property
    def elements(self) -> list[Element]:
        """All elements in document order, lines 0-based (rebuilt lazily after edits)."""
        if self._elements is None:
            out = [e.shifted(b.start) for b in self._blocks for e in b.elements]
            if self._regions:
                out += bone.elements(self._lines, self._regions)
                out.sort(key=lambda e: e.line)
            self._elements = out
        return self._elements

    def result(self) -> ParseResult:
        return ParseResult(self.elements, list(self._kinds))

    def line_kind(self, row: int) -> Kind | None:
        return self._kinds[row] if 0 <= row < len(self._kinds) else None

    def _block_at(self, row: int) -> Block | None:
        i = bisect_right(self._starts, row) - 1
        if i >= 0 and self._blocks[i].end > row:
            return self._blocks[i]
        return None

    def line_spans(self, row: int) -> list[Span]:
        if not 0 <= row < len(self._lines):
            return []
        block = self._block_at(row)
        notes = tuple(block.notes.get(row - block.start, ())) if block and block.notes else ()
        bones = tuple(self._bone_spans.get(row, ())) if self._bone_spans else ()
        runs = line_runs(self._lines[row], self._kinds[row], notes, bones)
        return [Span(row, a, b, style) for a, b, style in runs]

    def scene_headings(self) -> list[Element]:
        return [e for e in self.elements if e.kind is Kind.SCENE_HEADING]

    def character_names(self) -> list[str]:
        counts = Counter(e.name for e in self.elements if e.kind is Kind.CHARACTER and e.name)
        return [name for name, _ in counts.most_common()]

    def locations(self) -> list[str]:
        counts = Counter(location_of(e.text) for e in self.scene_headings())
        counts.pop("", None)
        return [name for name, _ in counts.most_common()]


def location_of(heading: str) -> str:
    """``"INT. DINER - NIGHT"`` -> ``"DINER"``."""
    found = SCENE_HEADING.match(heading)
    rest = heading[found.end():] if found else heading
    rest = rest.strip(" .")
    if " - " in rest:
        rest = rest.rsplit(" - ", 1)[0]
    return rest.strip()


def parse(text: str) -> ParseResult:
    """Parse a whole script (``\\n`` line endings; see ``decode.decode_script`` for bytes)."""
    return LiveParse(text).result()
