"""Final Draft XML (FDX): export a parsed script and import an FDX file as Fountain.

Paragraph types: Scene Heading (``Number`` = scene number), Action (centered text: Action with
``Alignment="Center"``), Character, Dialogue, Parenthetical, Lyrics (Fountain's ``~`` lines,
one paragraph a line, in a speech or on their own), Transition, General and Shot. Dual
dialogue is a ``<DualDialogue>`` inside a paragraph; the title page is a ``<TitlePage>``;
Fountain notes become ``<ScriptNotes>``, each note anchored to its paragraph.

Fountain has no General or Shot element: on import such a paragraph is written as action
(General) or a forced scene heading (Shot) with a trailing ``[[fdx: General]]`` /
``[[fdx: Shot]]`` note, which prints nothing and brings the type back on export.

Not carried (FDX has no place for them): sections (``#``), synopses (``=``) and boneyard
(``/* */``). A note inside a paragraph comes back from import as a note after it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Sequence

from engine.fountain import Element, Kind, ParseResult, parse
from engine.fountain.pagination import printed_text

from .emphasis import BOLD, ITALIC, UNDERLINE, runs, styled_printed

__all__ = ["to_fdx", "fdx_to_fountain", "FdxError", "fdx_paragraph_types"]

_TYPE_NOTE = re.compile(r"^fdx:\s*(General|Shot)\s*$", re.IGNORECASE)
_TYPES = {
    Kind.SCENE_HEADING: "Scene Heading",
    Kind.ACTION: "Action",
    Kind.CENTERED: "Action",
    Kind.CHARACTER: "Character",
    Kind.DIALOGUE: "Dialogue",
    Kind.LYRICS: "Lyrics",
    Kind.PARENTHETICAL: "Parenthetical",
    Kind.TRANSITION: "Transition",
}
_SPEECH = (Kind.PARENTHETICAL, Kind.DIALOGUE, Kind.LYRICS)
_TITLE_ALIGN = {"title": "Center", "credit": "Center", "author": "Center", "authors": "Center",
                "source": "Center", "contact": "Left", "copyright": "Left"}


_STYLE_NAMES = ((BOLD, "Bold"), (ITALIC, "Italic"), (UNDERLINE, "Underline"))


class FdxError(Exception):
    """An FDX file that cannot be read; the message names the cause (and the line for XML errors)."""


def _text(parent: ET.Element, text: str, masks: Sequence[int] | None = None) -> None:
    """``<Text>`` runs of ``text``; emphasis (style masks from :mod:`.emphasis`) as Final
    Draft's ``Style="Bold+Italic+Underline"``."""
    if not masks or not any(masks):
        ET.SubElement(parent, "Text").text = text
        return
    for _, part, mask in runs(text, tuple(masks)):
        style = "+".join(name for bit, name in _STYLE_NAMES if mask & bit)
        ET.SubElement(parent, "Text", {"Style": style} if style else {}).text = part


def _paragraph(parent: ET.Element, type_: str, text: str, masks: Sequence[int] | None = None,
               **attrs: str) -> ET.Element:
    p = ET.SubElement(parent, "Paragraph", {"Type": type_, **attrs})
    _text(p, text, masks)
    return p


def _type_notes(elements: Sequence[Element]) -> dict[int, str]:
    """Line -> FDX type named by an ``[[fdx: Type]]`` note on that line."""
    found: dict[int, str] = {}
    for e in elements:
        if e.kind is Kind.NOTE:
            m = _TYPE_NOTE.match(e.text.strip())
            if m:
                found[e.line] = m.group(1).capitalize()
    return found


def to_fdx(result: ParseResult) -> str:
    """The FDX document of a parsed script."""
    elements = result.elements
    root = ET.Element("FinalDraft", {"DocumentType": "Script", "Template": "No", "Version": "5"})
    content = ET.SubElement(root, "Content")
    typed = _type_notes(elements)
    notes: list[tuple[int, str]] = []
    n = len(elements)
    i = 0
    para_count = 0
    new_page: set[int] = set()  # element indices that start a page (after ===)
    last_end = -1  # last source line of the paragraphs emitted so far

    def emit(parent: ET.Element, e: Element) -> ET.Element:
        kind_type = typed.get(e.line) if e.kind in (Kind.ACTION, Kind.SCENE_HEADING) else None
        type_ = kind_type or _TYPES[e.kind]
        attrs: dict[str, str] = {}
        if e.kind is Kind.SCENE_HEADING and e.scene_number and type_ == "Scene Heading":
            attrs["Number"] = e.scene_number
        if e.kind is Kind.CENTERED:
            attrs["Alignment"] = "Center"
        text, masks = styled_printed(e.text)
        if e.kind is Kind.CHARACTER:
            text, masks = printed_text(e.text).rstrip().rstrip("^").rstrip(), None
            text = text[1:] if text.startswith("@") else text
        if e.kind in (Kind.DIALOGUE, Kind.LYRICS) and "\n" in text:
            # one Dialogue (Lyrics) paragraph a line, as Final Draft keeps them
            last = None
            start = 0
            for line in text.split("\n"):
                if line.strip():
                    last = _paragraph(parent, type_, line, masks[start:start + len(line)], **attrs)
                start += len(line) + 1
            return last if last is not None else _paragraph(parent, type_, "", **attrs)
        return _paragraph(parent, type_, text, masks, **attrs)

    while i < n:
        e = elements[i]
        if e.kind is Kind.NOTE:
            if not _TYPE_NOTE.match(e.text.strip()):
                anchor = para_count - 1 if para_count and e.line <= last_end else para_count
                notes.append((anchor, e.text))
            i += 1
            continue
        if e.kind is Kind.PAGE_BREAK:
            # the next paragraph starts a new page
            j = i + 1
            while j < n and elements[j].kind not in _TYPES:
                j += 1
            new_page.add(j)
            i += 1
            continue
        if e.kind not in _TYPES:
            i += 1
            continue
        # dual dialogue: a cue block followed by a block whose cue is marked right
        if e.kind is Kind.CHARACTER:
            j = i + 1
            while j < n and elements[j].kind in _SPEECH:
                j += 1
            k = j
            while k < n and elements[k].kind is Kind.NOTE:
                k += 1
            if k < n and elements[k].kind is Kind.CHARACTER and elements[k].dual == "right" and e.dual != "right":
                m = k + 1
                while m < n and elements[m].kind in _SPEECH:
                    m += 1
                holder = ET.SubElement(content, "Paragraph")
                dual = ET.SubElement(holder, "DualDialogue")
                for x in list(range(i, j)) + list(range(k, m)):
                    emit(dual, elements[x])
                if i in new_page:
                    holder.set("StartsNewPage", "Yes")
                para_count += 1
                last_end = elements[m - 1].end_line
                i = m
                continue
        p = emit(content, e)
        if i in new_page:
            p.set("StartsNewPage", "Yes")
        para_count += 1
        last_end = e.end_line
        i += 1
    title = result.title_page
    if title:
        page = ET.SubElement(root, "TitlePage")
        tcontent = ET.SubElement(page, "Content")
        for e in title:
            key = (e.key or "").strip()
            align = _TITLE_ALIGN.get(key.casefold(), "Right")
            for line in e.text.split("\n"):
                p = _paragraph(tcontent, "Text", printed_text(line).strip(), Alignment=align)
                p.set("Key", key)  # Final Draft ignores it; import uses it to restore the key
    script_notes = ET.SubElement(root, "ScriptNotes")
    for number, (anchor, text) in enumerate(notes, start=1):
        note = ET.SubElement(script_notes, "ScriptNote", {"ID": str(number), "Paragraph": str(anchor)})
        for line in text.split("\n"):
            _paragraph(note, "Text", line.strip())
    ET.indent(root, "  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n' + body + "\n"



# ----------------------------------------------------------------------------- import
_HEADING = re.compile(r"^(INT|EXT|EST|INT\.?/EXT|I/E)[\s.]", re.IGNORECASE)
_STYLE_MARKS = (("Underline", "_"), ("Italic", "*"), ("Bold", "**"))


def _runs_text(paragraph: ET.Element) -> str:
    """The text of a paragraph's ``<Text>`` runs, styles as Fountain emphasis."""
    out: list[str] = []
    for run in paragraph.findall("Text"):
        text = run.text or ""
        style = run.get("Style") or ""
        core = text.strip()
        if core and style:
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()):]
            for name, mark in _STYLE_MARKS:
                if name in style:
                    core = f"{mark}{core}{mark}"
            text = lead + core + trail
        out.append(text)
    return "".join(out).replace("\r\n", "\n").replace("\r", "\n")


class _Block:
    """Fountain lines for one or more FDX paragraphs and the element kind they must parse to."""

    def __init__(self, kind: Kind, lines: list[str], forced: list[str] | None = None):
        self.kind = kind
        self.lines = lines
        self.forced = forced  # the lines with a forcing mark, used when the plain ones misparse
        self.paragraphs: list[int] = []


def _force_action(lines: list[str]) -> list[str]:
    return ["!" + lines[0]] + lines[1:] if lines else lines


def _block_for(type_: str, text: str, paragraph: ET.Element) -> _Block | None:
    lines = text.split("\n")
    if type_ == "Scene Heading":
        line = " ".join(x.strip() for x in lines).strip()
        if not line:
            return None
        number = paragraph.get("Number")
        suffix = f" #{number}#" if number else ""
        plain = line + suffix
        return _Block(Kind.SCENE_HEADING, [plain if _HEADING.match(line) else "." + plain], ["." + plain])
    if type_ == "Shot":
        line = " ".join(x.strip() for x in lines).strip()
        return _Block(Kind.SCENE_HEADING, ["." + line + " [[fdx: Shot]]"]) if line else None
    if type_ == "Transition":
        line = " ".join(x.strip() for x in lines).strip()
        if not line:
            return None
        plain = line if line.upper() == line and line.endswith("TO:") else "> " + line
        return _Block(Kind.TRANSITION, [plain], ["> " + line])
    if not text.strip():
        return None
    if type_ == "General":
        lines = [x.rstrip() for x in lines]
        return _Block(Kind.ACTION, _force_action(lines[:-1] + [lines[-1] + " [[fdx: General]]"]))
    if type_ == "Lyrics":  # a song outside any speech
        return _Block(Kind.LYRICS, _lyric_lines(text))
    if type_ == "Action" and (paragraph.get("Alignment") or "").lower() == "center":
        return _Block(Kind.CENTERED, [f">{x.strip()}<" for x in lines if x.strip()])
    # Action and any other type (Cast List, New Act, Outline...) as action
    lines = [x.rstrip() for x in lines]
    return _Block(Kind.ACTION, lines, _force_action(lines))


def _lyric_lines(text: str) -> list[str]:
    """Fountain ``~`` lines of a Lyrics paragraph (one a line of its text)."""
    return ["~" + x.strip() for x in text.split("\n") if x.strip()]


def _speech_lines(type_: str, text: str) -> list[str]:
    if type_ == "Lyrics":
        return _lyric_lines(text)
    lines = [x.rstrip() for x in text.split("\n")]
    if type_ == "Parenthetical":
        joined = " ".join(x.strip() for x in lines if x.strip())
        if not joined.startswith("("):
            joined = f"({joined})"
        return [joined]
    return [x if x.strip() else "  " for x in lines]  # two spaces keep a blank line inside a speech


def _cue(text: str, right: bool) -> tuple[str, str]:
    name = " ".join(text.split())
    base = re.sub(r"\s*\([^()]*\)\s*$", "", name)
    plain = name if base == base.upper() and re.search(r"[A-Z]", base) else "@" + name
    mark = " ^" if right else ""
    return plain + mark, "@" + name + mark


def _dialogue_block(paragraphs: list[ET.Element], right_from: int | None = None) -> list[_Block]:
    """Blocks for a run of Character/Parenthetical/Dialogue/Lyrics paragraphs (one block per cue)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    cue_count = 0
    for p in paragraphs:
        type_ = p.get("Type") or "Action"
        text = _runs_text(p)
        if type_ == "Character":
            right = right_from is not None and cue_count >= right_from
            plain, forced = _cue(text, right)
            current = _Block(Kind.CHARACTER, [plain], [forced])
            blocks.append(current)
            cue_count += 1
        elif current is not None and text.strip():
            lines = _speech_lines(type_, text)
            current.lines.extend(lines)
            current.forced.extend(lines)
    return blocks


def _parse_xml(data: bytes | str) -> ET.Element:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise FdxError(f"not valid XML (line {line}): {exc}") from None
    if root.tag != "FinalDraft":
        raise FdxError(f"not a Final Draft file (root element <{root.tag}>, expected <FinalDraft>)")
    return root


def fdx_paragraph_types(data: bytes | str) -> list[str]:
    """The types of an FDX file's script paragraphs in order (dual dialogue flattened)."""
    root = _parse_xml(data)
    content = root.find("Content")
    types: list[str] = []
    for p in content if content is not None else []:
        dual = p.find("DualDialogue")
        inner = dual.findall("Paragraph") if dual is not None else [p]
        for q in inner:
            if dual is None and not _runs_text(q).strip():
                continue
            types.append(q.get("Type") or "Action")
    return types


def _title_lines(root: ET.Element) -> list[str]:
    content = root.find("TitlePage/Content")
    if content is None:
        return []
    entries: list[tuple[str, str]] = []
    centered_seen = 0
    after_credit = False
    for p in content.findall("Paragraph"):
        text = " ".join(_runs_text(p).split())
        if not text:
            continue
        key = p.get("Key")
        if not key:
            align = (p.get("Alignment") or "Left").lower()
            if align == "center":
                if centered_seen == 0:
                    key = "Title"
                elif re.fullmatch(r"(written |screenplay |story )?by|written by|.*\bby\b", text, re.IGNORECASE):
                    key, after_credit = "Credit", True
                elif after_credit:
                    key, after_credit = "Author", False
                else:
                    key = "Source"
                centered_seen += 1
            elif align == "right":
                key = "Draft date"
            else:
                key = "Contact"
        entries.append((key, text))
    lines: list[str] = []
    last_key = None
    grouped: list[tuple[str, list[str]]] = []
    for key, text in entries:
        if key == last_key:
            grouped[-1][1].append(text)
        else:
            grouped.append((key, [text]))
        last_key = key
    for key, values in grouped:
        if len(values) == 1:
            lines.append(f"{key}: {values[0]}")
        else:
            lines.append(f"{key}:")
            lines.extend("    " + v for v in values)
    return lines


def fdx_to_fountain(data: bytes | str) -> str:
    """Fountain text for an FDX document (raises :class:`FdxError` for a broken file)."""
    root = _parse_xml(data)
    content = root.find("Content")
    if content is None:
        raise FdxError("no <Content> element: not a Final Draft script")
    blocks: list[_Block] = []
    run: list[ET.Element] = []  # Character/Parenthetical/Dialogue(/Lyrics) paragraphs after a cue
    starts_page: set[int] = set()
    paragraph_block: list[int] = []  # paragraph index -> block index it ends up in
    lyrics_open = False  # the last block is a song outside a speech: more Lyrics lines join it

    def flush() -> None:
        if run:
            blocks.extend(_dialogue_block(run))
            run.clear()

    for index, p in enumerate(content.findall("Paragraph")):
        dual = p.find("DualDialogue")
        type_ = p.get("Type") or "Action"
        # lyrics after a cue are sung in its speech; without one they stand alone
        speech = ("Character", "Parenthetical", "Dialogue") + (("Lyrics",) if run else ())
        if dual is not None or type_ not in speech:
            flush()
        if (p.get("StartsNewPage") or "").lower() == "yes":
            starts_page.add(len(blocks))
        if dual is not None:
            inner = dual.findall("Paragraph")
            blocks.extend(_dialogue_block(inner, right_from=1))
        elif type_ in speech:
            if type_ == "Character":
                flush()
            run.append(p)
        else:
            block = _block_for(type_, _runs_text(p), p)
            song = block is not None and block.kind is Kind.LYRICS
            if song and lyrics_open and len(blocks) not in starts_page:
                blocks[-1].lines.extend(block.lines)  # the next line of the same song
            elif block is not None:
                blocks.append(block)
            lyrics_open = song or (lyrics_open and block is None)
        if dual is not None or type_ in speech:
            lyrics_open = False
        paragraph_block.append(len(blocks) - 1 + (1 if run else 0))
    flush()
    notes: dict[int, list[str]] = {}
    for note in root.findall("ScriptNotes/ScriptNote"):
        text = "\n".join(_runs_text(q).strip() for q in note.findall("Paragraph")).strip()
        if not text:
            continue
        anchor = note.get("Paragraph")
        where = len(blocks) - 1
        if anchor is not None and anchor.isdigit() and int(anchor) < len(paragraph_block):
            where = paragraph_block[int(anchor)]
        notes.setdefault(where, []).append(text.replace("]]", "] ]"))
    title = _title_lines(root)
    for _ in range(3):  # force the blocks that do not parse as what they are
        text = _assemble(title, blocks, starts_page, notes)
        wrong = _misparsed(text, title, blocks, starts_page, notes)
        if not wrong:
            break
        for b in wrong:
            if blocks[b].forced:
                blocks[b].lines = blocks[b].forced
                blocks[b].forced = None
    return text


def _layout(title: list[str], blocks: list[_Block], starts_page: set[int],
            notes: dict[int, list[str]]) -> tuple[list[str], list[int]]:
    out: list[str] = []
    if title:
        out.extend(title)
        out.append("")
    at: list[int] = []
    for b, block in enumerate(blocks):
        if b in starts_page and b:
            out.extend(["===", ""])
        at.append(len(out))
        out.extend(block.lines)
        out.append("")
        for note in notes.get(b, []):
            out.extend(f"[[{note}]]".split("\n"))
            out.append("")
    if -1 in notes:
        for note in notes[-1]:
            out[:0] = f"[[{note}]]".split("\n") + [""]
    return out, at


def _assemble(title, blocks, starts_page, notes) -> str:
    return "\n".join(_layout(title, blocks, starts_page, notes)[0])


def _misparsed(text, title, blocks, starts_page, notes) -> list[int]:
    _, at = _layout(title, blocks, starts_page, notes)
    first = {}
    for e in parse(text).elements:
        first.setdefault(e.line, e.kind)
    return [b for b, line in enumerate(at) if first.get(line) is not blocks[b].kind]
