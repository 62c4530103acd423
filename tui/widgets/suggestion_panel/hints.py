"""The panel's key-hint line: the editor screen's and the app's keys (the registry's, with the
writer's key map applied) that can do something now, and the key that chooses the prompt when
there is room for it."""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ...keymap import APP, EDITOR, hints, key_display, keys


class PanelHints(Vertical):
    def _suggestion_bindings(self) -> dict[str, tuple[str, str]]:
        """``{binding id: (key as shown, action)}`` for the keys of the editor screen and the
        app (the registry's), with the writer's key map applied."""
        return {key.id: (key_display(self.app, key.id), key.action.split("(")[0])
                for key in [*keys(EDITOR), *keys(APP)] if key.is_binding}

    def _keys(self) -> dict[str, str]:
        return {binding_id: key for binding_id, (key, _) in self._suggestion_bindings().items()}

    def _update_hint(self) -> None:
        parts = []
        bindings = self._suggestion_bindings()
        prompt = None
        for hinted in hints():
            if hinted.id not in bindings:
                continue
            if hinted.id == "editor.choose_prompt":  # added below when there is room
                prompt = hinted
                continue
            key, action = bindings[hinted.id]
            if not self.allows(action):
                continue
            parts.append(f"{key} {hinted.hint}")
        hint = self.query_one("#suggestion-keys", Static)
        prompt_key = self._prompt_key(bindings)
        width = hint.content_size.width
        if prompt is not None and prompt_key is not None and width > 0:
            with_prompt = [*parts, f"{prompt_key} {prompt.hint}"]
            if self._hint_lines(with_prompt, width) <= self._hint_lines(parts, width):
                parts = with_prompt
        hint.update("  ".join(parts))

    def _prompt_key(self, bindings: dict[str, tuple[str, str]]) -> str | None:
        """The key that chooses the prompt: ``p`` (or the writer's key for it) while the panel
        has focus, else the editor screen's key (F12), or None."""
        if self.screen.focused is self:  # (``has_focus`` is set after ``on_focus`` runs)
            return key_display(self.app, "panel.choose_prompt")
        return bindings["editor.choose_prompt"][0] if "editor.choose_prompt" in bindings else None

    @staticmethod
    def _hint_lines(parts: list[str], width: int) -> int:
        return max(1, len(Content("  ".join(parts)).wrap(width)))  # an empty line still takes one
