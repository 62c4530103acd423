"""The editor screen's requests to the model: continue at the cursor, rewrite or give
alternatives for the selection, a scene from a beat; accepting a suggestion into the script;
the suggestion settings; the read-ahead while the writer pauses.

Where accepted text goes: at the position the request was made for when the script has not
changed since (even if the cursor moved away); if the writer has edited the script meanwhile,
at the cursor. It is inserted, never replacing anything (a selection stays in the script), as
one undo step. A rewrite of the selection takes the passage's place while the script is as it
was when asked."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.screen import Screen
from textual.widgets.text_area import Location

from engine.fountain.editing import separate_suggestion
from engine.tomlconf import ConfigError

from ...messages import ModelLoaded
from engine.session.steering import RequestInputs
from engine.session.settings import GenerationSettings
from ..generation_settings import GenerationSettingsScreen
from ..request_input import RequestInputScreen
from .hints import select_first

PRIME_DELAY_S = 1.5  # after this pause in typing the model reads the script ahead (when warm)


def fit_replacement(old: str, new: str) -> str:
    """``new`` with the blank lines around ``old`` (a rewritten passage keeps its place in the
    paragraphs around it)."""
    lead = old[: len(old) - len(old.lstrip("\n"))]
    trail = old[len(old.rstrip("\n")):]
    return lead + new.strip("\n") + trail


class EditorRequests(Screen[None]):
    def action_suggest(self) -> None:
        """Ask for a continuation at the cursor, with the script's prompt. A prompt that works on
        a selection (rewrite, alternatives) or on a beat asks for what it needs first."""
        kind = self.steering.remembered_kind()
        if kind == "rewrite":
            self.action_rewrite_selection()
        elif kind == "alternatives":
            self.action_alternatives_for_selection()
        elif kind == "beat":
            self.action_scene_from_beat()
        else:
            self._request()

    def _request(self, inputs: RequestInputs | None = None, at: Location | None = None) -> int | None:
        """Send the request (the panel shows it); returns its id."""
        self.show_panel()
        editor = self.editor
        self.panel.request(editor.text, at or editor.cursor_location, self.generation, inputs)
        suggestion = self.panel.suggestion
        return suggestion.id if suggestion is not None else None

    def _selected(self, kind: str) -> tuple[Location, Location, str] | None:
        """The selected passage, as whole lines' worth of text (or None, after telling the writer)."""
        editor = self.editor
        start, end = sorted(editor.selection)
        text = editor.get_text_range(start, end)
        if not text.strip():
            what = "rewrite" if kind == "rewrite" else "give alternatives for"
            self.notify(select_first(what), title="Nothing selected", severity="warning")
            return None
        return start, end, text

    def action_rewrite_selection(self) -> None:
        selected = self._selected("rewrite")
        if selected is None:
            return
        start, end, text = selected
        words = len(text.split())

        def send(instruction: str | None) -> None:
            if instruction is None:
                return
            if instruction:
                self._instructions = [instruction, *[i for i in self._instructions if i != instruction]][:20]
            inputs = RequestInputs("rewrite", selection_text=text, instruction=instruction or None)
            self._remember_replacement(self._request(inputs, at=start), start, end, text)

        self.app.push_screen(RequestInputScreen(
            "Rewrite the selection", f"{words} words selected. How should the model rewrite them? "
            "(Enter with nothing: make it tighter and more vivid)",
            placeholder="e.g. make Emma colder; cut it to two lines; more subtext", choices=self._instructions,
        ), send)

    def action_alternatives_for_selection(self) -> None:
        selected = self._selected("alternatives")
        if selected is None:
            return
        start, end, text = selected
        inputs = RequestInputs("alternatives", selection_text=text)
        self._remember_replacement(self._request(inputs, at=start), start, end, text)

    def _remember_replacement(self, request_id: int | None, start: Location, end: Location, text: str) -> None:
        if request_id is not None:
            self._replaces = {request_id: (start, end, self.generation, text)}

    def action_scene_from_beat(self) -> None:
        store = self.steering.store
        beats = [a.text for a in store.anchors if a.kind == "beat" and a.enabled] if (
            store is not None and store.error is None) else []

        def send(beat: str | None) -> None:
            if beat:
                self._request(RequestInputs("beat", beat=beat))

        self.app.push_screen(RequestInputScreen(
            "A scene from a beat", "What happens in the next scene? The model writes it after the cursor.",
            placeholder="e.g. Emma realises the villain's motives are rooted in betrayal", choices=beats,
            required=True,
        ), send)

    def action_accept_suggestion(self, part: str = "whole") -> None:
        offer = self.panel.offer(part)
        if offer is None:
            self.app.bell()
            return
        editor = self.editor
        replaces = self._replaces.pop(offer.request_id, None)
        if replaces is not None and replaces[2] == self.generation:
            start, end, _, old = replaces  # a rewrite of the selection: it takes the passage's place
            text = fit_replacement(old, offer.text)
            at, end = start, editor.replace_with_suggestion(text, start, end)  # one undo step
        else:
            if replaces is not None:
                self.notify("The script changed since the request: the rewrite goes in at the cursor, "
                            "the passage stays.", title="Rewrite", severity="warning")
            at = offer.at if offer.version == self.generation else editor.cursor_location
            text = separate_suggestion(editor.document.lines, at, offer.text)
            end = editor.insert_suggestion(text, at)
        self.panel.taken(offer, at, end, self.generation, editor.text)
        editor.focus()

    def action_suggestion_settings(self) -> None:
        panel = self.panel
        registry, problem = None, None
        try:
            registry = panel.engine.registry
        except ConfigError as exc:  # the settings screen says what is wrong
            problem = str(exc)
        self.app.push_screen(GenerationSettingsScreen(panel.settings, registry, problem), self._settings_chosen)

    def _settings_chosen(self, settings: GenerationSettings | None) -> None:
        if settings is not None:
            self.panel.apply_settings(settings)

    def choose_model(self, name: str) -> None:
        panel = self.panel
        self.show_panel()
        panel.apply_settings(replace(panel.settings, model=name))

    def reset_sampling(self) -> None:
        panel = self.panel
        panel.apply_settings(GenerationSettings(model=panel.settings.model))

    def _schedule_prime(self) -> None:
        if not self.warm_model:
            return
        if self._prime_timer is not None:
            self._prime_timer.stop()
        self._prime_timer = self.set_timer(PRIME_DELAY_S, self.prime_model, name="prime-debounce")

    def prime_model(self) -> None:
        """Let the model read the script up to the cursor while the writer pauses."""
        editor = self.editor
        self.panel.prime(editor.text, editor.cursor_location)

    @on(ModelLoaded)
    def _model_loaded(self) -> None:
        """Not right away: the read-ahead waits for a pause in typing like any other."""
        self._schedule_prime()
