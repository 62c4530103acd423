"""The editor's locked scene numbers: what the screen knows about the lock, and what it
writes beside the script when the script is saved.

The lock in memory is what the writer sees; the record on disk follows the script file:
it is written (or removed) only after the script itself is saved, so that a lock made and
never saved cannot describe numbers the file on disk does not have.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.fountain import Element
from engine.fountain.scene_numbers import LineChange, SceneLock, SceneLockError, plan, plan_unlock


class SceneNumbering:
    def __init__(self, script_path: Path) -> None:
        self.path = script_path
        self.lock: SceneLock | None = None
        self._on_disk = False

    def load(self) -> str | None:
        """Read the record beside the script; the problem, if it cannot be used."""
        try:
            self.lock = SceneLock.load(self.path)
        except SceneLockError as exc:
            self.lock = None
            return f"{exc} The scene numbers in the script are kept as they are, unlocked."
        self._on_disk = self.lock is not None
        return None

    @property
    def locked(self) -> bool:
        return self.lock is not None

    def lock_or_update(self, lines: Sequence[str], elements: Sequence[Element]) -> tuple[list[LineChange], bool]:
        """Changes that number the scenes; whether this locked them just now."""
        first = self.lock is None
        changes, numbers = plan(lines, elements, self.lock)
        self.lock = SceneLock(numbers, self.lock.locked_at) if self.lock else SceneLock.new(numbers)
        return changes, first

    def update(self, lines: Sequence[str], elements: Sequence[Element]) -> list[LineChange]:
        """Before a save: changes that number new scenes and keep cut ones (none when unlocked)."""
        if self.lock is None:
            return []
        return self.lock_or_update(lines, elements)[0]

    def unlock(self, lines: Sequence[str], elements: Sequence[Element]) -> list[LineChange]:
        self.lock = None
        return plan_unlock(lines, elements)

    def save_record(self) -> None:
        """After the script was saved (in the save worker): write or remove the record."""
        if self.lock is not None:
            self.lock.save(self.path)
            self._on_disk = True
        elif self._on_disk:
            SceneLock.remove(self.path)
            self._on_disk = False
