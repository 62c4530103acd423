"""The editor screen's steering: the anchors panel's marks of the anchors the next request
uses, editing an anchor, the script's prompt (choose, edit, remembered beside the script) and
the view of what the model reads next."""

from __future__ import annotations

from textual import on, work
from textual.screen import Screen

from engine.steering import Anchor, Prompt, PromptError, StoreError

from ...widgets.anchors_panel import AnchorsPanel
from ..anchor_edit import AnchorEditScreen
from ..context_view import ContextViewScreen
from ..prompt_edit import PromptEditScreen

ANCHOR_MARKS_DELAY_S = 0.4  # after this pause the anchors panel marks the anchors the next request uses


class EditorSteering(Screen[None]):
    def _schedule_anchor_marks(self) -> None:
        if not self.anchors.display:
            return
        if self._marks_timer is not None:
            self._marks_timer.stop()
        self._marks_timer = self.set_timer(ANCHOR_MARKS_DELAY_S, self.mark_anchors, name="anchors-debounce")

    def mark_anchors(self) -> None:
        """Mark the anchors the next request at the cursor will use (worked out in a worker)."""
        self.anchors.mark_at(self.editor.text, self.editor.cursor_location[0])

    @on(AnchorsPanel.Changed)
    def _anchors_changed(self) -> None:
        self.mark_anchors()
        self._schedule_prime()  # the read-ahead is stale: the prompt's prefix changed

    @on(AnchorsPanel.EditRequested)
    def _edit_anchor(self, message: AnchorsPanel.EditRequested) -> None:
        anchors = self.anchors
        store = self.steering.store
        screen = AnchorEditScreen(
            message.anchor, taken=store.ids() if store is not None else [],
            characters=self.editor.live.character_names(), kind=anchors.kind_filter or "beat",
        )

        def done(anchor: Anchor | None) -> None:
            if anchor is not None:
                anchors.save_anchor(anchor, message.anchor)
            anchors.focus_table()

        self.app.push_screen(screen, done)

    def choose_prompt(self, prompt: Prompt) -> None:
        """Use ``prompt`` for this script's requests from now on (remembered beside the script)."""
        problem = self.steering.remember_prompt(prompt)
        if problem:
            self.notify(problem, title="Prompt", severity="warning", timeout=10)
        else:
            self._save_steering()
            self.notify(f"{prompt.title} ({prompt.ref}) for {self.script.path.name}.", title="Prompt")
        self.panel.refresh_view()
        self._schedule_prime()

    def _save_steering(self) -> None:
        write = self.steering.saver()
        if write is not None:
            self._steering_save_worker(write)

    @work(thread=True, group="steering-save", exit_on_error=False)
    def _steering_save_worker(self, write) -> None:
        try:
            write()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Prompt not remembered", severity="error",
                                      timeout=10)

    def action_edit_prompt(self) -> None:
        """Edit the script's prompt; the new version becomes the script's prompt."""
        steering = self.steering
        try:
            prompt = steering.steer_prompt()
        except PromptError as exc:
            self.notify(str(exc), title="Prompt", severity="error", timeout=10)
            return

        def saved(new: Prompt | None) -> None:
            if new is None:
                return
            problem = steering.remember_prompt(new, pin=True)
            if not problem:
                self._save_steering()
            self.notify(f"Saved {new.title} as {new.ref} (version {prompt.version} is kept)."
                        + (f" {problem}" if problem else ""), title="Prompt")
            self.panel.refresh_view()
            self._schedule_prime()

        self.app.push_screen(PromptEditScreen(prompt, steering.prompts()), saved)

    def action_context_view(self) -> None:
        editor = self.editor
        self.app.push_screen(ContextViewScreen(
            self.generation_engine, self.steering, self.panel.settings, editor.text, editor.cursor_location,
        ))
