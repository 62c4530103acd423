"""Few-shot examples: scenes the writer marks as examples, placed before the target scene.

A scene is an example when it holds the note ``[[example]]`` (any case; ``[[example: why]]`` too),
or when the anchors store lists it under ``settings.examples`` (scene numbers or headings). A
whole other Fountain file can serve as well (``settings.examples_file``, relative to the script):
its marked scenes, or all its scenes when none is marked. The scene at the cursor is never its
own example. Examples keep their Fountain text (the ``[[example]]`` note removed) so that the
model continues in the writer's style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from engine.fountain.decode import FountainDecodeError, decode_script

from .structure import SceneRange, ScriptMap

_MARK = re.compile(r"\[\[\s*example\b[^\]]*\]\]", re.IGNORECASE)
DEFAULT_EXAMPLES_BUDGET = 600


@dataclass(frozen=True)
class Example:
    label: str  # "scene 3 (INT. BAKERY - LATER)" or "style.fountain scene 2 (...)"
    text: str
    source: str  # "script" or the other file's path
    start: int  # 0-based first line in its source
    end: int


def is_example_note(text: str) -> bool:
    return bool(re.match(r"^\s*example\b", text, re.IGNORECASE))


def marked_scenes(smap: ScriptMap) -> list[SceneRange]:
    """Scenes with an ``[[example]]`` note on one of their lines."""
    return [s for s in smap.scenes if any(_MARK.search(line) for line in smap.lines[s.start : s.end + 1])]


def scene_example(smap: ScriptMap, scene: SceneRange, source: str = "script") -> Example:
    lines = []
    for line in smap.lines[scene.start : scene.end + 1]:
        cleaned = _MARK.sub("", line)
        if cleaned.strip() or not _MARK.search(line):
            lines.append(cleaned.rstrip() if _MARK.search(line) else line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    prefix = "" if source == "script" else f"{Path(source).name} "
    return Example(prefix + scene.label, text, source, scene.start, scene.end)


def collect_examples(
    smap: ScriptMap,
    cursor_row: int | None = None,
    refs: Sequence[str] = (),
    examples_file: Path | None = None,
) -> tuple[list[Example], list[str]]:
    """(examples in script order, problems): marked scenes, listed scenes, then the other file's."""
    problems: list[str] = []
    chosen: list[SceneRange] = list(marked_scenes(smap))
    for ref in refs:
        found = smap.find_scenes(ref)
        if not found:
            problems.append(f"examples: no scene {ref!r} in the script")
        for scene in found:
            if scene not in chosen:
                chosen.append(scene)
    chosen.sort(key=lambda s: s.start)
    examples = [scene_example(smap, s) for s in chosen if cursor_row is None or not s.contains(cursor_row)]
    if examples_file is not None:
        try:
            text = decode_script(examples_file.read_bytes(), str(examples_file)).text
        except OSError as exc:
            problems.append(f"examples file {examples_file}: cannot read ({exc.strerror or exc})")
        except FountainDecodeError as exc:
            problems.append(str(exc))
        else:
            other = ScriptMap.build(text)
            scenes = marked_scenes(other) or list(other.scenes)
            examples.extend(scene_example(other, s, str(examples_file)) for s in scenes)
            if not scenes:
                problems.append(f"examples file {examples_file}: no scene headings in it")
    return examples, problems


def examples_block(examples: Sequence[Example]) -> str:
    return "\n\n".join(e.text for e in examples)


def fit_examples(
    examples: Sequence[Example], budget_tokens: int, count_tokens: Callable[[str], int]
) -> tuple[list[Example], list[Example]]:
    """(kept, dropped): examples in order while their block fits ``budget_tokens``."""
    kept: list[Example] = []
    for i, example in enumerate(examples):
        if count_tokens(examples_block(kept + [example])) > budget_tokens:
            return kept, list(examples[i:])
        kept.append(example)
    return kept, []


__all__ = [
    "DEFAULT_EXAMPLES_BUDGET",
    "Example",
    "collect_examples",
    "examples_block",
    "fit_examples",
    "is_example_note",
    "marked_scenes",
    "scene_example",
]
