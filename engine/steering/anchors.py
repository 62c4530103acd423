"""Anchors: short notes the model must respect, and which of them go into the next prompt.

An anchor has a kind (character, beat, world, style), a scope (the whole script, a section or
act by its title, or one scene by number or heading), optional trigger keys, a priority and an
on/off switch. As in KoboldAI's World Info and NovelAI's Lorebook, an anchor with keys enters
the prompt only when one of its keys appears in the recent script text before the cursor (whole
words, any case); an anchor without keys is *constant*.

``select_anchors`` decides, for a cursor, which anchors apply and which of those fit the token
budget: constant anchors first, then higher priority, then the order of definition; the first
one that does not fit ends the list (it and the rest are reported as dropped).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from engine.fountain import Element

from .structure import ScriptMap

KINDS = ("character", "beat", "world", "style")
SCOPE_KINDS = ("script", "section", "scene")
DEFAULT_SCAN_CHARS = 2000
DEFAULT_ANCHOR_BUDGET = 400
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

CountTokens = Callable[[str], int]


class AnchorError(ValueError):
    """An invalid anchor field; ``field`` names it."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


@dataclass(frozen=True)
class Scope:
    """``script``, ``section:TITLE`` or ``scene:NUMBER-OR-HEADING``."""

    kind: str = "script"
    ref: str = ""

    @classmethod
    def parse(cls, text: str) -> "Scope":
        raw = text.strip()
        if not raw or raw.lower() in ("script", "whole", "all"):
            return cls("script")
        kind, sep, ref = raw.partition(":")
        kind = kind.strip().lower()
        if not sep:
            if raw.isdigit():
                return cls("scene", raw)
            raise AnchorError(
                "scope", f"{text!r}: write script, section:TITLE (or act:TITLE) or scene:NUMBER-OR-HEADING"
            )
        if kind == "act":
            kind = "section"
        if kind not in ("section", "scene"):
            raise AnchorError("scope", f"{text!r}: the scope kind must be script, section (act) or scene")
        ref = ref.strip()
        if not ref:
            raise AnchorError("scope", f"{text!r}: name the {kind} after the colon")
        return cls(kind, ref)

    def __str__(self) -> str:
        return "script" if self.kind == "script" else f"{self.kind}:{self.ref}"


@dataclass(frozen=True)
class Anchor:
    id: str
    kind: str
    text: str
    scope: Scope = Scope()
    keys: tuple[str, ...] = ()
    priority: int = 0
    enabled: bool = True

    @property
    def constant(self) -> bool:
        return not self.keys

    def line(self) -> str:
        """How the anchor reads in a prompt."""
        return f"- {self.kind.capitalize()}: {' '.join(self.text.split())}"

    def to_dict(self) -> dict:
        data: dict = {"id": self.id, "kind": self.kind, "text": self.text, "scope": str(self.scope)}
        if self.keys:
            data["keys"] = list(self.keys)
        data["priority"] = self.priority
        data["enabled"] = self.enabled
        return data


ANCHOR_FIELDS = ("id", "kind", "text", "scope", "keys", "priority", "enabled")


def anchor_from_dict(data: dict) -> Anchor:
    """A validated anchor; ``AnchorError`` names the field at fault."""
    for key in data:
        if key not in ANCHOR_FIELDS:
            raise AnchorError(key, f"unknown key (anchor keys: {', '.join(ANCHOR_FIELDS)})")
    for key in ("id", "kind", "text"):
        if key not in data:
            raise AnchorError(key, "missing (every anchor needs id, kind and text)")
    aid = data["id"]
    if not isinstance(aid, str) or not _ID.match(aid):
        raise AnchorError("id", "must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit)")
    kind = data["kind"]
    if kind not in KINDS:
        raise AnchorError("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
    text = data["text"]
    if not isinstance(text, str) or not text.strip():
        raise AnchorError("text", "must be a non-empty string")
    scope_raw = data.get("scope", "script")
    if not isinstance(scope_raw, str):
        raise AnchorError("scope", "must be a string: script, section:TITLE or scene:NUMBER-OR-HEADING")
    scope = Scope.parse(scope_raw)
    keys_raw = data.get("keys", [])
    if isinstance(keys_raw, str):
        keys_raw = [keys_raw]
    if not isinstance(keys_raw, list) or not all(isinstance(k, str) and k.strip() for k in keys_raw):
        raise AnchorError("keys", "must be a list of non-empty strings")
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise AnchorError("priority", "must be an integer")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise AnchorError("enabled", "must be true or false")
    keys = tuple(dict.fromkeys(k.strip() for k in keys_raw))
    return Anchor(aid, kind, text.strip(), scope, keys, priority, enabled)


def new_anchor_id(kind: str, text: str, taken: Iterable[str]) -> str:
    """A readable unused id: ``beat-emmas-breakthrough``, ``beat-emmas-breakthrough-2``..."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", plain.lower().replace("'", ""))
    stem = "-".join([kind, *words[:4]])[:48].strip("-") or kind
    taken = set(taken)
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    return candidate


# ---------------------------------------------------------------- selection
@dataclass(frozen=True)
class Choice:
    """An anchor that applies at the cursor, and why."""

    anchor: Anchor
    scope_reason: str  # "whole script", "section ACT ONE", "scene 3 (INT. ...)"
    matched_key: str | None  # the trigger key found in the recent text; None for constant anchors
    tokens: int = 0  # tokens its prompt line adds (0 when dropped before counting)

    @property
    def reason(self) -> str:
        if self.matched_key is None:
            return f"{self.scope_reason}; constant"
        return f"{self.scope_reason}; key {self.matched_key!r} in the recent text"


@dataclass(frozen=True)
class Selection:
    chosen: tuple[Choice, ...]  # in prompt order
    dropped: tuple[Choice, ...]  # apply here but did not fit the budget
    inactive: tuple[tuple[Anchor, str], ...]  # off, out of scope, or no key in the recent text
    budget: int
    tokens: int  # tokens of ``text``
    text: str  # the anchors block for the prompt ("" when none)

    @property
    def ids(self) -> list[str]:
        return [c.anchor.id for c in self.chosen]

    def reason_for(self, anchor_id: str) -> str | None:
        """Why the anchor is used, dropped or left out at this cursor (for the anchors panel)."""
        for c in self.chosen:
            if c.anchor.id == anchor_id:
                return c.reason
        for c in self.dropped:
            if c.anchor.id == anchor_id:
                return f"{c.reason}; dropped: over the budget of {self.budget} tokens"
        for anchor, why in self.inactive:
            if anchor.id == anchor_id:
                return why
        return None


EMPTY_SELECTION = Selection((), (), (), 0, 0, "")


def anchors_block(anchors: Sequence[Anchor]) -> str:
    return "\n".join(a.line() for a in anchors)


def recent_text(lines: Sequence[str], cursor_row: int, scan_chars: int = DEFAULT_SCAN_CHARS) -> str:
    """The last ``scan_chars`` characters up to the end of the cursor's line, from a word start."""
    row = max(0, min(cursor_row, len(lines) - 1)) if lines else 0
    text = "\n".join(lines[: row + 1])
    if len(text) > scan_chars:
        cut = len(text) - scan_chars
        while cut < len(text) and not text[cut - 1].isspace():
            cut += 1  # do not start inside a word
        text = text[cut:]
    return text


def find_key(keys: Sequence[str], text: str) -> str | None:
    """The first key that appears in ``text`` as whole words, ignoring case."""
    for key in keys:
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in key.split()) + r"(?!\w)"
        if re.search(pattern, text, re.IGNORECASE):
            return key
    return None


def missing_scope(anchor: Anchor, smap: ScriptMap) -> str | None:
    """Why the anchor's scope names nothing in the script (a sentence), or None when it does."""
    scope = anchor.scope
    if scope.kind == "section" and not smap.find_sections(scope.ref):
        return f"no section titled {scope.ref!r} in the script"
    if scope.kind == "scene" and not smap.find_scenes(scope.ref):
        return f"no scene {scope.ref!r} in the script"
    return None


def scope_reason(anchor: Anchor, smap: ScriptMap, row: int) -> tuple[bool, str]:
    """(applies, why) for the anchor's scope at ``row``."""
    scope = anchor.scope
    if scope.kind == "script":
        return True, "whole script"
    if scope.kind == "section":
        found = smap.find_sections(scope.ref)
        if not found:
            return False, f"no section titled {scope.ref!r} in the script"
        for section in found:
            if section.contains(row):
                return True, f"section {section.title}"
        return False, f"the cursor is outside section {found[0].title}"
    found_scenes = smap.find_scenes(scope.ref)
    if not found_scenes:
        return False, f"no scene {scope.ref!r} in the script"
    for scene in found_scenes:
        if scene.contains(row):
            return True, scene.label
    return False, f"the cursor is outside {found_scenes[0].label}"


def select_anchors(
    anchors: Sequence[Anchor],
    script_text: str,
    cursor_row: int,
    budget_tokens: int,
    count_tokens: CountTokens,
    *,
    scan_chars: int = DEFAULT_SCAN_CHARS,
    elements: Sequence[Element] | None = None,
    script_map: ScriptMap | None = None,
) -> Selection:
    """The anchors for a request at ``cursor_row`` (0-based), within ``budget_tokens``.

    ``count_tokens`` is the model's tokenizer (``len(tokenize(text))``, without BOS). Pass the
    editor's parsed ``elements`` (or a ``script_map``) to skip re-parsing the script.
    """
    smap = script_map or ScriptMap.build(script_text, elements)
    recent = recent_text(smap.lines, cursor_row, scan_chars)
    applying: list[tuple[int, Choice]] = []
    inactive: list[tuple[Anchor, str]] = []
    for index, anchor in enumerate(anchors):
        if not anchor.enabled:
            inactive.append((anchor, "switched off"))
            continue
        applies, why = scope_reason(anchor, smap, cursor_row)
        if not applies:
            inactive.append((anchor, why))
            continue
        key = None
        if anchor.keys:
            key = find_key(anchor.keys, recent)
            if key is None:
                inactive.append((anchor, f"{why}; none of its keys ({', '.join(anchor.keys)}) in the recent text"))
                continue
        applying.append((index, Choice(anchor, why, key)))
    applying.sort(key=lambda item: (not item[1].anchor.constant, -item[1].anchor.priority, item[0]))

    chosen: list[Choice] = []
    dropped: list[Choice] = []
    text, used = "", 0
    for _, choice in applying:
        if dropped:
            dropped.append(choice)
            continue
        candidate = anchors_block([c.anchor for c in chosen] + [choice.anchor])
        tokens = count_tokens(candidate)
        if tokens > budget_tokens:
            dropped.append(choice)
            continue
        chosen.append(Choice(choice.anchor, choice.scope_reason, choice.matched_key, tokens - used))
        text, used = candidate, tokens
    return Selection(tuple(chosen), tuple(dropped), tuple(inactive), budget_tokens, used, text)


__all__ = [
    "ANCHOR_FIELDS",
    "Anchor",
    "AnchorError",
    "Choice",
    "DEFAULT_ANCHOR_BUDGET",
    "DEFAULT_SCAN_CHARS",
    "EMPTY_SELECTION",
    "KINDS",
    "Scope",
    "Selection",
    "anchor_from_dict",
    "anchors_block",
    "find_key",
    "new_anchor_id",
    "recent_text",
    "scope_reason",
    "select_anchors",
]
