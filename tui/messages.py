"""Messages that workers of the editor screen post back to it (workers never touch widgets)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from engine.fountain import Outline
from engine.fountain.pagination import Pages


@dataclass(frozen=True)
class ScriptFacts:
    """What the stats worker computed for one version of the text."""

    generation: int
    pages: Pages
    outline: list[Outline]
    scene_lines: list[int]
    scene_numbers: list[str | None]


class StatsReady(Message):
    def __init__(self, facts: ScriptFacts) -> None:
        super().__init__()
        self.facts = facts


class SaveFinished(Message):
    """A save ended: ``error`` is None on success."""

    def __init__(self, generation: int, error: Exception | None, quit_after: bool) -> None:
        super().__init__()
        self.generation = generation
        self.error = error
        self.quit_after = quit_after


class RecoveryWritten(Message):
    def __init__(self, generation: int, error: Exception | None, changed_on_disk: bool) -> None:
        super().__init__()
        self.generation = generation
        self.error = error
        self.changed_on_disk = changed_on_disk
