"""The script as one self-contained HTML page (inline CSS, no scripts, no outside files),
laid out like a screenplay for reading in a browser. Every piece of script text is escaped."""

from __future__ import annotations

import html
import re
from typing import Sequence

from engine.fountain import Element, Kind, ParseResult

__all__ = ["to_html"]

_CSS = """
body { background: #e8e8e8; margin: 0; padding: 2em 0; }
.page { background: #fff; width: 8.5in; margin: 0 auto 2em; padding: 1in 1in 1in 1.5in; box-sizing: border-box;
        font: 12pt/1.0 "Courier Prime", "Courier New", Courier, monospace; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.page p { margin: 0 0 1em; width: 6in; white-space: pre-wrap; }
.title-page { text-align: center; min-height: 9in; position: relative; }
.title-page .title { margin-top: 3in; }
.title-page .contact { position: absolute; left: 0; bottom: 0; text-align: left; }
.title-page .draft { position: absolute; right: 0; bottom: 0; text-align: right; }
.scene_heading { font-weight: bold; margin-top: 1.5em !important; position: relative; }
.scene_heading .num-left { position: absolute; left: -0.8in; font-weight: normal; }
.scene_heading .num-right { position: absolute; right: -0.6in; font-weight: normal; }
.character { margin: 0 !important; padding-left: 1.9in; width: auto !important; }
.parenthetical { margin: 0 !important; padding-left: 1.3in; width: 3in !important; }
.dialogue { margin-bottom: 0 !important; padding-left: 0.9in; width: 3.6in !important; }
.lyrics { font-style: italic; padding-left: 0.9in; width: 3.6in !important; margin-bottom: 0 !important; }
.block { margin-bottom: 1em; }
.dual { display: flex; margin-bottom: 1em; }
.dual .block { width: 50%; margin: 0; }
.dual .character { padding-left: 0.9in; }
.dual .parenthetical { padding-left: 0.6in; width: 2in !important; }
.dual .dialogue { padding-left: 0.3in; width: 2.6in !important; }
.transition { text-align: right; }
.centered { text-align: center; }
.page-break { border: 0; border-top: 1px dashed #bbb; margin: 2em -1in 2em -1.5in; }
"""

_EMPHASIS = [
    (re.compile(r"\*\*\*(.+?)\*\*\*"), r"<b><i>\1</i></b>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*"), r"<i>\1</i>"),
    (re.compile(r"(?<!\w)_(.+?)_(?!\w)"), r"<u>\1</u>"),
]


def _inline(text: str) -> str:
    """Escaped text with Fountain emphasis as tags (boneyard already gone from element text)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    out = html.escape(text, quote=True)
    for pattern, repl in _EMPHASIS:
        out = pattern.sub(repl, out)
    return re.sub(r"\\([*_\\])", r"\1", out)


def _p(kind: str, text: str, extra: str = "") -> str:
    return f'<p class="{kind}">{extra}{_inline(text)}</p>'


def _title_page(title: Sequence[Element]) -> str:
    groups: dict[str, list[str]] = {}
    for e in title:
        groups.setdefault((e.key or "").casefold(), []).append(e.text)
    parts = ['<section class="page title-page">']
    for key, css in (("title", "title"), ("credit", "credit"), ("author", "author"), ("authors", "author"),
                     ("source", "source")):
        for value in groups.get(key, []):
            parts.append(_p(css, value))
    bottom_left = groups.get("contact", []) + groups.get("copyright", [])
    bottom_right = groups.get("draft date", []) + groups.get("revision", []) + groups.get("notes", [])
    if bottom_left:
        parts.append(_p("contact", "\n".join(bottom_left)))
    if bottom_right:
        parts.append(_p("draft", "\n".join(bottom_right)))
    parts.append("</section>")
    return "\n".join(parts)


def _speech(items: Sequence[Element]) -> str:
    out = ['<div class="block">']
    for e in items:
        if e.kind is Kind.CHARACTER:
            name = e.text.rstrip().rstrip("^").rstrip()
            out.append(_p("character", name[1:] if name.startswith("@") else name))
        else:
            out.append(_p(e.kind.value, e.text))
    out.append("</div>")
    return "".join(out)


def to_html(result: ParseResult, title: str | None = None) -> str:
    """The whole page."""
    elements = [e for e in result.elements if e.kind is not Kind.TITLE]
    title_elements = result.title_page
    name = title or next((e.text for e in title_elements if (e.key or "").casefold() == "title"), "Screenplay")
    body: list[str] = []
    if title_elements:
        body.append(_title_page(title_elements))
    body.append('<section class="page script">')
    speech = (Kind.PARENTHETICAL, Kind.DIALOGUE, Kind.LYRICS)
    i, n = 0, len(elements)
    while i < n:
        e = elements[i]
        if e.kind is Kind.CHARACTER:
            j = i + 1
            while j < n and elements[j].kind in speech:
                j += 1
            if j < n and elements[j].kind is Kind.CHARACTER and elements[j].dual == "right" and e.dual != "right":
                k = j + 1
                while k < n and elements[k].kind in speech:
                    k += 1
                body.append(f'<div class="dual">{_speech(elements[i:j])}{_speech(elements[j:k])}</div>')
                i = k
                continue
            body.append(_speech(elements[i:j]))
            i = j
            continue
        if e.kind is Kind.SCENE_HEADING:
            number = ""
            if e.scene_number:
                num = html.escape(e.scene_number)
                number = f'<span class="num-left">{num}</span><span class="num-right">{num}</span>'
            body.append(_p("scene_heading", e.text, number))
        elif e.kind is Kind.PAGE_BREAK:
            body.append('<hr class="page-break">')
        elif e.kind in (Kind.ACTION, Kind.TRANSITION, Kind.CENTERED, Kind.LYRICS, Kind.PARENTHETICAL, Kind.DIALOGUE):
            body.append(_p(e.kind.value, e.text))
        # sections, synopses, notes and boneyard do not print
        i += 1
    body.append("</section>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(name.replace(chr(10), ' '))}</title>\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
