"""Revision marks: which lines changed in which revision, kept beside the script.

Industry practice: once a script is out, each round of changes gets the next colour (white,
blue, pink, yellow, green, goldenrod, buff, salmon, cherry, then "double" colours), every
changed line gets an asterisk in the right margin, and each page says which revision it is.

The record is ``x.fountain.revisions.json``: the current revision's name and date, and each
marked line with its text and revision. On opening, a mark goes back to its line when the text
there is still the same, else to the nearest line with that text; a mark whose text is gone
is dropped (and counted, so the editor can say so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .atomicfile import write_atomic

__all__ = ["COLOURS", "RevisionError", "Revisions", "next_colour", "revisions_path"]

COLOURS = ("White", "Blue", "Pink", "Yellow", "Green", "Goldenrod", "Buff", "Salmon", "Cherry",
           "Double White", "Double Blue", "Double Pink", "Double Yellow", "Double Green", "Double Goldenrod")
SUFFIX = ".revisions.json"


class RevisionError(Exception):
    """The record cannot be read or written; the message names the file and the cause."""


def revisions_path(script_path: str | Path) -> Path:
    p = Path(script_path)
    return p.with_name(p.name + SUFFIX)


def next_colour(name: str) -> str:
    """The revision after ``name`` in the industry order (after the last: the first again)."""
    try:
        return COLOURS[(COLOURS.index(name) + 1) % len(COLOURS)]
    except ValueError:
        return COLOURS[1]


@dataclass(slots=True)
class Revisions:
    current: str = "Blue"  # the revision new changes are marked with
    date: str = field(default_factory=lambda: date.today().isoformat())
    marks: dict[int, str] = field(default_factory=dict)  # 0-based line -> revision name
    dropped: int = 0  # marks not found again on opening

    @property
    def lines(self) -> frozenset[int]:
        return frozenset(self.marks)

    @property
    def header(self) -> str:
        """What the PDF prints at the top of each page."""
        return f"{self.current} Revision {self.date}".strip()

    # ------------------------------------------------------------------ beside the script
    @classmethod
    def load(cls, script_path: str | Path, text: str) -> "Revisions | None":
        path = revisions_path(script_path)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise RevisionError(f"{path}: cannot read the revision marks: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RevisionError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from exc
        if not isinstance(data, dict) or not isinstance(data.get("lines", []), list):
            raise RevisionError(f'{path}: expected an object with "current", "date" and a "lines" list')
        current, when = data.get("current", "Blue"), data.get("date", "")
        if not isinstance(current, str) or not isinstance(when, str):
            raise RevisionError(f'{path}: "current" and "date" must be strings')
        lines = text.split("\n")
        by_text: dict[str, list[int]] = {}
        for n, line in enumerate(lines):
            by_text.setdefault(line, []).append(n)
        marks: dict[int, str] = {}
        dropped = 0
        for i, item in enumerate(data.get("lines", [])):
            if not (isinstance(item, dict) and isinstance(item.get("line"), int) and isinstance(item.get("text"), str)
                    and isinstance(item.get("revision"), str)):
                raise RevisionError(f'{path}: lines[{i}] needs "line" (a number), "text" and "revision"')
            n, wanted = item["line"], item["text"]
            if 0 <= n < len(lines) and lines[n] == wanted and n not in marks:
                marks[n] = item["revision"]
                continue
            free = [m for m in by_text.get(wanted, []) if m not in marks]
            if free:
                marks[min(free, key=lambda m: abs(m - n))] = item["revision"]
            else:
                dropped += 1
        return cls(current, when, marks, dropped)

    def save(self, script_path: str | Path, text: str) -> Path:
        path = revisions_path(script_path)
        lines = text.split("\n")
        data = {"version": 1, "current": self.current, "date": self.date,
                "lines": [{"line": n, "text": lines[n], "revision": r} for n, r in sorted(self.marks.items())
                          if n < len(lines)]}
        try:
            write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        except OSError as exc:
            raise RevisionError(f"{path}: cannot write the revision marks: {exc.strerror or exc}") from exc
        return path

    @staticmethod
    def remove(script_path: str | Path) -> None:
        try:
            revisions_path(script_path).unlink(missing_ok=True)
        except OSError as exc:
            raise RevisionError(f"{revisions_path(script_path)}: cannot remove: {exc.strerror or exc}") from exc

    # ------------------------------------------------------------------ following edits
    def edited(self, start_row: int, end_row: int, new_rows: int, mark: bool) -> None:
        """Rows ``start_row..end_row`` were replaced by ``new_rows`` rows: shift the marks below,
        and (``mark``) mark the new rows with the current revision."""
        delta = new_rows - (end_row - start_row + 1)
        kept: dict[int, str] = {}
        for n, r in self.marks.items():
            if n < start_row:
                kept[n] = r
            elif n > end_row:
                kept[n + delta] = r
            elif n < start_row + new_rows and not mark:
                kept[n] = r  # an edit inside a marked line keeps its mark
        if mark:
            for n in range(start_row, start_row + new_rows):
                kept[n] = self.current
        self.marks = kept
