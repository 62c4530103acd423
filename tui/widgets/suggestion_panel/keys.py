"""The panel's keys (``SuggestionPanel.BINDINGS`` are the key registry's, ``tui/keymap.py``):
which are live (the blind pick keys only while a comparison waits) and their actions: the
picks, scrolling the text, leaving for the script."""

from __future__ import annotations

from textual.containers import Vertical


class PanelKeys(Vertical):
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The pick keys are live (and in the key bar) only while a blind comparison waits."""
        if action == "pick":
            return self.can_pick
        return True

    def action_pick(self, label: str) -> None:
        if not self.pick(label):
            self.app.bell()

    def action_scroll_text(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)

    def action_leave(self) -> None:
        if not self.cancel():
            self.post_message(self.Leave())
