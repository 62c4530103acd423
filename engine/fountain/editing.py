"""Writing help for an editor, without any UI: what Tab, Enter and autocomplete do to Fountain.

Screenwriters coming from Final Draft, Highland or Beat expect three things of the keyboard:

* **Tab** turns the current line into the next element (action -> character -> scene heading
  -> transition -> action; dialogue <-> parenthetical). In Fountain an element *is* its markup,
  so :func:`cycle_element` rewrites the line: it changes case and adds or removes a forcing mark
  (``@ . > !``) only where the plain form would be read as something else. Whether a form is
  read as intended is asked of the parser itself, not of a second set of rules here.
* **Enter** after a character cue or a parenthetical continues into dialogue; after the last
  line of dialogue, action, a scene heading or a transition it ends the paragraph with a blank
  line (:func:`newline_for`).
* **Autocomplete** of character names and scene locations already in the script, fuzzy
  (rapidfuzz) and accent-blind, prefix matches first (:func:`completion_context`,
  :func:`complete`, :func:`apply_completion`).

Every function takes plain line text (and what it needs of the neighbours) and returns text;
the editor decides where to put it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Sequence

from rapidfuzz import fuzz, process

from .elements import Kind
from .live import parse
from .syntax import SCENE_HEADING, character_parts, is_forced_scene_heading, is_scene_heading, is_transition

__all__ = [
    "CYCLE",
    "CompletionContext",
    "Newline",
    "Rewrite",
    "apply_completion",
    "separate_suggestion",
    "bare_text",
    "complete",
    "completion_context",
    "cycle_element",
    "unforced_cue",
    "looks_like_cue",
    "newline_for",
    "render_as",
    "marked_kind",
    "effective_kind",
]

CYCLE: tuple[Kind, ...] = (Kind.ACTION, Kind.CHARACTER, Kind.SCENE_HEADING, Kind.TRANSITION)
"""The order Tab walks through on a line outside dialogue."""

# Enter at the end of the last line of one of these ends the paragraph (a blank line follows).
_ENDS_PARAGRAPH = frozenset({Kind.ACTION, Kind.DIALOGUE, Kind.SCENE_HEADING, Kind.TRANSITION, Kind.SECTION})


@dataclass(frozen=True, slots=True)
class Rewrite:
    """The new text of one line, the element it now is, and where the cursor goes (column)."""

    text: str
    kind: Kind
    cursor: int


# ------------------------------------------------------------------ asking the parser
@lru_cache(maxsize=512)
def _kind_in_context(line: str, followed_by_text: bool) -> Kind | None:
    """How the parser reads ``line`` as a paragraph of its own after a blank line, followed by a
    line of text (``followed_by_text``) or by a blank line."""
    after = "\nSomething follows.\n" if followed_by_text else "\n\n"
    kinds = parse("x\n\n" + line + after).line_kinds
    return kinds[2] if len(kinds) > 2 else None


def looks_like_cue(line: str) -> bool:
    """Would ``line`` be a character cue once dialogue is typed under it (after a blank line)?

    A cue being typed is still action to the parser (a cue needs dialogue under it); the editor
    asks this to know what the writer is doing.
    """
    return bool(line.strip()) and _kind_in_context(line, True) is Kind.CHARACTER


def effective_kind(line: str, kind: Kind | None, prev_blank: bool) -> Kind | None:
    """``kind`` as the parser gave it, except for a line still being written: a cue waiting
    for its dialogue counts as a character, and a lone forcing mark (``@``, ``.``, ``>``) as
    the element it forces."""
    if kind is Kind.ACTION and prev_blank:
        marked = marked_kind(line)
        if marked is not None:
            return marked
        if looks_like_cue(line):
            return Kind.CHARACTER
    return kind


# ------------------------------------------------------------------ markup
def marked_kind(line: str) -> Kind | None:
    """The element a forcing mark at the start of ``line`` asks for (``@ . > !``), if any.

    A cue or heading being typed (``@`` or ``.`` alone) is still action to the parser; the
    mark says what the writer means.
    """
    s = line.strip()
    if not s:
        return None
    c = s[0]
    if c == "@":
        return Kind.CHARACTER
    if c == "!":
        return Kind.ACTION
    if c == ">" and not (len(s) >= 2 and s.endswith("<")):
        return Kind.TRANSITION
    if c == "." and not s.startswith(".."):
        return Kind.SCENE_HEADING
    return None


def bare_text(line: str, kind: Kind | None) -> str:
    """The words of ``line`` without the markup that makes it a ``kind``."""
    s = line.strip()
    if kind is Kind.SCENE_HEADING:
        if s.startswith(".") and not s.startswith(".."):
            return s[1:].strip()
        heading = SCENE_HEADING.match(s)
        if heading is not None and not s[heading.end():].strip(" ."):
            return ""  # only "INT. ": nothing written yet
    if kind is Kind.CHARACTER:
        if s.startswith("@"):
            s = s[1:]
        return s.rstrip("^").strip()
    if kind is Kind.TRANSITION and s.startswith(">"):
        return s[1:].strip()
    if kind is Kind.ACTION and s.startswith("!"):
        return s[1:].strip()
    if kind is Kind.PARENTHETICAL and s.startswith("(") and s.endswith(")"):
        return s[1:-1].strip()
    return s


def render_as(text: str, kind: Kind) -> str:
    """``text`` written as a ``kind``: the plain form where the parser reads it so, else forced.

    Character cues, scene headings and transitions are written in capitals, as scripts are.
    """
    if kind is Kind.ACTION:
        if not text:
            return ""
        ok = _kind_in_context(text, True) is Kind.ACTION and _kind_in_context(text, False) is Kind.ACTION
        return text if ok else "!" + text
    if kind is Kind.CHARACTER:
        up = text.upper()
        if not up:
            return "@"
        return up if _kind_in_context(up, True) is Kind.CHARACTER else "@" + up
    if kind is Kind.SCENE_HEADING:
        up = text.upper()
        if not up:
            return "INT. "
        if _kind_in_context(up, False) is Kind.SCENE_HEADING:
            return up
        return "." + up.lstrip(".")
    if kind is Kind.TRANSITION:
        up = text.upper().rstrip("<").rstrip()
        if not up:
            return ">"
        return up if _kind_in_context(up, False) is Kind.TRANSITION else "> " + up
    if kind is Kind.PARENTHETICAL:
        return f"({text})"
    if kind is Kind.DIALOGUE:
        return text
    raise ValueError(f"cannot write a line as {kind.value}")


def unforced_cue(line: str) -> str | None:
    """``line`` (a cue forced with ``@``) without the ``@`` when the parser reads the name as a
    cue anyway: an all-capitals name (``@TEO`` -> ``TEO``). None when the mark is needed
    (``@McCLANE``) or there is none. Tab on an empty line writes ``@`` before any name is
    typed; the editor asks this once the name is there."""
    s = line.strip()
    if not s.startswith("@"):
        return None
    name = s[1:].strip()
    if not name or name != name.upper() or not looks_like_cue(name):
        return None
    return name


def _cursor_for(text: str, kind: Kind) -> int:
    if kind is Kind.PARENTHETICAL:
        return len(text) - 1  # inside the brackets
    return len(text)


def cycle_element(
    line: str,
    kind: Kind | None,
    *,
    prev_blank: bool = True,
    in_dialogue: bool = False,
    origin: str | None = None,
) -> Rewrite | None:
    """What Tab makes of ``line`` (currently a ``kind``, ``None`` for an empty line).

    ``prev_blank``: the line above is blank (or there is none). ``in_dialogue``: the line sits
    in a dialogue block (under a cue, parenthetical or dialogue), where Tab toggles between
    dialogue and parenthetical. ``origin``: the line as the writer typed it before a run of
    Tab presses, so that coming back round to action restores its case.

    Returns None for lines Tab does not cycle (title page, sections, notes, ...).
    """
    if kind is None and line.strip():
        kind = Kind.ACTION
    if in_dialogue and kind in (None, Kind.DIALOGUE, Kind.PARENTHETICAL, Kind.ACTION):
        if kind is Kind.PARENTHETICAL:
            target, text = Kind.DIALOGUE, bare_text(line, Kind.PARENTHETICAL)
        else:
            target, text = Kind.PARENTHETICAL, line.strip()
        new = render_as(text, target)
        return Rewrite(new, target, _cursor_for(new, target))
    if kind in (None, Kind.ACTION):
        kind = effective_kind(line, Kind.ACTION, prev_blank) if prev_blank else (marked_kind(line) or Kind.ACTION)
    if kind not in CYCLE:
        return None
    target = CYCLE[(CYCLE.index(kind) + 1) % len(CYCLE)]
    text = bare_text(line, kind)
    if target is Kind.ACTION and origin is not None:
        original = bare_text(origin, Kind.ACTION)
        if original.upper() == text.upper():
            text = original
    new = render_as(text, target)
    return Rewrite(new, target, _cursor_for(new, target))


# ------------------------------------------------------------------ Enter
@dataclass(frozen=True, slots=True)
class Newline:
    """What Enter does: insert ``text`` at the cursor, then put the cursor ``rows`` lines
    further down, at the start of that line."""

    text: str
    rows: int


def newline_for(line: str, kind: Kind | None, column: int, *, prev_blank: bool, next_line: str | None) -> Newline:
    """What Enter does at ``column`` of ``line`` (a ``kind``).

    After a character cue (also one still being typed) or a parenthetical, dialogue follows on
    the next line. At the end of the last line of action, dialogue, a scene heading, a
    transition or a section, a blank line ends the paragraph. On an empty line right above a
    paragraph, Enter opens a new paragraph there, with a blank line before and after it.
    """
    following = next_line is not None and bool(next_line.strip())
    if not line.strip():
        if following:
            return Newline("\n", 0) if prev_blank else Newline("\n\n", 1)
        return Newline("\n", 1)
    if column < len(line.rstrip()) or following:
        return Newline("\n", 1)  # splitting a line, or inside a paragraph: a plain line break
    if effective_kind(line, kind, prev_blank) in _ENDS_PARAGRAPH:
        return Newline("\n\n", 2)
    return Newline("\n", 1)


# ------------------------------------------------------------------ autocomplete
@dataclass(frozen=True, slots=True)
class CompletionContext:
    """What is being typed at the cursor: a character name or a scene location.

    ``line[start:end]`` is the ``query`` that a chosen completion replaces.
    """

    kind: Literal["character", "location"]
    query: str
    start: int
    end: int
    forced: bool = False
    strict: bool = False
    """A name typed in lower case on an unmarked line (it may be action being written): only
    names that start with it or abbreviate it are offered, not fuzzy matches."""


def completion_context(line: str, column: int, *, prev_blank: bool) -> CompletionContext | None:
    """The completion that typing at the end of ``line`` asks for, if any.

    Only at the end of the line. A location after a scene heading's ``INT.``/``EXT.``
    (or a forced ``.``) until a `` - `` starts the time of day; a character name on a line of
    capitals (or after ``@``) after a blank line, until an extension ``(`` is opened.
    """
    if column != len(line) or not line.strip():
        return None
    heading = SCENE_HEADING.match(line)
    if heading is not None or is_forced_scene_heading(line) or line == ".":
        start = heading.end() if heading is not None else 1
        rest = line[start:]
        if heading is not None and not rest and not line[-1].isspace():
            return None  # "INT." might still become "INT./EXT."
        if " - " in rest or "#" in rest or (heading is None and not prev_blank):
            return None
        start += len(rest) - len(rest.lstrip(" ."))
        return CompletionContext("location", line[start:], start, column, forced=heading is None)
    if not prev_blank:
        return None
    forced = line.startswith("@")
    start = 1 if forced else 0
    body = line[start:]
    start += len(body) - len(body.lstrip())
    query = line[start:]
    if "(" in query or "^" in query:
        return None
    strict = False
    if not forced:
        if not any(c.isalpha() for c in query) or query.rstrip().endswith("TO:"):
            return None
        if query != query.upper():
            # a lower-case word where a cue would go (``mar`` for MARISOL): one word, two letters
            # at least; more words are action being written
            word = query.strip()
            if len(word) < 2 or len(word.split()) > 1 or query[-1].isspace():
                return None
            strict = True
    return CompletionContext("character", query, start, column, forced=forced, strict=strict)


def _fold(text: str) -> str:
    """Case- and accent-blind form: ``José`` and ``JOSE`` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _score(query: str, candidate: str, **kwargs) -> float:
    """How well ``query`` matches ``candidate``: rapidfuzz's weighted ratio, or, for a word
    being typed, the similarity to the candidate's start (``"fith"`` finds ``"FIFTH ..."``)."""
    cutoff = kwargs.get("score_cutoff") or 0
    head = candidate[: len(query) + 1]
    best = max(fuzz.WRatio(query, candidate), fuzz.ratio(query, head), fuzz.ratio(query, head[:-1]))
    return best if best >= cutoff else 0


def _abbreviates(query: str, candidate: str) -> bool:
    """``query`` (folded, 3 letters at least) is an abbreviation of ``candidate`` (folded): the
    same first letter, then the rest in order (``mrsl`` abbreviates ``marisol``)."""
    q = query.replace(" ", "")
    if len(q) < 3 or not candidate or q[0] != candidate[0]:
        return False
    rest = iter(candidate[1:])
    return all(c in rest for c in q[1:])


def complete(query: str, candidates: Sequence[str], limit: int = 6, *, fuzzy: bool = True) -> list[str]:
    """Candidates for ``query``: those starting with it first (in the given order, which for the
    engine's lists is most frequent first), then those it abbreviates (``MRSL``: MARISOL), then
    fuzzy matches by score (unless ``fuzzy`` is false). The query itself and an exact match
    are left out: there is nothing to complete."""
    q = _fold(query)
    typed = query.strip()
    pool = [c for c in dict.fromkeys(candidates) if c and c != typed]
    if not q:
        return pool[:limit]
    folded = {c: _fold(c) for c in pool}
    chosen = [c for c in pool if folded[c].startswith(q)]
    chosen += [c for c in pool if c not in chosen and _abbreviates(q, folded[c])]
    if fuzzy and len(chosen) < limit and len(q) >= 2:
        taken = set(chosen)
        rest = [c for c in pool if c not in taken]
        if rest:
            found = process.extract(q, [_fold(c) for c in rest], scorer=_score, limit=limit, score_cutoff=75)
            chosen += [rest[index] for _, _, index in found]
    return chosen[:limit]


def apply_completion(line: str, context: CompletionContext, choice: str) -> Rewrite:
    """``line`` with ``context``'s query replaced by ``choice``; a location is followed by
    `` - `` ready for the time of day, a name that is not all capitals gets the ``@`` it needs."""
    if context.kind == "location":
        head = line[: context.start].upper()  # "int. la es": INT. LA ESTRELLA ...
        if head and not head[-1].isspace() and not context.forced:
            head += " "
        new = head + choice + " - "
        return Rewrite(new + line[context.end :], Kind.SCENE_HEADING, len(new))
    head = line[: context.start]
    if not context.forced and choice != choice.upper():
        head = "@" + head
    new = head + choice
    return Rewrite(new + line[context.end :], Kind.CHARACTER, len(new))


def separate_suggestion(lines: list[str], at: tuple[int, int], text: str) -> str:
    """``text`` as it should go in at ``at``: a suggestion that opens a new element (a cue, a
    scene heading, a transition, a section, a synopsis, a page break, centered text) right under
    a line of text gets the blank line Fountain needs
    before it, so ``>THE END<`` followed by ``JOSÉ`` does not glue the cue to the line above."""
    row, col = at
    if not text or text[0] == "\n" or col != 0 or row == 0 or row >= len(lines):
        return text
    if lines[row].strip() or not lines[row - 1].strip():
        return text
    first, _, rest = text.partition("\n")
    head = first.strip()
    opens = head.startswith(("#", "=", ">")) or is_scene_heading(head) or is_forced_scene_heading(head) or (
        is_transition(head) and not rest.strip()
    ) or (bool(rest.strip()) and not rest.startswith("\n")
          and character_parts(head, forced=head.startswith("@")) is not None)
    return "\n" + text if opens else text
