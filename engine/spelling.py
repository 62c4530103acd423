"""Offline spell checking of a script's action and dialogue.

The dictionary is pyspellchecker's (word frequencies built from OpenSubtitles and Wiktionary,
shipped inside the wheel: no download, no system Hunspell). On top of it:

- the script's own words: character names (from the cues) and the words of scene headings
  and the title page, so ``MARISOL`` or ``ESTRELLA`` is never flagged;
- the writer's personal word list, ``config_dir()/words.txt`` (one word per line, ``#``
  comments), which "Add to word list" appends to.

Only action, dialogue, parentheticals and lyrics are checked; cues, headings, transitions,
notes (``[[...]]``) and boneyard (``/* */``) never are. Results are cached per line text, so a
re-check after an edit only looks at the lines that changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .atomicfile import write_atomic
from .fountain import Element, Kind
from .fountain.stats import character_key
from .fountain.syntax import BONEYARD_OPEN, HIDDEN, NOTE_OPEN
from .paths import config_dir

__all__ = ["CHECKED_KINDS", "SpellingError", "Speller", "word_at", "word_list_path", "words_of"]

CHECKED_KINDS = frozenset({Kind.ACTION, Kind.DIALOGUE, Kind.PARENTHETICAL, Kind.LYRICS})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_NAME_KINDS = frozenset({Kind.SCENE_HEADING, Kind.TITLE, Kind.TRANSITION, Kind.SECTION})

Span = tuple[int, int]


class SpellingError(Exception):
    """The dictionary or the word list cannot be used; the message names the file and cause."""


def word_list_path() -> Path:
    return config_dir() / "words.txt"


def words_of(line: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` of the words of a line, notes and inline boneyard left out."""
    hidden = NOTE_OPEN in line or BONEYARD_OPEN in line  # notes and one-line boneyard inside the line
    visible = HIDDEN.sub(lambda m: " " * len(m.group()), line) if hidden else line
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(visible)]


def word_at(line: str, col: int) -> tuple[int, int, str] | None:
    """The word under (or just before) column ``col``."""
    for start, end, word in words_of(line):
        if start <= col <= end:
            return start, end, word
    return None


def _key(word: str) -> str:
    return word.replace("’", "'").casefold()


class Speller:
    """A dictionary, the script's words and the writer's; build it off the UI thread (the
    English dictionary takes about 0.2 s to load)."""

    def __init__(self, language: str = "en", word_list: Path | None = None) -> None:
        try:
            from spellchecker import SpellChecker
        except ImportError as exc:  # a broken install: say which package
            raise SpellingError(f"spell checking needs the pyspellchecker package ({exc})") from exc
        try:
            self._checker = SpellChecker(language=language, distance=2)
        except ValueError as exc:
            raise SpellingError(f"no dictionary for language {language!r} in pyspellchecker ({exc})") from exc
        self.language = language
        self.word_list = word_list_path() if word_list is None else word_list
        self.personal: set[str] = set()
        self.script_words: set[str] = set()
        self.ignored: set[str] = set()  # "ignore" in this session
        self._cache: dict[str, list[Span]] = {}
        self.problem = self._read_word_list()

    # ------------------------------------------------------------------ the writer's words
    def _read_word_list(self) -> str | None:
        try:
            text = self.word_list.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            return f"{self.word_list}: cannot read the word list ({getattr(exc, 'strerror', None) or exc})"
        for line in text.splitlines():
            word = line.split("#", 1)[0].strip()
            if word:
                self.personal.add(_key(word))
        return None

    def add_word(self, word: str) -> None:
        """Add ``word`` to the personal word list (the file is rewritten atomically)."""
        key = _key(word)
        if key in self.personal:
            return
        try:
            old = self.word_list.read_text(encoding="utf-8")
        except FileNotFoundError:
            old = "# Scenewright's personal word list: one word per line\n"
        except (OSError, UnicodeDecodeError) as exc:
            raise SpellingError(f"{self.word_list}: cannot read the word list ({getattr(exc, 'strerror', None) or exc})") from exc
        if old and not old.endswith("\n"):
            old += "\n"
        try:
            self.word_list.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.word_list, old + word + "\n")
        except OSError as exc:
            raise SpellingError(f"{self.word_list}: cannot write the word list ({exc.strerror or exc})") from exc
        self.personal.add(key)
        self._forget(key)

    def ignore(self, word: str) -> None:
        key = _key(word)
        self.ignored.add(key)
        self._forget(key)

    def _forget(self, key: str) -> None:
        self._cache = {line: spans for line, spans in self._cache.items() if key not in _key(line)}

    # ------------------------------------------------------------------ the script's words
    def learn(self, elements: Iterable[Element]) -> bool:
        """Take the names of the script (cues, headings, title page); whether they changed."""
        words: set[str] = set()
        for e in elements:
            if e.kind is Kind.CHARACTER:
                words.update(_key(w) for _, _, w in words_of(character_key(e)))
            elif e.kind in _NAME_KINDS:
                words.update(_key(w) for _, _, w in words_of(e.text))
        if words == self.script_words:
            return False
        self.script_words = words
        self._cache.clear()
        return True

    # ------------------------------------------------------------------ checking
    def known(self, word: str) -> bool:
        key = _key(word)
        if key in self.personal or key in self.script_words or key in self.ignored:
            return True
        if len(key) == 1:
            return True
        if key.endswith("'s") and len(key) > 3:  # a possessive: Bennett's, men's
            return self.known(key[:-2])
        return not self._checker.unknown([key])

    def check_line(self, line: str) -> list[Span]:
        """Column spans of the misspelled words of one (checked) line."""
        spans = self._cache.get(line)
        if spans is None:
            spans = [(s, e) for s, e, w in words_of(line) if not self.known(w)]
            self._cache[line] = spans
        return spans

    def check(self, lines: Sequence[str], kinds: Sequence[Kind | None]) -> dict[str, list[Span]]:
        """``{line text: spans}`` for the checked lines that have misspellings."""
        found: dict[str, list[Span]] = {}
        for line, kind in zip(lines, kinds):
            if kind in CHECKED_KINDS and line and line not in found:
                spans = self.check_line(line)
                if spans:
                    found[line] = spans
        return found

    def suggestions(self, word: str, limit: int = 6) -> list[str]:
        """Likely corrections, most frequent first, in the word's case (``Teh`` -> ``The``)."""
        key = _key(word)
        candidates = self._checker.candidates(key) or set()
        ranked = sorted((c for c in candidates if c != key), key=lambda c: -self._checker.word_usage_frequency(c))
        return [_same_case(word, c) for c in ranked[:limit]]


def _same_case(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
