"""Fountain-shaped generation: a GBNF grammar that only lets the model write well-formed Fountain.

llama.cpp checks every sampled token against the grammar (``engine.models.sampler`` does it the
cheap way: the token the sampler drew is checked first, and the whole vocabulary is filtered
only when that token is rejected), so a continuation is valid Fountain as it is generated, not
repaired afterwards. What the grammar allows:

* **blocks separated by exactly one blank line**: action paragraphs and dialogue blocks (and,
  only when the request asks for the next scene, one scene heading at the start);
* **the scene's end ends the continuation**: once the continuation holds dialogue (where
  anyone can speak), the first word of a heading (``INT``, ``EXT``, ``EST``, ``I/E`` after a
  blank line) completes the grammar, and the session stops there (``SCENE_END_STOPS``). Without
  it a model that wants to leave the scene is pushed into near-miss headings ("INTA -
  LIGHTHOUSE - CONTINUOUS - ..."); before dialogue the scene cannot end, so a continuation
  never only describes and cuts away;
* at most 24 characters of an action line (or 40 of a speech) before its first lower-case
  letter: a model that wanted a heading otherwise runs on in capitals;
* **character cues only from the cast**: the script's speaking characters and the names the
  anchors introduce, upper case, with an optional ``(V.O.)``/``(O.S.)``/``(O.C.)``/``(CONT'D)``;
  a new name only when the writer allows new characters;
* a cue is followed by an optional parenthetical, then dialogue; a parenthetical is a
  lower-case direction in brackets on its own line;
* action and dialogue lines hold a lower-case letter (an all-capitals line is what Fountain
  reads as a cue or a transition); an action line holds it before any bracket, and a space (a
  lone word on its own line is a cue without its capitals: "Greta"), and never starts like a scene heading
  (``INT``/``EXT``/``EST``/``INT/EXT``/``I/E`` followed by anything but a letter, in any case, and
  never in capitals: "INTERCOM" is refused, "Intercom" is not) or with one of Fountain's forcing
  characters (``! @ # ~ = > . [ /``), nor with a bracket; and it has no colon before its first
  space or its first lower-case letter ("Lucia: I'm sorry", "HIS MOTHER: no" are chat transcripts).

The grammar starts where the text before the cursor leaves off (``start_state``): after a
blank line a new block begins; after an action line the paragraph may go on or a blank line
comes; in the middle of a line the line is finished first.

The same grammar goes to llama.cpp servers (their ``grammar`` field) and vLLM
(``guided_grammar``), see ``engine.models.remote``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from engine.fountain import Kind, parse
from engine.fountain.blocks import classify_block
from engine.fountain.syntax import is_blank, is_scene_heading

from .context import text_before_cursor

# Where the continuation starts, decided from the text before it.
BLOCK = "block"  # a new block: at the start of the script, or after a blank line
AFTER_ACTION = "after-action"  # at the start of a line, the line above is action
AFTER_CUE = "after-cue"  # the line above is a character cue (or a parenthetical after one)
AFTER_SPEECH = "after-speech"  # the line above is dialogue
AFTER_HEADING = "after-heading"  # the line above is a scene heading or a transition
IN_ACTION = "in-action"  # in the middle of an action line
IN_SPEECH = "in-speech"  # in the middle of a line of dialogue
IN_CUE = "in-cue"  # in the middle of a character cue
IN_HEADING = "in-heading"  # in the middle of a heading (or any other line that ends a block)
SCENE = "scene"  # the next scene: a heading first (a beat's scene)

STATES = (BLOCK, AFTER_ACTION, AFTER_CUE, AFTER_SPEECH, AFTER_HEADING, IN_ACTION, IN_SPEECH, IN_CUE,
          IN_HEADING, SCENE)

EXTENSIONS = ("V.O.", "O.S.", "O.C.", "CONT'D")
# heading openings Fountain recognises (followed by "." or " "), lower case: the words of
# engine.fountain.syntax.SCENE_HEADING ("int." already covers "int./ext")
HEADING_WORDS = ("int", "ext", "est", "int/ext", "i/e")
FORCING = "!@#~=>.[/("  # characters an action line does not start with (forced elements, brackets)
# how the next scene's heading begins: generation stops there (see SCENE_END_STOPS)
SCENE_OPENERS = ("INT", "EXT", "EST", "I/E")
SCENE_END_STOPS = tuple("\n\n" + w for w in SCENE_OPENERS)
TIMES = ("DAY", "NIGHT", "MORNING", "EVENING", "LATER", "CONTINUOUS", "MOMENTS LATER", "DAWN", "DUSK")

_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 '.\-]{0,40}$")


# ------------------------------------------------------------------ where to start
def start_state(before: str) -> str:
    """The grammar's start state for a continuation of ``before`` (the text before the cursor)."""
    lines = before.split("\n")
    current = lines[-1]
    block: list[str] = []  # the block's lines above the cursor's line
    for line in reversed(lines[:-1]):
        if is_blank(line):
            break
        block.insert(0, line)
    mid_line = not is_blank(current)
    if mid_line:
        block.append(current)
    if not block:
        return BLOCK
    # classified as Fountain's parser does; a line it reads as action may be a cue still waiting
    # for its first line of dialogue (a cue is a cue only when a line follows)
    kind = classify_block(block, 0, first=False).kinds[-1]
    if kind is Kind.ACTION:
        kind = classify_block(block + ["and so on"], 0, first=False).kinds[len(block) - 1]
    if mid_line:
        return _MID.get(kind, IN_HEADING)
    return _AFTER.get(kind, AFTER_HEADING)


_MID = {Kind.ACTION: IN_ACTION, Kind.CHARACTER: IN_CUE, Kind.PARENTHETICAL: IN_SPEECH, Kind.DIALOGUE: IN_SPEECH}
_AFTER = {Kind.ACTION: AFTER_ACTION, Kind.CHARACTER: AFTER_CUE, Kind.PARENTHETICAL: AFTER_CUE,
          Kind.DIALOGUE: AFTER_SPEECH}


def continuation_grammar(script: str, cursor: tuple[int, int], mode: str, *, cast: Iterable[str] = (),
                         new_characters: bool = False) -> str | None:
    """The grammar for a continuation of ``script`` at ``cursor``: ``mode`` "cursor" picks up where
    the text before the cursor leaves off, "scene" starts the next scene, "off" gives None. Cue
    names are the script's speaking characters and ``cast`` (the anchors' names)."""
    if mode == "off":
        return None
    start = SCENE if mode == "scene" else start_state(text_before_cursor(script, cursor))
    return fountain_grammar([*script_cast(script), *cast], start=start, new_characters=new_characters)


# ------------------------------------------------------------------ the cast
def script_cast(script: str) -> list[str]:
    """The speaking characters of ``script``, in order of first appearance (Fountain's own parse)."""
    names: dict[str, None] = {}
    for element in parse(script).elements:
        if element.kind is Kind.CHARACTER and element.name:
            names.setdefault(element.name.strip(), None)
    return list(names)


def clean_cast(names: Iterable[str]) -> tuple[str, ...]:
    """Usable cue names (parsed names, without extensions): at most 40 characters, not a heading, no duplicates."""
    out: dict[str, None] = {}
    for raw in names:
        name = (raw or "").strip()
        if _NAME_OK.match(name) and not is_scene_heading(name + " "):
            out.setdefault(name, None)
    return tuple(out)


_ANCHOR_NAME = re.compile(r"^\s*([A-Z][A-Za-z'\-]*(?:\s[A-Z][A-Za-z'\-]*){0,2})\s*(?:[:,(\u2014\u2013-]|\bis\b|\bwho\b)")


def anchor_name(text: str) -> str | None:
    """The character a character anchor is about: its leading name ("Mara: ...", "ABEL, 60, ...")."""
    match = _ANCHOR_NAME.match(text)
    return match.group(1).upper() if match else None


# ------------------------------------------------------------------ the grammar
def fountain_grammar(cast: Sequence[str], *, start: str = BLOCK, new_characters: bool = False) -> str:
    """The GBNF grammar (llama.cpp's format) for a Fountain continuation from ``start``."""
    if start not in STATES:
        raise ValueError(f"unknown start state {start!r}: one of {', '.join(STATES)}")
    names = clean_cast(cast)
    can_speak = bool(names) or new_characters
    rules: dict[str, str] = {}
    # "before": no dialogue in the continuation yet, so the scene cannot end (a continuation that
    # only describes and then cuts away gives the writer nothing to keep); "after": it may
    new_block = "action before | dialogue after" if can_speak else "action after"
    starts = {
        BLOCK: new_block,
        AFTER_ACTION: f'aline ("\\n" aline)* before | "\\n" ({new_block})',
        AFTER_CUE: ("(paren nl)? " if can_speak else "") + "speech more after",
        AFTER_SPEECH: f'(paren | speech) more after | "\\n" ({new_block})',
        AFTER_HEADING: f'"\\n" ({new_block})',
        IN_ACTION: '[^\\n]* ("\\n" aline)* before',
        IN_SPEECH: "[^\\n]* more later",  # the line may just end: then a block comes before the scene can
        IN_CUE: '[^\\n]* "\\n" (paren nl)? speech more after',
        IN_HEADING: "[^\\n]* before",
        SCENE: "heading before",
    }
    rules["root"] = starts[start]
    rules["block"] = "action | dialogue" if can_speak else "action"
    # the scene's end: the next heading's first word ends the grammar (and, as a stop sequence,
    # the continuation)
    rules["after"] = "(sep block)* (sep opener | nl)?"
    rules["later"] = "(sep block)+ (sep opener | nl)? | nl?"
    rules["before"] = "(sep action)* (sep dialogue after | nl)?" if can_speak else "after"
    rules["sep"] = '"\\n\\n"'
    rules["nl"] = '"\\n"'
    rules["opener"] = " | ".join(_literal(w) for w in SCENE_OPENERS)
    rules["action"] = 'aline ("\\n" aline)*'
    if can_speak:
        rules["dialogue"] = "cue nl (paren nl)? speech more"
        alternatives = [_literal(("@" + n) if n != n.upper() else n) for n in names]
        if new_characters:
            alternatives.append("newname")
            rules["newname"] = "[A-Z] [A-Z'\\-]{1,15}"
        rules["cue"] = f"({' | '.join(alternatives)}) ext?"
        rules["ext"] = " | ".join(_literal(f" ({e})") for e in EXTENSIONS)
    rules["more"] = '("\\n" (paren | speech))*'
    rules["paren"] = '"(" [a-z] [^()\\n]{0,48} ")"'
    rules["speech"] = "[a-z] [^\\n]* | [^\\n( \\ta-z] [^a-z\\n]{0,40} [a-z] [^\\n]*"
    if start == SCENE:
        rules["heading"] = (
            '("INT. " | "EXT. " | "INT./EXT. ") [A-Z0-9] [A-Z0-9 \'.,/\\-]{0,40} '
            f'(" - " ({" | ".join(_literal(t) for t in TIMES)}))?'
        )
    rules.update(_action_line_rules())
    return "\n".join(f"{name} ::= {body}" for name, body in rules.items()) + "\n"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _action_line_rules() -> dict[str, str]:
    """``aline``: an action line. It holds a lower-case letter before any bracket (``INTA: (to
    her)`` is a cue to Fountain) and a space (a lone word on a line, "Greta", is a cue that lost
    its capitals), does not start with a forcing character, a bracket or white space, and does not
    open like a scene heading. Built as a trie over ``HEADING_WORDS`` (its nodes in two versions:
    lower-case letter seen, ``1``, or not, ``0``) that hands over to ``r<lower><space>``."""
    words = HEADING_WORDS
    prefixes = sorted({w[:i] for w in words for i in range(len(w) + 1)})
    rule_of = {p: f"a{i}" for i, p in enumerate(prefixes)}
    rules: dict[str, str] = {
        "aline": "a0-0",
        "r00": '[^a-z( \n:]{0,24} (" " r01 | [a-z] r10)',
        "r01": "[^a-z(\n:]{0,24} [a-z] [^\n]*",
        "r10": '[^ \n:]* " " [^\n]*',
        "r11": "[^\n]*",
    }
    for prefix in prefixes:
        children = sorted({w[len(prefix)] for w in words if w.startswith(prefix) and len(w) > len(prefix)})
        terminal = prefix in words
        for seen in (0, 1):
            if not prefix and seen:
                continue
            alternatives = []
            for c in children:
                child = rule_of[prefix + c]
                if c.isalpha():
                    alternatives.append(f'"{c}" {child}-1')
                    if seen or prefix + c not in words:  # "INT", "EST", "I/E" in capitals open a heading
                        alternatives.append(f'"{c.upper()}" {child}-{seen}')
                else:
                    alternatives.append(f'"{_esc(c)}" {child}-{seen}')
            blocked = set(children) | {c.upper() for c in children if c.isalpha()} | {"\n", " ", ":"}
            if not prefix:
                blocked |= set(FORCING) | {"\t"}
            if not seen:
                blocked.add("(")
            lower = "".join(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in blocked)
            if lower:
                alternatives.append(f"[{lower}] r10")
            if terminal:
                # a heading word is followed by a letter ("Interior", "Esther"): "INT." and "INT " open
                # a heading, and "INT:", "EXT," or "I/E -" are a model's near-miss headings
                upper = "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in blocked)
                alternatives.append(f"[{upper}] r{seen}0")
            else:
                if prefix:
                    alternatives.append(f'" " r{seen}1')
                other = "".join(_esc(c) for c in sorted(blocked - set("abcdefghijklmnopqrstuvwxyz")))
                alternatives.append(f"[^a-z{other}] r{seen}0")
            rules[f"{rule_of[prefix]}-{seen}"] = " | ".join(alternatives)
    return rules


def _esc(c: str) -> str:
    return {"\n": "\\n", "\t": "\\t", "\\": "\\\\", "]": "\\]", "[": "\\[", "-": "\\-", "^": "\\^", '"': '\\"'}.get(c, c)
