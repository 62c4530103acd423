"""The context view: exactly what the model receives for the next request at the cursor, section
by section (instructions, anchors, examples, script, request) with token counts, the anchors
chosen and why, and what was trimmed to fit the window.

The prompt is rendered the way the panel's next request renders it (``ScriptSteering.steer``
with the script's anchors and remembered prompt), counted with the model's own tokenizer, in a
thread worker (group ``context``): reading the tokenizer the first time takes a moment.
"""

from __future__ import annotations


from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from engine.models import ModelError
from engine.tomlconf import ConfigError

from engine.session.steering import ScriptSteering, token_budget
from engine.session.settings import GenerationSettings
from ..keymap import CONTEXT, bindings

SECTION_TITLES = {
    "instructions": "Instructions",
    "anchors": "Anchors",
    "examples": "Examples",
    "script": "Script",
    "request": "Request",
}


class ContextRendered(Message):
    """The worker's result: the RenderedPrompt and its model, or a sentence saying what failed."""

    def __init__(self, rendered: object | None, model: str, problems: list[str], error: str | None) -> None:
        super().__init__()
        self.rendered = rendered
        self.model = model
        self.problems = problems
        self.error = error


def trimmed_lines(rendered) -> list[str]:
    """What was left out to fit, in words."""
    trimmed = rendered.trimmed
    out = []
    if trimmed.script_chars:
        scenes = f", {trimmed.scenes} whole scenes" if trimmed.scenes else ""
        out.append(f"Script: the first {trimmed.script_lines} lines ({trimmed.script_chars} characters{scenes}) "
                   f"left out; it starts at line {trimmed.first_line + 1}.")
    if trimmed.anchors:
        out.append(f"Anchors over their budget: {', '.join(trimmed.anchors)}.")
    if trimmed.examples:
        out.append(f"Examples over their budget: {', '.join(trimmed.examples)}.")
    return out or ["Nothing was trimmed: all of it fits."]


class ContextViewScreen(ModalScreen[None]):
    CSS_PATH = "context_view.tcss"

    BINDINGS = bindings(CONTEXT)

    def __init__(self, engine, steering: ScriptSteering, settings: GenerationSettings,
                 script: str, cursor: tuple[int, int]) -> None:
        super().__init__()
        self.engine = engine
        self.steering = steering
        self.settings = settings
        self.script = script
        self.cursor = cursor
        self.rendered = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="context-dialog"):
            yield Static("What the model reads next", id="context-title", markup=False)
            yield Static("Rendering the prompt…", id="context-summary", markup=False)
            yield VerticalScroll(id="context-sections")
            yield Static(id="context-trimmed", markup=False)
            yield Static("Esc closes · r renders again", id="context-keys", markup=False)

    def on_mount(self) -> None:
        self.action_refresh_context()

    def action_refresh_context(self) -> None:
        self._render_worker(self.script, self.cursor)

    @work(thread=True, exclusive=True, group="context", exit_on_error=False)
    def _render_worker(self, script: str, cursor: tuple[int, int]) -> None:
        steered = self.steering.steer(script, cursor)
        try:
            count_tokens, budget, model = token_budget(self.engine, self.settings)
            rendered = steered.render(count_tokens, budget)
        except (ConfigError, ModelError, ValueError) as exc:
            self.post_message(ContextRendered(None, "", list(steered.problems), str(exc)))
            return
        self.post_message(ContextRendered(rendered, model, list(steered.problems), None))

    @on(ContextRendered)
    async def _rendered(self, message: ContextRendered) -> None:
        self.rendered, self.error = message.rendered, message.error
        summary = self.query_one("#context-summary", Static)
        sections = self.query_one("#context-sections", VerticalScroll)
        await sections.remove_children()
        if message.error is not None:
            summary.update(f"⚠ {message.error}")
            summary.set_class(True, "-error")
            return
        rendered = message.rendered
        summary.set_class(False, "-error")
        genre = " · ".join(x for x in (rendered.genre, rendered.tone) if x) or "no genre set"
        summary.update(
            f"{rendered.prompt_id} v{rendered.prompt_version} · {message.model} · "
            f"{rendered.tokens} of {rendered.budget} tokens · {genre}"
        )
        widgets = []
        reasons = dict(rendered.anchor_reasons)
        for section in rendered.sections:
            title = SECTION_TITLES.get(section.name, section.name.capitalize())
            tokens = f"{section.tokens} tokens" if section.tokens is not None else "not counted"
            widgets.append(Static(f"{title} · {tokens}", classes="section-title", markup=False))
            if section.name == "anchors" and reasons:
                why = "\n".join(f"{aid}: {reason}" for aid, reason in reasons.items())
                widgets.append(Static(why, classes="section-why", markup=False))
            widgets.append(Static(section.text or "(empty)", classes="section-text", markup=False))
        await sections.mount_all(widgets)
        lines = trimmed_lines(rendered) + [f"⚠ {p}" for p in message.problems]
        self.query_one("#context-trimmed", Static).update("\n".join(lines))
