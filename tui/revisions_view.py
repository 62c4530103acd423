"""The editor's revision marks: revision mode, the current revision colour, and the marked
lines, which follow every edit (a listener of the document, like the AI-text tracker).

In revision mode each line an edit touches is marked with the current revision. The record
beside the script is written when the script is saved (removed when no mark is left and the
mode is off), so it always describes the file on disk.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets.text_area import Location

from engine.revisions import RevisionError, Revisions, next_colour


class EditorRevisions:
    def __init__(self, script_path: Path) -> None:
        self.path = script_path
        self.record: Revisions | None = None
        self.mode = False
        self._on_disk = False

    def load(self, text: str) -> str | None:
        """Read the record beside the script; a sentence for the writer, if there is one."""
        try:
            self.record = Revisions.load(self.path, text)
        except RevisionError as exc:
            return f"{exc}. The marks are not shown; the file is left as it is until you save."
        self._on_disk = self.record is not None
        if self.record is not None and self.record.dropped:
            return (f"{self.record.dropped} revision mark{'s' * (self.record.dropped != 1)} could not be placed: "
                    "those lines were changed outside Scenewright.")
        return None

    def listener(self, start: Location, end: Location, text: str) -> None:
        record = self.record
        if record is None:
            return
        record.edited(start[0], end[0], text.count("\n") + 1, self.mode)

    def is_revised(self, row: int) -> bool:
        return self.record is not None and row in self.record.marks

    @property
    def label(self) -> str | None:
        return f"Rev {self.record.current}" if self.mode and self.record is not None else None

    def toggle(self) -> bool:
        self.mode = not self.mode
        if self.mode and self.record is None:
            self.record = Revisions()
        return self.mode

    def next_colour(self) -> str:
        if self.record is None:
            self.record = Revisions()
        self.record.current = next_colour(self.record.current)
        self.record.date = date.today().isoformat()
        return self.record.current

    def clear(self) -> int:
        count = len(self.record.marks) if self.record else 0
        if self.record is not None:
            self.record.marks = {}
        return count

    def jump(self, row: int, step: int) -> int | None:
        """The next (``step`` 1) or previous (-1) revised line from ``row``, going round."""
        if self.record is None or not self.record.marks:
            return None
        rows = sorted(self.record.marks)
        after = [r for r in rows if (r > row if step > 0 else r < row)]
        if after:
            return after[0] if step > 0 else after[-1]
        return rows[0] if step > 0 else rows[-1]

    def save_record(self, text: str) -> None:
        """In the save worker, after the script was saved: ``RevisionError`` when it cannot."""
        record = self.record
        if record is not None and (record.marks or self.mode):
            record.save(self.path, text)
            self._on_disk = True
        elif self._on_disk:
            Revisions.remove(self.path)
            self._on_disk = False
