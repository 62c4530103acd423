"""Where the scenes and sections of a script begin and end, from the Fountain engine's elements.

A scene runs from its heading to the line before the next scene heading or section (or the end
of the script); a section (``# ACT ONE``) runs to the line before the next section of the same or
a higher level. Lines are 0-based, ranges inclusive, as in ``engine.fountain``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from engine.fountain import Element, Kind, parse


@dataclass(frozen=True)
class SceneRange:
    index: int  # 0-based position among the scene headings
    number: str  # the scene number written in the heading (#3#), else its ordinal (1-based)
    explicit_number: bool
    heading: str
    start: int
    end: int

    def contains(self, row: int) -> bool:
        return self.start <= row <= self.end

    @property
    def label(self) -> str:
        return f"scene {self.number} ({self.heading})"


@dataclass(frozen=True)
class SectionRange:
    title: str
    level: int
    start: int
    end: int

    def contains(self, row: int) -> bool:
        return self.start <= row <= self.end


@dataclass(frozen=True)
class ScriptMap:
    lines: tuple[str, ...]
    elements: tuple[Element, ...]
    scenes: tuple[SceneRange, ...]
    sections: tuple[SectionRange, ...]
    body_start: int  # first non-blank line after the title page

    @classmethod
    def build(cls, text: str, elements: Sequence[Element] | None = None) -> "ScriptMap":
        lines = tuple(text.split("\n"))
        if elements is None:
            elements = parse(text).elements
        elements = tuple(elements)
        last = max(len(lines) - 1, 0)
        heads = [e for e in elements if e.kind in (Kind.SCENE_HEADING, Kind.SECTION)]
        scenes: list[SceneRange] = []
        sections: list[SectionRange] = []
        ordinal = 0
        for i, e in enumerate(heads):
            if e.kind is Kind.SCENE_HEADING:
                ordinal += 1
                nxt = heads[i + 1].line - 1 if i + 1 < len(heads) else last
                scenes.append(
                    SceneRange(
                        ordinal - 1,
                        e.scene_number or str(ordinal),
                        bool(e.scene_number),
                        e.text.strip(),
                        e.line,
                        max(nxt, e.end_line),
                    )
                )
            else:
                level = e.level or 1
                end = last
                for later in heads[i + 1 :]:
                    if later.kind is Kind.SECTION and (later.level or 1) <= level:
                        end = later.line - 1
                        break
                sections.append(SectionRange(e.text.strip(), level, e.line, end))
        titles = [e for e in elements if e.kind is Kind.TITLE]
        body_start = titles[-1].end_line + 1 if titles else 0
        while body_start < len(lines) - 1 and not lines[body_start].strip():
            body_start += 1
        return cls(lines, elements, tuple(scenes), tuple(sections), body_start)

    # ------------------------------------------------------------ lookups
    def scene_at(self, row: int) -> SceneRange | None:
        for scene in self.scenes:
            if scene.contains(row):
                return scene
        return None

    def sections_at(self, row: int) -> list[SectionRange]:
        return [s for s in self.sections if s.contains(row)]

    def find_scenes(self, ref: str) -> list[SceneRange]:
        """Scenes named by ``ref``: a scene number (written ``#N#``, else the ordinal) or a heading."""
        ref = ref.strip()
        explicit = [s for s in self.scenes if s.explicit_number and s.number.lower() == ref.lower()]
        if explicit:
            return explicit
        if ref.isdigit():
            n = int(ref)
            if 1 <= n <= len(self.scenes) and not self.scenes[n - 1].explicit_number:
                return [self.scenes[n - 1]]
        wanted = normalise(ref)
        return [s for s in self.scenes if normalise(s.heading) == wanted]

    def find_sections(self, title: str) -> list[SectionRange]:
        wanted = normalise(title)
        return [s for s in self.sections if normalise(s.title) == wanted]

    def title_value(self, key: str) -> str | None:
        for e in self.elements:
            if e.kind is Kind.TITLE and (e.key or "").strip().lower() == key.lower():
                value = " ".join(part.strip() for part in e.text.split("\n")).strip()
                return value or None
        return None

    def character_names(self, limit: int | None = None) -> list[str]:
        """The speaking characters in order of first appearance; with ``limit``, the ``limit``
        who speak most, still in that order. (Not ordered by count: the list opens every prompt,
        and one more line for a character must not reorder it and spoil the prefix cache.)"""
        counts: dict[str, int] = {}
        for e in self.elements:
            if e.kind is Kind.CHARACTER and e.name:
                counts[e.name] = counts.get(e.name, 0) + 1
        names = list(counts)
        if limit is not None and len(names) > limit:
            order = {n: i for i, n in enumerate(names)}
            top = set(sorted(names, key=lambda n: (-counts[n], order[n]))[:limit])
            names = [n for n in names if n in top]
        return names

    def text_of(self, start: int, end: int) -> str:
        """Lines ``start..end`` (inclusive) joined, without trailing blank lines."""
        if end < start:
            return ""
        return "\n".join(self.lines[start : end + 1]).rstrip("\n ")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


__all__ = ["SceneRange", "ScriptMap", "SectionRange", "normalise"]
