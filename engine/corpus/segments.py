"""A clean Fountain script cut into training units.

* ``scene``: from one scene heading to the next (what comes before the first heading is a scene
  of its own when it holds anything).
* ``exchange``: a run of at least two speeches in one scene with no action longer than a line
  between them, cut after ``MAX_SPEECHES`` speeches: the dialogue-only unit the seed's
  "20k lines of dialogue" example trains on.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.fountain import Kind, parse

MAX_SPEECHES = 8
_CONTENT = (Kind.ACTION, Kind.DIALOGUE, Kind.CHARACTER, Kind.LYRICS, Kind.CENTERED)


@dataclass(frozen=True)
class Segment:
    kind: str  # "scene" or "exchange"
    index: int  # its order in the script, per kind
    heading: str  # the scene's heading ("" before the first one)
    text: str


def segments(text: str) -> list[Segment]:
    lines = text.split("\n")
    result = parse(text)
    elements = [e for e in result.elements if e.kind not in (Kind.TITLE, Kind.NOTE, Kind.BONEYARD)]
    starts = [i for i, e in enumerate(elements) if e.kind is Kind.SCENE_HEADING]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    out: list[Segment] = []
    scene_index = exchange_index = 0
    for n, first in enumerate(starts):
        last = starts[n + 1] if n + 1 < len(starts) else len(elements)
        scene = elements[first:last]
        if not scene:
            continue
        heading = scene[0].text if scene[0].kind is Kind.SCENE_HEADING else ""
        end_line = scene[-1].end_line
        body = "\n".join(lines[scene[0].line : end_line + 1]).strip("\n")
        if any(e.kind in _CONTENT for e in scene):  # not a run of sections and synopses only
            out.append(Segment("scene", scene_index, heading, body + "\n"))
            scene_index += 1
        for exchange in _exchanges(scene, lines):
            out.append(Segment("exchange", exchange_index, heading, exchange))
            exchange_index += 1
    return out


def _exchanges(scene, lines: list[str]) -> list[str]:
    """Runs of speeches (cue + parentheticals + dialogue), joined by at most one short action line."""
    speeches: list[list[tuple[int, int]]] = []  # runs of (first line, last line) per speech
    run: list[tuple[int, int]] = []
    i = 0
    while i < len(scene):
        e = scene[i]
        if e.kind is Kind.CHARACTER:
            start = e.line
            end = e.end_line
            j = i + 1
            while j < len(scene) and scene[j].kind in (Kind.DIALOGUE, Kind.PARENTHETICAL):
                end = scene[j].end_line
                j += 1
            run.append((start, end))
            i = j
            continue
        if e.kind is Kind.ACTION and e.end_line == e.line and run:
            i += 1  # a one-line beat between speeches keeps the exchange going
            continue
        if len(run) >= 2:
            speeches.append(run)
        run = []
        i += 1
    if len(run) >= 2:
        speeches.append(run)
    out: list[str] = []
    for run in speeches:
        for k in range(0, len(run), MAX_SPEECHES):
            part = run[k : k + MAX_SPEECHES]
            if len(part) < 2:
                continue
            out.append("\n".join(lines[part[0][0] : part[-1][1] + 1]).strip("\n") + "\n")
    return out
