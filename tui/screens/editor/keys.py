"""The editor screen's keys (its ``BINDINGS`` are the key registry's, ``tui/keymap.py``): which
of them are live now (``check_action``: the suggestion keys only when they can do something,
else the key is left to others and the key bar does not show them) and the actions that only
show, focus or hide a panel or pass the key on to the suggestion panel."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.css.query import NoMatches
from textual.screen import Screen

from ...commands import PromptCommands, SceneCommands


class EditorKeys(Screen[None]):
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Suggestion keys are live only when they can do something (else the key is left to
        others, and the key bar does not show them)."""
        if action in ("accept_suggestion", "retry_suggestion", "next_suggestion", "previous_suggestion",
                      "cancel_suggestion", "dismiss_suggestion"):
            try:
                return self.panel.allows(action)
            except NoMatches:  # not composed yet
                return False
        if action == "blind_neither":
            return self.panel.can_pick
        return True

    def action_toggle_outline(self) -> None:
        outline = self.outline
        if outline.display and outline.has_focus:
            outline.display = False
            self.editor.focus()
        elif outline.display:
            outline.focus()
        else:
            outline.display = True
            outline.follow(self.editor.cursor_location[0])
            outline.focus()

    def action_goto_scene(self) -> None:
        self.app.push_screen(CommandPalette(providers=[SceneCommands], placeholder="Go to scene…"))

    def action_retry_suggestion(self) -> None:
        self.show_panel()
        if not self.panel.retry():
            self.app.bell()

    def action_next_suggestion(self) -> None:
        self.show_panel()
        if not self.panel.step(1):
            self.app.bell()

    def action_previous_suggestion(self) -> None:
        if not self.panel.step(-1):
            self.app.bell()

    def action_cancel_suggestion(self) -> None:
        self.panel.cancel()

    def action_dismiss_suggestion(self) -> None:
        self.panel.dismiss()

    def action_toggle_panel(self) -> None:
        panel = self.panel
        if panel.display and panel.has_focus:
            panel.display = False
            self.editor.focus()
        elif panel.display:
            panel.focus()
        else:
            panel.display = True
            panel.focus()

    def action_reset_sampling(self) -> None:
        self.reset_sampling()

    def action_blind_neither(self) -> None:
        """Blind A/B: neither side is good (both are dismissed)."""
        self.panel.dismiss()

    def action_toggle_anchors(self) -> None:
        anchors = self.anchors
        if anchors.display and anchors.has_focus_within:
            anchors.display = False
            self.editor.focus()
        elif anchors.display:
            anchors.focus_table()
        else:
            anchors.display = True
            anchors.refresh_rows()
            anchors.focus_table()
            self.mark_anchors()

    def action_choose_prompt(self) -> None:
        self.app.push_screen(CommandPalette(providers=[PromptCommands], placeholder="Choose a prompt…"))
