"""Line-level Fountain syntax (fountain.io/syntax, Fountain 1.1): the tests one line must pass
to be a scene heading, a character cue, a transition and so on.

These functions look at one stripped line and nothing else; which of them applies depends on
the line's neighbours, which is ``blocks.py``'s business.
"""

from __future__ import annotations

import re

SCENE_HEADING = re.compile(r"(?:INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)[. ]", re.IGNORECASE)
SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9][A-Za-z0-9.\-]*)#\s*$")
TITLE_KEY = re.compile(r"([A-Za-z][A-Za-z0-9 _\-]{0,39}):(.*)$")
SECTION_MAX = 6

# Notes and boneyard: text in the script that never prints. The one copy of their marks and
# patterns; the classifier finds them with the marks, printing and checking drop them with these.
NOTE_OPEN, NOTE_CLOSE = "[[", "]]"
BONEYARD_OPEN, BONEYARD_CLOSE = "/*", "*/"
NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
HIDDEN = re.compile(f"{NOTE.pattern}|{BONEYARD.pattern}", re.DOTALL)  # either, leftmost first
# Emphasis marks as printing removes them (``*``, ``**``, ``***``, ``_`` not after a backslash),
# and a backslash escape of a mark.
EMPHASIS_MARK = re.compile(r"(?<!\\)(\*{1,3}|_)")
ESCAPED_MARK = re.compile(r"\\([*_\\])")


def is_blank(line: str) -> bool:
    """A line that separates paragraphs. Two or more spaces alone are *not* blank: that is
    Fountain's way to keep an empty line inside dialogue (or action)."""
    return not line or (line.isspace() and not line.startswith("  "))


def is_page_break(s: str) -> bool:
    return len(s) >= 3 and s.count("=") == len(s)


def is_scene_heading(s: str) -> bool:
    return SCENE_HEADING.match(s) is not None


def is_forced_scene_heading(s: str) -> bool:
    return len(s) > 1 and s[0] == "." and s[1] != "." and not s[1].isspace()


def is_transition(s: str) -> bool:
    return s.endswith("TO:") and s == s.upper()


def is_centered(s: str) -> bool:
    return len(s) >= 2 and s[0] == ">" and s[-1] == "<"


def split_scene_number(text: str) -> tuple[str, str | None, int]:
    """``("INT. HOUSE - DAY", "1A", start_col_of_#)`` from ``"INT. HOUSE - DAY #1A#"``."""
    if "#" in text:
        found = SCENE_NUMBER.search(text)
        if found:
            return text[: found.start()].rstrip(), found.group(1), found.start()
    return text, None, -1


def character_parts(s: str, forced: bool) -> tuple[str, str | None, bool] | None:
    """``(name, extension, dual)`` if ``s`` can be a character cue, else None.

    A cue is all capitals with at least one letter (any script with case: JOSÉ, ZOË),
    optionally followed by parenthesised extensions in either case (``(V.O.)``, ``(cont'd)``)
    and a ``^`` for dual dialogue. ``@`` forces a cue and keeps its case.
    """
    dual = False
    if s.endswith("^"):
        dual = True
        s = s[:-1].rstrip()
    if forced:
        s = s[1:].lstrip()
    paren = s.find("(")
    if paren >= 0:
        name, extension = s[:paren].rstrip(), s[paren:].strip()
        if not extension.endswith(")"):
            return None
    else:
        name, extension = s, None
    if not name:
        return None
    if not forced:
        if name != name.upper() or not any(c.isupper() for c in name):
            return None
        if "^" in name:
            return None
    return name, extension or None, dual
