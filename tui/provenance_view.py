"""The editor's record of AI-written text: an engine :class:`~engine.provenance.ProvenanceTracker`
kept in step with the editor, and the bookkeeping around it that only an editor needs.

* **Nothing to track, nothing done.** Until the script has AI-written text (a suggestion is
  accepted, or the record beside the script has spans) there is no tracker: the listener
  returns at once and ``engine.provenance`` (which brings rapidfuzz and the edit log's modules,
  ~0.2 s of imports) is not even imported, so start-up does not pay for it.
* **Following edits.** :meth:`EditorProvenance.listener` is one of the document's listeners
  (``FountainDocument.listeners``): every edit reaches the tracker with the coordinates it had
  before the edit, at the cost of the rows it touches.
* **Opening the record** happens in a thread worker (re-locating spans after an outside edit
  can take a while on a feature script). Edits made meanwhile are logged here and replayed on
  the tracker built from the record, so its spans land on the text as it is by then, without
  another run and without stalling the writer.
* **Undo and redo** put back the spans of the text they restore: undoing the deletion of an
  AI-written line brings it back as AI-written, redoing an accepted suggestion marks it again.
  Text the writer types (even the same words again) is always the writer's.

UI-free: the :class:`~tui.widgets.script_editor.ScriptEditor` runs the workers and draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.provenance import AISpan, Provenance, ProvenanceTracker

Location = tuple[int, int]
RECORD_SUFFIX = ".provenance.json"  # engine.provenance.SUFFIX (tests check they agree): no import to ask
STATES_ATTRIBUTE = "scenewright_ai_spans"  # set on Textual's Edit objects (our attribute, not Textual's)


def record_path(script: Path) -> Path:
    """Where the record of ``script`` is (``engine.provenance.provenance_path``, without importing it)."""
    return script.with_name(script.name + RECORD_SUFFIX)


def _tracker(text: str, spans: Any = ()) -> "ProvenanceTracker":
    from engine.provenance import ProvenanceTracker

    return ProvenanceTracker(text, spans)


@dataclass(frozen=True, slots=True)
class SpanStates:
    """The AI spans just before and just after one edit (absolute offsets), for undo and redo."""

    epoch: int
    before: tuple["AISpan", ...]
    after: tuple["AISpan", ...]


class EditorProvenance:
    """``text_source()`` gives the editor's whole text (only asked when a tracker is made)."""

    def __init__(self, text_source: Callable[[], str]) -> None:
        self._text = text_source
        self.tracker: ProvenanceTracker | None = None  # None: no AI-written text, nothing tracked
        self.epoch = 0  # a new tracker (reset, record opened): undo states of older ones no longer apply
        self.broken = False  # the record beside the script could not be read: not overwritten with nothing
        self._pending: list[tuple[Any, ...]] | None = None  # edits while the record is being opened
        self._load_token = 0

    # ------------------------------------------------------------------ following the text
    def reset(self) -> None:
        """The whole text was replaced without an edit (a new document): nothing is AI-written."""
        self.tracker = None
        self.epoch += 1
        self._pending = None
        self._load_token += 1  # a record being opened was for the old text

    def listener(self, start: Location, end: Location, text: str) -> None:
        if self.tracker is not None:
            self.tracker.replace(start, end, text)
        if self._pending is not None:
            self._pending.append(("replace", start, end, text))

    def mark(self, start: Location, end: Location, suggestion_id: str | None = None) -> "AISpan | None":
        """Mark text already in the editor (an accepted suggestion) as AI-written."""
        if self.tracker is None:
            self.tracker = _tracker(self._text())
        span = self.tracker.add(start, end, suggestion_id)
        if span is not None and self._pending is not None:
            self._pending.append(("add", start, end, suggestion_id))
        return span

    @property
    def has_spans(self) -> bool:
        return self.tracker is not None and bool(self.tracker.spans)

    @property
    def spans(self) -> list[tuple[int, int]]:
        return self.tracker.spans if self.tracker is not None else []

    def row_spans(self, row: int) -> list[tuple[int, int]]:
        return self.tracker.row_spans(row) if self.tracker is not None else []

    # ------------------------------------------------------------------ undo and redo
    def snapshot(self) -> tuple["AISpan", ...]:
        return tuple(self.tracker.ai_spans) if self.tracker is not None else ()

    def remember(self, edit: object, before: tuple["AISpan", ...]) -> None:
        """Keep the spans around ``edit`` (a Textual ``Edit`` just done) for undo and redo."""
        after = self.snapshot()
        if before or after:
            setattr(edit, STATES_ATTRIBUTE, SpanStates(self.epoch, before, after))
        elif hasattr(edit, STATES_ATTRIBUTE):
            delattr(edit, STATES_ATTRIBUTE)

    def restore(self, edits: list[object], undo: bool) -> bool:
        """After undoing (or redoing) the batch ``edits``: the spans of the text it restored.
        Returns whether they changed."""
        if not edits or self._pending is not None:
            return False
        edge = edits[0] if undo else edits[-1]
        states = getattr(edge, STATES_ATTRIBUTE, None)
        if not isinstance(states, SpanStates) or states.epoch != self.epoch:
            return False  # no AI text around it (or from an older tracker): what the tracker did stands
        wanted = states.before if undo else states.after
        if wanted == self.snapshot():
            return False
        self.tracker = _tracker(self.tracker.text if self.tracker is not None else self._text(), wanted)
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
        tracker = _tracker(text, record.spans)
        for step in pending:
            if step[0] == "replace":
                tracker.replace(step[1], step[2], step[3])
            else:
                tracker.add(step[1], step[2], step[3])
        self.tracker = tracker
        self.epoch += 1
        return True

    @property
    def loading(self) -> bool:
        return self._pending is not None

    # ------------------------------------------------------------------ saving
    def save_state(self) -> tuple[str, tuple["AISpan", ...]]:
        """What to write (the text and its spans), taken on the UI thread."""
        return (self.tracker.text if self.tracker is not None else self._text()), self.snapshot()

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


def words_in(text: str, spans: list[tuple[int, int]]) -> int:
    """Whitespace-separated words inside the spans (for the writer's notice)."""
    return sum(len(text[a:b].split()) for a, b in spans)
