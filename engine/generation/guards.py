"""Guard rails on a streamed continuation: stop sequences and a loop detector.

``StopFilter`` holds back the few characters that could be the start of a stop sequence, so the
stream never shows half of one. ``RepetitionGuard`` finds the loops small models fall into
(Dramatron's loop detector resamples when a block repeats): the same paragraph three times, the
same line of dialogue or action three times, or a short run of characters repeated over and over
inside a line ("no no no no no ..."). It answers with the offset where the loop starts, so that
the first occurrence is kept and the repeats are cut off.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


class StopFilter:
    """Feed decoded text; get back what is safe to show. ``stopped`` once a stop sequence appears."""

    def __init__(self, stops: tuple[str, ...] | list[str]):
        self.stops = [s for s in stops if s]
        self._longest = max((len(s) for s in self.stops), default=0)
        self.text = ""  # everything kept so far (a stop sequence and what follows it are dropped)
        self.emitted = 0  # characters of ``text`` already handed out
        self.stopped = False
        self.matched: str | None = None  # the stop sequence that ended the text

    def feed(self, piece: str) -> str:
        if self.stopped or not piece:
            return ""
        start = max(0, len(self.text) - self._longest + 1)
        self.text += piece
        if self.stops:
            hits = [(i, s) for s in self.stops if (i := self.text.find(s, start)) >= 0]
            if hits:
                cut, self.matched = min(hits, key=lambda hit: hit[0])
                self.text = self.text[:cut]
                self.stopped = True
                return self._take(len(self.text))
        return self._take(len(self.text) - self._held_back())

    def flush(self) -> str:
        """Everything not yet handed out (at the end of the stream, no stop can follow)."""
        return self._take(len(self.text))

    def truncate(self, end: int) -> None:
        """Drop ``text[end:]`` (the repetition guard cut a loop off)."""
        self.text = self.text[:end]
        self.emitted = min(self.emitted, end)

    def _held_back(self) -> int:
        for k in range(min(self._longest - 1, len(self.text)), 0, -1):
            tail = self.text[-k:]
            if any(s.startswith(tail) for s in self.stops):
                return k
        return 0

    def _take(self, end: int) -> str:
        end = max(end, self.emitted)
        out = self.text[self.emitted : end]
        self.emitted = end
        return out


class RepetitionGuard:
    """Finds a loop at the end of a growing text; ``check(text)`` -> offset where the loop starts, or None."""

    def __init__(
        self,
        block_repeats: int = 3,
        line_repeats: int = 3,
        min_line_chars: int = 8,
        cycle_repeats: int = 4,
        max_cycle: int = 40,
        min_cycle_span: int = 32,
    ):
        self.block_repeats = block_repeats
        self.line_repeats = line_repeats
        self.min_line_chars = min_line_chars
        self.cycle_repeats = cycle_repeats
        self.max_cycle = max_cycle
        self.min_cycle_span = min_cycle_span
        self.reason = ""
        self._checked_lines = 0

    def check(self, text: str) -> int | None:
        cut = self._cycle(text)
        if cut is not None:
            self.reason = "a phrase repeats over and over"
            return cut
        if text.endswith("\n"):
            cut = self._lines(text)
            if cut is not None:
                return cut
        return None

    # A short unit repeated at the end: "ha ha ha ha ha ha ha ha ha ha ha" or "........".
    def _cycle(self, text: str) -> int | None:
        tail = text[-(self.max_cycle * (self.cycle_repeats + 1)) :]
        for period in range(1, self.max_cycle + 1):
            reps = max(self.cycle_repeats, -(-self.min_cycle_span // period))
            span = period * reps
            if span > len(tail):
                break
            unit = tail[-period:]
            if not unit.strip():
                continue  # runs of blank lines or spaces are left to max_tokens / stop sequences
            if tail[-span:] == unit * reps:
                # walk back over every earlier copy, then keep one copy
                start = len(text) - span
                while start - period >= 0 and text[start - period : start] == unit:
                    start -= period
                return start + period
        return None

    # The same paragraph (block) or the same line, three times.
    def _lines(self, text: str) -> int | None:
        lines = text.split("\n")[:-1]  # the text ends with a newline: every line is complete
        offsets, pos = [], 0
        for line in lines:
            offsets.append(pos)
            pos += len(line) + 1
        # blocks: paragraphs separated by blank lines; a block is complete once a blank line follows it
        blocks: list[tuple[str, int]] = []
        current: list[str] = []
        start = 0
        for i, line in enumerate(lines):
            if line.strip():
                if not current:
                    start = offsets[i]
                current.append(_norm(line))
            elif current:
                blocks.append(("\n".join(current), start))
                current = []
        seen: dict[str, list[int]] = {}
        for key, at in blocks:
            seen.setdefault(key, []).append(at)
            if len(seen[key]) >= self.block_repeats:
                self.reason = "a paragraph repeats"
                return seen[key][1]
        # single lines (not character cues or headings, which legitimately come back)
        paragraph_of, paragraph = [], 0
        for i, line in enumerate(lines):
            if not line.strip():
                paragraph = i + 1
            paragraph_of.append(paragraph)
        seen_lines: dict[str, list[int]] = {}
        for i, line in enumerate(lines):
            key = _norm(line)
            if len(key) < self.min_line_chars or _is_caps_line(line):
                continue
            seen_lines.setdefault(key, []).append(i)
            hits = seen_lines[key]
            if len(hits) >= self.line_repeats:
                self.reason = "a line repeats"
                second = hits[1]
                if paragraph_of[second] != paragraph_of[hits[0]]:
                    # cut the whole paragraph of the second copy (its character cue too)
                    return offsets[paragraph_of[second]]
                return offsets[second]
        return None


def _norm(line: str) -> str:
    return _SPACE.sub(" ", line.strip()).lower()


def _is_caps_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.upper() == stripped and any(c.isalpha() for c in stripped) and len(stripped) <= 60
