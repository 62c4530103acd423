"""Recording the writer's work with the model into the edit log (``engine.editlog``).

The editor owns one :class:`EditRecording`, the recorder of its suggestion sessions. It opens one
:class:`~engine.editlog.EditLogWriter` on the user's log (``editlog.sqlite3`` in the data folder,
``SCENEWRIGHT_DATA_DIR`` honoured) and turns the session's decisions
(:mod:`engine.session.updates`, through :meth:`EditRecording.decided`) into log calls:

* ``Shown`` (or the first report of an alternative): its request (script path and
  content hash, scene, cursor, model and file hash, prompt id and version, the full prompt,
  sampling, seed, prompt tokens, genre) once, then the alternative (text, seed, why it ended,
  time to first token, speed, tokens). The genre is the one the prompt was rendered with (the
  title page's ``Genre:``, or the anchor store's setting); it becomes the script's genre in the
  log (what ``dataset export --balance-genre`` balances on) only while the script has none, so
  a genre the writer gave with ``scenewright log mark --genre`` stays;
* ``Accepted``: ``accepted`` or ``accepted_part`` with the text that went in, and
  the inserted range, which an :class:`~engine.editlog.InsertionTracker` then follows through
  every edit (it reads the editor's engine document, ``engine.document.Document``, and hears
  each edit through its ``change_listeners``: no copy of the text);
* ``Rejected``: ``rejected``; ``Rated``: the ratings and tags; ``Picked``: the A/B comparison
  and the pick;
* a save (:meth:`EditRecording.saved`): the text that now stands where each accepted
  suggestion went, as its final text (the log computes the normalised edit distance and marks
  it ``edited`` when it differs from what was accepted).

Nothing here waits on SQLite: the writer's thread does the writes (and finds the scene: work the
editor must not wait for); a model file without a sha256 in models.toml is hashed in a thread of
its own. A log that cannot be opened is
reported once (``report(message, unavailable)``) and the editor goes on without recording.

:func:`model_identity` is what every recorder (this one, ``scenewright serve``'s) writes to tell
models apart: the adapter file's sha256 for a base + adapter, else models.toml's sha256, else the
loaded file, to hash once.
"""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any, Callable

from engine.editlog import (
    EditLogError,
    EditLogWriter,
    InsertionTracker,
    LogUnavailable,
    default_path,
    model_file_hash,
)
from engine.generation import GenerationEngine
from engine.models import ModelError
from engine.models.registry import ModelEntry
from engine.tomlconf import ConfigError

from .suggestion import Rating, SuggestionRecord
from .updates import Accepted, Decision, Picked, Rated, Rejected, Shown

Location = tuple[int, int]
EDITS_KEPT = 512  # recent edits, to follow an insertion made before its message arrived


def end_of(at: Location, text: str) -> Location:
    """Where ``text`` inserted at ``at`` ends."""
    lines = text.split("\n")
    if len(lines) == 1:
        return at[0], at[1] + len(text)
    return at[0] + len(lines) - 1, len(lines[-1])


def map_location(location: Location, start: Location, end: Location, text: str, *, to_end: bool) -> Location:
    """Where ``location`` is after the text between ``start`` and ``end`` became ``text``.
    A location at or after ``end`` moves with the text after the edit (so typing at the start
    of a tracked range stays out of it, typing at its end goes in); one inside the replaced
    text goes to the edit's start, or with ``to_end`` to the end of the new text."""
    start, end = sorted((start, end))
    if location < start:
        return location
    new_end = end_of(start, text)
    if location < end:
        return new_end if to_end else start
    if location[0] == end[0]:
        return new_end[0], new_end[1] + location[1] - end[1]
    return location[0] + new_end[0] - end[0], location[1]


def margins(went_in: str, text: str) -> tuple[int, int]:
    """``(lead, trail)``: characters of what went into the script before and after the
    suggestion's own ``text`` (a blank line put before a cue under a line of text, the blank
    lines a replaced passage keeps)."""
    for core in (text, text.strip("\n")):
        if core and went_in.endswith(core):
            return len(went_in) - len(core), 0
        if core and core in went_in:
            lead = went_in.index(core)
            return lead, len(went_in) - lead - len(core)
    return 0, 0


def genre_of(rendered: Any) -> str | None:
    """The genre a rendered prompt carried (``RenderedPrompt.genre``), one line, or None."""
    genre = getattr(rendered, "genre", None)
    if not isinstance(genre, str):
        return None
    return " ".join(genre.split()) or None


class EditRecording:
    """The app's edit log: one writer thread, one tracker following the editor's text."""

    def __init__(
        self,
        engine: GenerationEngine,
        script_path: Path,
        path: str | Path | None = None,
        *,
        report: Callable[[str, bool], Any] | None = None,
        locate: Callable[[], Any] | None = None,
    ) -> None:
        """``report(message, unavailable)``: where a problem with the log goes, from the writer's
        thread (the editor posts it as ``EditLogProblem``). ``locate()``: the editor screen whose
        text an accepted suggestion went into, followed from then on when :meth:`follow` was not
        called before (it raises LookupError when there is none)."""
        self.engine = engine
        self.script_path = Path(script_path)
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.report = report
        self.locate = locate
        self.writer: EditLogWriter | None = None
        self.tracker: InsertionTracker | None = None
        self.last_decided: SuggestionRecord | None = None  # what the rating key rates once it left the panel
        self.ratings: dict[str, Rating] = {}  # suggestion key -> its rating
        self.told: set[str] = set()  # problems already shown
        self._screen: Any = None  # the editor screen whose text is followed
        self._document: Any = None  # the editor's document (the Textual adapter), to see it rebuilt
        self._text: Any = None  # the engine document it adapts, whose lines the tracker reads
        self._edits: deque[tuple[int, Location, Location, str]] = deque(maxlen=EDITS_KEPT)
        self._requests: dict[str, int] = {}  # request key -> alternatives recorded
        self._recorded: set[str] = set()  # suggestion keys recorded
        self._accepted: set[str] = set()  # suggestion keys accepted (tracked)
        self._finals: dict[str, tuple] = {}  # suggestion key -> (final text, where) last recorded
        self._hashes: dict[str, str] = {}  # model file -> sha256
        self._hashing: set[str] = set()
        self._hash_threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ life
    def open(self) -> None:
        """Start the writer (its thread opens the log: this returns at once)."""
        if self.writer is None:
            self.writer = EditLogWriter(self.path, on_error=self._failed)

    @property
    def active(self) -> bool:
        writer = self.writer
        # closed: the app is exiting; a panel message still on its way then has nowhere to go
        return writer is not None and writer.unavailable is None and not writer.closed

    def _failed(self, error: EditLogError) -> None:
        """In the writer's thread: tell the app (thread-safe message)."""
        if self.report is None:
            return
        try:
            self.report(str(error), isinstance(error, LogUnavailable))
        except RuntimeError:  # the app has closed its loop
            pass

    def problem_is_new(self, message: str) -> bool:
        """Whether ``message`` has not been shown yet (each problem is shown once)."""
        if message in self.told:
            return False
        self.told.add(message)
        return True

    def close(self) -> None:
        """Record the final texts when the script is saved as it stands (a "save and quit"
        exits before its ``SaveFinished`` comes round), then write what is queued and stop."""
        screen = self._screen
        if self.active and screen is not None and self._document is not None:
            if getattr(screen, "saved_generation", None) == self._document.version:
                self._record_finals()
        self.unfollow()
        self._join_hashing(5)  # a model file still being hashed: its requests keep no hash
        if self.writer is not None:
            self.writer.close(timeout=10)

    def flush(self, timeout: float | None = 10) -> bool:
        """Wait until everything reported so far is written (tests and the demo)."""
        self._join_hashing(timeout)
        return self.writer.flush(timeout) if self.writer is not None else True

    def _join_hashing(self, timeout: float | None) -> None:
        for thread in self._hash_threads:
            thread.join(timeout)

    # ------------------------------------------------------------------ following the text
    def follow(self, screen: Any) -> None:
        """Follow the text of ``screen.editor`` (the editor screen), from now on: the tracker
        reads the engine document's lines (``screen.editor.document.engine``, an
        :class:`engine.document.Document`) and is told each edit through its ``change_listeners``."""
        if self.writer is not None and self.writer.unavailable is not None:
            return  # nothing is recorded: typing pays nothing for it
        try:
            document = screen.editor.document
        except Exception:  # not composed yet: the app calls again after the first refresh
            return
        if document is self._document:
            return
        self.unfollow()
        self._screen = screen
        self._document = document
        self._text = getattr(document, "engine", document)  # the Textual adapter's engine document
        self.tracker = InsertionTracker(lines=self._text)
        self._accepted.clear()
        self._edits.clear()
        self._text.change_listeners.append(self._edited)

    def unfollow(self) -> None:
        text = self._text
        if text is not None and self._edited in text.change_listeners:
            text.change_listeners.remove(self._edited)
        self._document = self._text = None

    def _edited(self, change: Any) -> None:
        """Every edit of the editor's text (an ``engine.document.Change``; on the keystroke
        path: a few microseconds, no offset arithmetic while nothing is tracked)."""
        self.tracker.changed(change)  # type: ignore[union-attr]
        self._edits.append((self._text.version, change.start, change.end, change.text))

    def _following(self) -> bool:
        """Follow the screen's current document (the editor may have rebuilt it)."""
        screen = self._screen
        if screen is not None:
            try:
                if screen.editor.document is not self._document:
                    self.follow(screen)
            except Exception:
                return self.tracker is not None
        return self.tracker is not None and self._document is not None

    # ------------------------------------------------------------------ decisions of the sessions
    def decided(self, decision: Decision) -> None:
        """A session's decision (the :class:`~engine.session.Recorder` protocol)."""
        if isinstance(decision, Shown):
            self.shown(decision.record)
        elif isinstance(decision, Accepted):
            self.accepted(decision)
        elif isinstance(decision, Rejected):
            self.rejected(decision)
        elif isinstance(decision, Rated):
            self.rated(decision)
        elif isinstance(decision, Picked):
            self.picked(decision)
        # Retried: nothing to keep (the alternative was kept when it was shown)

    def shown(self, record: SuggestionRecord) -> None:
        if self.active:
            self._ensure(record)

    def rejected(self, message: Rejected) -> None:
        self.last_decided = message.record
        if self.active:
            self._ensure(message.record)
            self.writer.mark(message.record.key, "rejected")  # type: ignore[union-attr]

    def accepted(self, message: Accepted) -> None:
        record = message.record
        self.last_decided = record
        if not self.active:
            return
        self._ensure(record)
        inserted = None
        accepted_text = message.text
        if self._screen is None and self.locate is not None:
            try:
                self.follow(self.locate())
            except LookupError:
                pass
        if self._following():
            inserted, accepted_text = self._track(message)
        whole = record.consumed + len(message.text) >= len(record.text)
        self._accepted.add(record.key)
        self._finals.pop(record.key, None)  # marking clears the final text in the log
        self.writer.mark(  # type: ignore[union-attr]
            record.key, "accepted" if whole else "accepted_part", accepted_text, inserted_at=inserted
        )

    def _track(self, message: Accepted):
        """Track where the accepted text now stands: ``(Insertion, the text that went in)``."""
        tracker = self.tracker
        assert tracker is not None
        at = message.at
        end = message.end if message.end is not None else end_of(at, message.text)
        # the edit that put it in (its message may come after more typing)
        went_in = next((text for version, _, _, text in reversed(self._edits) if version == message.version), None)
        if went_in is None:
            went_in = tracker.text[tracker.offset(at):tracker.offset(end)]
        for version, start, stop, text in self._edits:  # follow it through the edits made since
            if message.version is not None and version > message.version:
                at = map_location(at, start, stop, text, to_end=False)
                end = map_location(end, start, stop, text, to_end=True)
        lead, trail = margins(went_in, message.text)
        first = tracker.offset(at) + lead
        last = max(first, tracker.offset(end) - trail)
        key = message.record.key
        accepted = went_in[lead:len(went_in) - trail]
        if key in tracker:  # more of an alternative accepted line by line: one range from its start
            before = tracker.insertion(key)
            if before.start <= first <= before.end + 1:
                accepted = tracker.text[before.start:first] + accepted
                first = before.start
        insertion = tracker.add(key, tracker.location(first), tracker.location(last))
        # An earlier suggestion whose end was open (the writer was still typing there) took the
        # new text in: it ends where the new one begins.
        for other in self._accepted:
            if other != key and other in tracker:
                was = tracker.insertion(other)
                if was.start < insertion.start < was.end <= insertion.end:
                    tracker.add(other, tracker.location(was.start), tracker.location(insertion.start))
        tracker.cursor_moved(tracker.location(insertion.end))  # the writer is at the new one's end now
        return insertion, accepted

    def rated(self, message: Rated) -> None:
        rating = message.rating
        self.ratings[message.record.key] = rating
        if self.active:
            self._ensure(message.record)
            self.writer.rate(  # type: ignore[union-attr]
                message.record.key, plot=rating.plot, dialogue=rating.dialogue, tone=rating.tone,
                tags=list(rating.tags),
            )

    def picked(self, message: Picked) -> None:
        if not self.active:
            return
        self._ensure(message.a)
        self._ensure(message.b)
        self.writer.record_comparison(message.a.key, message.b.key, id=message.key)  # type: ignore[union-attr]
        self.writer.pick(message.key, message.winner)  # type: ignore[union-attr]

    def mark_script(self, usage: str) -> bool:
        """Mark the script as the writer's (``mine``), ``licensed`` or ``not_mine``: only the
        first two go into dataset exports. False when the log is not available."""
        if not self.active:
            return False
        self.writer.mark_script(self.script_path, usage)  # type: ignore[union-attr]
        return True

    def cursor_moved(self) -> None:
        """The cursor moved: a suggestion it left stops taking in what is typed at its end."""
        if self.tracker is None or not self._accepted or self._screen is None:
            return
        try:
            location = self._screen.editor.cursor_location
        except Exception:
            return
        self.tracker.cursor_moved(location)

    def saved(self) -> None:
        """The script was saved: record what now stands where each accepted suggestion went."""
        if self.active and self._following():
            self._record_finals()

    def _record_finals(self) -> None:
        tracker = self.tracker
        if tracker is None or not self._accepted:
            return
        for key, final in tracker.finals().items():
            where = tracker.insertion(key)
            if key in self._accepted and self._finals.get(key) != (final, where):
                self.writer.record_final(key, final, inserted_at=where)  # type: ignore[union-attr]
                self._finals[key] = (final, where)

    # ------------------------------------------------------------------ requests and alternatives
    def _ensure(self, record: SuggestionRecord) -> None:
        """Record ``record``'s request (once) and the alternative itself (once)."""
        writer = self.writer
        assert writer is not None
        if not record.key or record.key in self._recorded:
            return
        if record.request_key not in self._requests:
            writer.record_request(id=record.request_key, **self._request_fields(record))
            self._requests[record.request_key] = 0
        index = self._requests[record.request_key]
        self._requests[record.request_key] = index + 1
        writer.record_suggestion(record.request_key, record.text, index, id=record.key, seed=record.seed,
                                 finish_reason=record.reason, stats=record.stats)
        self._recorded.add(record.key)

    def _request_fields(self, record: SuggestionRecord) -> dict[str, Any]:
        return request_fields(record, self.script_path, self._model_hash(record.model))

    def _model_hash(self, name: str) -> str | None:
        """The sha256 that tells the model apart (:func:`model_identity`); a file without one is
        hashed once, in a thread of its own (a big file takes a while; the writer's thread goes
        on writing), and the requests recorded meanwhile get it then (``EditLog.set_model_hash``)."""
        try:
            entry, sha, path = model_identity(self.engine, name or None)
        except (ConfigError, ModelError):
            return None
        if sha is not None or path is None:
            return sha  # None with no path: a model on a server, or an adapter file gone
        key = str(path)
        if key in self._hashes:
            return self._hashes[key]
        if key not in self._hashing:
            self._hashing.add(key)
            thread = threading.Thread(target=self._hash_file, args=(entry.name, key), name="editlog-model-hash",
                                      daemon=True)
            self._hash_threads.append(thread)
            thread.start()
        return None

    def _hash_file(self, model: str, path: str) -> None:
        try:
            sha = model_file_hash(path)
        except OSError:
            return
        self._hashes[path] = sha  # requests from now on carry it; the ones before get it here:
        writer = self.writer
        if writer is not None and writer.unavailable is None:
            try:
                writer.set_model_hash(model, sha)
            except EditLogError:  # closed meanwhile
                pass


def model_identity(engine: GenerationEngine, name: "str | ModelEntry | None") -> tuple[Any, str | None, str | None]:
    """``(entry, sha256, path)`` of model ``name``: a base + adapter is told apart by its adapter
    file (a few MB, trained on one base; the base's sha256, which the entry inherits, would not
    do); else models.toml's sha256; else the loaded model's file (``path``, for the recorder to
    hash once), or neither for a model on a server. ``name`` may be the entry itself (no lookup).
    Raises ConfigError/ModelError as the registry does."""
    entry = name if isinstance(name, ModelEntry) else engine.registry.get(name)
    if entry.adapter is not None:
        try:
            return entry, model_file_hash(entry.adapter), None
        except OSError:  # gone meanwhile: the record is still worth keeping
            return entry, None, None
    if entry.sha256:
        return entry, entry.sha256, None
    path = getattr(engine.model(entry.name), "path", None)
    return entry, None, (str(path) if path else None)


def request_fields(record: SuggestionRecord, script: Any, model_hash: str | None) -> dict[str, Any]:
    """What the edit log's request row holds for ``record``'s request (``EditLog.record_request``):
    the script (its path or name) and its text (hashed in the writer), the cursor, the model and
    its hash, the full prompt and which prompt version made it, the sampling, the seed asked for,
    the prompt tokens and the genre. Every recorder writes these: the editor's and the service's."""
    context = record.context
    prompt = context.prompt if context is not None else ""
    rendered = getattr(context, "rendered", None)
    prefix = getattr(rendered, "prefix", "") or ""
    prompt_id, prompt_version = record.prompt_ref if record.prompt_ref else (None, None)
    return {
        "script": script,
        "script_text": record.script,  # hashed in the writer's thread
        "cursor": record.cursor,
        "locate_scene": True,  # found in the writer's thread
        "model": record.model or "unknown",
        "model_hash": model_hash,
        "prompt": prompt,
        "prompt_id": prompt_id,
        "prompt_version": prompt_version,
        "system_chars": len(prefix) if prefix and prompt.startswith(prefix) else 0,
        "sampling": record.sampling,
        "seed": record.request_seed,
        "prompt_tokens": context.prompt_tokens if context is not None else None,
        "genre": genre_of(rendered),
    }
