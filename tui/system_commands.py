"""The command palette's entries for the editor screen: every action of the editor, and the
ones that only make sense now (accept while a suggestion is on offer, stop while one is being
written, pick A or B in a blind comparison)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from .app import ScenewrightApp
    from .screens.editor import EditorScreen

#: The edit log's markings of the open script, as commands: (usage, title, help).
USAGE_COMMANDS = (
    ("mine", "Edit log: this script is mine", "You wrote it: its suggestions go into dataset exports"),
    ("licensed", "Edit log: this script is licensed", "You may train on it: its suggestions go into dataset exports"),
    ("not_mine", "Edit log: this script is not mine", "Never put its suggestions into dataset exports"),
)


def editor_commands(app: ScenewrightApp, screen: EditorScreen) -> Iterator[SystemCommand]:
    yield SystemCommand("Go to scene", "Jump to a scene by its heading", screen.action_goto_scene)
    yield SystemCommand("Save", "Save the script", screen.action_save)
    yield SystemCommand("Outline", "Show or hide the outline panel", screen.action_toggle_outline)
    yield SystemCommand("Export", "The script as PDF, Fountain draft (AI labels), FDX or HTML (Alt+E)",
                        screen.action_export)
    yield SystemCommand("AI text: show or hide", "Underline the text that came from accepted suggestions (Alt+I)",
                        screen.editor.action_toggle_ai_text)
    yield SystemCommand("Continue from cursor", "Ask the model to continue the script from the cursor",
                        screen.action_suggest)
    yield SystemCommand("Rewrite the selection", "Rewrite the selected passage following an instruction (Alt+R)",
                        screen.action_rewrite_selection)
    yield SystemCommand("Alternatives for the selection", "Several short alternatives for the selected line (Alt+A)",
                        screen.action_alternatives_for_selection)
    yield SystemCommand("Scene from a beat", "Write the next scene from a plot beat (Alt+B)",
                        screen.action_scene_from_beat)
    yield SystemCommand("Scene numbers: lock or update", "Number the scenes and keep the numbers (12A, OMITTED) (Alt+N)",
                        screen.action_number_scenes)
    yield SystemCommand("Scene numbers: unlock", "Take the scene numbers out and end the lock (Alt+U)",
                        screen.action_unlock_scene_numbers)
    yield SystemCommand("Spelling: next misspelled word", "Suggestions, add to word list, ignore (F7)",
                        screen.action_spelling)
    yield SystemCommand("Spelling: on or off", "Spell checking of action and dialogue (Alt+K)",
                        screen.action_toggle_spelling)
    yield SystemCommand("Revisions: mode on or off", "Mark the lines you change with the current revision (Alt+V)",
                        screen.action_revision_mode)
    yield SystemCommand("Revisions: next colour", "Start the next revision: blue, pink, yellow, green... (Alt+W)",
                        screen.action_next_revision)
    yield SystemCommand("Revisions: next revised line", "Go to the next marked line (Alt+Down)",
                        lambda: screen.action_jump_revision(1))
    yield SystemCommand("Revisions: previous revised line", "Go to the previous marked line (Alt+Up)",
                        lambda: screen.action_jump_revision(-1))
    yield SystemCommand("Revisions: clear marks", "Take every revision mark away (Alt+X)",
                        screen.action_clear_revisions)
    yield SystemCommand("Cards", "The scenes as index cards in act columns; Shift+arrows move them (Alt+C)",
                        screen.action_cards)
    yield SystemCommand("Dialogue analysis", "Who speaks how much, by gender and role, scene by scene (Alt+D)",
                        screen.action_dialogue_report)
    panel = screen.panel
    if panel.can_accept:
        yield SystemCommand("Suggestion: accept", "Put the suggestion into the script",
                            lambda: screen.action_accept_suggestion("whole"))
        yield SystemCommand("Suggestion: accept first line", "Put the suggestion's first line into the script",
                            lambda: screen.action_accept_suggestion("line"))
    if panel.suggestion is not None:
        yield SystemCommand("Suggestion: retry", "Sample the same request again as a new alternative",
                            screen.action_retry_suggestion)
        yield SystemCommand("Suggestion: next alternative", "Show the next alternative",
                            screen.action_next_suggestion)
    if panel.generating:
        yield SystemCommand("Suggestion: stop", "Stop the suggestion being written",
                            screen.action_cancel_suggestion)
    elif panel.suggestion is not None:
        yield SystemCommand("Suggestion: dismiss", "Dismiss the suggestion", screen.action_dismiss_suggestion)
    yield SystemCommand("Suggestion panel", "Show, focus or hide the suggestion panel",
                        screen.action_toggle_panel)
    yield SystemCommand("Anchors", "Show, focus or hide the anchors panel", screen.action_toggle_anchors)
    yield SystemCommand("Prompt: choose", "Choose the prompt of the suggestions (remembered for this script)",
                        screen.action_choose_prompt)
    yield SystemCommand("Prompt: edit", "Edit the script's prompt; saving writes a new version (Alt+P)",
                        screen.action_edit_prompt)
    yield SystemCommand("Context: show", "What the model reads for the next request, with token counts",
                        screen.action_context_view)
    yield SystemCommand("Model: choose", "Choose the model of the suggestions (from models.toml)",
                        app.action_choose_model)
    yield SystemCommand("Sampling: settings", "Temperature, top-p, top-k, min-p, repeat penalty, max tokens, "
                        "alternatives, seed", screen.action_suggestion_settings)
    yield SystemCommand("Sampling: model defaults", "Use the model's own sampling values from models.toml",
                        screen.reset_sampling)
    yield SystemCommand("Suggestion: rate", "Rate the suggestion (plot, dialogue, tone, tags) for the edit log",
                        app.action_rate_suggestion)
    for usage, title, help_text in USAGE_COMMANDS:
        yield SystemCommand(title, help_text, lambda usage=usage: app.mark_script(usage))
    yield SystemCommand("Blind A/B: compare with…", "Each request also asks another model, prompt version "
                        "or seed; pick the better of A and B blind", app.action_choose_blind_ab)
    if panel.settings.ab is not None:
        yield SystemCommand("Blind A/B: off", f"Stop comparing with {panel.settings.ab.describe()}",
                            lambda: app.set_blind_ab(None))
    if panel.can_pick:
        for label in ("A", "B"):
            yield SystemCommand(f"Blind A/B: pick {label}", f"{label} is the better one (not inserted)",
                                lambda label=label: panel.pick(label))
        yield SystemCommand("Blind A/B: neither", "Neither is good: dismiss both",
                            screen.action_dismiss_suggestion)
