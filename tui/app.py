"""The Scenewright Textual application: themes, key map, global bindings. Thin on purpose:
the editor lives in ``screens/editor.py``, its parts in ``widgets/``."""

from __future__ import annotations

from typing import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets.text_area import TextAreaTheme

from engine.generation import GenerationEngine
from engine.scriptfile import ScriptFile
from engine.tomlconf import ConfigError

from .commands import ModelCommands, PromptCommands, SceneCommands
from .keymap import binding_ids, keymap_path, load_keymap
from .screens.editor import AUTOSAVE_INTERVAL_S, EditorScreen
from .themes import DEFAULT_THEME, ThemeCatalog, fountain_styles, load_catalog, text_area_theme


class ScenewrightApp(App[int]):
    TITLE = "Scenewright"
    # Textual 8.2.8 reads the CSS_PATH of pushed screens but not of the one returned by
    # get_default_screen(), so the editor screen's stylesheet is loaded here.
    CSS_PATH = ["screens/editor.tcss"]
    COMMANDS = App.COMMANDS | {SceneCommands, PromptCommands}
    BINDINGS = [
        # not a priority binding: it must come after the keys typed before it (see ScriptEditor._on_key)
        Binding("ctrl+q", "quit", "Quit", id="app.quit",
                tooltip="Quit (asks first when there are unsaved changes)"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.command_palette", priority=True, show=False,
                tooltip="Open the command palette"),
        Binding("f3", "change_theme", "Theme", id="app.change_theme", show=False,
                tooltip="Choose a theme"),
    ]

    def __init__(
        self,
        script: ScriptFile,
        text: str,
        *,
        theme: str | None = None,
        catalog: ThemeCatalog | None = None,
        autosave_interval: float = AUTOSAVE_INTERVAL_S,
        engine: GenerationEngine | None = None,
        warm_model: bool = False,
        start_at_end: bool = False,
    ) -> None:
        """``engine``: the model engine to use (one is made, and closed on exit, when None);
        ``start_at_end``: put the cursor at the end of the script, where writing goes on;
        ``warm_model``: load the model at start and let it read the script ahead while the
        writer pauses (what ``scenewright FILE`` does; tests leave it off)."""
        super().__init__()
        self._own_engine = engine is None
        self.generation_engine = engine or GenerationEngine()
        self.warm_model = warm_model
        self.start_at_end = start_at_end
        self.script = script
        self.initial_text = text
        self.autosave_interval = autosave_interval
        self.theme_catalog = load_catalog() if catalog is None else catalog
        self._text_area_themes: dict[str, TextAreaTheme] = {}
        for loaded in self.theme_catalog.themes.values():
            self.register_theme(loaded.theme)
        wanted = theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            wanted = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.theme = wanted
        self.config_errors: list[ConfigError] = list(self.theme_catalog.errors)
        self.user_keymap: dict[str, str] = {}  # binding id -> keys, from keymap.toml

    def get_default_screen(self) -> Screen:
        return EditorScreen(
            self.script, self.initial_text, autosave_interval=self.autosave_interval,
            engine=self.generation_engine, warm_model=self.warm_model, start_at_end=self.start_at_end,
        )

    @property
    def editor_screen(self) -> EditorScreen:
        for screen in self.screen_stack:
            if isinstance(screen, EditorScreen):
                return screen
        raise LookupError("no editor screen")

    def on_mount(self) -> None:
        self.apply_user_keymap()
        for error in self.config_errors:
            self.notify(str(error), title="Config problem", severity="error", timeout=15)

    def on_unmount(self) -> None:
        if self._own_engine:
            self.generation_engine.close()

    # ------------------------------------------------------------------ themes
    def fountain_theme(self, theme: Theme) -> TextAreaTheme:
        """The ``TextAreaTheme`` with the Fountain styles of ``theme``."""
        cached = self._text_area_themes.get(theme.name)
        if cached is None:
            styles = fountain_styles(self.theme_catalog.themes.get(theme.name), theme)
            cached = self._text_area_themes[theme.name] = text_area_theme(theme, styles)
        return cached

    # ------------------------------------------------------------------ keys
    def known_bindings(self) -> dict[str, str]:
        from .screens.anchor_edit import AnchorEditScreen
        from .screens.context_view import ContextViewScreen
        from .screens.external_change import ExternalChangeScreen
        from .screens.generation_settings import GenerationSettingsScreen
        from .screens.quit_unsaved import QuitUnsavedScreen
        from .screens.recover import RecoverScreen
        from .widgets.anchors_panel import AnchorsPanel
        from .widgets.outline_panel import OutlinePanel
        from .widgets.script_editor import ScriptEditor
        from .widgets.suggestion_panel import SuggestionPanel

        return binding_ids(
            type(self), EditorScreen, ScriptEditor, OutlinePanel, SuggestionPanel, AnchorsPanel,
            QuitUnsavedScreen, ExternalChangeScreen, RecoverScreen, GenerationSettingsScreen,
            AnchorEditScreen, ContextViewScreen,
        )

    @staticmethod
    def editor_keys() -> dict[str, tuple[str, set[str]]]:
        """Keys the script editor keeps for itself (Textual's TextArea bindings and ours)."""
        from .widgets.script_editor import ScriptEditor

        taken: dict[str, tuple[str, set[str]]] = {}
        for key, bindings in ScriptEditor._merge_bindings().key_to_bindings.items():
            ids = {b.id for b in bindings if b.id}
            taken[key] = (f"the script editor ({bindings[0].action})", ids)
        return taken

    def apply_user_keymap(self) -> None:
        keymap, errors = load_keymap(self.known_bindings(), taken=self.editor_keys())
        self.user_keymap = keymap
        if keymap:
            self.set_keymap(keymap)
        from .widgets.script_editor import ScriptEditor
        from .widgets.suggestion_panel import SuggestionPanel

        for screen in self.screen_stack:
            for editor in screen.query(ScriptEditor):
                editor.keymap_changed()
            for panel in screen.query(SuggestionPanel):
                panel.refresh_view(text=True)  # its key hints
        if errors:
            self.notify(
                "\n".join(str(e) for e in errors), title=f"Problems in {keymap_path().name}",
                severity="error", timeout=15,
            )

    # ------------------------------------------------------------------ commands
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, EditorScreen):
            yield SystemCommand("Go to scene", "Jump to a scene by its heading", screen.action_goto_scene)
            yield SystemCommand("Save", "Save the script", screen.action_save)
            yield SystemCommand("Outline", "Show or hide the outline panel", screen.action_toggle_outline)
            yield SystemCommand("Continue from cursor", "Ask the model to continue the script from the cursor",
                                screen.action_suggest)
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
            yield SystemCommand("Context: show", "What the model reads for the next request, with token counts",
                                screen.action_context_view)
            yield SystemCommand("Model: choose", "Choose the model of the suggestions (from models.toml)",
                                self.action_choose_model)
            yield SystemCommand("Sampling: settings", "Temperature, top-p, top-k, min-p, repeat penalty, max tokens, "
                                "alternatives, seed", screen.action_suggestion_settings)
            yield SystemCommand("Sampling: model defaults", "Use the model's own sampling values from models.toml",
                                screen.reset_sampling)

    def action_choose_model(self) -> None:
        from textual.command import CommandPalette

        self.push_screen(CommandPalette(providers=[ModelCommands], placeholder="Choose a model…"))

    async def action_quit(self) -> None:
        try:
            screen = self.editor_screen
        except LookupError:
            self.exit()
            return
        screen.request_quit()
