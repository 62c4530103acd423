"""Which characters of a script came from accepted model suggestions (AI-written text).

Spans are **absolute character offsets** ``(start, end)`` into the script's text, end exclusive
(``text[start:end]`` is the AI-written text), the same offsets ``engine.export.fountain_draft``
takes. The editor speaks in ``(row, col)`` locations (characters, as ``LiveParse.replace``);
the tracker converts them with :class:`engine.editlog.tracking.InsertionTracker`'s coordinates.

    tracker = ProvenanceTracker.open(script_path, text)   # or ProvenanceTracker(text): no record yet
    tracker.replace((r, c), (r2, c2), "typed")            # every edit, exactly as LiveParse.replace
    tracker.add((r, c), (r2, c2), suggestion_id)          # after the accepted suggestion was inserted
    tracker.spans                                         # [(start, end)] sorted, disjoint
    tracker.row_spans(row)                                # [(col, col2)] on one line, for the editor's style
    tracker.save(script_path)                             # beside the script, after the script is saved

``ProvenanceTracker(spans=..., lines=document)`` reads an ``engine.document.Document``'s lines
instead of keeping a copy of the text; the document moves its spans (:meth:`ProvenanceTracker.shift`).

Rules of an edit ``[a, b) -> new``: spans after it shift; the replaced characters leave any span
they were in; the new text is the writer's, never AI text (a span the writer types inside is
split around the typing; typing at a span's start or end stays outside it); a span whose
characters are all replaced is gone.

The record beside ``x.fountain`` is ``x.fountain.provenance.json``::

    {"format": "scenewright-provenance", "version": 1, "script": "x.fountain",
     "script_sha256": "<sha256 of the text, UTF-8>",
     "spans": [{"start": 10, "end": 42, "text": "...", "suggestion_id": "..." | null}, ...]}

written atomically (temporary file in the same folder, fsync, rename, fsync folder).
:func:`load` / :func:`load_spans` read it back. When the script's hash differs (it was edited
elsewhere), every span's text is found again: an exact occurrence nearest to where it was, or
else a fuzzy match (rapidfuzz ``partial_ratio_alignment``, score >= ``FUZZY_CUTOFF``) whose
words that differ from the recorded text count as the writer's. Spans not found are dropped
and listed in :attr:`Provenance.dropped`.

:func:`ai_share` gives the share of AI-written words per scene and for the script.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from engine.atomicfile import write_atomic
from engine.editlog.tracking import InsertionTracker
from engine.fountain import Kind, parse
from engine.hashing import text_sha256

__all__ = [
    "AISpan", "FUZZY_CUTOFF", "Provenance", "ProvenanceError", "ProvenanceTracker", "ai_share", "load",
    "load_spans", "provenance_path", "text_hash",
]

Location = tuple[int, int]
FORMAT = "scenewright-provenance"
VERSION = 1
SUFFIX = ".provenance.json"
FUZZY_CUTOFF = 90.0
_MIN_FUZZY = 12  # shorter span texts are only found exactly
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


class Lines(Protocol):
    """What a tracker reads of the text: an ``InsertionTracker`` or an ``engine.document.Document``."""

    @property
    def text(self) -> str: ...
    @property
    def line_count(self) -> int: ...
    def line(self, row: int) -> str: ...
    def offset(self, location: Location) -> int: ...
    def location(self, offset: int) -> Location: ...


class ProvenanceError(ValueError):
    """A provenance record that cannot be read or written; the message names the file and the cause."""


@dataclass(frozen=True, slots=True)
class AISpan:
    start: int
    end: int
    suggestion_id: str | None = None


@dataclass(slots=True)
class Provenance:
    """A record read back against the script's current text."""

    spans: list[AISpan]
    relocated: bool = False  # the script changed since the record was written
    dropped: list[dict] = field(default_factory=list)  # recorded spans ({"text", "suggestion_id", ...}) not found

    def offsets(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self.spans]


# ---------------------------------------------------------------------------------- the tracker
class ProvenanceTracker:
    """AI-written spans of the text open in the editor, kept through the writer's edits."""

    def __init__(self, text: str = "", spans: Iterable[AISpan | tuple[int, int]] = (), *,
                 lines: "Lines | None" = None):
        # ``lines``: the text and its (row, col) <-> offset arithmetic, owned by someone else (an
        # ``engine.document.Document``, which moves the spans itself with :meth:`shift`); otherwise
        # a copy of ``text`` of our own (an InsertionTracker that tracks no ranges).
        self._own = InsertionTracker(text) if lines is None else None
        self._doc: Lines = lines if lines is not None else self._own  # type: ignore[assignment]
        self._spans: list[AISpan] = []
        self.dropped: list[dict] = []
        for s in spans:
            s = s if isinstance(s, AISpan) else AISpan(int(s[0]), int(s[1]))
            self._put(s.start, s.end, s.suggestion_id)

    @classmethod
    def open(cls, script_path: str | Path, text: str) -> "ProvenanceTracker":
        """The tracker of ``text`` with the spans recorded beside ``script_path`` (none if no record).
        Spans that could not be re-located are in ``.dropped``. Raises :class:`ProvenanceError`."""
        record = load(script_path, text)
        tracker = cls(text, record.spans if record else ())
        if record:
            tracker.dropped = record.dropped
        return tracker

    # -------------------------------------------------------------- state
    @property
    def text(self) -> str:
        return self._doc.text

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self._spans]

    @property
    def ai_spans(self) -> list[AISpan]:
        return list(self._spans)

    def offset(self, location: Location) -> int:
        return self._doc.offset(location)

    def location(self, offset: int) -> Location:
        return self._doc.location(offset)

    def ai_text(self) -> list[str]:
        text = self.text
        return [text[s.start:s.end] for s in self._spans]

    def row_spans(self, row: int) -> list[tuple[int, int]]:
        """Columns (characters, end exclusive) of AI-written text on line ``row``."""
        if not self._spans or not 0 <= row < self._doc.line_count:
            return []
        a = self._doc.offset((row, 0))
        b = a + len(self._doc.line(row))
        i = bisect.bisect_right([s.end for s in self._spans], a)
        out = []
        for s in self._spans[i:]:
            if s.start >= b:
                break
            lo, hi = max(s.start, a), min(s.end, b)
            if lo < hi:
                out.append((lo - a, hi - a))
        return out

    # -------------------------------------------------------------- changes
    def add(self, start: Location, end: Location, suggestion_id: str | None = None) -> AISpan | None:
        """Mark the text between ``start`` and ``end`` (an accepted suggestion, already inserted
        with :meth:`replace`) as AI-written. Returns the span, or None when it is empty."""
        a, b = sorted((self._doc.offset(start), self._doc.offset(end)))
        if a == b:
            return None
        self._put(a, b, suggestion_id)
        return AISpan(a, b, suggestion_id)

    def replace(self, start: Location, end: Location, text: str) -> None:
        """Apply an edit with ``LiveParse.replace`` / ``TextArea.replace`` arguments (a tracker
        with its own copy of the text; one sharing a document's lines is moved by :meth:`shift`)."""
        own = self._own
        if own is None:
            raise ValueError("this tracker reads a document's lines: the document edits them, call shift()")
        if self._spans:
            a, b = sorted((own.offset(start), own.offset(end)))
            self.shift(a, b, len(text))
        own.edit_lines(start, end, text)

    def shift(self, a: int, b: int, inserted: int) -> None:
        """The characters ``[a, b)`` of the text (offsets before the edit) became ``inserted``
        new characters, the writer's: move the spans (the text itself is not touched)."""
        if self._spans:
            self._spans = _edit_spans(self._spans, a, b, inserted)

    def save(self, script_path: str | Path) -> Path | None:
        """Write the record beside ``script_path`` (call it after saving the script with this text).
        Without spans and without an earlier record nothing is written (returns None)."""
        path = provenance_path(script_path)
        if not self._spans and not path.exists():
            return None
        text = self.text
        record = {
            "format": FORMAT,
            "version": VERSION,
            "script": Path(script_path).name,
            "script_sha256": text_hash(text),
            "spans": [{"start": s.start, "end": s.end, "text": text[s.start:s.end], "suggestion_id": s.suggestion_id}
                      for s in self._spans],
        }
        _write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
        return path

    def _put(self, a: int, b: int, sid: str | None) -> None:
        """Insert [a, b) (newest wins where it overlaps older spans), keeping spans sorted and disjoint."""
        a, b = max(0, a), min(len(self.text), b)
        if a >= b:
            return
        kept: list[AISpan] = []
        for s in self._spans:
            if s.end <= a or s.start >= b:
                kept.append(s)
                continue
            if s.start < a:
                kept.append(AISpan(s.start, a, s.suggestion_id))
            if s.end > b:
                kept.append(AISpan(b, s.end, s.suggestion_id))
        kept.append(AISpan(a, b, sid))
        self._spans = _normalise(kept)


def _edit_spans(spans: Sequence[AISpan], a: int, b: int, inserted: int) -> list[AISpan]:
    """Spans after ``text[a:b]`` became ``inserted`` new characters (the writer's)."""
    delta = inserted - (b - a)
    out: list[AISpan] = []
    for s in spans:
        if s.end <= a:  # wholly before (typing at its end is outside it)
            out.append(s)
        elif s.start >= b:  # wholly after (typing at its start is outside it)
            out.append(AISpan(s.start + delta, s.end + delta, s.suggestion_id))
        else:  # overlaps: keep what is left on either side, the new text between is the writer's
            if s.start < a:
                out.append(AISpan(s.start, a, s.suggestion_id))
            if s.end > b:
                out.append(AISpan(a + inserted, s.end + delta, s.suggestion_id))
    return _normalise(out)


def _normalise(spans: Iterable[AISpan]) -> list[AISpan]:
    """Sorted, without empty spans; touching spans of the same suggestion joined."""
    out: list[AISpan] = []
    for s in sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, s.end)):
        if out and out[-1].end == s.start and out[-1].suggestion_id == s.suggestion_id:
            out[-1] = AISpan(out[-1].start, s.end, s.suggestion_id)
        else:
            out.append(s)
    return out


# ---------------------------------------------------------------------------------- the record
def provenance_path(script_path: str | Path) -> Path:
    """``x.fountain`` -> ``x.fountain.provenance.json`` in the same folder."""
    p = Path(script_path)
    return p.with_name(p.name + SUFFIX)


def text_hash(text: str) -> str:
    return text_sha256(text, "surrogatepass")


def load_spans(script_path: str | Path, text: str) -> list[tuple[int, int]] | None:
    """AI-written spans (character offsets into ``text``) from the record beside ``script_path``,
    or None when there is no record. Raises :class:`ProvenanceError` for a broken record."""
    record = load(script_path, text)
    return None if record is None else record.offsets()


def load(script_path: str | Path, text: str, cutoff: float = FUZZY_CUTOFF) -> Provenance | None:
    """The record beside ``script_path`` placed on ``text`` (re-located if the script changed), or None."""
    path = provenance_path(script_path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProvenanceError(f"{path}: cannot read the provenance record ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ProvenanceError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    recorded = _validate(path, data)
    if data["script_sha256"] == text_hash(text) and all(text[r["start"]:r["end"]] == r["text"] for r in recorded):
        return Provenance([AISpan(r["start"], r["end"], r["suggestion_id"]) for r in recorded])
    spans, dropped = _relocate(recorded, text, cutoff)
    return Provenance(spans, relocated=True, dropped=dropped)


def _validate(path: Path, data: object) -> list[dict]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProvenanceError(f"{path}: not a Scenewright provenance record (\"format\" is not {FORMAT!r})")
    if data.get("version") != VERSION:
        raise ProvenanceError(f"{path}: version {data.get('version')!r} is not supported (expected {VERSION})")
    if not isinstance(data.get("script_sha256"), str):
        raise ProvenanceError(f"{path}: \"script_sha256\" is missing or not a string")
    spans = data.get("spans")
    if not isinstance(spans, list):
        raise ProvenanceError(f"{path}: \"spans\" is missing or not a list")
    out = []
    for i, r in enumerate(spans):
        ok = (isinstance(r, dict) and isinstance(r.get("start"), int) and isinstance(r.get("end"), int)
              and isinstance(r.get("text"), str) and 0 <= r["start"] <= r["end"]
              and isinstance(r.get("suggestion_id"), (str, type(None))))
        if not ok:
            raise ProvenanceError(f"{path}: spans[{i}] needs integer \"start\" <= \"end\", a string \"text\" "
                                  "and a string or null \"suggestion_id\"")
        out.append({"start": r["start"], "end": r["end"], "text": r["text"], "suggestion_id": r["suggestion_id"]})
    return sorted(out, key=lambda r: r["start"])


def _relocate(recorded: list[dict], text: str, cutoff: float) -> tuple[list[AISpan], list[dict]]:
    spans: list[AISpan] = []
    dropped: list[dict] = []
    claimed: list[tuple[int, int]] = []
    drift = 0  # how far the last span found moved: where to expect the next one
    for r in recorded:
        needle = r["text"]
        if not needle:
            continue
        expected = r["start"] + drift
        found = _find_exact(needle, text, expected, claimed)
        if found is not None:
            pieces = [(found, found + len(needle))]
        else:
            pieces = _find_fuzzy(needle, text, expected, claimed, cutoff)
        if not pieces:
            dropped.append(r)
            continue
        drift = pieces[0][0] - r["start"]
        claimed.append((pieces[0][0], pieces[-1][1]))
        spans.extend(AISpan(a, b, r["suggestion_id"]) for a, b in pieces)
    return _normalise(spans), dropped


def _overlaps(a: int, b: int, claimed: list[tuple[int, int]]) -> bool:
    return any(a < y and b > x for x, y in claimed)


def _find_exact(needle: str, text: str, expected: int, claimed: list[tuple[int, int]]) -> int | None:
    best = None
    i = text.find(needle)
    while i != -1:
        if not _overlaps(i, i + len(needle), claimed) and (best is None or abs(i - expected) < abs(best - expected)):
            best = i
        if best is not None and i > expected:
            break  # later occurrences are only further away
        i = text.find(needle, i + 1)
    return best


def _find_fuzzy(needle: str, text: str, expected: int, claimed: list[tuple[int, int]],
                cutoff: float) -> list[tuple[int, int]]:
    """Ranges of ``text`` holding the words of ``needle`` that survive in its best fuzzy match."""
    if len(needle) < _MIN_FUZZY or len(text) < len(needle) // 2:
        return []
    pad = max(2 * len(needle), 2000)
    for lo, hi in ((max(0, expected - pad), min(len(text), expected + len(needle) + pad)), (0, len(text))):
        hay = text[lo:hi]
        if len(hay) < len(needle):
            ds, de = lo, hi
        else:
            al = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=cutoff - 15)
            if al is None:
                continue
            ds, de = lo + al.dest_start, lo + al.dest_end
        ds, de = _refine(needle, text, ds, de)
        if fuzz.ratio(needle, text[ds:de]) >= cutoff and not _overlaps(ds, de, claimed):
            return _kept_words(needle, text, ds, de) if de > ds else []
    return []


def _refine(needle: str, text: str, ds: int, de: int) -> tuple[int, int]:
    """Move the ends of a fuzzy match to where the whole needle compares best with it."""
    k = max(4, min(60, len(needle) // 4))

    def best(candidates, make):
        scored = [(fuzz.ratio(needle, text[slice(*make(c))]), -abs(c - candidates[len(candidates) // 2]), c)
                  for c in candidates]
        return max(scored)[2]

    de = best(list(range(max(ds + 1, de - k), min(len(text), de + k) + 1)), lambda e: (ds, e))
    ds = best(list(range(max(0, ds - k), min(de - 1, ds + k) + 1)), lambda s: (s, de))
    return ds, de


def _kept_words(needle: str, text: str, ds: int, de: int) -> list[tuple[int, int]]:
    """Compare the recorded text with the match ``text[ds:de]`` word by word: runs of unchanged
    words (with the spaces and punctuation between them) stay AI text; changed words are the writer's."""
    while ds > 0 and text[ds - 1].isalnum() and text[ds].isalnum():
        ds -= 1  # whole words at the edges
    while de < len(text) and text[de - 1].isalnum() and text[de].isalnum():
        de += 1
    old = _TOKEN.findall(needle)
    new = _TOKEN.findall(text[ds:de])
    starts = [0]
    for t in new:
        starts.append(starts[-1] + len(t))
    pieces: list[tuple[int, int]] = []
    for op in Indel.opcodes(old, new):
        if op.tag != "equal":
            continue
        a, b = ds + starts[op.dest_start], ds + starts[op.dest_end]
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b and any(ch.isalnum() for ch in text[a:b]):
            pieces.append((a, b))
    return pieces


def _write_atomic(path: Path, data: str) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ProvenanceError(f"{path}: cannot write the provenance record ({exc.strerror or exc})") from None


# ---------------------------------------------------------------------------------- AI share
_WORDS = re.compile(r"\S+")


def ai_share(text: str, spans: Sequence[tuple[int, int]]) -> dict:
    """Share of AI-written words: ``{"script": share, "scenes": [{"heading", "line", "ai_words",
    "words", "share"}]}``. Words are whitespace-separated tokens; a word is AI-written when more than
    half of its characters lie in ``spans``. Title-page lines are not counted; words before the
    first scene heading count for the script only. ``line`` is 1-based; shares are 0..1 (4 places)."""
    result = parse(text)
    title_lines: set[int] = set()
    for e in result.elements:
        if e.kind is Kind.TITLE:
            title_lines.update(range(e.line, e.end_line + 1))
    headings = [e for e in result.elements if e.kind is Kind.SCENE_HEADING]
    heading_lines = [e.line for e in headings]
    mask = bytearray(len(text) + 1)
    for a, b in spans:
        a, b = max(0, a), min(len(text), b)
        if a < b:
            mask[a:b] = b"\x01" * (b - a)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    ai_words = [0] * len(headings)
    words = [0] * len(headings)
    total = total_ai = 0
    for m in _WORDS.finditer(text):
        line = bisect.bisect_right(line_starts, m.start()) - 1
        if line in title_lines:
            continue
        is_ai = 2 * sum(mask[m.start():m.end()]) > m.end() - m.start()
        total += 1
        total_ai += is_ai
        scene = bisect.bisect_right(heading_lines, line) - 1
        if scene >= 0:
            words[scene] += 1
            ai_words[scene] += is_ai
    return {
        "script": _share(total_ai, total),
        "scenes": [{"heading": e.text, "line": e.line + 1, "ai_words": ai_words[i], "words": words[i],
                    "share": _share(ai_words[i], words[i])} for i, e in enumerate(headings)],
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
