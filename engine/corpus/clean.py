"""Screenplays as text, made into clean Fountain for the corpus.

Three inputs:

* Fountain: read as it is (its title page is kept apart, its notes and boneyard dropped).
* FDX: converted by the FDX importer (``engine.export.fdx_to_fountain``).
* Plain text as a PDF-to-text tool gives it (``pdftotext -layout``): the page furniture is removed
  (form feeds, page numbers such as ``12.`` or ``Page 12 of 98``, running headers and footers that
  repeat on many pages, ``(MORE)``, ``CONTINUED:`` / ``(CONTINUED)`` lines and scene numbers in the
  margins), the ``(CONT'D)`` mark is taken off cues, and the layout's indentation is turned into
  Fountain: a line indented like a cue, in capitals, gets a blank line before it so that Fountain
  reads it as a character; the lines under it are its speech.
"""

from __future__ import annotations

import re
from collections import Counter

from engine.fountain import Kind, parse
from engine.fountain.syntax import BONEYARD, NOTE

FORM_FEED = "\f"
_MORE_MARK = "\x00more"
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,3}[A-Z]?\s*\.?\s*(?:of\s+\d{1,3})?\s*$", re.IGNORECASE)
_MORE = re.compile(r"^\s*\(\s*MORE\s*\)\s*$", re.IGNORECASE)
_CONTINUED = re.compile(r"^\s*(?:\(\s*CONTINUED\s*\)|CONTINUED:?\s*(?:\(\s*\d+\s*\))?)\s*$", re.IGNORECASE)
_CONTD = re.compile(r"\s*\(\s*CONT['’]?D\.?\s*\)|\s*\(\s*CONTINUING\s*\)", re.IGNORECASE)
# "12   INT. HOUSE - NIGHT   12": scene numbers printed in both margins
_MARGIN_NUMBERS = re.compile(r"^\s*(\d{1,4}[A-Z]{0,2})\s{2,}(.+?)\s{2,}\1\s*$")
_HEADING_START = re.compile(r"^(?:INT|EXT|EST|INT\./EXT|INT/EXT|I/E)[ .]", re.IGNORECASE)


def looks_like_layout_text(text: str) -> bool:
    """Plain text from a PDF (indented cues, page furniture) rather than Fountain."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    indented = sum(1 for line in lines if len(line) - len(line.lstrip(" ")) >= 10)
    return FORM_FEED in text or indented / len(lines) > 0.25


def clean_layout_text(text: str) -> str:
    """PDF-to-text output -> Fountain (see the module's docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(8)
    pages = text.split(FORM_FEED)
    repeated = _running_lines(pages)
    out: list[str] = []
    for page in pages:
        for raw in page.split("\n"):
            line = raw.rstrip()
            bare = line.strip()
            if not bare:
                out.append("")
                continue
            if _MORE.match(bare):
                out.append(_MORE_MARK)  # the speech goes on after the page break: its second cue is dropped
                continue
            if _PAGE_NUMBER.match(bare) or _CONTINUED.match(bare) or bare in repeated:
                continue
            margin = _MARGIN_NUMBERS.match(line)
            if margin:
                line = " " * (len(line) - len(line.lstrip())) + margin.group(2)
            out.append(line)
    return _layout_to_fountain(out)


def _running_lines(pages: list[str]) -> set[str]:
    """Lines at a page's top or bottom that recur on at least a third of the pages (headers, footers)."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [line.strip() for line in page.split("\n") if line.strip()]
        edge = set(lines[:2] + lines[-2:])
        counts.update(edge)
    threshold = max(3, len(pages) // 3)
    return {line for line, n in counts.items() if n >= threshold and not _HEADING_START.match(line)}


def _layout_to_fountain(lines: list[str]) -> str:
    indents = Counter(len(line) - len(line.lstrip(" ")) for line in lines if line.strip() and line != _MORE_MARK)
    base = min(indents) if indents else 0
    cue_indent = _cue_indent(lines, base)
    out: list[str] = []
    last_cue = ""
    continuing = False
    for line in lines:
        if line == _MORE_MARK:
            continuing = True
            continue
        bare = line.strip()
        if not bare:
            if continuing:
                continue
            if out and out[-1] != "":
                out.append("")
            continue
        indent = len(line) - len(line.lstrip(" ")) - base
        is_cue = cue_indent is not None and indent >= cue_indent - 2 and _is_cue_text(bare)
        if is_cue:
            bare = _CONTD.sub("", bare).rstrip()
            if continuing and bare == last_cue:
                continuing = False
                continue
            continuing = False
            last_cue = bare
            if out and out[-1] != "":
                out.append("")
        elif indent >= 25 and bare.upper() == bare and bare.endswith(("TO:", "OUT.", "IN:")):
            bare = "> " + bare if not bare.endswith("TO:") else bare
            if out and out[-1] != "":
                out.append("")
        elif indent == 0 and out and out[-1] != "" and _last_was_speech(out):
            out.append("")  # action after a speech
        out.append(bare)
    return "\n".join(out).strip("\n") + "\n"


def _cue_indent(lines: list[str], base: int) -> int | None:
    """The indentation cues have: the most common one among indented lines in capitals."""
    counts: Counter[int] = Counter()
    for line in lines:
        bare = line.strip()
        indent = len(line) - len(line.lstrip(" ")) - base
        if line != _MORE_MARK and indent >= 15 and _is_cue_text(bare):
            counts[indent] += 1
    return counts.most_common(1)[0][0] if counts else None


def _is_cue_text(bare: str) -> bool:
    name = _CONTD.sub("", bare)
    name = re.sub(r"\s*\((?:V\.O\.|O\.S\.|O\.C\.|[^)]*)\)\s*$", "", name)
    return bool(name) and name.upper() == name and any(c.isalpha() for c in name) and len(name) <= 40 \
        and not name.endswith(":") and not _HEADING_START.match(name)


def _last_was_speech(out: list[str]) -> bool:
    for line in reversed(out):
        if line == "":
            return False
        if _is_cue_text(line):
            return True
    return False


def clean_fountain(text: str) -> str:
    """A Fountain script's body for training: no title page, notes or boneyard, trimmed lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = BONEYARD.sub("", text)
    text = NOTE.sub("", text)
    result = parse(text)
    lines = text.split("\n")
    body_start = 0
    for element in result.elements:
        if element.kind is Kind.TITLE:
            body_start = max(body_start, element.end_line + 1)
    body = [line.rstrip() for line in lines[body_start:]]
    squeezed: list[str] = []
    for line in body:
        if line == "" and squeezed and squeezed[-1] == "":
            continue
        squeezed.append(line)
    return "\n".join(squeezed).strip("\n") + "\n"


def normalised(text: str) -> str:
    """The text with case and whitespace flattened: equal for copies of one script."""
    return " ".join(text.lower().split())
