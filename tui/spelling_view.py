"""The editor's spell checker: the engine's :class:`~engine.spelling.Speller`, built and used
only in the screen's ``spelling`` thread workers (one lock, so a check and an "add word" never
overlap), and whether checking is on.

Checking runs after the same pause in typing as the page count, over a snapshot of the lines
and their kinds; the result is keyed by line text, so typing never waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from engine.fountain import Element, Kind
from engine.spelling import Speller, SpellingError


class EditorSpelling:
    def __init__(self) -> None:
        self.enabled = True
        self._speller: Speller | None = None
        self._lock = threading.Lock()
        self.problem: str | None = None  # why there is no checking (told once)
        self.told = False

    def _ready(self) -> Speller | None:
        if self._speller is None and self.problem is None:
            try:
                self._speller = Speller()
            except SpellingError as exc:
                self.problem = str(exc)
            else:
                self.problem = self._speller.problem
        return self._speller

    def check(self, lines: Sequence[str], kinds: Sequence[Kind | None], elements: Sequence[Element]
              ) -> dict[str, list[tuple[int, int]]]:
        """In a worker: the misspellings of the snapshot."""
        with self._lock:
            speller = self._ready()
            if speller is None:
                return {}
            speller.learn(elements)
            return speller.check(lines, kinds)

    def suggestions(self, word: str) -> list[str]:
        with self._lock:
            speller = self._ready()
            return speller.suggestions(word) if speller is not None else []

    def add(self, word: str) -> None:
        """In a worker: ``SpellingError`` when the word list cannot be written."""
        with self._lock:
            speller = self._ready()
            if speller is not None:
                speller.add_word(word)

    def ignore(self, word: str) -> None:
        with self._lock:
            speller = self._ready()
            if speller is not None:
                speller.ignore(word)
