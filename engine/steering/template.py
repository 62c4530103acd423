"""Prompt templates: named slots, optional blocks, and the order that keeps the prefix cache warm.

Syntax (a small subset of Mustache, so a writer can read a template at a glance)::

    {{genre}}                     the value of a slot ("" when it has none)
    {{#anchors}} ... {{/anchors}} the block only when the slot has a value
    {{^genre}} ... {{/genre}}     the block only when the slot has no value

Every slot belongs to a *section* of the rendered prompt: ``instructions`` (genre, tone, title,
characters), ``anchors``, ``examples``, ``script`` (previous, script, scene, heading) and
``request`` (selection, instruction, beat). Literal text belongs to the section of the next
slot (a label goes with the slot it introduces), except blank lines, which stay with the section
they follow; text inside a block belongs to the block's slot, text after the last slot to the last
section.

A template must name its slots in that order (instructions, anchors, examples, then script and
request in any mix), because llama.cpp reuses the evaluated prefix of the previous prompt: text
that stays the same while the writer types must come before the text that changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# slot -> section
SLOTS: dict[str, str] = {
    "genre": "instructions",
    "tone": "instructions",
    "title": "instructions",
    "characters": "instructions",
    "anchors": "anchors",
    "examples": "examples",
    "previous": "script",
    "script": "script",
    "scene": "script",
    "heading": "script",
    "selection": "request",
    "instruction": "request",
    "beat": "request",
}
SECTIONS = ("instructions", "anchors", "examples", "script", "request")
_RANK = {"instructions": 0, "anchors": 1, "examples": 2, "script": 3, "request": 3}

_TAG = re.compile(r"\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}")


class TemplateError(ValueError):
    """A mistake in a template; ``line`` is 1-based within the template text."""

    def __init__(self, message: str, line: int):
        self.line = line
        self.message = message
        super().__init__(f"line {line} of the template: {message}")


@dataclass
class _Text:
    text: str


@dataclass
class _Slot:
    name: str
    line: int


@dataclass
class _Block:
    name: str
    inverted: bool
    line: int
    body: list = field(default_factory=list)


@dataclass(frozen=True)
class Template:
    """A parsed, validated template."""

    source: str
    nodes: tuple
    slots: tuple[str, ...]  # slot names in order of first use

    def uses(self, slot: str) -> bool:
        return slot in self.slots

    def render(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """``[(section, text)]`` in template order, consecutive pieces of a section merged."""
        pieces: list[tuple[str | None, str]] = []
        _render(list(self.nodes), values, None, pieces)
        # literal text outside blocks goes to the next slot's section; trailing text to the last one
        resolved: list[tuple[str, str]] = []
        pending = ""
        for section, text in pieces:
            if section is None:
                pending += text
                continue
            if pending:
                # blank lines after a section stay with it; a label goes with the slot that follows
                label = pending.lstrip()
                if resolved and len(label) < len(pending):
                    resolved.append((resolved[-1][0], pending[: len(pending) - len(label)]))
                    pending = label
            resolved.append((section, pending + text))
            pending = ""
        if pending:
            resolved.append((resolved[-1][0] if resolved else "instructions", pending))
        merged: list[tuple[str, str]] = []
        for section, text in resolved:
            if merged and merged[-1][0] == section:
                merged[-1] = (section, merged[-1][1] + text)
            elif text:
                merged.append((section, text))
        return merged


def _render(nodes: list, values: dict[str, str], owner: str | None, out: list) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append((owner, node.text))
        elif isinstance(node, _Slot):
            out.append((SLOTS[node.name], values.get(node.name) or ""))
        else:
            present = bool((values.get(node.name) or "").strip())
            if present != node.inverted:
                _render(node.body, values, SLOTS[node.name], out)


def parse_template(source: str) -> Template:
    """Parse and validate ``source``; ``TemplateError`` names the line of the first mistake."""
    root: list = []
    stack: list[_Block] = []
    order: list[tuple[str, int]] = []
    pos = 0
    for match in _TAG.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        body = stack[-1].body if stack else root
        if match.start() > pos:
            body.append(_Text(source[pos : match.start()]))
        pos = match.end()
        sigil, name = match.group(1), match.group(2)
        if name not in SLOTS:
            known = ", ".join("{{" + s + "}}" for s in SLOTS)
            shown = "{{" + sigil + name + "}}"
            raise TemplateError(f"unknown slot {shown} (known slots: {known})", line)
        if sigil == "/":
            if not stack or stack[-1].name != name:
                opened = f" (the open block is {{{{#{stack[-1].name}}}}})" if stack else ""
                raise TemplateError(f"{{{{/{name}}}}} closes no open block{opened}", line)
            block = stack.pop()
            (stack[-1].body if stack else root).append(block)
            continue
        order.append((name, line))
        if sigil in "#^" and sigil:
            stack.append(_Block(name, sigil == "^", line))
        else:
            body.append(_Slot(name, line))
    if stack:
        block = stack[-1]
        raise TemplateError(
            f"the block {{{{{'^' if block.inverted else '#'}{block.name}}}}} is never closed", block.line
        )
    if pos < len(source):
        root.append(_Text(source[pos:]))
    stray = re.search(r"\{\{|\}\}", _strip_tags(source))
    if stray:
        line = _strip_tags(source).count("\n", 0, stray.start()) + 1
        raise TemplateError("unbalanced braces: slots are written {{name}}", line)
    _check_order(order)
    names: list[str] = []
    for name, _ in order:
        if name not in names:
            names.append(name)
    return Template(source, tuple(root), tuple(names))


def _strip_tags(source: str) -> str:
    return _TAG.sub(lambda m: "\n" * m.group(0).count("\n"), source)


def _ago(lines: int) -> str:
    if lines == 0:
        return "on the same line"
    return f"{lines} line{'s' if lines > 1 else ''} above"


def _check_order(order: list[tuple[str, int]]) -> None:
    highest: tuple[str, int] | None = None
    for name, line in order:
        rank = _RANK[SLOTS[name]]
        if highest is not None and rank < _RANK[SLOTS[highest[0]]]:
            raise TemplateError(
                f"{{{{{name}}}}} ({SLOTS[name]}) must come before {{{{{highest[0]}}}}} "
                f"({SLOTS[highest[0]]}, {_ago(line - highest[1])}): a prompt keeps instructions, anchors and "
                "examples before the script so that llama.cpp can reuse the prefix it has already evaluated",
                line,
            )
        if highest is None or rank > _RANK[SLOTS[highest[0]]]:
            highest = (name, line)


__all__ = ["SECTIONS", "SLOTS", "Template", "TemplateError", "parse_template"]
