"""Who speaks, how much: per character dialogue share, words, lines and scenes; the split by the
writer's gender and role tags (Highland's gender analysis, the seed's bias check); and, scene
by scene, the share of each speaker (the "who speaks" chart).

Words are counted as ``scenewright stats`` counts them (:func:`engine.fountain.stats.count_words`),
dialogue and lyrics only; cue extensions such as ``(V.O.)`` do not make another character.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.fountain import Kind, ParseResult
from engine.fountain.stats import character_key, count_words
from engine.steering.cast import TAG_FIELDS, UNTAGGED, CharacterTags

__all__ = ["CharacterLine", "DialogueReport", "SceneSpeakers", "dialogue_report", "dialogue_csv", "dialogue_text",
           "share_bar"]

_SPEECH = (Kind.DIALOGUE, Kind.LYRICS)


@dataclass(slots=True)
class CharacterLine:
    name: str
    words: int = 0
    blocks: int = 0  # dialogue blocks (speeches)
    scenes: list[str] = field(default_factory=list)
    gender: str | None = None
    role: str | None = None
    share: float = 0.0  # of all dialogue words

    def to_dict(self) -> dict:
        return {"name": self.name, "words": self.words, "share": round(self.share, 4), "speeches": self.blocks,
                "scene_count": len(self.scenes), "scenes": self.scenes, "gender": self.gender, "role": self.role}


@dataclass(slots=True)
class SceneSpeakers:
    scene: str  # its number, or its ordinal when the script has none
    heading: str
    line: int  # 1-based line of the heading (0: before the first heading)
    words: dict[str, int] = field(default_factory=dict)  # speaker -> dialogue words, most first

    @property
    def total(self) -> int:
        return sum(self.words.values())

    def to_dict(self) -> dict:
        return {"scene": self.scene, "heading": self.heading, "line": self.line, "words": self.words}


@dataclass(slots=True)
class DialogueReport:
    characters: list[CharacterLine]  # most words first
    splits: dict[str, dict[str, dict]]  # "gender"/"role" -> tag -> {"characters", "words", "share"}
    scenes: list[SceneSpeakers]
    total_words: int

    @property
    def tagged(self) -> bool:
        return any(c.gender or c.role for c in self.characters)

    def to_dict(self) -> dict:
        return {"total_words": self.total_words, "characters": [c.to_dict() for c in self.characters],
                "splits": self.splits, "scenes": [s.to_dict() for s in self.scenes]}


def dialogue_report(result: ParseResult, cast: Mapping[str, CharacterTags] | None = None) -> DialogueReport:
    """The report of a parsed script; ``cast`` holds the writer's tags by upper-case name."""
    cast = cast or {}
    people: dict[str, CharacterLine] = {}  # casefolded name -> line
    scenes: list[SceneSpeakers] = []
    current: SceneSpeakers | None = None
    speaker: CharacterLine | None = None
    for e in result.elements:
        if e.kind is Kind.SCENE_HEADING:
            current = SceneSpeakers(e.scene_number or str(sum(1 for s in scenes if s.line) + 1), e.text, e.line + 1)
            scenes.append(current)
            speaker = None
        elif e.kind is Kind.CHARACTER:
            name = character_key(e)
            if not name:
                speaker = None
                continue
            speaker = people.setdefault(name.casefold(), CharacterLine(name))
            speaker.blocks += 1
            if current is None:  # speech before the first heading (a cold open without one)
                current = SceneSpeakers("-", "(before the first scene)", 0)
                scenes.append(current)
            if current.scene not in speaker.scenes:
                speaker.scenes.append(current.scene)
        elif e.kind in _SPEECH and speaker is not None:
            words = count_words(e.text)
            speaker.words += words
            if current is not None:
                current.words[speaker.name] = current.words.get(speaker.name, 0) + words
        elif e.kind not in (Kind.PARENTHETICAL, Kind.NOTE, Kind.BONEYARD):
            speaker = None
    total = sum(c.words for c in people.values())
    characters = sorted(people.values(), key=lambda c: (-c.words, -c.blocks, c.name))
    for c in characters:
        c.share = c.words / total if total else 0.0
        tags = cast.get(c.name.upper())
        if tags is not None:
            c.gender, c.role = tags.gender, tags.role
    for s in scenes:
        s.words = dict(sorted(s.words.items(), key=lambda kv: -kv[1]))
    splits: dict[str, dict[str, dict]] = {}
    for tag in TAG_FIELDS:
        groups: dict[str, dict] = {}
        for c in characters:
            group = groups.setdefault(getattr(c, tag) or UNTAGGED, {"characters": 0, "words": 0, "speeches": 0})
            group["characters"] += 1
            group["words"] += c.words
            group["speeches"] += c.blocks
        for group in groups.values():
            group["share"] = round(group["words"] / total, 4) if total else 0.0
        splits[tag] = dict(sorted(groups.items(), key=lambda kv: (kv[0] == UNTAGGED, -kv[1]["words"])))
    return DialogueReport(characters, splits, scenes, total)


# ---------------------------------------------------------------------------------- text and CSV
def share_bar(share: float, width: int) -> str:
    """``0.37`` in ``width`` cells of eighth blocks (``███▋``)."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")


def dialogue_csv(report: DialogueReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "words", "share", "speeches", "scene_count", "gender", "role", "scenes"])
    for c in report.characters:
        writer.writerow([c.name, c.words, f"{c.share:.4f}", c.blocks, len(c.scenes), c.gender or "", c.role or "",
                         "; ".join(c.scenes)])
    return out.getvalue()


def dialogue_text(report: DialogueReport, width: int = 80, chart_speakers: int = 4) -> str:
    """The report as a terminal reads it: characters, the splits, and who speaks in each scene."""
    if not report.characters:
        return "No dialogue in this script.\n"
    name_w = min(24, max(9, *(len(c.name) for c in report.characters)))
    bar_w = max(6, width - name_w - 44)
    lines = [f"Dialogue: {report.total_words} words, {len(report.characters)} speaking characters", "",
             f"{'Character':<{name_w}}  {'Words':>6}  {'Share':>6}  {'Sp.':>4}  {'Sc.':>3}  {'':<{bar_w}}  Tags"]
    for c in report.characters:
        tags = " ".join(t for t in (c.gender, c.role) if t)
        lines.append(f"{c.name[:name_w]:<{name_w}}  {c.words:>6}  {c.share:>6.1%}  {c.blocks:>4}  {len(c.scenes):>3}  "
                     f"{share_bar(c.share, bar_w):<{bar_w}}  {tags}".rstrip())
    for tag, groups in report.splits.items():
        if list(groups) == [UNTAGGED]:
            continue
        lines += ["", f"By {tag}:"]
        for group, g in groups.items():
            lines.append(f"  {group[:name_w]:<{name_w}}  {g['words']:>6}  {g['share']:>6.1%}  "
                         f"{g['characters']:>3} character{'s' * (g['characters'] != 1)}")
    if not report.tagged:
        lines += ["", "No character is tagged: add gender and role in the editor's dialogue screen (Alt+D) "
                      "or as [cast.NAME] in the script's .anchors.toml."]
    lines += ["", "Who speaks, scene by scene (share of the scene's dialogue words):"]
    num_w = max([5] + [len(s.scene) for s in report.scenes])
    for s in report.scenes:
        total = s.total
        if not total:
            lines.append(f"{s.scene:>{num_w}}  (no dialogue)  {s.heading}"[:width])
            continue
        parts = [f"{name} {words / total:.0%}" for name, words in list(s.words.items())[:chart_speakers]]
        if len(s.words) > chart_speakers:
            parts.append(f"+{len(s.words) - chart_speakers}")
        lines.append(f"{s.scene:>{num_w}}  {', '.join(parts)}"[:width])
    return "\n".join(lines) + "\n"
