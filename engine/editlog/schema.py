"""The edit log's schema: ``PRAGMA user_version`` and one function per upgrade, applied in order.

A step, once released, never changes: a database written by an older Scenewright is brought up to
date by running the steps after its ``user_version``, each in its own transaction together with
the new ``user_version`` (so a crash between steps leaves a database at a known version). A
database from a newer Scenewright (``user_version`` above ``SCHEMA_VERSION``) is refused rather
than written to.

Version 1: scripts, requests and suggestions (with decisions, final text, ratings, tags).
Version 2: blind A/B comparisons, and indexes for the exports' and the evaluation's filters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import sqlite_utils  # imported where a database is opened: 0.1 s the editor's start need not pay

STATES = ("shown", "accepted", "accepted_part", "rejected", "edited")
USAGES = ("unmarked", "mine", "licensed", "not_mine")


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE scripts (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,            -- absolute path
            usage TEXT NOT NULL DEFAULT 'unmarked'
                CHECK (usage IN ('unmarked', 'mine', 'licensed', 'not_mine')),
            genre TEXT,
            created_at TEXT NOT NULL,
            marked_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE requests (
            id TEXT PRIMARY KEY,
            script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
            script_hash TEXT NOT NULL,            -- sha256 of the script text when asked
            scene_index INTEGER,                  -- 0-based index of the scene heading, NULL before the first
            scene TEXT,                           -- its heading
            cursor_line INTEGER NOT NULL,         -- 0-based
            cursor_column INTEGER NOT NULL,       -- 0-based, characters
            model TEXT NOT NULL,
            model_hash TEXT,                      -- sha256 of the GGUF file
            prompt_id TEXT,
            prompt_version INTEGER,
            prompt TEXT NOT NULL,                 -- the full assembled prompt the model read
            system_chars INTEGER NOT NULL DEFAULT 0,  -- leading characters that are the stable instructions
            sampling TEXT NOT NULL DEFAULT '{}',  -- JSON: temperature, top_p, top_k, min_p, repeat_penalty, max_tokens
            seed INTEGER,
            ttft_ms REAL,
            tokens_per_s REAL,
            prompt_tokens INTEGER,
            generated_tokens INTEGER,             -- all alternatives together
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE suggestions (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,                 -- alternative number within the request
            text TEXT NOT NULL,                   -- the raw suggestion
            seed INTEGER,
            finish_reason TEXT,
            ttft_ms REAL,
            tokens_per_s REAL,
            generated_tokens INTEGER,
            state TEXT NOT NULL DEFAULT 'shown'
                CHECK (state IN ('shown', 'accepted', 'accepted_part', 'rejected', 'edited')),
            partial INTEGER NOT NULL DEFAULT 0,   -- 1 when only part was accepted (kept when it becomes 'edited')
            accepted_text TEXT,
            insert_path TEXT,                     -- where it went: script, character offsets, lines (at the last save)
            insert_start INTEGER,
            insert_end INTEGER,
            insert_line INTEGER,
            insert_end_line INTEGER,
            final_text TEXT,                      -- what stood there at the last save
            edit_distance REAL,                   -- Levenshtein(text, final_text) / max(len)
            plot INTEGER CHECK (plot BETWEEN 1 AND 5),
            dialogue INTEGER CHECK (dialogue BETWEEN 1 AND 5),
            tone INTEGER CHECK (tone BETWEEN 1 AND 5),
            tags TEXT NOT NULL DEFAULT '[]',      -- JSON list of strings
            created_at TEXT NOT NULL,
            decided_at TEXT,
            final_at TEXT,
            rated_at TEXT,
            UNIQUE (request_id, idx)
        )
        """
    )


def _v2(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE comparisons (
            id TEXT PRIMARY KEY,
            a_id TEXT NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,  -- shown as A
            b_id TEXT NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,  -- shown as B
            winner TEXT CHECK (winner IN ('A', 'B', 'none')),                 -- NULL until the writer picks
            created_at TEXT NOT NULL,
            decided_at TEXT,
            CHECK (a_id <> b_id)
        )
        """
    )
    db.execute("CREATE INDEX comparisons_a ON comparisons(a_id)")
    db.execute("CREATE INDEX comparisons_b ON comparisons(b_id)")
    db.execute("CREATE INDEX requests_script ON requests(script_id)")
    db.execute("CREATE INDEX requests_created ON requests(created_at)")
    db.execute("CREATE INDEX requests_model ON requests(model, prompt_id, prompt_version)")


# MIGRATIONS[i] brings a database from version i to version i + 1.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    def __init__(self, found: int):
        self.found = found
        super().__init__(f"schema version {found} is newer than this Scenewright's ({SCHEMA_VERSION})")


def version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, target: int = SCHEMA_VERSION) -> list[int]:
    """Run the steps up to ``target``; returns the versions reached (empty when already there)."""
    current = version(db)
    if current > SCHEMA_VERSION:
        raise SchemaTooNew(current)
    done = []
    for step in range(current, target):
        with db.atomic():
            MIGRATIONS[step](db)
            db.execute(f"PRAGMA user_version = {step + 1}")
        done.append(step + 1)
    return done
