"""The public JSON form of elements (``scenewright parse FILE --json``): one object a line.

This is a contract other tools read; change it only by adding keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from .elements import Element, Kind


def element_dict(e: Element) -> dict:
    if e.kind is Kind.TITLE:
        return {"type": "title", "key": e.key, "value": e.text, "line": e.line + 1, "end_line": e.end_line + 1}
    out: dict = {"type": e.kind.value, "text": e.text, "line": e.line + 1, "end_line": e.end_line + 1}
    if e.kind is Kind.SCENE_HEADING and e.scene_number is not None:
        out["scene_number"] = e.scene_number
    elif e.kind is Kind.CHARACTER:
        out["name"] = e.name
        out["extension"] = e.extension
        out["dual"] = e.dual
    elif e.kind is Kind.SECTION:
        out["level"] = e.level
    return out


def json_lines(elements: Iterable[Element]) -> Iterator[str]:
    """Title-page entries first, then the body in document order."""
    elements = list(elements)
    for e in elements:
        if e.kind is Kind.TITLE:
            yield json.dumps(element_dict(e), ensure_ascii=False)
    for e in elements:
        if e.kind is not Kind.TITLE:
            yield json.dumps(element_dict(e), ensure_ascii=False)
