"""What the writer keeps out of the edit log's use: which scripts may leave it (their marking),
and forgetting a script (every row about it deleted, and wiped from the file).

The database runs with ``secure_delete`` on (see ``store``), so a forgotten row is overwritten,
not merely unlinked; :func:`forget` also moves the WAL into the main file. Run inside the
store's transactions: these functions take the ``sqlite_utils.Database`` the store hands them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .ids import script_key
from .schema import USAGES

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["EXPORTABLE", "USAGES", "check_usage", "checkpoint", "forget", "mark"]

EXPORTABLE = ("mine", "licensed")  # the only markings whose scripts go into dataset exports


def check_usage(usage: str) -> str:
    if usage not in USAGES:
        raise ValueError(f"usage must be one of {', '.join(USAGES)}, not {usage!r}")
    return usage


def mark(db: sqlite_utils.Database, path: str | Path, usage: str, genre: str | None, when: str) -> None:
    """Set a script's marking (creating its entry); its genre is kept unless one is given."""
    db.execute(
        "INSERT INTO scripts (path, usage, genre, created_at, marked_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET usage = excluded.usage, "
        "genre = COALESCE(excluded.genre, scripts.genre), marked_at = excluded.marked_at",
        [script_key(path), check_usage(usage), genre, when, when],
    )


def forget(db: sqlite_utils.Database, path: str | Path) -> dict[str, int]:
    """Delete everything recorded about a script (requests, prompts, suggestions, ratings, A/B
    picks, the script's entry); returns how many of each were deleted."""
    keys = list(dict.fromkeys([script_key(path), str(path)]))
    marks = ",".join("?" * len(keys))
    ids = [r[0] for r in db.execute(f"SELECT id FROM scripts WHERE path IN ({marks})", keys)]
    sid_marks = ",".join("?" * len(ids))
    requests = 0
    if ids:
        requests = db.execute(
            f"SELECT COUNT(*) FROM requests WHERE script_id IN ({sid_marks})", ids).fetchone()[0]
    sugg_where = (
        f"request_id IN (SELECT id FROM requests WHERE script_id IN ({sid_marks or 'NULL'})) "
        f"OR insert_path IN ({marks})"
    )
    args = ids + keys
    suggestions = db.execute(f"SELECT COUNT(*) FROM suggestions WHERE {sugg_where}", args).fetchone()[0]
    comparisons = db.execute(
        f"SELECT COUNT(*) FROM comparisons WHERE a_id IN (SELECT id FROM suggestions WHERE {sugg_where}) "
        f"OR b_id IN (SELECT id FROM suggestions WHERE {sugg_where})",
        args + args,
    ).fetchone()[0]
    db.execute(f"DELETE FROM suggestions WHERE {sugg_where}", args)  # comparisons cascade
    if ids:
        db.execute(f"DELETE FROM scripts WHERE id IN ({sid_marks})", ids)  # requests cascade
    return {"scripts": len(ids), "requests": int(requests), "suggestions": int(suggestions),
            "comparisons": int(comparisons)}


def checkpoint(db: sqlite_utils.Database) -> None:
    """Move the WAL into the main file and truncate it, so no copy of forgotten rows stays there."""
    import sqlite3

    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # another connection is reading; its next checkpoint does it
