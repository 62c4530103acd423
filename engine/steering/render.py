"""Rendering a prompt for a request: sections in a stable order, the script trimmed to the budget.

``render_prompt`` fills a prompt's template from the script at the cursor, the anchors selection
and the examples, and returns the prompt as named sections, always in this order::

    instructions (genre, tone, title, characters) -> anchors -> examples -> script -> request

Everything before the script stays the same while the writer types at the cursor, so llama.cpp
reuses its evaluated prefix. With ``count_tokens`` and ``budget_tokens`` the script is trimmed from
the front at scene boundaries until the prompt fits (the scene with the cursor, when it is too
long alone, keeps its heading and loses paragraphs, then lines, from its top).

``prepare_prompt`` does the whole job for the editor, the command line and the generation engine:
it picks the prompt (the one remembered for the script, else ``continue``), selects the anchors
within their budget, collects and fits the examples, renders and trims.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from engine.fountain import Element
from engine.generation.context import cut_points as _boundaries, first_fit as _first_fit

from .anchors import EMPTY_SELECTION, Anchor, Choice, Selection, anchors_block, select_anchors
from .cuts import without_cuts
from .examples import DEFAULT_EXAMPLES_BUDGET, Example, collect_examples, examples_block, fit_examples
from .prompts import Prompt, PromptError, PromptLibrary, load_library
from .store import AnchorStore, StoreSettings
from .structure import ScriptMap

CountTokens = Callable[[str], int]
STABLE_SECTIONS = ("instructions", "anchors", "examples")
MAX_CHARACTERS = 12
DEFAULT_PROMPT = "continue"


@dataclass(frozen=True)
class ScriptStyle:
    title: str | None
    genre: str | None
    tone: str | None
    characters: tuple[str, ...]


def script_style(smap: ScriptMap, settings: StoreSettings | None = None) -> ScriptStyle:
    """Genre and tone from the store's settings when set, else from the title page (``Genre:``, ``Tone:``)."""
    settings = settings or StoreSettings()
    return ScriptStyle(
        smap.title_value("Title"),
        settings.genre or smap.title_value("Genre"),
        settings.tone or smap.title_value("Tone"),
        tuple(smap.character_names(MAX_CHARACTERS)),
    )


@dataclass(frozen=True)
class Section:
    name: str  # instructions | anchors | examples | script | request
    text: str
    tokens: int | None = None  # counted with the caller's tokenizer, when given

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "text": self.text, "tokens": self.tokens}


@dataclass(frozen=True)
class Trimmed:
    """What was left out to fit the budget."""

    script_chars: int = 0  # characters of the script before the cursor left out
    script_lines: int = 0  # lines left out
    scenes: int = 0  # whole scenes left out
    first_line: int = 0  # 0-based script line where the included script starts
    anchors: tuple[str, ...] = ()  # anchor ids that applied but did not fit their budget
    examples: tuple[str, ...] = ()  # examples that did not fit their budget

    @property
    def anything(self) -> bool:
        return bool(self.script_chars or self.anchors or self.examples)

    def to_dict(self) -> dict[str, Any]:
        return {
            "script_chars": self.script_chars,
            "script_lines": self.script_lines,
            "scenes": self.scenes,
            "first_line": self.first_line + 1,
            "anchors": list(self.anchors),
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class _Body:
    """The trimmable script text and where its scenes start (character offsets into it)."""

    slot: str  # "script" or "previous"
    text: str
    first_line: int  # script line of text[0]
    heads: tuple[int, ...]  # offsets of the scene headings in text


@dataclass(frozen=True)
class RenderedPrompt:
    prompt_id: str
    prompt_version: int
    kind: str
    sections: tuple[Section, ...]
    anchors: tuple[str, ...]  # ids of the anchors in the prompt, in prompt order
    examples: tuple[str, ...]  # labels of the examples in the prompt
    genre: str | None
    tone: str | None
    sampling: dict[str, float | int] = field(default_factory=dict, compare=False)
    stop: tuple[str, ...] = ()
    alternatives: int = 1
    trimmed: Trimmed = Trimmed()
    tokens: int | None = None  # tokens of the whole prompt (without BOS), when counted
    budget: int | None = None
    fits: bool = True
    script_chars: int = 0  # characters of the script in the prompt
    anchor_reasons: tuple[tuple[str, str], ...] = ()  # (id, why it applies)
    _values: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _body: _Body | None = field(default=None, repr=False, compare=False)
    _template: Any = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The exact prompt text."""
        return "".join(s.text for s in self.sections)

    @property
    def ref(self) -> tuple[str, int]:
        """(prompt id, version): record it with the suggestion."""
        return self.prompt_id, self.prompt_version

    @property
    def prefix(self) -> str:
        """The stable part: every section before the script."""
        out = []
        for s in self.sections:
            if s.name not in STABLE_SECTIONS:
                break
            out.append(s.text)
        return "".join(out)

    def section(self, name: str) -> Section | None:
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def messages(self) -> list[dict[str, str]]:
        """For chat-format models: the stable prefix as the system message, the rest as the user's."""
        prefix = self.prefix
        return [{"role": "system", "content": prefix.strip()}, {"role": "user", "content": self.text[len(prefix) :]}]

    def fit(self, count_tokens: CountTokens, budget_tokens: int) -> "RenderedPrompt":
        """This prompt with the script trimmed so that the whole prompt fits ``budget_tokens``."""
        return _fit(self, count_tokens, budget_tokens)

    def counted(self, count_tokens: CountTokens) -> "RenderedPrompt":
        """This prompt with token counts per section and in all."""
        sections = tuple(replace(s, tokens=count_tokens(s.text)) for s in self.sections)
        return replace(self, sections=sections, tokens=count_tokens(self.text))

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.text,
            "prompt_id": self.prompt_id,
            "prompt_version": self.prompt_version,
            "kind": self.kind,
            "tokens": self.tokens,
            "budget": self.budget,
            "fits": self.fits,
            "sections": [s.to_dict() for s in self.sections],
            "trimmed": self.trimmed.to_dict(),
            "anchors": [{"id": i, "reason": r} for i, r in self.anchor_reasons],
            "examples": list(self.examples),
            "genre": self.genre,
            "tone": self.tone,
            "sampling": dict(self.sampling),
            "stop": list(self.stop),
            "alternatives": self.alternatives,
        }


# ---------------------------------------------------------------- the cursor
def text_before_cursor(lines: Sequence[str], row: int, col: int | None, first: int = 0) -> str:
    """Lines ``first..row``, the last one cut at ``col`` (None: the whole line)."""
    if not lines:
        return ""
    row = max(0, min(row, len(lines) - 1))
    if row < first:
        return ""
    last = lines[row] if col is None else lines[row][: max(0, col)]
    return "\n".join(list(lines[first:row]) + [last])


def _heading_span(text: str, offset: int) -> tuple[int, int]:
    end = text.find("\n", offset)
    return offset, (len(text) if end < 0 else end)


def _body(slot: str, smap: ScriptMap, start_line: int, text: str) -> _Body:
    offsets, pos = [], 0
    for line in text.split("\n"):
        offsets.append(pos)
        pos += len(line) + 1
    cuts = []
    for scene in smap.scenes:
        rel = scene.start - start_line
        if 0 <= rel < len(offsets):
            cuts.append(offsets[rel])
    return _Body(slot, text, start_line, tuple(cuts))


# ---------------------------------------------------------------- rendering
def render_prompt(
    prompt: Prompt,
    script_text: str,
    cursor_row: int,
    anchors_selection: Selection | Sequence[Anchor] | None = None,
    examples: Sequence[Example] | str = (),
    selection_text: str | None = None,
    instruction: str | None = None,
    beat: str | None = None,
    *,
    cursor_col: int | None = None,
    settings: StoreSettings | None = None,
    script_map: ScriptMap | None = None,
    elements: Sequence[Element] | None = None,
    count_tokens: CountTokens | None = None,
    budget_tokens: int | None = None,
) -> RenderedPrompt:
    """The prompt for a request at ``(cursor_row, cursor_col)`` (0-based; col None = end of the line).

    Slots: ``{{script}}`` the script (after the title page) up to the cursor; ``{{previous}}``
    the script before the cursor's scene; ``{{scene}}`` the cursor's scene up to the cursor;
    ``{{heading}}`` its heading; ``{{genre}}``/``{{tone}}``/``{{title}}``/``{{characters}}`` from
    the title page (genre and tone overridden by the store's settings); ``{{anchors}}``,
    ``{{examples}}``, ``{{selection}}``, ``{{instruction}}``, ``{{beat}}`` as given.
    With ``count_tokens`` every section is counted; with ``budget_tokens`` too, the script is trimmed.
    """
    smap = script_map or ScriptMap.build(script_text, elements)
    style = script_style(smap, settings)
    lines = smap.lines
    row = max(0, min(cursor_row, len(lines) - 1))
    scene = smap.scene_at(row)
    body_start = smap.body_start
    before = text_before_cursor(lines, row, cursor_col, body_start)
    if scene is not None and scene.start >= body_start:
        previous = "\n".join(lines[body_start : scene.start]).rstrip("\n ")
        scene_text = text_before_cursor(lines, row, cursor_col, scene.start)
        heading = scene.heading
    else:
        previous, scene_text, heading = before, "", ""

    if anchors_selection is None:
        selection = EMPTY_SELECTION
    elif isinstance(anchors_selection, Selection):
        selection = anchors_selection
    else:  # anchors chosen by the caller, in prompt order
        given = list(anchors_selection)
        selection = Selection(tuple(Choice(a, "given", None) for a in given), (), (), 0, 0, anchors_block(given))
    examples_text = examples if isinstance(examples, str) else examples_block(examples)
    example_labels = () if isinstance(examples, str) else tuple(e.label for e in examples)

    values = {
        "genre": style.genre or "",
        "tone": style.tone or "",
        "title": style.title or "",
        "characters": ", ".join(style.characters),
        "anchors": selection.text,
        "examples": examples_text,
        "script": before,
        "previous": previous,
        "scene": scene_text,
        "heading": heading,
        "selection": selection_text or "",
        "instruction": instruction or "",
        "beat": beat or "",
    }
    body = None
    template = prompt.template
    if template.uses("script"):
        body = _body("script", smap, body_start, before)
    elif template.uses("previous"):
        body = _body("previous", smap, body_start, previous)
    anchor_ids = tuple(c.anchor.id for c in selection.chosen)
    reasons = tuple((c.anchor.id, c.reason) for c in selection.chosen)
    rendered = RenderedPrompt(
        prompt.id,
        prompt.version,
        prompt.kind,
        tuple(Section(n, t) for n, t in template.render(values)),
        anchor_ids,
        example_labels,
        style.genre,
        style.tone,
        dict(prompt.sampling),
        prompt.stop,
        prompt.alternatives,
        Trimmed(anchors=tuple(c.anchor.id for c in selection.dropped), first_line=body.first_line if body else 0),
        script_chars=len(body.text) if body else 0,
        anchor_reasons=reasons,
        _values=values,
        _body=body,
        _template=template,
    )
    if count_tokens is not None and budget_tokens is not None:
        return rendered.fit(count_tokens, budget_tokens)
    if count_tokens is not None:
        return rendered.counted(count_tokens)
    return rendered


def _fit(rp: RenderedPrompt, count_tokens: CountTokens, budget: int) -> RenderedPrompt:
    body = rp._body
    values = dict(rp._values)

    def total(vals: dict[str, str]) -> int:
        return count_tokens("".join(t for _, t in rp._template.render(vals)))

    def fits(start: int, heading: str = "") -> bool:
        assert body is not None
        return total({**values, body.slot: heading + body.text[start:]}) <= budget

    cut, heading = 0, ""
    if body is not None and total(values) > budget:
        found = _first_fit([c for c in body.heads if c > 0], fits)
        if found is not None:
            cut = found
        else:
            # the scene with the cursor does not fit alone: keep its heading, trim below it
            body_from = 0
            if body.heads:
                start, end = _heading_span(body.text, body.heads[-1])
                heading = body.text[start:end].strip() + "\n\n"
                body_from = min(end + 1, len(body.text))
            cut = len(body.text)
            for cuts in (
                _boundaries(body.text, "\n\n", body_from),
                _boundaries(body.text, "\n", body_from),
                range(body_from, len(body.text) + 1),
            ):
                found = _first_fit(list(cuts), lambda c: fits(c, heading))
                if found is not None:
                    cut = found
                    break
        values[body.slot] = (heading if cut else "") + body.text[cut:]
        if not cut:
            heading = ""

    # still too long (a tiny context): leave out the examples, then anchors from the last one
    ok = total(values) <= budget
    dropped_examples: tuple[str, ...] = ()
    anchor_ids, reasons = list(rp.anchors), list(rp.anchor_reasons)
    dropped_anchors: list[str] = []
    if not ok and values.get("examples"):
        values["examples"] = ""
        dropped_examples = rp.examples
        ok = total(values) <= budget
    while not ok and anchor_ids:
        dropped_anchors.insert(0, anchor_ids.pop())
        reasons.pop()
        values["anchors"] = "\n".join(values["anchors"].split("\n")[: len(anchor_ids)])
        ok = total(values) <= budget

    trimmed = replace(
        rp.trimmed, anchors=tuple(dropped_anchors) + rp.trimmed.anchors, examples=dropped_examples + rp.trimmed.examples
    )
    if body is not None and cut:
        dropped = body.text[:cut]
        heads_dropped = sum(1 for h in body.heads if h < cut) - (1 if heading else 0)
        trimmed = replace(
            trimmed,
            script_chars=max(0, len(body.text) - len(values[body.slot])),
            script_lines=dropped.count("\n"),
            scenes=max(0, heads_dropped),
            first_line=body.first_line + dropped.count("\n"),
        )
    sections = tuple(Section(n, t, count_tokens(t)) for n, t in rp._template.render(values))
    return replace(
        rp,
        sections=sections,
        anchors=tuple(anchor_ids),
        anchor_reasons=tuple(reasons),
        examples=() if dropped_examples else rp.examples,
        trimmed=trimmed,
        tokens=count_tokens("".join(s.text for s in sections)),
        budget=budget,
        fits=ok,
        script_chars=len(values[body.slot]) if body is not None else 0,
        _values=values,
    )


# ---------------------------------------------------------------- one call for a request
# Where a prompt's text goes, for Fountain-shaped generation (ContinueRequest.shape): a beat
# writes the next scene, heading first; a rewrite or alternatives replace a selection (free text).
SHAPE_OF_KIND = {"continue": "cursor", "dialogue": "cursor", "beat": "scene", "rewrite": "off", "alternatives": "off"}


def request_overrides(prompt: Prompt | RenderedPrompt) -> dict[str, Any]:
    """What a prompt asks of the request, as ``engine.generation.ContinueRequest`` keyword arguments:
    its sampling overrides, its stop sequences (``extra_stop``: added to the model's) and the number
    of alternatives (``n``). Values the writer sets in the panel should be applied over these."""
    out: dict[str, Any] = dict(prompt.sampling)
    out["shape"] = SHAPE_OF_KIND.get(prompt.kind, "off")
    if prompt.stop:
        out["extra_stop"] = tuple(prompt.stop)
    if prompt.alternatives != 1:
        out["n"] = prompt.alternatives
    return out


def choose_prompt(library: PromptLibrary, settings: StoreSettings, prompt: Prompt | str | None) -> Prompt:
    """``prompt`` (a Prompt or an id, ``id@version`` allowed), else the script's remembered one, else continue."""
    if isinstance(prompt, Prompt):
        return prompt
    if prompt:
        pid, _, version = prompt.partition("@")
        if version and not version.isdigit():
            raise PromptError(f"{prompt!r}: write ID or ID@VERSION")
        return library.get(pid, int(version) if version else None)
    if settings.prompt:
        try:
            return library.get(settings.prompt, settings.prompt_version)
        except PromptError:
            pass  # a remembered prompt that is gone: fall back to the default
    return library.get(DEFAULT_PROMPT)


def prepare_prompt(
    script_text: str,
    cursor: tuple[int, int | None],
    *,
    prompt: Prompt | str | None = None,
    store: AnchorStore | None = None,
    script_path: Path | str | None = None,
    library: PromptLibrary | None = None,
    count_tokens: CountTokens,
    budget_tokens: int | None = None,
    selection_text: str | None = None,
    instruction: str | None = None,
    beat: str | None = None,
    elements: Sequence[Element] | None = None,
) -> tuple[RenderedPrompt, list[str]]:
    """(the fitted prompt, problems to show the writer) for a request at ``cursor``.

    ``store`` defaults to the one beside ``script_path``; a malformed store is reported in the
    problems and ignored. Raises ``PromptError`` for an unknown prompt id.
    """
    problems: list[str] = []
    if store is None and script_path is not None:
        store = AnchorStore.for_script(script_path)
    if store is not None and store.error is not None:
        problems.append(f"anchors not used: {store.error}")
        store = None
    settings = store.settings if store else StoreSettings()
    anchors = store.anchors if store else []
    library = library or load_library()
    problems.extend(str(e) for e in library.errors)
    chosen = choose_prompt(library, settings, prompt)
    row, col = cursor
    model_text, row, col = without_cuts(script_text, row, col)  # the boneyard is not the story
    smap = ScriptMap.build(model_text, elements if model_text is script_text else None)
    selection = select_anchors(
        anchors, model_text, row, settings.anchor_budget, count_tokens, scan_chars=settings.scan_chars, script_map=smap
    )
    examples: list[Example] = []
    dropped_examples: list[Example] = []
    if chosen.template.uses("examples"):
        other = None
        if settings.examples_file:
            other = Path(settings.examples_file).expanduser()
            if not other.is_absolute() and script_path is not None:
                other = Path(script_path).resolve().parent / other
        found, issues = collect_examples(smap, row, settings.examples, other)
        problems.extend(issues)
        examples, dropped_examples = fit_examples(found, settings.examples_budget, count_tokens)
    rendered = render_prompt(
        chosen,
        model_text,
        row,
        selection,
        examples,
        selection_text,
        instruction,
        beat,
        cursor_col=col,
        settings=settings,
        script_map=smap,
        count_tokens=count_tokens,
        budget_tokens=budget_tokens,
    )
    if dropped_examples:
        trimmed = replace(
            rendered.trimmed, examples=tuple(e.label for e in dropped_examples) + rendered.trimmed.examples
        )
        rendered = replace(rendered, trimmed=trimmed)
    return rendered, problems


__all__ = [
    "DEFAULT_EXAMPLES_BUDGET",
    "DEFAULT_PROMPT",
    "RenderedPrompt",
    "ScriptStyle",
    "Section",
    "Trimmed",
    "choose_prompt",
    "prepare_prompt",
    "render_prompt",
    "request_overrides",
    "script_style",
    "text_before_cursor",
]
