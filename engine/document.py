"""The script open for editing: the one copy of its text, with everything that follows it.

A :class:`Document` holds the text as lines (the lines of its :class:`~engine.fountain.LiveParse`,
which re-classifies only the paragraphs an edit touches), and keeps in step with every edit:

* **the parse** (:attr:`Document.live`), edit by edit;
* **coordinates**: ``(row, column)`` <-> character offset (:meth:`Document.offset`,
  :meth:`Document.location`), with line starts recomputed lazily from the first row changed;
* **listeners** (:attr:`Document.listeners`): called after every edit with ``(start, end, text)``
  in the coordinates before the edit, as :meth:`~engine.fountain.LiveParse.replace` took them
  (the edit log's ``InsertionTracker``, the revision marks). They run on the keystroke path.
  :attr:`Document.change_listeners` get the whole :class:`Change` (with the text replaced), which
  is what a tracker reading this document's lines needs: the edit started at offset
  ``document.offset(change.start)`` (rows above it did not move) and replaced
  ``len(change.replaced)`` characters;
* **AI-written text** (:attr:`Document.provenance`, a :class:`DocumentProvenance`): spans of
  accepted suggestions, read from and written to the record beside the script
  (``engine.provenance``), sharing this document's lines (no copy of the text);
* **undo and redo** (:meth:`Document.undo`, :meth:`Document.redo`): the document keeps its own
  history of edits in batches, and with each edit the AI spans just before and after it, so
  undoing the deletion of an AI-written line brings it back as AI-written;
* **saving and recovering** through an :class:`engine.scriptfile.ScriptFile`
  (:meth:`Document.save`, :meth:`Document.write_recovery`), counting which version is on disk
  and which is in the recovery copy. A client that writes in a thread takes ``version`` and
  ``text`` where it edits, and marks what was written there afterwards
  (:meth:`Document.mark_saved`, :meth:`Document.mark_recovery`; :attr:`Document.needs_recovery`).

No UI here: the Textual editor (``tui.widgets.script_editor``) adapts it to ``TextArea``.

    doc = Document(text)
    change = doc.replace((3, 0), (3, 4), "MARA")   # typing, paste, completion...
    doc.checkpoint()                               # the next edit starts a new undo step
    doc.provenance.mark((5, 0), (6, 0), "sid")     # an accepted suggestion, already inserted
    doc.undo(); doc.redo()                         # the text and the AI spans it had
    doc.save(script)                               # ScriptFile.save of the text; doc.modified is False
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.fountain import LiveParse
from engine.lines import LineStarts

if TYPE_CHECKING:
    from engine.provenance import AISpan, Provenance, ProvenanceTracker
    from engine.scriptfile import ScriptFile

__all__ = ["Batch", "Change", "Document", "DocumentProvenance", "Listener", "Location", "RECORD_SUFFIX",
           "record_path", "words_in"]

Location = tuple[int, int]
Listener = Callable[[Location, Location, str], None]
RECORD_SUFFIX = ".provenance.json"  # engine.provenance.SUFFIX (tests check they agree): no import to ask

# How edits are grouped into undo steps: as Textual's TextArea groups them (EditHistory), so
# that Ctrl+Z undoes what it always did.
MAX_BATCHES = 50
BATCH_SECONDS = 2.0
BATCH_CHARACTERS = 100


def record_path(script: Path) -> Path:
    """Where the record of ``script`` is (``engine.provenance.provenance_path``, without importing it)."""
    return script.with_name(script.name + RECORD_SUFFIX)


def words_in(text: str, spans: list[tuple[int, int]]) -> int:
    """Whitespace-separated words inside the spans (for the writer's notice)."""
    return sum(len(text[a:b].split()) for a, b in spans)


@dataclass(frozen=True, slots=True)
class SpanStates:
    """The AI spans just before and just after one edit (absolute offsets), for undo and redo."""

    epoch: int
    before: tuple["AISpan", ...]
    after: tuple["AISpan", ...]


@dataclass(slots=True)
class Change:
    """One edit: ``start``..``end`` (before the edit) became ``text``; ``replaced`` was there,
    ``new_end`` is where ``text`` ends now, ``rows`` the rows whose classification may have
    changed (new coordinates)."""

    start: Location
    end: Location
    text: str
    replaced: str
    new_end: Location
    rows: tuple[int, int]
    spans: SpanStates | None = None  # the AI spans around it, when there were any
    cursor_before: Any = None  # what the client had selected before and after (its own values)
    cursor_after: Any = None


@dataclass(slots=True)
class Batch:
    """Edits undone and redone together (one Ctrl+Z)."""

    changes: list[Change] = field(default_factory=list)
    joined: bool = False  # made by Document.group(): the edits may lie far apart
    characters: int = 0

    @property
    def cursor_before(self) -> Any:
        return self.changes[0].cursor_before

    @property
    def cursor_after(self) -> Any:
        return self.changes[-1].cursor_after


def _end_of(start: Location, text: str) -> Location:
    parts = text.split("\n")
    if len(parts) == 1:
        return start[0], start[1] + len(text)
    return start[0] + len(parts) - 1, len(parts[-1])


def _tracker(text: str = "", spans: Any = (), lines: Any = None) -> "ProvenanceTracker":
    from engine.provenance import ProvenanceTracker

    return ProvenanceTracker(text, spans, lines=lines)


class Document:
    """The text of a script being edited, its parse, AI spans, undo history and file state."""

    def __init__(self, text: str = "") -> None:
        self.live = LiveParse(text)
        self.version = 0  # counts changes (undo and redo too)
        self.saved_version = 0  # the version on disk (see save, mark_saved)
        self.recovery_version = 0  # the version in the recovery copy
        self.listeners: list[Listener] = []
        self.change_listeners: list[Callable[[Change], None]] = []  # told each Change, after the listeners
        self._starts = LineStarts()
        self._undo: deque[Batch] = deque(maxlen=MAX_BATCHES)
        self._redo: deque[Batch] = deque()
        self._new_batch = True
        self._last_time = time.monotonic()
        self._replaced_last = False
        self._group: Batch | None = None
        self._last: Change | None = None  # the last edit recorded, while it is the last one made
        self._replaying = False
        self.provenance = DocumentProvenance(self)

    # ------------------------------------------------------------------ reading
    @property
    def lines(self) -> list[str]:
        """The lines (``\\n`` alone splits them). Shared, not a copy: do not change them."""
        return self.live.lines

    @property
    def text(self) -> str:
        return "\n".join(self.live.lines)

    @property
    def line_count(self) -> int:
        return len(self.live.lines)

    def line(self, row: int) -> str:
        lines = self.live.lines
        return lines[row] if 0 <= row < len(lines) else ""

    def __getitem__(self, row: int) -> str:
        return self.live.lines[row]

    @property
    def end(self) -> Location:
        lines = self.live.lines
        return len(lines) - 1, len(lines[-1])

    def clamp(self, location: Location) -> Location:
        """``location`` moved into the text (rows and columns beyond their ends go to the end)."""
        lines = self.live.lines
        row, column = location
        last = len(lines) - 1
        if row > last:
            return last, len(lines[last])
        row = max(0, row)
        return row, max(0, min(column, len(lines[row])))

    def get_text_range(self, start: Location, end: Location) -> str:
        (r1, c1), (r2, c2) = sorted((self.clamp(start), self.clamp(end)))
        lines = self.live.lines
        if r1 == r2:
            return lines[r1][c1:c2]
        return "\n".join([lines[r1][c1:], *lines[r1 + 1 : r2], lines[r2][:c2]])

    # ------------------------------------------------------------------ coordinates
    def offset(self, location: Location) -> int:
        """The character offset into :attr:`text` of ``location`` (clamped into the text)."""
        row, column = self.clamp(location)
        return self._starts.row_start(self.live.lines, row) + column

    def location(self, offset: int) -> Location:
        return self._starts.location(self.live.lines, offset)

    # ------------------------------------------------------------------ editing
    def replace(self, start: Location, end: Location, text: str) -> Change:
        """Replace ``start``..``end`` (either order; clamped into the text) with ``text``
        (``\\r\\n`` and ``\\r`` become ``\\n``). One undoable edit; listeners are told."""
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        top, bottom = sorted((self.clamp(start), self.clamp(end)))
        replaced = self.get_text_range(top, bottom)
        change = self._apply(top, bottom, text, replaced)
        self._last = None
        if not self._replaying:
            self._record(change)
        return change

    def _apply(self, top: Location, bottom: Location, text: str, replaced: str) -> Change:
        provenance = self.provenance
        before = provenance.snapshot() if provenance.has_spans else ()
        tracker = provenance.tracker
        if tracker is not None and tracker.ai_spans:
            a = self.offset(top)
            tracker.shift(a, a + len(replaced), len(text))
        rows = self.live.replace(top, bottom, text)
        self._starts.changed_from(top[0])
        self.version += 1
        provenance.edited(top, bottom, text)
        for listener in self.listeners:
            listener(top, bottom, text)
        change = Change(top, bottom, text, replaced, _end_of(top, text), rows)
        for change_listener in self.change_listeners:
            change_listener(change)
        after = provenance.snapshot() if provenance.has_spans else ()
        if before or after:
            change.spans = SpanStates(provenance.epoch, before, after)
        return change

    def add_listener(self, listener: Listener) -> None:
        if listener not in self.listeners:
            self.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    # ------------------------------------------------------------------ undo history
    def _record(self, change: Change) -> None:
        if not change.text and not change.replaced:
            return
        self._last = change
        characters = len(change.text)
        now = time.monotonic()
        replacement = bool(change.replaced)
        newline = "\n" in change.text or "\n" in change.replaced
        group = self._group
        if group is not None:
            if not group.changes:
                self._undo.append(group)
            group.changes.append(change)
        elif (
            not self._undo
            or self._new_batch
            or characters > 1
            or newline
            or replacement != self._replaced_last
            or now - self._last_time > BATCH_SECONDS
            or self._undo[-1].characters + characters > BATCH_CHARACTERS
        ):
            self._undo.append(Batch([change], characters=characters))
            self._new_batch = False
        else:
            batch = self._undo[-1]
            batch.changes.append(change)
            batch.characters += characters
        self._last_time = now
        self._replaced_last = replacement
        self._redo.clear()
        if newline or characters > 1:
            self._new_batch = True

    def checkpoint(self) -> None:
        """The next edit starts a new undo step."""
        self._new_batch = True

    @contextmanager
    def group(self) -> Iterator[Batch]:
        """The edits made inside are one undo step, however far apart they lie."""
        self.checkpoint()
        batch = self._group = Batch(joined=True)
        try:
            yield batch
        finally:
            self._group = None
            self.checkpoint()

    def note_cursor(self, before: Any, after: Any) -> None:
        """The client's selection before and after the edit just made (undo gives back the
        first one of a batch, redo the last one)."""
        if self._last is not None:
            self._last.cursor_before, self._last.cursor_after = before, after

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_stack(self) -> list[Batch]:
        return list(self._undo)

    @property
    def redo_stack(self) -> list[Batch]:
        return list(self._redo)

    def clear_history(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._last = None
        self._new_batch = True
        self._replaced_last = False
        self._last_time = time.monotonic()

    def undo(self) -> Batch | None:
        """Undo the last batch of edits (listeners see each edit undone, last first). Returns
        the batch, or None when there is nothing to undo."""
        if not self._undo:
            return None
        batch = self._undo.pop()
        self._redo.append(batch)
        self._last = None
        self._replay([(c.start, c.new_end, c.replaced, c.text) for c in reversed(batch.changes)])
        self.provenance.restore(batch.changes[0].spans, undo=True)
        return batch

    def redo(self) -> Batch | None:
        """Redo the last batch undone. Returns it, or None."""
        if not self._redo:
            return None
        batch = self._redo.pop()
        self._undo.append(batch)
        self._last = None
        self.checkpoint()
        self._replay([(c.start, c.end, c.text, c.replaced) for c in batch.changes])
        self.provenance.restore(batch.changes[-1].spans, undo=False)
        return batch

    def _replay(self, steps: list[tuple[Location, Location, str, str]]) -> None:
        self._replaying = True
        try:
            for start, end, text, replaced in steps:
                self._apply(start, end, text, replaced)
        finally:
            self._replaying = False

    def load(self, text: str) -> None:
        """Replace the whole text without an edit (a file opened): version 0, saved; no undo
        history, no AI-written text; listeners are not told (they follow a new text)."""
        self.live = LiveParse(text)
        self.version = self.saved_version = self.recovery_version = 0
        self._starts.reset()
        self.clear_history()
        self.provenance.reset()

    # ------------------------------------------------------------------ saving and recovering
    @property
    def modified(self) -> bool:
        """Whether there are edits the file on disk does not have."""
        return self.version != self.saved_version

    def mark_saved(self, version: int | None = None) -> None:
        """``version`` (default: this one) is what the file on disk holds."""
        self.saved_version = self.recovery_version = self.version if version is None else version

    def save(self, script: "ScriptFile", force: bool = False) -> int:
        """Write the text to ``script`` (``ScriptFile.save``: atomic, refuses an outside change
        unless ``force``). Returns the version saved. Raises ``ScriptFileError``."""
        version = self.version
        script.save(self.text, force=force)
        self.mark_saved(version)
        return version

    @property
    def needs_recovery(self) -> bool:
        """Whether there are unsaved edits the recovery copy does not have."""
        return self.modified and self.version != self.recovery_version

    def mark_recovery(self, version: int) -> None:
        """``version`` is what the recovery copy holds (a copy written from another thread,
        reported late: an older version than the one marked does not count)."""
        self.recovery_version = max(self.recovery_version, version)

    def write_recovery(self, script: "ScriptFile") -> bool:
        """Keep a recovery copy of unsaved edits (``ScriptFile.write_recovery``); returns
        whether one was written (nothing when saved or already copied)."""
        if not self.needs_recovery:
            return False
        version = self.version
        script.write_recovery(self.text)
        self.mark_recovery(version)
        return True

    def recover(self, text: str) -> None:
        """Put the recovered ``text`` in place of this one as one undoable edit (unsaved)."""
        self.checkpoint()
        self.replace((0, 0), self.end, text)
        self.checkpoint()


class DocumentProvenance:
    """Which text of a :class:`Document` came from accepted suggestions.

    * **Nothing to track, nothing done.** Until the script has AI-written text (a suggestion is
      accepted, or the record beside the script has spans) there is no tracker, and
      ``engine.provenance`` (which brings rapidfuzz and the edit log's modules, ~0.2 s of
      imports) is not even imported.
    * **Following edits.** The document moves the spans with each edit, at the cost of the rows
      it touches; the tracker reads the document's own lines.
    * **Opening the record** may run in a thread (re-locating spans after an outside edit can
      take a while on a feature script): :meth:`begin_load`, then :meth:`finish_load` replays
      the edits made meanwhile on the spans read, so they land on the text as it is by then.
    * **Undo and redo** put back the spans of the text they restore. Text the writer types
      (even the same words again) is always the writer's.
    """

    def __init__(self, document: Document) -> None:
        self._document = document
        self.tracker: ProvenanceTracker | None = None  # None: no AI-written text, nothing tracked
        self.epoch = 0  # a new tracker (reset, record opened): undo states of older ones no longer apply
        self.broken = False  # the record beside the script could not be read: not overwritten with nothing
        self._pending: list[tuple[Any, ...]] | None = None  # edits while the record is being opened
        self._load_token = 0

    def _shared(self, spans: Any = ()) -> "ProvenanceTracker":
        return _tracker(spans=spans, lines=self._document)

    # ------------------------------------------------------------------ following the text
    def reset(self) -> None:
        """The whole text was replaced without an edit (a new document): nothing is AI-written."""
        self.tracker = None
        self.epoch += 1
        self._pending = None
        self._load_token += 1  # a record being opened was for the old text

    def edited(self, start: Location, end: Location, text: str) -> None:
        """The document changed (the spans were moved already): log it while a record loads."""
        if self._pending is not None:
            self._pending.append(("replace", start, end, text))

    def mark(self, start: Location, end: Location, suggestion_id: str | None = None) -> "AISpan | None":
        """Mark text already in the document (an accepted suggestion) as AI-written. Redo marks
        it again, undo takes the mark away with the text."""
        before = self.snapshot()
        if self.tracker is None:
            self.tracker = self._shared()
        span = self.tracker.add(start, end, suggestion_id)
        if span is None:
            return None
        if self._pending is not None:
            self._pending.append(("add", start, end, suggestion_id))
        last = self._document._last
        if last is not None:  # redo marks it again; undo takes the mark away with the text
            states = last.spans
            last.spans = SpanStates(self.epoch, states.before if states is not None else before, self.snapshot())
        return span

    @property
    def has_spans(self) -> bool:
        return self.tracker is not None and bool(self.tracker.ai_spans)

    @property
    def spans(self) -> list[tuple[int, int]]:
        """AI-written ``(start, end)`` character offsets into the text."""
        return self.tracker.spans if self.tracker is not None else []

    def row_spans(self, row: int) -> list[tuple[int, int]]:
        return self.tracker.row_spans(row) if self.tracker is not None else []

    def snapshot(self) -> tuple["AISpan", ...]:
        return tuple(self.tracker.ai_spans) if self.tracker is not None else ()

    def restore(self, states: SpanStates | None, undo: bool) -> bool:
        """After an undo (or redo): the spans the text had then. Returns whether they changed."""
        if states is None or self._pending is not None or states.epoch != self.epoch:
            return False  # no AI text around it (or from an older tracker): what the tracker did stands
        wanted = states.before if undo else states.after
        if wanted == self.snapshot():
            return False
        self.tracker = self._shared(wanted)
        return True

    # ------------------------------------------------------------------ opening the record
    def begin_load(self) -> int:
        """A record is being opened for the text as it is now: log edits until it arrives."""
        self._pending = []
        self._load_token += 1
        return self._load_token

    def finish_load(self, token: int, text: str, record: "Provenance | None", broken: bool) -> bool:
        """The record opened for ``text``: take its spans, replaying the edits made since
        (and the suggestions marked since). Returns False when the result is stale (a newer
        load or a reset came since)."""
        if token != self._load_token or self._pending is None:
            return False
        pending, self._pending = self._pending, None
        self.broken = broken
        if record is None or not record.spans:
            return True  # the tracker (if a suggestion was accepted meanwhile) stands as it is
        replay = _tracker(text, record.spans)  # its own copy of the text as it was read
        for step in pending:
            if step[0] == "replace":
                replay.replace(step[1], step[2], step[3])
            else:
                replay.add(step[1], step[2], step[3])
        self.tracker = self._shared(replay.ai_spans)
        self.epoch += 1
        return True

    @property
    def loading(self) -> bool:
        return self._pending is not None

    # ------------------------------------------------------------------ the record on disk
    def save_state(self) -> tuple[str, tuple["AISpan", ...]]:
        """What to write (the text and its spans), taken where the document is edited."""
        return self._document.text, self.snapshot()

    @staticmethod
    def write(path: Path, text: str, spans: tuple["AISpan", ...]) -> tuple[Path | None, str | None]:
        """Write the record of ``text`` beside ``path`` (any thread): the path written (None
        when there is nothing to record: no spans and no record yet), or the problem."""
        if not spans and not record_path(path).exists():
            return None, None
        from engine.provenance import ProvenanceError

        try:
            return _tracker(text, spans).save(path), None
        except ProvenanceError as exc:
            return None, str(exc)

    @staticmethod
    def read(path: Path, text: str) -> tuple["Provenance | None", str | None]:
        """The record beside ``path`` placed on ``text`` (any thread; None when there is none),
        or the problem with it."""
        record = record_path(path)
        try:
            if not record.exists():
                return None, None  # the usual case: the engine's provenance module is not even imported
        except OSError as exc:
            return None, f"{record}: cannot read the provenance record ({exc.strerror or exc})"
        from engine.provenance import ProvenanceError, load

        try:
            return load(path, text), None
        except ProvenanceError as exc:
            return None, str(exc)
        except OSError as exc:
            return None, f"{record}: cannot read the provenance record ({exc.strerror or exc})"
