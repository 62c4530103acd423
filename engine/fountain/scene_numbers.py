"""Locked scene numbers: number the scenes once, then keep every number where it is.

The numbers live in the script, as Fountain writes them (``INT. HOUSE - DAY #12#``), so the
outline, the PDF and the FDX read them from there. Locking adds a record beside the script
(``x.fountain.scenes.json``) with every number handed out. While it exists:

- a scene written between 12 and 13 gets ``12A`` (then ``12B``...); one before scene 1, ``A1``;
- a scene deleted from the script comes back as a placeholder heading ``.OMITTED #12#`` in its
  place, so that the numbers after it stay put (the industry's "12  OMITTED  12");
- a scene pasted twice keeps its number once; the copy gets a letter.

:func:`plan` says what to change (edits of single lines and insertions, for an editor to
apply as one undo step); :func:`apply` does it to a text. Unlocking (:func:`plan_unlock`)
takes the numbers and the placeholders out again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from ..atomicfile import write_atomic
from .elements import Element, Kind
from .syntax import SCENE_NUMBER

__all__ = [
    "LOCK_SUFFIX", "OMITTED", "LineChange", "SceneLock", "SceneLockError", "apply", "lock_path",
    "number_between", "number_key", "plan", "plan_unlock",
]

LOCK_SUFFIX = ".scenes.json"
OMITTED = "OMITTED"
_NUMBER = re.compile(r"^([A-Z]*)(\d+)([A-Z]*)$")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class SceneLockError(Exception):
    """The lock record cannot be read or written; the message names the file and the cause."""


@dataclass(frozen=True, slots=True)
class LineChange:
    """One change to the script's lines, as they are before any change is made.

    ``kind`` is ``"replace"`` (line ``line`` becomes ``lines[0]``), ``"insert"`` (``lines``
    go in before line ``line``, which may be the line count: after the last line) or
    ``"delete"`` (line ``line`` goes)."""

    line: int
    kind: str
    lines: tuple[str, ...] = ()


@dataclass(slots=True)
class SceneLock:
    """The numbers handed out since the script was locked, in script order."""

    numbers: list[str]
    locked_at: str

    @classmethod
    def new(cls, numbers: Sequence[str]) -> "SceneLock":
        return cls(list(numbers), datetime.now(timezone.utc).isoformat(timespec="seconds"))

    # ------------------------------------------------------------------ beside the script
    @staticmethod
    def load(script_path: str | Path) -> "SceneLock | None":
        """The lock of ``script_path``, None when it is not locked."""
        path = lock_path(script_path)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SceneLockError(f"{path}: cannot read the scene-number lock: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SceneLockError(f"{path}:{exc.lineno}: not JSON ({exc.msg}); "
                                 "delete the file to unlock the scene numbers") from exc
        numbers = data.get("numbers") if isinstance(data, dict) else None
        if not isinstance(numbers, list) or not all(isinstance(n, str) and _NUMBER.match(n) for n in numbers):
            raise SceneLockError(f'{path}: "numbers" must be a list of scene numbers such as "12" or "12A"')
        return SceneLock(numbers, str(data.get("locked_at", "")))

    def save(self, script_path: str | Path) -> Path:
        path = lock_path(script_path)
        data = {"version": 1, "locked_at": self.locked_at, "numbers": self.numbers}
        try:
            write_atomic(path, json.dumps(data, indent=1) + "\n")
        except OSError as exc:
            raise SceneLockError(f"{path}: cannot write the scene-number lock: {exc.strerror or exc}") from exc
        return path

    @staticmethod
    def remove(script_path: str | Path) -> None:
        path = lock_path(script_path)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise SceneLockError(f"{path}: cannot remove the scene-number lock: {exc.strerror or exc}") from exc


def lock_path(script_path: str | Path) -> Path:
    """``x.fountain`` -> ``x.fountain.scenes.json`` in the same folder."""
    p = Path(script_path)
    return p.with_name(p.name + LOCK_SUFFIX)


# ---------------------------------------------------------------------------------- numbers
def number_key(number: str) -> tuple:
    """Script order of scene numbers: ``A1 < 1 < 1A < 1B < 2``. Numbers of another shape
    (a writer's own ``1.2``) sort after those of the same leading digits."""
    found = _NUMBER.match(number.upper())
    if not found:
        digits = re.match(r"\d+", number)
        return (int(digits.group()) if digits else 0, 2, "", number)
    prefix, digits, suffix = found.groups()
    return (int(digits), 0 if prefix else 1, prefix, suffix)


def number_between(before: str | None, after: str | None, taken: set[str]) -> str:
    """A number for a scene written between scene ``before`` and scene ``after`` (None: the
    script's start or end), not in ``taken``: ``12`` / ``13`` -> ``12A``; ``12A`` -> ``12B``;
    before ``1`` -> ``A1``. Where no letter fits the order (between ``12`` and ``12A``) it
    takes the first free one."""
    if before is None:
        base = after or "1"
        found = _NUMBER.match(base)
        digits = found.group(2) if found else base
        candidates = [f"{letter}{digits}" for letter in _LETTERS]
    else:
        found = _NUMBER.match(before)
        if found and found.group(1) and not found.group(3):  # before scene 1: A1 -> B1, C1...
            prefix, digits = found.group(1), found.group(2)
            candidates = [prefix[:-1] + letter + digits for letter in _LETTERS[_LETTERS.index(prefix[-1]) + 1:]]
            candidates += [before + letter for letter in _LETTERS]
        elif found and found.group(3):  # 12A -> 12B, 12C... then 12AA
            stem, last = before[:-1], found.group(3)[-1]
            candidates = [stem + letter for letter in _LETTERS[_LETTERS.index(last) + 1:]]
            candidates += [before + letter for letter in _LETTERS]
        else:
            candidates = [before + letter for letter in _LETTERS]
    limit = number_key(after) if after is not None else None
    free = [c for c in candidates if c not in taken]
    for candidate in free:
        if limit is None or number_key(candidate) < limit:
            return candidate
    if free:
        return free[0]
    n = 2
    while f"{before or 'A'}{n}" in taken:
        n += 1
    return f"{before or 'A'}{n}"


# ---------------------------------------------------------------------------------- planning
def _headings(elements: Sequence[Element]) -> list[Element]:
    return [e for e in elements if e.kind is Kind.SCENE_HEADING]


def _with_number(line: str, number: str) -> str:
    """``line`` (a heading's line) with its scene number set to ``number``."""
    body = line.rstrip()
    found = SCENE_NUMBER.search(body)
    if found:
        body = body[: found.start()].rstrip()
    return f"{body} #{number}#"


def plan(lines: Sequence[str], elements: Sequence[Element], lock: SceneLock | None
         ) -> tuple[list[LineChange], list[str]]:
    """What to change so that every scene has a locked number, and the numbers to record.

    Without a lock (locking now): a script with no numbers gets 1..N; one where the writer
    numbered some scenes keeps those and fills the others in between. With a lock: scenes
    without a number get a letter number, numbers in the lock that the script lost come back
    as ``.OMITTED #n#`` headings where they were.
    """
    heads = _headings(elements)
    changes: list[LineChange] = []
    if lock is None and not any(h.scene_number for h in heads):
        numbers = [str(n) for n in range(1, len(heads) + 1)]
        changes = [LineChange(h.line, "replace", (_with_number(lines[h.line], num),)) for h, num in zip(heads, numbers)]
        return changes, numbers

    # the number each heading keeps: its own, unless an earlier heading already has it
    kept: list[str | None] = []
    seen: set[str] = set()
    for h in heads:
        number = h.scene_number.upper() if h.scene_number else None
        if number is not None and number in seen:
            number = None
        kept.append(number)
        if number is not None:
            seen.add(number)

    # placeholders for the numbers the script lost, before the first kept number after them
    inserts: dict[int, list[str]] = {}  # heading index (len(heads): the end) -> lost numbers
    if lock is not None:
        order = {n: i for i, n in enumerate(lock.numbers)}
        for number in (n for n in lock.numbers if n not in seen):
            after = next((i for i, n in enumerate(kept) if n is not None and order.get(n, -1) > order[number]),
                         len(heads))
            inserts.setdefault(after, []).append(number)
            seen.add(number)

    # every number in script order, placeholders included; a heading without one gets a letter
    slots: list[tuple[str | None, int | None]] = []  # (number, heading index or None)
    for i in range(len(heads) + 1):
        slots += [(n, None) for n in inserts.get(i, [])]
        if i < len(heads):
            slots.append((kept[i], i))
    taken = set(seen)
    final: list[str] = []
    for s, (number, h_index) in enumerate(slots):
        if number is None:
            before = final[-1] if final else None
            after = next((n for n, _ in slots[s + 1:] if n is not None), None)
            number = number_between(before, after, taken)
            taken.add(number)
        final.append(number)
        if h_index is not None and heads[h_index].scene_number != number:
            h = heads[h_index]
            changes.append(LineChange(h.line, "replace", (_with_number(lines[h.line], number),)))

    for i, numbers in inserts.items():
        placeholders = [f".{OMITTED} #{n}#" for n in numbers]
        if i < len(heads):  # before that heading, each followed by its blank line
            new = [x for p in placeholders for x in (p, "")]
            changes.append(LineChange(heads[i].line, "insert", tuple(new)))
        else:  # after the last line, each after a blank line; a final newline stays last
            new = [x for p in placeholders for x in ("", p)]
            at = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
            changes.append(LineChange(at, "insert", tuple(new)))
    changes.sort(key=lambda c: c.line)
    return changes, final


def plan_unlock(lines: Sequence[str], elements: Sequence[Element]) -> list[LineChange]:
    """Take every scene number out, and the ``OMITTED`` placeholders with the blank line after."""
    changes: list[LineChange] = []
    for h in _headings(elements):
        if h.text.strip().upper() == OMITTED and lines[h.line].lstrip().startswith("."):
            changes.append(LineChange(h.line, "delete"))
            if h.line + 1 < len(lines) and not lines[h.line + 1].strip():
                changes.append(LineChange(h.line + 1, "delete"))
        elif h.scene_number:
            line = lines[h.line].rstrip()
            found = SCENE_NUMBER.search(line)
            if found:
                changes.append(LineChange(h.line, "replace", (line[: found.start()].rstrip(),)))
    return changes


def apply(text: str, changes: Sequence[LineChange]) -> str:
    """``text`` with ``changes`` made (they refer to its lines as they are now)."""
    lines = text.split("\n")
    for change in sorted(changes, key=lambda c: c.line, reverse=True):  # from the bottom: lines stay put
        if change.kind == "insert":
            lines[change.line:change.line] = change.lines
        elif change.kind == "delete":
            del lines[change.line]
        else:
            lines[change.line] = change.lines[0]
    return "\n".join(lines)
