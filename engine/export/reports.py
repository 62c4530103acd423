"""Breakdown reports of a script: characters, scenes and locations.

Built on ``engine.fountain.stats`` (dialogue blocks and words per character) and the scene
spans of ``engine.fountain.outline`` (pages and lengths from the PDF's pagination), so the
numbers are those ``scenewright stats`` prints.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from engine.fountain import Kind, ParseResult, location_of
from engine.fountain.outline import eighths_text, scene_spans
from engine.fountain.pagination import paginate
from engine.fountain.stats import character_key, script_stats

__all__ = ["KINDS", "report", "report_csv", "report_table"]

KINDS = ("characters", "scenes", "locations")


def _scenes(result: ParseResult, pages) -> list[dict[str, Any]]:
    elements = result.elements
    spans = scene_spans(elements, pages)
    rows: list[dict[str, Any]] = []
    for n, span in enumerate(spans):
        stop = spans[n + 1].index if n + 1 < len(spans) else len(elements)
        names: dict[str, str] = {}
        for e in elements[span.index:stop]:
            if e.kind is Kind.CHARACTER:
                name = character_key(e)
                if name:
                    names.setdefault(name.casefold(), name)
        rows.append({
            "scene": span.heading.scene_number or str(n + 1),
            "heading": span.heading.text,
            "line": span.heading.line + 1,
            "page": span.page_start,
            "page_end": span.page_end,
            "eighths": span.eighths,
            "length": eighths_text(span.eighths),
            "location": location_of(span.heading.text),
            "characters": list(names.values()),
        })
    return rows


def report(result: ParseResult, kind: str) -> list[dict[str, Any]]:
    """Rows of the ``kind`` report (``characters``, ``scenes`` or ``locations``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown report {kind!r} (one of {', '.join(KINDS)})")
    pages = paginate(result.elements)
    scenes = _scenes(result, pages)
    if kind == "scenes":
        return scenes
    if kind == "characters":
        stats = script_stats(result, pages)["characters"]
        rows = []
        for c in stats:
            key = c["name"].casefold()
            where = [s["scene"] for s in scenes if key in (x.casefold() for x in s["characters"])]
            rows.append({"name": c["name"], "scenes": where, "scene_count": len(where),
                         "dialogue_blocks": c["dialogue_blocks"], "words": c["words"]})
        return rows
    places: dict[str, dict[str, Any]] = {}
    for s in scenes:
        key = s["location"].casefold()
        row = places.setdefault(key, {"location": s["location"], "scenes": [], "eighths": 0})
        row["scenes"].append(s["scene"])
        row["eighths"] += s["eighths"]
    rows = list(places.values())
    for row in rows:
        row["scene_count"] = len(row["scenes"])
        row["pages"] = eighths_text(row["eighths"])
    rows.sort(key=lambda r: (-r["eighths"], r["location"]))
    return rows


_COLUMNS = {
    "characters": ["name", "scene_count", "dialogue_blocks", "words", "scenes"],
    "scenes": ["scene", "heading", "page", "length", "eighths", "location", "characters"],
    "locations": ["location", "scene_count", "pages", "eighths", "scenes"],
}


def _cell(value: Any) -> str:
    return "; ".join(value) if isinstance(value, list) else str(value)


def report_csv(rows: list[dict[str, Any]], kind: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS[kind])
    for row in rows:
        writer.writerow([_cell(row[c]) for c in _COLUMNS[kind]])
    return out.getvalue()


def report_table(rows: list[dict[str, Any]], kind: str) -> str:
    columns = _COLUMNS[kind]
    cells = [[_cell(r[c]) for c in columns] for r in rows]
    widths = [min(40, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(columns)]
    def fmt(values):
        return "  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths)).rstrip()
    lines = [fmt([c.replace("_", " ").title() for c in columns])]
    lines += [fmt(row) for row in cells]
    return "\n".join(lines) + "\n"
