"""The edit log: every request, every suggestion and what the writer made of it, in one SQLite file.

    log = EditLog.open()                                  # data_dir()/editlog.sqlite3, created and migrated
    rid = log.record_request(script="night-shift.fountain", script_text=text, cursor=(12, 0),
                             model="gemma3-270m", prompt=ctx.prompt, prompt_id="continue", prompt_version=2,
                             sampling={"temperature": 0.4, ...}, seed=1234)
    sid = log.record_suggestion(rid, done.text, 0, seed=done.seed, finish_reason=done.reason, stats=stats)
    log.mark(sid, "accepted", inserted_at=Insertion(start, end, line, end_line))
    log.rate(sid, plot=4, dialogue=3, tone=5, tags=["needs more conflict"])
    log.record_final(sid, final_text)                     # at save; returns the normalised edit distance
    log.forget_script("night-shift.fountain")             # everything about a script, gone

Identifiers are made by the caller's side (``new_id()``, hex UUIDs, see ``ids``), so that a writer
thread (``EditLogWriter``) can hand them back before the row is written; what is kept out of use and
how a script is forgotten is ``privacy``. Every write is one transaction;
the database runs in WAL mode with foreign keys on and ``secure_delete`` (forgotten rows are
overwritten, not merely unlinked). Failures are ``EditLogError`` with a sentence naming the file
and the cause (``DiskFull`` when the disk or the page limit is reached); the scripts themselves are
never opened for writing here.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from rapidfuzz.distance import Levenshtein

from engine.paths import data_dir

from . import privacy
from .ids import content_hash, model_file_hash, new_id, script_key
from .schema import SCHEMA_VERSION, STATES, SchemaTooNew, migrate, version

if TYPE_CHECKING:
    import sqlite_utils  # imported where a database is opened: 0.1 s the editor's start need not pay

DB_NAME = "editlog.sqlite3"
ACCEPTED_STATES = ("accepted", "accepted_part", "edited")
RATINGS = ("plot", "dialogue", "tone")

# SQLite result codes (sqlite3.Error.sqlite_errorcode & 0xff)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


class EditLogError(Exception):
    """A failure of the edit log, as a sentence for the writer (file and cause)."""


class DiskFull(EditLogError):
    """The disk (or the database's page limit) is full; nothing of the failed write was kept."""


class LogUnavailable(EditLogError):
    """The log could not be opened (``EditLogWriter.unavailable``): nothing is recorded."""


class UnknownId(EditLogError):
    """No request, suggestion or comparison with that id (it may have been forgotten)."""


@dataclass(frozen=True)
class Insertion:
    """Where an accepted suggestion went: character offsets ``[start, end)`` and 0-based lines."""

    start: int
    end: int
    line: int
    end_line: int
    path: str | None = None  # the script, when not the request's own


def default_path() -> Path:
    return data_dir() / DB_NAME


def now_iso() -> str:
    """UTC time as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (sorts as text)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def scene_at(script_text: str, cursor: tuple[int, int]) -> tuple[int | None, str | None]:
    """``(index, heading)`` of the scene the cursor is in (0-based index among the scene
    headings), or ``(None, None)`` before the first heading. Parses the script up to the cursor."""
    from engine.fountain import Kind, parse

    row = max(0, int(cursor[0]))
    lines = script_text.split("\n")
    head = "\n".join(lines[: row + 1])
    headings = [e for e in parse(head).elements if e.kind is Kind.SCENE_HEADING and e.line <= row]
    if not headings:
        return None, None
    return len(headings) - 1, headings[-1].text


def edit_distance(suggestion: str, final: str) -> float:
    """Character-level Levenshtein distance divided by the longer length (0 same .. 1 nothing in common)."""
    return float(Levenshtein.normalized_distance(suggestion, final))


def blind_pair(x: str, y: str, rng: random.Random | None = None) -> tuple[str, str]:
    """``(shown as A, shown as B)``: the two candidates of an A/B request in random order."""
    return (x, y) if (rng or random).random() < 0.5 else (y, x)


def _sampling_dict(sampling: Any) -> dict[str, Any]:
    if sampling is None:
        return {}
    if dataclasses.is_dataclass(sampling) and not isinstance(sampling, type):
        return dataclasses.asdict(sampling)
    return dict(sampling)


def _rating(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(f"{name} rating must be a whole number from 1 to 5, not {value!r}")
    return value


def _tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        raise ValueError("tags must be a list of strings, not one string")
    out: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split())
        if tag and tag not in out:
            out.append(tag)
    return out


class EditLog:
    """One connection to the edit log. Use it from one thread at a time (``EditLogWriter`` does)."""

    def __init__(self, path: Path, db: sqlite_utils.Database):
        self.path = path
        self.db = db
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path | None = None, *, timeout: float = 10.0) -> "EditLog":
        """Open (creating and migrating as needed) the log at ``path`` (default: ``data_dir()/editlog.sqlite3``)."""
        path = Path(path).expanduser() if path is not None else default_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EditLogError(f"edit log {path}: cannot create its folder ({exc.strerror or exc})") from None
        if path.is_dir():
            raise EditLogError(f"edit log {path}: is a folder, not a database file")
        try:
            conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
        except sqlite3.Error as exc:
            raise _translate(exc, path, "opening the log") from None
        try:
            import sqlite_utils

            db = sqlite_utils.Database(conn, execute_plugins=False)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise EditLogError(f"edit log {path}: SQLite could not switch it to WAL mode (got {mode!r})")
            conn.execute("PRAGMA synchronous = NORMAL")  # durable across crashes and kills in WAL mode
            migrate(db)
        except SchemaTooNew as exc:
            conn.close()
            raise EditLogError(
                f"edit log {path}: written by a newer Scenewright (schema {exc.found}, this one knows up to "
                f"{SCHEMA_VERSION}); upgrade Scenewright to use it"
            ) from None
        except sqlite3.Error as exc:
            conn.close()
            raise _translate(exc, path, "opening the log") from None
        except BaseException:
            conn.close()
            raise
        return cls(path, db)

    def close(self) -> None:
        with self._lock:
            try:
                self.db.conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> "EditLog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return version(self.db)

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"`` for a sound file."""
        with self._reading("checking the log"):
            rows = self.db.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)

    # ------------------------------------------------------------------ transactions and errors
    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite_utils.Database]:
        with self._lock:
            try:
                with self.db.atomic():
                    yield self.db
            except sqlite3.Error as exc:
                raise _translate(exc, self.path, what) from None

    @contextmanager
    def _reading(self, what: str) -> Iterator[sqlite_utils.Database]:
        with self._lock:
            try:
                yield self.db
            except sqlite3.Error as exc:
                raise _translate(exc, self.path, what) from None

    def _script_id(self, db: sqlite_utils.Database, path: str | Path, genre: str | None = None) -> int:
        row = db.execute(
            "INSERT INTO scripts (path, genre, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET genre = COALESCE(scripts.genre, excluded.genre) RETURNING id",
            [script_key(path), genre, now_iso()],
        ).fetchone()
        return int(row[0])

    # ------------------------------------------------------------------ recording
    def record_request(
        self,
        *,
        script: str | Path,
        cursor: tuple[int, int],
        model: str,
        prompt: str,
        script_text: str | None = None,
        script_hash: str | None = None,
        scene: str | None = None,
        scene_index: int | None = None,
        locate_scene: bool = False,
        model_hash: str | None = None,
        model_path: str | Path | None = None,
        prompt_id: str | None = None,
        prompt_version: int | None = None,
        system_chars: int = 0,
        sampling: Mapping[str, Any] | Any = None,
        seed: int | None = None,
        ttft_ms: float | None = None,
        tokens_per_s: float | None = None,
        prompt_tokens: int | None = None,
        generated_tokens: int | None = None,
        genre: str | None = None,
        id: str | None = None,
        created_at: str | None = None,
    ) -> str:
        """Record one request; returns its id. ``script_hash`` defaults to the hash of ``script_text``.

        Work that the editor must not wait for is done here (in the writer's thread): with
        ``locate_scene`` and no ``scene``, the scene heading before the cursor is found in
        ``script_text``; with ``model_path`` and no ``model_hash``, the model file is hashed
        (once per file per process).

        The stats may be left out and come with the suggestions (``record_suggestion(stats=...)``):
        the request then takes time to first token, speed and prompt tokens from its first
        alternative, and its generated tokens are the total of its alternatives'.
        """
        if script_hash is None:
            if script_text is None:
                raise ValueError("record_request needs script_text or script_hash")
            script_hash = content_hash(script_text)
        if locate_scene and scene is None and scene_index is None and script_text is not None:
            scene_index, scene = scene_at(script_text, cursor)
        if model_hash is None and model_path is not None:
            try:
                model_hash = model_file_hash(model_path)
            except OSError:
                model_hash = None  # the file went away: the request is still worth keeping
        rid = id or new_id()
        with self._writing("the request") as db:
            script_id = self._script_id(db, script, genre)
            db.execute(
                "INSERT INTO requests (id, script_id, script_hash, scene_index, scene, cursor_line, cursor_column, "
                "model, model_hash, prompt_id, prompt_version, prompt, system_chars, sampling, seed, ttft_ms, "
                "tokens_per_s, prompt_tokens, generated_tokens, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    rid, script_id, script_hash, scene_index, scene, int(cursor[0]), int(cursor[1]),
                    model, model_hash, prompt_id, prompt_version, prompt, int(system_chars),
                    json.dumps(_sampling_dict(sampling), sort_keys=True), seed, ttft_ms, tokens_per_s,
                    prompt_tokens, generated_tokens, created_at or now_iso(),
                ],
            )
        return rid

    def record_suggestion(
        self,
        request_id: str,
        text: str,
        index: int = 0,
        *,
        seed: int | None = None,
        finish_reason: str | None = None,
        stats: Any = None,
        id: str | None = None,
        created_at: str | None = None,
    ) -> str:
        """Record an alternative of a request as shown; returns its id.

        ``stats`` is anything with ``ttft_ms``, ``tokens_per_s``, ``prompt_tokens`` and
        ``generated_tokens`` (``engine.generation.StatsEvent``).
        """
        sid = id or new_id()
        ttft = getattr(stats, "ttft_ms", None)
        speed = getattr(stats, "tokens_per_s", None)
        prompt_tokens = getattr(stats, "prompt_tokens", None)
        generated = getattr(stats, "generated_tokens", None)
        with self._writing("the suggestion") as db:
            if db.execute("SELECT 1 FROM requests WHERE id = ?", [request_id]).fetchone() is None:
                raise UnknownId(f"edit log {self.path}: no request {request_id} (forgotten?); suggestion not recorded")
            db.execute(
                "INSERT INTO suggestions (id, request_id, idx, text, seed, finish_reason, ttft_ms, tokens_per_s, "
                "generated_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, request_id, int(index), text, seed, finish_reason, ttft, speed, generated,
                 created_at or now_iso()],
            )
            if stats is not None:
                db.execute(
                    "UPDATE requests SET ttft_ms = COALESCE(ttft_ms, ?), tokens_per_s = COALESCE(tokens_per_s, ?), "
                    "prompt_tokens = COALESCE(prompt_tokens, ?) WHERE id = ?",
                    [ttft, speed, prompt_tokens, request_id],
                )
                # the total of the alternatives, unless record_request was given its own figure
                db.execute(
                    "UPDATE requests SET generated_tokens = COALESCE(generated_tokens, 0) + ? WHERE id = ? AND "
                    "(generated_tokens IS NULL OR generated_tokens = (SELECT COALESCE(SUM(generated_tokens), 0) "
                    "FROM suggestions WHERE request_id = ? AND id <> ?))",
                    [generated or 0, request_id, request_id, sid],
                )
        return sid

    def mark(
        self,
        suggestion_id: str,
        state: str,
        accepted_text: str | None = None,
        inserted_at: Insertion | Sequence[int] | None = None,
    ) -> None:
        """The writer's decision: ``accepted`` (whole), ``accepted_part`` (``accepted_text`` required),
        ``rejected``, or back to ``shown``. ``edited`` is not set here: ``record_final`` finds it."""
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, not {state!r}")
        if state == "edited":
            raise ValueError("'edited' is recorded by record_final when the saved text differs from the accepted one")
        if state == "accepted_part" and not accepted_text:
            raise ValueError("accepted_part needs the accepted_text")
        ins = _insertion(inserted_at)
        with self._writing("the decision") as db:
            self._require(db, suggestion_id)
            if state in ("accepted", "accepted_part"):
                db.execute(
                    "UPDATE suggestions SET state = ?, partial = ?, accepted_text = COALESCE(?, text), "
                    "insert_path = ?, insert_start = ?, insert_end = ?, insert_line = ?, insert_end_line = ?, "
                    "final_text = NULL, edit_distance = NULL, final_at = NULL, decided_at = ? WHERE id = ?",
                    [
                        state, int(state == "accepted_part"), accepted_text,
                        script_key(ins.path) if ins and ins.path else None,
                        ins.start if ins else None, ins.end if ins else None,
                        ins.line if ins else None, ins.end_line if ins else None,
                        now_iso(), suggestion_id,
                    ],
                )
            else:
                db.execute(
                    "UPDATE suggestions SET state = ?, partial = 0, accepted_text = NULL, insert_path = NULL, "
                    "insert_start = NULL, insert_end = NULL, insert_line = NULL, insert_end_line = NULL, "
                    "final_text = NULL, edit_distance = NULL, final_at = NULL, decided_at = ? WHERE id = ?",
                    [state, now_iso() if state != "shown" else None, suggestion_id],
                )

    def rate(
        self,
        suggestion_id: str,
        *,
        plot: int | None = None,
        dialogue: int | None = None,
        tone: int | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Ratings from 1 to 5 (``None`` leaves a rating as it is); ``tags`` replaces the tags."""
        values = {"plot": _rating("plot", plot), "dialogue": _rating("dialogue", dialogue),
                  "tone": _rating("tone", tone)}
        tag_json = json.dumps(_tags(tags), ensure_ascii=False) if tags is not None else None
        with self._writing("the rating") as db:
            self._require(db, suggestion_id)
            db.execute(
                "UPDATE suggestions SET plot = COALESCE(?, plot), dialogue = COALESCE(?, dialogue), "
                "tone = COALESCE(?, tone), tags = COALESCE(?, tags), rated_at = ? WHERE id = ?",
                [values["plot"], values["dialogue"], values["tone"], tag_json, now_iso(), suggestion_id],
            )

    def record_final(self, suggestion_id: str, final_text: str, inserted_at: Insertion | Sequence[int] | None = None) -> float:
        """At a save: the text now standing where the suggestion went (and, with ``inserted_at``,
        where that is in the script as saved). Returns the normalised edit distance from the raw
        suggestion; the state becomes ``edited`` when it differs from the accepted text (and goes
        back to accepted when it is the same again)."""
        with self._writing("the final text") as db:
            row = db.execute(
                "SELECT text, state, partial, accepted_text FROM suggestions WHERE id = ?", [suggestion_id]
            ).fetchone()
            if row is None:
                raise UnknownId(f"edit log {self.path}: no suggestion {suggestion_id} (forgotten?)")
            text, state, partial, accepted = row
            if state not in ACCEPTED_STATES:
                raise EditLogError(
                    f"edit log {self.path}: suggestion {suggestion_id} is {state}, not accepted; "
                    "no final text to record"
                )
            distance = edit_distance(text, final_text)
            if final_text != accepted:
                new_state = "edited"
            else:
                new_state = "accepted_part" if partial else "accepted"
            db.execute(
                "UPDATE suggestions SET final_text = ?, edit_distance = ?, state = ?, final_at = ? WHERE id = ?",
                [final_text, distance, new_state, now_iso(), suggestion_id],
            )
            ins = _insertion(inserted_at)
            if ins is not None:
                db.execute(
                    "UPDATE suggestions SET insert_start = ?, insert_end = ?, insert_line = ?, insert_end_line = ? "
                    "WHERE id = ?",
                    [ins.start, ins.end, ins.line, ins.end_line, suggestion_id],
                )
        return distance

    def set_model_hash(self, model: str, model_hash: str) -> int:
        """Fill in the file hash of ``model`` on its requests recorded without one (the editor
        hashes a model file in the background and records its requests meanwhile); returns how
        many requests got it."""
        with self._writing("the model's file hash") as db:
            cur = db.execute("UPDATE requests SET model_hash = ? WHERE model = ? AND model_hash IS NULL",
                             [model_hash, model])
            return int(cur.rowcount)

    # ------------------------------------------------------------------ blind A/B
    def record_comparison(self, a_id: str, b_id: str, *, id: str | None = None) -> str:
        """Two suggestions shown blind as A and B (use ``blind_pair`` for the order); returns its id."""
        cid = id or new_id()
        with self._writing("the A/B comparison") as db:
            self._require(db, a_id)
            self._require(db, b_id)
            db.execute(
                "INSERT INTO comparisons (id, a_id, b_id, created_at) VALUES (?, ?, ?, ?)",
                [cid, a_id, b_id, now_iso()],
            )
        return cid

    def pick(self, comparison_id: str, winner: str | None) -> None:
        """The writer's pick: ``"A"``, ``"B"`` or ``None`` (neither)."""
        value = {"A": "A", "B": "B", None: "none", "none": "none"}.get(winner)  # type: ignore[arg-type]
        if value is None:
            raise ValueError(f"winner must be 'A', 'B' or None, not {winner!r}")
        with self._writing("the A/B pick") as db:
            cur = db.execute(
                "UPDATE comparisons SET winner = ?, decided_at = ? WHERE id = ?", [value, now_iso(), comparison_id]
            )
            if cur.rowcount == 0:
                raise UnknownId(f"edit log {self.path}: no A/B comparison {comparison_id} (forgotten?)")

    # ------------------------------------------------------------------ scripts and privacy
    def mark_script(self, path: str | Path, usage: str, genre: str | None = None) -> None:
        """Whether a script is the writer's own (``mine``), ``licensed``, ``not_mine`` or ``unmarked``;
        only mine and licensed scripts go into dataset exports."""
        with self._writing("the script's marking") as db:
            privacy.mark(db, path, usage, genre, now_iso())

    def forget_script(self, path: str | Path) -> dict[str, int]:
        """Delete everything recorded about a script (requests, prompts, suggestions, ratings, A/B
        picks, the script's entry) and wipe it from the file; returns what was deleted."""
        with self._writing("forgetting the script") as db:
            deleted = privacy.forget(db, path)
        with self._lock:
            privacy.checkpoint(self.db)
        return deleted

    # ------------------------------------------------------------------ reading
    def scripts(self) -> list[dict[str, Any]]:
        """Every script in the log with its marking, genre and counts."""
        with self._reading("reading scripts") as db:
            rows = db.execute(
                "SELECT s.path, s.usage, s.genre, "
                "(SELECT COUNT(*) FROM requests r WHERE r.script_id = s.id), "
                "(SELECT COUNT(*) FROM suggestions x JOIN requests r ON x.request_id = r.id WHERE r.script_id = s.id), "
                "(SELECT MAX(r.created_at) FROM requests r WHERE r.script_id = s.id) "
                "FROM scripts s ORDER BY s.path"
            ).fetchall()
        return [
            {"path": p, "usage": u, "genre": g, "requests": nr, "suggestions": ns, "last_request": last}
            for p, u, g, nr, ns, last in rows
        ]

    def suggestion(self, suggestion_id: str) -> dict[str, Any]:
        """One suggestion row (with its request's model and prompt) as a dict; UnknownId when absent."""
        with self._reading("reading a suggestion") as db:
            cur = db.execute(
                "SELECT x.*, r.model, r.prompt_id, r.prompt_version, r.prompt, s.path AS script FROM suggestions x "
                "JOIN requests r ON x.request_id = r.id JOIN scripts s ON r.script_id = s.id WHERE x.id = ?",
                [suggestion_id],
            )
            row = cur.fetchone()
            names = [d[0] for d in cur.description]
        if row is None:
            raise UnknownId(f"edit log {self.path}: no suggestion {suggestion_id}")
        out = dict(zip(names, row))
        out["tags"] = json.loads(out["tags"] or "[]")
        return out

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest suggestions, newest first: time, script, model, prompt, state, distance, ratings, text."""
        with self._reading("reading suggestions") as db:
            cur = db.execute(
                "SELECT x.id, x.created_at, s.path, r.model, r.prompt_id, r.prompt_version, x.idx, x.state, "
                "x.edit_distance, x.plot, x.dialogue, x.tone, x.tags, x.text FROM suggestions x "
                "JOIN requests r ON x.request_id = r.id JOIN scripts s ON r.script_id = s.id "
                "ORDER BY x.created_at DESC, x.rowid DESC LIMIT ?",
                [int(limit)],
            )
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, row)) for row in cur.fetchall()]
        for row in rows:
            row["tags"] = json.loads(row["tags"] or "[]")
        return rows

    def counts(self) -> dict[str, int]:
        with self._reading("counting") as db:
            return {
                table: int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table in ("scripts", "requests", "suggestions", "comparisons")
            }

    def _require(self, db: sqlite_utils.Database, suggestion_id: str) -> None:
        if db.execute("SELECT 1 FROM suggestions WHERE id = ?", [suggestion_id]).fetchone() is None:
            raise UnknownId(f"edit log {self.path}: no suggestion {suggestion_id} (forgotten?)")


def _insertion(value: Insertion | Sequence[int] | None) -> Insertion | None:
    if value is None or isinstance(value, Insertion):
        return value
    start, end, line, end_line = value
    return Insertion(int(start), int(end), int(line), int(end_line))


def _translate(exc: sqlite3.Error, path: Path, what: str) -> EditLogError:
    """A sentence for the writer out of an SQLite error."""
    code = getattr(exc, "sqlite_errorcode", None)
    base = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if base == _FULL or "database or disk is full" in text:
        return DiskFull(
            f"edit log {path}: the disk is full; {what} was not recorded (the log is intact and your script "
            "is not affected; free some space)"
        )
    if base == _NOTADB or "file is not a database" in text:
        return EditLogError(f"edit log {path}: not an SQLite database; move it aside and Scenewright starts a new one")
    if base == _CORRUPT:
        return EditLogError(f"edit log {path}: the file is damaged ({text}); move it aside to start a new one")
    if base == _READONLY:
        if what == "opening the log":
            return EditLogError(f"edit log {path}: read-only (the file or its folder cannot be written)")
        return EditLogError(f"edit log {path}: read-only; {what} was not recorded")
    if base == _CANTOPEN:
        if not path.exists() and not os.access(path.parent, os.W_OK):
            return EditLogError(f"edit log {path}: cannot create the file (its folder {path.parent} is read-only)")
        return EditLogError(f"edit log {path}: cannot open the file ({text})")
    if base in (_BUSY, _LOCKED):
        return EditLogError(f"edit log {path}: busy (another Scenewright is writing); {what} was not recorded")
    if base == _IOERR:
        return EditLogError(f"edit log {path}: input/output error ({text}); {what} was not recorded")
    if isinstance(exc, sqlite3.IntegrityError):
        return EditLogError(f"edit log {path}: {what} was refused ({text})")
    return EditLogError(f"edit log {path}: {what} failed ({text})")
