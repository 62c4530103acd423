"""Reading the log back: one ``Record`` per suggestion (with its request and script), filtered.

Exports and the evaluation read the log only through ``select_records``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Sequence

from .ids import script_key
from .privacy import EXPORTABLE
from .store import ACCEPTED_STATES, EditLog


@dataclass(frozen=True)
class Record:
    suggestion_id: str
    request_id: str
    created_at: str
    script: str
    usage: str
    genre: str | None
    model: str
    model_hash: str | None
    prompt_id: str | None
    prompt_version: int | None
    prompt: str
    system_chars: int
    text: str  # the raw suggestion
    index: int
    state: str
    partial: bool
    accepted_text: str | None
    final_text: str | None
    edit_distance: float | None
    plot: int | None
    dialogue: int | None
    tone: int | None
    tags: tuple[str, ...]
    ttft_ms: float | None  # the request's
    tokens_per_s: float | None
    sampling: dict[str, Any]
    seed: int | None

    @property
    def accepted(self) -> bool:
        return self.state in ACCEPTED_STATES

    @property
    def target(self) -> str | None:
        """The writer's text: what stood in the script at the last save, else what was accepted."""
        if not self.accepted:
            return None
        return self.final_text if self.final_text is not None else self.accepted_text

    @property
    def prompt_ref(self) -> str:
        if self.prompt_id is None:
            return "-"
        return f"{self.prompt_id}@{self.prompt_version}" if self.prompt_version is not None else self.prompt_id

    @property
    def ratings(self) -> tuple[int, ...]:
        return tuple(r for r in (self.plot, self.dialogue, self.tone) if r is not None)

    @property
    def mean_rating(self) -> float | None:
        r = self.ratings
        return sum(r) / len(r) if r else None

    def messages(self, completion: str | None = None) -> list[dict[str, str]]:
        """The request as chat messages: the stable instructions as system (when recorded), the rest
        as user, and ``completion`` as the assistant's answer when given."""
        out = []
        system = self.prompt[: self.system_chars].strip() if self.system_chars else ""
        user = self.prompt[self.system_chars :] if system else self.prompt
        if system:
            out.append({"role": "system", "content": system})
        out.append({"role": "user", "content": user})
        if completion is not None:
            out.append({"role": "assistant", "content": completion})
        return out


@dataclass(frozen=True)
class Filters:
    scripts: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()  # ID or ID@VERSION
    since: str | None = None  # anything parse_time reads
    until: str | None = None
    min_rating: float | None = None  # mean of the ratings given; unrated suggestions are left out
    accepted_only: bool = False
    exportable_only: bool = False  # only scripts marked mine or licensed

    def describe(self) -> list[str]:
        """The filters in use, one phrase each (for the dataset card)."""
        out = []
        if self.scripts:
            out.append("scripts: " + ", ".join(self.scripts))
        if self.models:
            out.append("models: " + ", ".join(self.models))
        if self.prompts:
            out.append("prompts: " + ", ".join(self.prompts))
        if self.since:
            out.append(f"since {self.since}")
        if self.until:
            out.append(f"until {self.until}")
        if self.min_rating is not None:
            out.append(f"mean rating at least {self.min_rating:g}")
        if self.accepted_only:
            out.append("accepted suggestions only")
        return out


def parse_time(value: str, *, end: bool = False) -> str:
    """A date or date-time (ISO 8601; local time when no zone is given) as the log's UTC text.

    With ``end``, a bare date means the end of that day (the bound is exclusive: the next midnight).
    """
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day) + (timedelta(days=1) if end else timedelta())
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS][Z])") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_COLUMNS = (
    "x.id, x.request_id, x.created_at, s.path, s.usage, s.genre, r.model, r.model_hash, r.prompt_id, "
    "r.prompt_version, r.prompt, r.system_chars, x.text, x.idx, x.state, x.partial, x.accepted_text, "
    "x.final_text, x.edit_distance, x.plot, x.dialogue, x.tone, x.tags, r.ttft_ms, r.tokens_per_s, "
    "r.sampling, COALESCE(x.seed, r.seed)"
)


def select_records(log: EditLog, filters: Filters | None = None) -> list[Record]:
    """The suggestions that pass ``filters``, oldest first."""
    f = filters or Filters()
    where: list[str] = []
    args: list[Any] = []
    if f.scripts:
        keys = list(dict.fromkeys([script_key(p) for p in f.scripts] + list(f.scripts)))
        where.append(f"s.path IN ({','.join('?' * len(keys))})")
        args += keys
    if f.models:
        where.append(f"r.model IN ({','.join('?' * len(f.models))})")
        args += list(f.models)
    if f.prompts:
        parts = []
        for ref in f.prompts:
            pid, _, ver = ref.partition("@")
            if ver:
                if not ver.isdigit():
                    raise ValueError(f"prompt {ref!r}: the version after @ must be a number")
                parts.append("(r.prompt_id = ? AND r.prompt_version = ?)")
                args += [pid, int(ver)]
            else:
                parts.append("r.prompt_id = ?")
                args.append(pid)
        where.append("(" + " OR ".join(parts) + ")")
    if f.since:
        where.append("x.created_at >= ?")
        args.append(parse_time(f.since))
    if f.until:
        where.append("x.created_at < ?" if len(f.until.strip()) == 10 else "x.created_at <= ?")
        args.append(parse_time(f.until, end=True))
    if f.accepted_only:
        where.append(f"x.state IN ({','.join('?' * len(ACCEPTED_STATES))})")
        args += list(ACCEPTED_STATES)
    if f.exportable_only:
        where.append(f"s.usage IN ({','.join('?' * len(EXPORTABLE))})")
        args += list(EXPORTABLE)
    sql = (
        f"SELECT {_COLUMNS} FROM suggestions x JOIN requests r ON x.request_id = r.id "
        "JOIN scripts s ON r.script_id = s.id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY x.created_at, x.rowid"
    )
    with log._reading("reading the log") as db:
        rows = db.execute(sql, args).fetchall()
    records = [_record(row) for row in rows]
    if f.min_rating is not None:
        records = [r for r in records if r.mean_rating is not None and r.mean_rating >= f.min_rating]
    return records


def _record(row: Sequence[Any]) -> Record:
    (sid, rid, created, path, usage, genre, model, model_hash, pid, pver, prompt, system_chars, text, idx, state,
     partial, accepted, final, distance, plot, dialogue, tone, tags, ttft, speed, sampling, seed) = row
    return Record(
        sid, rid, created, path, usage, genre, model, model_hash, pid, pver, prompt, int(system_chars or 0), text,
        int(idx), state, bool(partial), accepted, final, distance, plot, dialogue, tone,
        tuple(json.loads(tags or "[]")), ttft, speed, json.loads(sampling or "{}"), seed,
    )


def script_usage_counts(log: EditLog) -> dict[str, int]:
    """How many scripts carry each marking (for the dataset card's licence note)."""
    with log._reading("reading scripts") as db:
        return {u: int(n) for u, n in db.execute("SELECT usage, COUNT(*) FROM scripts GROUP BY usage")}


def comparisons(log: EditLog) -> list[dict[str, Any]]:
    """Every decided A/B comparison with the model and prompt of each side."""
    sql = (
        "SELECT c.id, c.winner, c.created_at, ra.model, ra.prompt_id, ra.prompt_version, "
        "rb.model, rb.prompt_id, rb.prompt_version FROM comparisons c "
        "JOIN suggestions a ON c.a_id = a.id JOIN requests ra ON a.request_id = ra.id "
        "JOIN suggestions b ON c.b_id = b.id JOIN requests rb ON b.request_id = rb.id "
        "WHERE c.winner IS NOT NULL ORDER BY c.created_at, c.rowid"
    )
    with log._reading("reading A/B comparisons") as db:
        rows = db.execute(sql).fetchall()
    out = []
    for cid, winner, created, ma, pa, va, mb, pb, vb in rows:
        out.append({
            "id": cid, "winner": winner, "created_at": created,
            "a": variant(ma, pa, va), "b": variant(mb, pb, vb),
        })
    return out


def variant(model: str, prompt_id: str | None, prompt_version: int | None) -> str:
    """``model prompt@version``: what an A/B side is."""
    ref = "-" if prompt_id is None else (f"{prompt_id}@{prompt_version}" if prompt_version is not None else prompt_id)
    return f"{model} {ref}"

