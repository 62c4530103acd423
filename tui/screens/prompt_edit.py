"""Edit a prompt of the library: its title and template. Saving never overwrites: it writes
the next version into the user's prompt folder (``engine.steering.save_new_version``), so the
edit log can compare the suggestions of each version, and the old version stays usable.

Dismisses with the new :class:`~engine.steering.Prompt`, or None when cancelled. A template
that does not parse, or lacks a slot its kind needs, is shown under the form with its line, and
the form stays open with the writer's text.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from engine.steering import Prompt, PromptError, PromptLibrary, save_new_version
from engine.steering.prompts import REQUIRED_SLOTS
from engine.tomlconf import ConfigError
from ..keymap import PROMPT_EDIT, bindings

SLOTS = ("genre", "tone", "title", "characters", "anchors", "examples", "script", "scene", "selection",
         "instruction", "beat")


class PromptEditScreen(ModalScreen[Prompt | None]):
    CSS_PATH = "prompt_edit.tcss"

    BINDINGS = bindings(PROMPT_EDIT)

    def __init__(self, prompt: Prompt, library: PromptLibrary) -> None:
        super().__init__()
        self.prompt = prompt
        self.library = library

    def compose(self) -> ComposeResult:
        prompt = self.prompt
        newest = max(p.version for p in self.library.versions.get(prompt.id, [prompt]))
        needs = " and ".join("/".join(f"{{{{{s}}}}}" for s in group) for group in REQUIRED_SLOTS[prompt.kind])
        with Vertical(id="prompt-dialog"):
            yield Static(f"Edit prompt {prompt.ref} ({prompt.kind})", id="prompt-title", markup=False)
            yield Static(
                f"Saving writes version {newest + 1}; version {prompt.version} stays as it is. "
                f"A {prompt.kind} prompt needs {needs}. Slots: " + ", ".join(SLOTS) + ".",
                id="prompt-help", markup=False,
            )
            with Horizontal(classes="row"):
                yield Label("Title")
                yield Input(prompt.title, id="prompt-title-input")
            yield TextArea(prompt.template_text.strip("\n"), id="prompt-template", soft_wrap=True,
                           show_line_numbers=True, tab_behavior="indent")
            yield Static("", id="prompt-problem", markup=False)
            yield Static("Ctrl+S: save as a new version · Esc: cancel", id="prompt-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#prompt-template", TextArea).focus()

    def action_save(self) -> None:
        template = self.query_one("#prompt-template", TextArea).text.strip("\n") + "\n"
        title = self.query_one("#prompt-title-input", Input).value.strip() or None
        problem = self.query_one("#prompt-problem", Static)
        if template == self.prompt.template_text.strip("\n") + "\n" and title in (None, self.prompt.title):
            problem.update("Nothing changed: there is no new version to write.")
            return
        try:
            saved = save_new_version(self.prompt, template, title=title, library=self.library)
        except (ConfigError, PromptError) as exc:
            problem.update(str(exc))
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
