"""Every key of the app, declared once, and the writer's key map (``config_dir()/keymap.toml``).

::

    [keymap]
    "editor.save" = "ctrl+s"
    "editor.toggle_outline" = "f2,ctrl+o"   # several keys: comma-separated

:data:`REGISTRY` holds one :class:`Key` per action (id, default keys, description, where it
applies). From it come the Textual ``BINDINGS`` of the app, the screens and the widgets
(:func:`bindings`, each ``Binding`` with its id, so ``App.set_keymap`` remaps it), the command
palette's entries (``tui/system_commands.py`` lists a screen's keys by :func:`palette_title`)
and the key hints of the panels and messages (:func:`key_display`, :func:`key_name`, the
writer's key map applied). A few palette entries have no key (``keys=""``: choosing a model,
marking the script in the edit log): they are in the registry too, never bindings.

The file maps ids to keys (:func:`load_keymap`). Problems (bad TOML, an unknown id, a value
that is not a key string) are ``ConfigError`` naming file:line: key; the valid entries still apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from textual.binding import Binding
from textual.dom import DOMNode

from engine.paths import config_dir
from engine.tomlconf import ConfigError, load_toml

_KEY = re.compile(r"^[A-Za-z0-9_+\-]+$")

# Where a key applies: the app, the editor screen and its widgets, and the other screens.
APP = "app"
EDITOR = "editor screen"
SCRIPT = "script editor"
COMPLETION = "completion list"  # the script editor's keys while its completion list is open
PANEL = "suggestion panel"
ANCHORS = "anchors panel"
OUTLINE = "outline panel"
QUIT = "unsaved changes question"
EXTERNAL = "changed on disk question"
RECOVER = "recovery question"
SETTINGS = "suggestion settings screen"
ANCHOR_EDIT = "anchor edit screen"
CONTEXT = "context view"
SCORE = "rating line"
RATE = "rating screen"
DIALOGUE = "dialogue analysis screen"
SPELLING = "spelling screen"
CARDS = "cards screen"
EXPORT = "export dialog"
PROMPT_EDIT = "prompt edit screen"
REQUEST_INPUT = "request input screen"


@dataclass(frozen=True)
class Key:
    """One action and its keys.

    ``label``: the key bar's word (``Binding.description``); ``help``: the tooltip and the
    palette's help line; ``where``: one of the scopes above. In the palette the action is
    ``title`` (default: the label), or the entry of ``same`` (another key for the same action
    elsewhere, such as the panel's Enter for Ctrl+T); ``palette=False`` keeps it out (only the
    palette's own key). ``when``: the name of an attribute of the widget that must be truthy
    for the palette to offer it. ``hint``: its word in the suggestion panel's key line.
    ``keys=""``: a palette entry without a key (not a binding).
    """

    id: str
    keys: str
    action: str
    label: str
    where: str
    help: str
    show: bool = True
    priority: bool = False
    title: str | None = None
    same: str | None = None
    palette: bool = True
    when: str | None = None
    hint: str | None = None

    @property
    def is_binding(self) -> bool:
        return bool(self.keys)

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label, show=self.show, priority=self.priority,
                       tooltip=self.help, id=self.id)


_KEYS: tuple[Key, ...] = (
    # The editor screen. First: the suggestion panel's key line names the keys with a hint in this order.
    # The suggestion keys are control keys that reach the app over SSH and in tmux; only "Continue" is in
    # the key bar, the panel's own key line shows the others when they apply.
    Key("editor.save", "ctrl+s", "save", "Save", EDITOR,
        "Save the script"),
    Key("editor.toggle_outline", "ctrl+o", "toggle_outline", "Outline", EDITOR,
        "Show or hide the outline of sections, scenes and synopses"),
    Key("editor.goto_scene", "ctrl+g", "goto_scene", "Go to scene", EDITOR,
        "Jump to a scene by fuzzy search of its heading"),
    Key("suggest.request", "ctrl+j", "suggest", "Continue", EDITOR,
        "Ask the model to continue the script from the cursor (streams into the suggestion panel)",
        title="Continue from cursor"),
    Key("suggest.accept", "ctrl+t", "accept_suggestion('whole')", "Accept", EDITOR,
        "Put the suggestion into the script (one undo step)", show=False, title="Suggestion: accept", hint="accept"),
    Key("suggest.accept_line", "ctrl+l", "accept_suggestion('line')", "Accept line", EDITOR,
        "Put the suggestion's first line into the script; the rest stays on offer",
        show=False, title="Suggestion: accept first line", hint="line"),
    Key("suggest.retry", "ctrl+r", "retry_suggestion", "Retry", EDITOR,
        "Sample the same request again, as a new alternative", show=False, title="Suggestion: retry", hint="retry"),
    Key("suggest.next", "ctrl+n", "next_suggestion", "Next", EDITOR,
        "Show the next alternative (past the last one: sample a new one)",
        show=False, title="Suggestion: next alternative", hint="next"),
    Key("suggest.previous", "f8", "previous_suggestion", "Previous", EDITOR,
        "Show the previous alternative", show=False, title="Suggestion: previous alternative"),
    Key("suggest.cancel", "escape", "cancel_suggestion", "Stop", EDITOR,
        "Stop the suggestion being written (what came so far stays on offer)",
        show=False, title="Suggestion: stop", hint="stop"),
    Key("suggest.dismiss", "escape", "dismiss_suggestion", "Dismiss", EDITOR,
        "Dismiss the suggestion (nothing goes into the script)",
        show=False, title="Suggestion: dismiss", hint="dismiss"),
    Key("suggest.toggle_panel", "f4", "toggle_panel", "Panel", EDITOR,
        "Show, focus or hide the suggestion panel", show=False, title="Suggestion panel"),
    Key("suggest.settings", "f5", "suggestion_settings", "Settings", EDITOR,
        "Model and sampling settings of the suggestions", show=False, title="Sampling: settings", hint="settings"),
    Key("editor.toggle_anchors", "f2", "toggle_anchors", "Anchors", EDITOR,
        "Show, focus or hide the anchors panel (what the model must respect)", show=False),
    Key("editor.choose_prompt", "f12", "choose_prompt", "Prompt", EDITOR,
        "Choose the prompt of the suggestions (fuzzy search; remembered for this script)",
        show=False, title="Prompt: choose", hint="prompt"),
    Key("editor.context_view", "f9", "context_view", "Context", EDITOR,
        "Show exactly what the model reads for the next request, with token counts",
        show=False, title="Context: show"),
    Key("suggest.rewrite", "alt+r", "rewrite_selection", "Rewrite", EDITOR,
        "Rewrite the selected passage following an instruction (accepting replaces it)",
        show=False, title="Rewrite the selection"),
    Key("suggest.alternatives", "alt+a", "alternatives_for_selection", "Alternatives", EDITOR,
        "Several short alternatives for the selected line or passage (accepting replaces it)",
        show=False, title="Alternatives for the selection"),
    Key("suggest.beat", "alt+b", "scene_from_beat", "Beat", EDITOR,
        "Write the next scene from a plot beat (an anchored beat or one you type)",
        show=False, title="Scene from a beat"),
    Key("editor.export", "alt+e", "export", "Export", EDITOR,
        "Export the script: PDF, Fountain draft, FDX or HTML", show=False),
    Key("editor.lock_scene_numbers", "alt+n", "number_scenes", "Lock scene numbers", EDITOR,
        "Number the scenes and lock the numbers; again: number new scenes (12A), keep cut ones as OMITTED",
        show=False, title="Scene numbers: lock or update"),
    Key("editor.unlock_scene_numbers", "alt+u", "unlock_scene_numbers", "Unlock scene numbers", EDITOR,
        "Take the scene numbers out and unlock them (Ctrl+Z puts them back)",
        show=False, title="Scene numbers: unlock"),
    Key("editor.spelling", "f7", "spelling", "Spelling", EDITOR,  # priority: over TextArea's select-all
        "The next misspelled word from the cursor: suggestions, add to word list, ignore",
        show=False, priority=True, title="Spelling: next misspelled word"),
    Key("editor.toggle_spelling", "alt+k", "toggle_spelling", "Spell check", EDITOR,
        "Turn spell checking of action and dialogue on or off", show=False, title="Spelling: on or off"),
    Key("editor.revision_mode", "alt+v", "revision_mode", "Revision mode", EDITOR,
        "Revision mode on or off: changed lines are marked with the current revision",
        show=False, title="Revisions: mode on or off"),
    Key("editor.next_revision", "alt+w", "next_revision", "Next revision colour", EDITOR,
        "Start the next revision (white, blue, pink, yellow, green, goldenrod...)",
        show=False, title="Revisions: next colour"),
    Key("editor.next_revised_line", "alt+down", "jump_revision(1)", "Next revised line", EDITOR,
        "Go to the next line marked as revised", show=False, title="Revisions: next revised line"),
    Key("editor.previous_revised_line", "alt+up", "jump_revision(-1)", "Previous revised line", EDITOR,
        "Go to the previous line marked as revised", show=False, title="Revisions: previous revised line"),
    Key("editor.clear_revisions", "alt+x", "clear_revisions", "Clear revision marks", EDITOR,
        "Take every revision mark away (Save keeps it; the text stays as it is)",
        show=False, title="Revisions: clear marks"),
    Key("editor.cards", "alt+c", "cards", "Cards", EDITOR,
        "The scenes as index cards in act columns; Shift+arrows move a scene", show=False),
    Key("editor.dialogue_report", "alt+d", "dialogue_report", "Dialogue", EDITOR,
        "Who speaks how much: shares, gender and role split, scene by scene", show=False, title="Dialogue analysis"),
    Key("editor.edit_prompt", "alt+p", "edit_prompt", "Edit prompt", EDITOR,
        "Edit the script's prompt; saving writes a new version, the old one stays", show=False, title="Prompt: edit"),
    # The script editor (its own _on_key runs these, in the order keys arrive).
    Key("editor.document_start", "ctrl+home", "cursor_document_start", "Top", SCRIPT,
        "Go to the start of the script", show=False, title="Go to the start of the script"),
    Key("editor.document_end", "ctrl+end", "cursor_document_end", "End", SCRIPT,
        "Go to the end of the script", show=False, title="Go to the end of the script"),
    Key("editor.toggle_ai_text", "alt+i", "toggle_ai_text", "AI text", SCRIPT,
        "Show or hide which text came from accepted suggestions (AI-written text)",
        show=False, title="AI text: show or hide"),
    Key("editor.cycle_element", "tab", "cycle_element", "Element", SCRIPT,
        "Turn the current line into the next element: action, character, scene heading, transition "
        "(in dialogue: dialogue or parenthetical)",
        title="Element: the next kind for this line"),
    # The script editor while its completion list is open (not in BINDINGS: they would replace
    # TextArea's Up, Down and Right).
    Key("completion.accept", "tab,right", "accept_completion", "Accept", COMPLETION,
        "Accept the highlighted completion", show=False, title="Completion: accept", when="completion_items"),
    Key("completion.next", "down", "completion_next", "Next", COMPLETION,
        "Next completion", show=False, title="Completion: next", when="completion_items"),
    Key("completion.previous", "up", "completion_previous", "Previous", COMPLETION,
        "Previous completion", show=False, title="Completion: previous", when="completion_items"),
    Key("completion.dismiss", "escape", "dismiss_completion", "Dismiss", COMPLETION,
        "Close the completion list", show=False, title="Completion: dismiss", when="completion_items"),
    # The app. Quit is not a priority binding: it must come after the keys typed before it. Rate is here
    # rather than on the editor screen: it also rates a suggestion that has left the panel.
    Key("app.quit", "ctrl+q", "quit", "Quit", APP,
        "Quit (asks first when there are unsaved changes)"),
    Key("app.command_palette", "ctrl+p", "command_palette", "Commands", APP,
        "Open the command palette", show=False, priority=True, palette=False),
    Key("app.change_theme", "f3", "change_theme", "Theme", APP,
        "Choose a theme", show=False),
    Key("suggest.rate", "alt+s", "rate_suggestion", "Rate", APP,
        "Score (rate) the suggestion: plot, dialogue, tone (1 to 5) and tags, for the edit log",
        show=False, title="Suggestion: rate", hint="rate"),
    # The suggestion panel while it has focus.
    Key("panel.accept", "enter", "screen.accept_suggestion('whole')", "Accept", PANEL,
        "Put the suggestion into the script at the cursor (one undo step)", same="suggest.accept"),
    Key("panel.next", "right", "screen.next_suggestion", "Next", PANEL,
        "Show the next alternative (past the last one: sample a new one)", same="suggest.next"),
    Key("panel.previous", "left", "screen.previous_suggestion", "Previous", PANEL,
        "Show the previous alternative", same="suggest.previous"),
    Key("panel.scroll_up", "up", "scroll_text(-1)", "Scroll up", PANEL,
        "Scroll the suggestion up", show=False, title="Suggestion: scroll up"),
    Key("panel.scroll_down", "down", "scroll_text(1)", "Scroll down", PANEL,
        "Scroll the suggestion down", show=False, title="Suggestion: scroll down"),
    Key("panel.settings", "s", "screen.suggestion_settings", "Settings", PANEL,
        "Model and sampling settings of the suggestions", same="suggest.settings"),
    Key("panel.choose_prompt", "p", "screen.choose_prompt", "Prompt", PANEL,
        "Choose the prompt of the script's requests (remembered beside the script)",
        same="editor.choose_prompt"),
    Key("panel.rate", "r", "app.rate_suggestion", "Rate", PANEL,
        "Rate the suggestion: plot, dialogue, tone (1 to 5) and tags", same="suggest.rate"),
    Key("panel.pick_a", "a", "pick('A')", "Pick A", PANEL,
        "Blind A/B: A is the better one (without inserting it)", title="Blind A/B: pick A"),
    Key("panel.pick_b", "b", "pick('B')", "Pick B", PANEL,
        "Blind A/B: B is the better one (without inserting it)", title="Blind A/B: pick B"),
    Key("panel.leave", "escape", "leave", "Script", PANEL,
        "Stop the suggestion being written, or go back to the script", title="Suggestion panel: back to the script"),
    # The anchors panel while it has focus.
    Key("anchors.add", "a", "add", "Add", ANCHORS,
        "Add an anchor", title="Anchors: add"),
    Key("anchors.edit", "e", "edit", "Edit", ANCHORS,
        "Edit the highlighted anchor", title="Anchors: edit"),
    Key("anchors.delete", "x", "delete", "Delete", ANCHORS,
        "Delete the highlighted anchor", title="Anchors: delete"),
    Key("anchors.toggle", "space", "toggle", "On/off", ANCHORS,
        "Switch the highlighted anchor on or off", title="Anchors: on or off"),
    Key("anchors.filter_kind", "k", "cycle_kind", "Kind filter", ANCHORS,
        "Show only one kind of anchor (character, beat, world, style), or all", title="Anchors: kind filter"),
    Key("anchors.filter_scope", "o", "cycle_scope", "Scope filter", ANCHORS,
        "Show only anchors of one scope (script, section, scene), or all", title="Anchors: scope filter"),
    Key("anchors.leave", "escape", "leave", "Script", ANCHORS,
        "Go back to the script", title="Anchors: back to the script"),
    # The outline while it has focus.
    Key("outline.back_to_script", "escape", "back_to_script", "Script", OUTLINE,
        "Leave the outline and go back to the script", title="Outline: back to the script"),
    # QuitUnsavedScreen
    Key("quit.save", "s", "answer('save')", "Save and quit", QUIT,
        "Save the script, then quit"),
    Key("quit.discard", "d", "answer('discard')", "Quit without saving", QUIT,
        "Quit and lose the changes made since the last save"),
    Key("quit.cancel", "escape", "answer('cancel')", "Cancel", QUIT,
        "Go back to the script"),
    # ExternalChangeScreen
    Key("external.overwrite", "o", "answer('overwrite')", "Overwrite", EXTERNAL,
        "Save this version over the one on disk"),
    Key("external.reload", "r", "answer('reload')", "Reload", EXTERNAL,
        "Load the version on disk (Ctrl+Z brings this one back)"),
    Key("external.cancel", "escape", "answer('cancel')", "Cancel", EXTERNAL,
        "Do not save now"),
    # RecoverScreen
    Key("recover.recover", "r,escape", "answer('recover')", "Recover", RECOVER,
        "Open the recovered text (Ctrl+Z goes back to the saved file)"),
    Key("recover.discard", "d", "answer('discard')", "Discard", RECOVER,
        "Delete the recovery copy and open the saved file"),
    # GenerationSettingsScreen
    Key("settings.cancel", "escape", "cancel", "Cancel", SETTINGS,
        "Close without changing anything"),
    Key("settings.apply", "ctrl+s", "apply", "Apply", SETTINGS,
        "Use these settings for the next suggestions"),
    Key("settings.defaults", "f2", "defaults", "Model defaults", SETTINGS,
        "Put back the chosen model's own values from models.toml"),
    # AnchorEditScreen
    Key("anchor_edit.cancel", "escape", "cancel", "Cancel", ANCHOR_EDIT,
        "Close without changing anything"),
    Key("anchor_edit.save", "ctrl+s", "save", "Save", ANCHOR_EDIT,
        "Save the anchor (it is checked first)", priority=True),
    # ContextViewScreen
    Key("context.close", "escape", "dismiss", "Close", CONTEXT,
        "Back to the script"),
    Key("context.refresh", "r", "refresh_context", "Refresh", CONTEXT,
        "Render the prompt again (after changing anchors or the prompt)"),
    # Score
    Key("rate.more", "right,plus", "change(1)", "More", SCORE,
        "One more", show=False, title="Rating: one more"),
    Key("rate.less", "left,minus", "change(-1)", "Less", SCORE,
        "One less", show=False, title="Rating: one less"),
    Key("rate.previous", "up", "app.focus_previous", "Previous", SCORE,
        "The rating above", show=False, title="Rating: the one above"),
    Key("rate.next", "down", "app.focus_next", "Next", SCORE,
        "The rating below", show=False, title="Rating: the one below"),
    Key("rate.clear", "0,backspace,delete", "clear", "Clear", SCORE,
        "No rating for this one", show=False, title="Rating: clear"),
    *(Key(f"rate.{n}", str(n), f"set({n})", str(n), SCORE, f"Rate this line {n} and go to the next", show=False,
          title=f"Rating: {n}") for n in range(1, 6)),
    # RateSuggestionScreen
    Key("rate.cancel", "escape", "cancel", "Cancel", RATE,
        "Close without saving the rating"),
    Key("rate.save", "ctrl+s", "save", "Save", RATE,
        "Save the rating", priority=True),
    Key("rate.save_enter", "enter", "save", "Save", RATE,
        "Save the rating", show=False, same="rate.save"),
    # DialogueReportScreen
    Key("dialogue.tag_gender", "g", "cycle('gender')", "Gender", DIALOGUE,
        "Cycle the highlighted character's gender tag: woman, man, non-binary, none"),
    Key("dialogue.tag_role", "r", "cycle('role')", "Role", DIALOGUE,
        "Cycle the highlighted character's role tag: lead, supporting, minor, none"),
    Key("dialogue.close", "escape,q", "close", "Close", DIALOGUE,
        "Back to the script"),
    # SpellingScreen
    Key("spelling.keep", "escape", "dismiss_screen", "Keep", SPELLING,
        "Leave the word as it is"),
    Key("spelling.add", "a", "choose('add')", "Add to word list", SPELLING,
        "Add the word to your personal word list"),
    Key("spelling.ignore", "i", "choose('ignore')", "Ignore", SPELLING,
        "Ignore the word until you quit"),
    # CardsScreen
    Key("cards.up", "up", "select(0, -1)", "Up", CARDS,
        "The card above", show=False, title="Card: the one above"),
    Key("cards.down", "down", "select(0, 1)", "Down", CARDS,
        "The card below", show=False, title="Card: the one below"),
    Key("cards.left", "left", "select(-1, 0)", "Left", CARDS,
        "The column on the left", show=False, title="Card: the column on the left"),
    Key("cards.right", "right", "select(1, 0)", "Right", CARDS,
        "The column on the right", show=False, title="Card: the column on the right"),
    Key("cards.move_up", "shift+up", "move(0, -1)", "Move up", CARDS,
        "Move the scene before the one above it"),
    Key("cards.move_down", "shift+down", "move(0, 1)", "Move down", CARDS,
        "Move the scene after the one below it"),
    Key("cards.move_left", "shift+left", "move(-1, 0)", "To the left", CARDS,
        "Move the scene into the act or sequence on the left"),
    Key("cards.move_right", "shift+right", "move(1, 0)", "To the right", CARDS,
        "Move the scene into the act or sequence on the right"),
    Key("cards.open", "enter", "open_scene", "Go to scene", CARDS,
        "Close the board at this scene"),
    Key("cards.close", "escape", "close", "Script", CARDS,
        "Back to the script"),
    # ExportDialog
    Key("export.cancel", "escape", "cancel", "Cancel", EXPORT,
        "Close without exporting"),
    # PromptEditScreen
    Key("prompt_edit.cancel", "escape", "cancel", "Cancel", PROMPT_EDIT,
        "Close; nothing is written"),
    Key("prompt_edit.save", "ctrl+s", "save", "Save as new version", PROMPT_EDIT,
        "Write the edited prompt as its next version (the old one stays)", priority=True),
    # RequestInputScreen
    Key("request_input.cancel", "escape", "cancel", "Cancel", REQUEST_INPUT,
        "Close without asking the model"),
    Key("request_input.choices", "down", "to_choices", "Choices", REQUEST_INPUT,
        "Move to the offered lines", show=False, title="Choices: the offered lines"),

    # Palette entries without a key.
    Key("palette.reset_sampling", "", "reset_sampling", "Model defaults", EDITOR,
        "Use the model's own sampling values from models.toml", title="Sampling: model defaults"),
    Key("palette.choose_model", "", "choose_model", "Model", APP,
        "Choose the model of the suggestions (from models.toml)", title="Model: choose"),
    Key("palette.mark_mine", "", "mark_script('mine')", "Mine", APP,
        "You wrote it: its suggestions go into dataset exports", title="Edit log: this script is mine"),
    Key("palette.mark_licensed", "", "mark_script('licensed')", "Licensed", APP,
        "You may train on it: its suggestions go into dataset exports", title="Edit log: this script is licensed"),
    Key("palette.mark_not_mine", "", "mark_script('not_mine')", "Not mine", APP,
        "Never put its suggestions into dataset exports", title="Edit log: this script is not mine"),
    Key("palette.blind_ab", "", "choose_blind_ab", "Blind A/B", APP,
        "Each request also asks another model, prompt version or seed; pick the better of A and B blind",
        title="Blind A/B: compare with…"),
    Key("palette.blind_ab_off", "", "blind_ab_off", "Blind A/B off", APP,
        "Stop comparing suggestions blind", title="Blind A/B: off"),
    Key("palette.blind_neither", "", "blind_neither", "Neither", EDITOR,
        "Neither is good: dismiss both", title="Blind A/B: neither"),
)

REGISTRY: dict[str, Key] = {key.id: key for key in _KEYS}
assert len(REGISTRY) == len(_KEYS), "a binding id is declared twice"


def bindings(where: str) -> list[Binding]:
    """The Textual ``BINDINGS`` of the keys that apply ``where`` (in the registry's order)."""
    return [key.binding() for key in _KEYS if key.where == where and key.is_binding]


def keys(where: str | None = None) -> list[Key]:
    """The registry's keys (of one scope), palette-only entries included."""
    return [key for key in _KEYS if where is None or key.where == where]


def palette_title(key: Key) -> str | None:
    """The title of the palette entry that offers ``key`` (None: not offered)."""
    if key.same is not None:
        return palette_title(REGISTRY[key.same])
    return (key.title or key.label) if key.palette else None


def hints() -> list[Key]:
    """The keys the suggestion panel's key line names, in its order."""
    return [key for key in _KEYS if key.hint is not None and key.same is None]


class _KeyDisplay(Protocol):
    user_keymap: dict[str, str]

    def get_key_display(self, binding: Binding) -> str: ...


def _first_key(app: object, binding_id: str) -> str:
    keymap: dict[str, str] = getattr(app, "user_keymap", {}) or {}
    return keymap.get(binding_id, REGISTRY[binding_id].keys).split(",")[0].strip()


def key_display(app: _KeyDisplay, binding_id: str) -> str:
    """The key of ``binding_id`` as the key bar shows it (``^j``), the writer's key map applied."""
    return app.get_key_display(Binding(_first_key(app, binding_id), REGISTRY[binding_id].action))


def key_name(app: object, binding_id: str) -> str:
    """The key of ``binding_id`` as messages write it (``Alt+K``, ``F7``), the key map applied."""
    return "+".join(part[:1].upper() + part[1:] for part in _first_key(app, binding_id).split("+"))


def keymap_path() -> Path:
    return config_dir() / "keymap.toml"


def known_bindings() -> dict[str, str]:
    """``{binding id: default keys}`` of every binding in the registry."""
    return {key.id: key.keys for key in _KEYS if key.is_binding}


def binding_ids(*classes: type[DOMNode]) -> dict[str, str]:
    """``{binding id: default keys}`` of the given classes' ``BINDINGS``."""
    found: dict[str, list[str]] = {}
    for cls in classes:
        for base in cls.__mro__:
            declared = [*base.__dict__.get("BINDINGS", []), *base.__dict__.get("COMPLETION_BINDINGS", [])]
            for binding in declared:
                if isinstance(binding, Binding) and binding.id:
                    keys = found.setdefault(binding.id, [])
                    for key in binding.key.split(","):
                        if key.strip() and key.strip() not in keys:
                            keys.append(key.strip())
    return {binding_id: ",".join(keys) for binding_id, keys in found.items()}


def load_keymap(
    known: dict[str, str], path: Path | None = None, taken: dict[str, tuple[str, set[str]]] | None = None
) -> tuple[dict[str, str], list[ConfigError]]:
    """The keymap in ``path`` (default: the user's), restricted to valid entries, and the errors.

    ``taken``: ``{key: (who, binding ids that may use it)}`` for keys a focused widget keeps
    for itself (the script editor's own keys), which would never reach other bindings.
    """
    path = keymap_path() if path is None else path
    if not path.exists():
        return {}, []
    try:
        toml = load_toml(path)
    except ConfigError as error:
        return {}, [error]
    table = toml.data.get("keymap")
    errors: list[ConfigError] = []
    for key in toml.data:
        if key != "keymap":
            errors.append(toml.error((key,), "unknown key; key bindings go in a [keymap] table"))
    if table is None:
        return {}, errors
    if not isinstance(table, dict):
        return {}, errors + [toml.error(("keymap",), "must be a table of binding id = \"keys\"")]
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        if binding_id not in known:
            errors.append(toml.error(("keymap", binding_id), f"unknown binding id; known ids: {', '.join(sorted(known))}"))
            continue
        if not isinstance(value, str) or not value.strip():
            errors.append(toml.error(("keymap", binding_id), 'must be a key string such as "ctrl+s" or "f2,ctrl+o"'))
            continue
        keys = [k.strip() for k in value.split(",")]
        bad = [k for k in keys if not _KEY.match(k)]
        if bad:
            errors.append(toml.error(("keymap", binding_id), f"not a key: {bad[0]!r} (write keys like \"ctrl+s\")"))
            continue
        clash = next(
            ((k, taken[k][0]) for k in keys if taken and k in taken and binding_id not in taken[k][1]), None
        )
        if clash is not None:
            errors.append(toml.error(("keymap", binding_id), f"{clash[0]} is used by {clash[1]}; choose another key"))
            continue
        keymap[binding_id] = ",".join(keys)
    return keymap, errors
