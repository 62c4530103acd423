"""The training corpus: screenplays with their metadata, cut into scenes and exchanges, in SQLite.

    corpus = Corpus.open()                 # data_dir()/corpus.sqlite3, beside the edit log
    added = corpus.add(path, Metadata(title="Night Shift", genre="thriller", licence="own"))
    corpus.tokenize(count, "smollm2-135m") # token counts with the target model's tokenizer
    units = corpus.training_units("scene", balance=True)

Only public-domain, the writer's own or explicitly licensed text is trainable (``TRAINABLE``);
other scripts may be kept for reading and statistics but are never handed to training.

Duplicates: a script whose text (case and whitespace flattened) is already there is refused,
naming the copy; a scene already in the corpus from another script is not stored twice.

Splits: each scene is in ``train`` or ``val`` by a hash of its text (10% held out), so a scene
stays in its split however the corpus grows; the exchanges cut from a scene share its split, so
nothing held out leaks into training through a shorter unit.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from engine.hashing import text_sha256
from engine.paths import data_dir

from .clean import clean_fountain, clean_layout_text, looks_like_layout_text, normalised
from .segments import segments

DB_NAME = "corpus.sqlite3"
LICENCES = ("public-domain", "own", "cc0", "cc-by", "cc-by-sa", "licensed", "unknown", "all-rights-reserved")
TRAINABLE = frozenset(("public-domain", "own", "cc0", "cc-by", "cc-by-sa", "licensed"))
KINDS = ("scene", "exchange")
VAL_FRACTION = 0.1


class CorpusError(Exception):
    """A corpus file or an added script is unusable; the message names it."""


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    genre: str = ""
    tone: str = ""
    audience: str = ""
    runtime: int | None = None  # minutes
    source: str = ""  # where the text came from (a URL, a book, "written by me")
    licence: str = "unknown"

    def check(self) -> None:
        if self.licence not in LICENCES:
            raise CorpusError(f"licence {self.licence!r}: use one of {', '.join(LICENCES)} (only "
                              f"{', '.join(sorted(TRAINABLE))} are trained on)")
        if self.runtime is not None and not 1 <= self.runtime <= 600:
            raise CorpusError(f"runtime {self.runtime}: minutes, from 1 to 600")


@dataclass(frozen=True)
class Added:
    script_id: int
    title: str
    scenes: int
    exchanges: int
    duplicate_scenes: int
    trainable: bool


@dataclass(frozen=True)
class Unit:
    id: int
    script_id: int
    kind: str
    genre: str
    heading: str
    text: str
    split: str


def default_path() -> Path:
    return data_dir() / DB_NAME


def read_script_text(path: Path) -> tuple[str, str]:
    """(clean Fountain, the format it came in: fountain / fdx / text); CorpusError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if path.suffix.lower() == ".fdx":
        from engine.export import FdxError, fdx_to_fountain

        try:
            return clean_fountain(fdx_to_fountain(data)), "fdx"
        except FdxError as exc:
            raise CorpusError(f"{path}: {exc}") from None
    if path.suffix.lower() == ".pdf":
        raise CorpusError(f"{path}: a PDF; turn it into text first (`pdftotext -layout {path.name}`) and add the .txt")
    from engine.fountain import FountainDecodeError, decode_script

    try:
        text = decode_script(data, str(path)).text
    except FountainDecodeError as exc:
        raise CorpusError(str(exc)) from None
    if path.suffix.lower() != ".fountain" and looks_like_layout_text(text):
        return clean_fountain(clean_layout_text(text)), "text"
    return clean_fountain(text), "fountain"


def split_of(scene_sha: str) -> str:
    return "val" if int(scene_sha[:8], 16) / 0xFFFFFFFF < VAL_FRACTION else "train"


class Corpus:
    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Corpus":
        path = Path(path).expanduser() if path is not None else default_path()
        if path.is_dir():
            raise CorpusError(f"corpus {path}: is a folder, not a database file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=10.0)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            _migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise CorpusError(f"corpus {path}: {exc} (not a Scenewright corpus, or damaged)") from None
        except OSError as exc:
            raise CorpusError(f"corpus {path}: {exc.strerror or exc}") from None
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Corpus":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ adding
    def add(self, path: Path, meta: Metadata) -> Added:
        meta.check()
        text, fmt = read_script_text(path)
        return self.add_text(text, meta if meta.title else _with_title(meta, path), fmt=fmt)

    def add_text(self, text: str, meta: Metadata, fmt: str = "fountain") -> Added:
        meta.check()
        units = segments(text)
        if not any(u.kind == "scene" for u in units):
            raise CorpusError(f"{meta.title or 'the script'}: no scenes found (is it a screenplay?)")
        sha = text_sha256(normalised(text))
        row = self.conn.execute("SELECT id, title FROM scripts WHERE sha = ?", (sha,)).fetchone()
        if row:
            raise CorpusError(f"{meta.title or 'the script'}: already in the corpus as #{row[0]} {row[1]!r}")
        trainable = meta.licence in TRAINABLE
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO scripts (title, genre, tone, audience, runtime, source, licence, trainable, format, sha, "
                "added, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (meta.title, meta.genre.lower(), meta.tone, meta.audience, meta.runtime, meta.source, meta.licence,
                 int(trainable), fmt, sha, now, text),
            )
            script_id = int(cur.lastrowid)
            counts = {"scene": 0, "exchange": 0}
            duplicates = 0
            scene_split = "train"
            for unit in units:
                usha = text_sha256(normalised(unit.text))
                if unit.kind == "scene":
                    scene_split = split_of(usha)
                exists = self.conn.execute("SELECT 1 FROM segments WHERE sha = ? AND kind = ?",
                                           (usha, unit.kind)).fetchone()
                if exists:
                    duplicates += unit.kind == "scene"
                    continue
                self.conn.execute(
                    "INSERT INTO segments (script_id, kind, idx, heading, text, sha, chars, split) VALUES (?,?,?,?,?,?,?,?)",
                    (script_id, unit.kind, unit.index, unit.heading, unit.text, usha, len(unit.text), scene_split),
                )
                counts[unit.kind] += 1
        return Added(script_id, meta.title, counts["scene"], counts["exchange"], duplicates, trainable)

    def remove(self, script_id: int) -> bool:
        with self.conn:
            return self.conn.execute("DELETE FROM scripts WHERE id = ?", (script_id,)).rowcount > 0

    def scripts(self) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT s.id, s.title, s.genre, s.tone, s.audience, s.runtime, s.source, s.licence, s.trainable, s.format, "
            "s.added, (SELECT COUNT(*) FROM segments g WHERE g.script_id = s.id AND g.kind = 'scene') AS scenes, "
            "(SELECT COUNT(*) FROM segments g WHERE g.script_id = s.id AND g.kind = 'exchange') AS exchanges "
            "FROM scripts s ORDER BY s.id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]

    # ------------------------------------------------------------------ tokens
    def tokenize(self, count: Callable[[str], int], tokenizer: str,
                 progress: Callable[[int, int], None] | None = None) -> int:
        """Store each segment's token count under ``tokenizer``; returns how many were counted now."""
        todo = self.conn.execute(
            "SELECT g.id, g.text FROM segments g WHERE NOT EXISTS "
            "(SELECT 1 FROM tokens t WHERE t.segment_id = g.id AND t.tokenizer = ?)", (tokenizer,)).fetchall()
        for n, (segment_id, text) in enumerate(todo, 1):
            with self.conn:
                self.conn.execute("INSERT INTO tokens (segment_id, tokenizer, n_tokens) VALUES (?,?,?)",
                                  (segment_id, tokenizer, count(text)))
            if progress:
                progress(n, len(todo))
        return len(todo)

    def tokenizers(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT tokenizer FROM tokens ORDER BY tokenizer")]

    # ------------------------------------------------------------------ reading
    def stats(self, tokenizer: str | None = None) -> list[dict[str, Any]]:
        """Per genre and licence: scripts, scenes, exchanges, characters, tokens (when counted)."""
        rows = self.conn.execute(
            "SELECT s.genre, s.licence, s.trainable, COUNT(DISTINCT s.id), "
            "SUM(g.kind = 'scene'), SUM(g.kind = 'exchange'), SUM(CASE WHEN g.kind = 'scene' THEN g.chars END), "
            "SUM(CASE WHEN g.kind = 'scene' AND g.split = 'val' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN g.kind = 'scene' THEN t.n_tokens END) "
            "FROM scripts s LEFT JOIN segments g ON g.script_id = s.id "
            "LEFT JOIN tokens t ON t.segment_id = g.id AND t.tokenizer = ? "
            "GROUP BY s.genre, s.licence ORDER BY s.genre, s.licence", (tokenizer or "",)).fetchall()
        out = []
        for genre, licence, trainable, scripts, scenes, exchanges, chars, val, tokens in rows:
            out.append({"genre": genre or "(none)", "licence": licence, "trainable": bool(trainable),
                        "scripts": scripts, "scenes": scenes or 0, "exchanges": exchanges or 0,
                        "chars": chars or 0, "val_scenes": val or 0,
                        "tokens": tokens if tokenizer else None})
        return out

    def units(self, kind: str = "scene", split: str | None = None, trainable_only: bool = True) -> list[Unit]:
        if kind not in KINDS:
            raise CorpusError(f"kind {kind!r}: one of {', '.join(KINDS)}")
        sql = ("SELECT g.id, g.script_id, g.kind, s.genre, g.heading, g.text, g.split FROM segments g "
               "JOIN scripts s ON s.id = g.script_id WHERE g.kind = ?")
        args: list[Any] = [kind]
        if split:
            sql += " AND g.split = ?"
            args.append(split)
        if trainable_only:
            sql += " AND s.trainable = 1"
        sql += " ORDER BY g.sha"  # a stable order that mixes scripts
        return [Unit(*row) for row in self.conn.execute(sql, args)]

    def training_units(self, kind: str = "scene", split: str = "train", balance: bool = False) -> list[Unit]:
        """Trainable units of one split; with ``balance``, each genre cut to the smallest genre's characters."""
        units = self.units(kind, split)
        return balanced(units) if balance else units


def balanced(units: Iterable[Unit]) -> list[Unit]:
    by_genre: dict[str, list[Unit]] = {}
    for unit in units:
        by_genre.setdefault(unit.genre or "(none)", []).append(unit)
    if len(by_genre) < 2:
        return [u for group in by_genre.values() for u in group]
    budget = min(sum(len(u.text) for u in group) for group in by_genre.values())
    out: list[Unit] = []
    for group in by_genre.values():
        used = 0
        for unit in group:
            if used >= budget:
                break
            out.append(unit)
            used += len(unit.text)
    out.sort(key=lambda u: u.id)
    return out


def _with_title(meta: Metadata, path: Path) -> Metadata:
    return replace(meta, title=path.stem.replace("-", " ").replace("_", " ").title())


def _migrate(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """
        CREATE TABLE IF NOT EXISTS scripts (
            id INTEGER PRIMARY KEY, title TEXT NOT NULL, genre TEXT NOT NULL, tone TEXT NOT NULL,
            audience TEXT NOT NULL, runtime INTEGER, source TEXT NOT NULL, licence TEXT NOT NULL,
            trainable INTEGER NOT NULL, format TEXT NOT NULL, sha TEXT NOT NULL UNIQUE, added TEXT NOT NULL,
            text TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS segments (
            id INTEGER PRIMARY KEY, script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL, idx INTEGER NOT NULL, heading TEXT NOT NULL, text TEXT NOT NULL,
            sha TEXT NOT NULL, chars INTEGER NOT NULL, split TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS segments_sha ON segments(sha, kind);
        CREATE INDEX IF NOT EXISTS segments_script ON segments(script_id);
        CREATE TABLE IF NOT EXISTS tokens (
            segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE, tokenizer TEXT NOT NULL,
            n_tokens INTEGER NOT NULL, PRIMARY KEY (segment_id, tokenizer));
        """
    )
