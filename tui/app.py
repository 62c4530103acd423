"""The Scenewright Textual application: themes, key map, global bindings, the edit log. Thin on
purpose: the editor lives in ``screens/editor/``, its parts in ``widgets/``; the panel's
reports go to :class:`~engine.session.recording.EditRecording`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable

from textual import on
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import TextArea
from textual.widgets.text_area import TextAreaTheme

from engine.generation import GenerationEngine
from engine.scriptfile import ScriptFile
from engine.session.recording import EditRecording
from engine.tomlconf import ConfigError

from .commands import BlindABCommands, ModelCommands, PromptCommands, SceneCommands
from .system_commands import registry_commands
from .messages import EditLogProblem, SaveFinished
from .screens.editor import AUTOSAVE_INTERVAL_S, EditorScreen
from .themes import DEFAULT_THEME, ThemeCatalog, fountain_styles, load_catalog, text_area_theme
from .keymap import APP, bindings, keymap_path, known_bindings, load_keymap


class ScenewrightApp(App[int]):
    TITLE = "Scenewright"
    # Textual 8.2.8 reads the CSS_PATH of pushed screens but not of the one returned by
    # get_default_screen(), so the editor screen's stylesheet is loaded here.
    CSS_PATH = ["screens/editor/editor.tcss"]
    COMMANDS = App.COMMANDS | {SceneCommands, PromptCommands}
    BINDINGS = bindings(APP)

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
        edit_log: str | Path | None = None,
    ) -> None:
        """``engine``: the model engine to use (one is made, and closed on exit, when None);
        ``start_at_end``: put the cursor at the end of the script, where writing goes on;
        ``warm_model``: load the model at start and let it read the script ahead while the
        writer pauses (what ``scenewright FILE`` does; tests leave it off);
        ``edit_log``: the edit log file (default: editlog.sqlite3 in the data folder)."""
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
        self.edit_recording = EditRecording(self.generation_engine, script.path, edit_log, 
                                            report=self._edit_log_problem_from_thread,
                                            locate=lambda: self.editor_screen)

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
        self.call_after_refresh(self.edit_recording.open)  # its thread imports sqlite_utils: after the first paint
        self.call_after_refresh(self._follow_editor)

    def _follow_editor(self) -> None:
        try:
            self.edit_recording.follow(self.editor_screen)
        except LookupError:
            pass

    def on_unmount(self) -> None:
        self.edit_recording.close()
        if self._own_engine:
            self.generation_engine.close()

    # ------------------------------------------------------------------ the edit log
    def _edit_log_problem_from_thread(self, message: str, unavailable: bool) -> None:
        self.post_message(EditLogProblem(message, unavailable))  # thread-safe

    @on(TextArea.SelectionChanged)
    def _cursor_moved(self) -> None:
        self.edit_recording.cursor_moved()

    @on(SaveFinished)
    def _saved(self, message: SaveFinished) -> None:
        if message.error is None:
            self.edit_recording.saved()

    @on(EditLogProblem)
    def _edit_log_problem(self, message: EditLogProblem) -> None:
        if not self.edit_recording.problem_is_new(message.message):
            return
        if message.unavailable:
            self.edit_recording.unfollow()
            self.notify(f"{message.message}. Suggestions are not recorded this session; writing works as usual.",
                        title="Edit log not available", severity="warning", timeout=20)
        else:
            self.notify(message.message, title="Edit log", severity="warning", timeout=10)

    def action_rate_suggestion(self) -> None:
        """Rate the suggestion on show, else the last one accepted or dismissed."""
        from .screens.rate_suggestion import RateSuggestionScreen

        try:
            panel = self.editor_screen.panel
        except LookupError:
            return
        target = panel.rating_target()
        what = "the one on show"
        if target is None:
            target = self.edit_recording.last_decided
            what = "the last one you accepted or dismissed"
        if target is None:
            self.notify("Nothing to rate yet: ask for a suggestion first.", title="Rate", severity="information")
            return
        rating = self.edit_recording.ratings.get(target.key)

        def rated(result) -> None:
            if result is not None:
                panel.rated(target, result)

        self.push_screen(RateSuggestionScreen(target.text, rating, what), rated)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The suggestion and script commands act on the editor screen: live while it is in
        front (under the command palette, which lists them)."""
        if action in ("rate_suggestion", "choose_model", "choose_blind_ab", "mark_script"):
            return isinstance(self._front_screen(), EditorScreen)
        if action == "blind_ab_off":
            front = self._front_screen()
            return isinstance(front, EditorScreen) and front.panel.settings.ab is not None
        return True

    def _front_screen(self) -> Screen | None:
        """The screen in front, not counting an open command palette."""
        from textual.command import CommandPalette

        return next((s for s in reversed(self.screen_stack) if not isinstance(s, CommandPalette)), None)

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
        """``{binding id: default keys}``: every binding of the registry (``tui/keymap.py``)."""
        return known_bindings()

    @staticmethod
    def editor_keys() -> dict[str, tuple[str, set[str]]]:
        """Keys the script editor keeps for itself (Textual's TextArea bindings and ours)."""
        from .widgets.script_editor import ScriptEditor

        taken: dict[str, tuple[str, set[str]]] = {}
        for key, bound in ScriptEditor._merge_bindings().key_to_bindings.items():
            ids = {b.id for b in bound if b.id}
            taken[key] = (f"the script editor ({bound[0].action})", ids)
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
        own = list(super().get_system_commands(screen))
        yield from own
        yield from registry_commands(self, screen, {command.title for command in own})

    def action_choose_model(self) -> None:
        from textual.command import CommandPalette

        self.push_screen(CommandPalette(providers=[ModelCommands], placeholder="Choose a model…"))

    def action_mark_script(self, usage: str) -> None:
        self.mark_script(usage)

    def mark_script(self, usage: str) -> None:
        name = self.script.path.name
        if not self.edit_recording.mark_script(usage):
            self.notify("The edit log is not available this session.", title="Edit log", severity="warning")
        elif usage == "not_mine":
            self.notify(f"{name} is marked as not yours: it never goes into dataset exports.", title="Edit log")
        else:
            self.notify(f"{name} is marked as {'yours' if usage == 'mine' else 'licensed'}: "
                        "`scenewright dataset export` takes its suggestions.", title="Edit log")

    def action_choose_blind_ab(self) -> None:
        from textual.command import CommandPalette

        self.push_screen(CommandPalette(providers=[BlindABCommands],
                                        placeholder="Compare your suggestions blind with…"))

    def action_blind_ab_off(self) -> None:
        self.set_blind_ab(None)

    def set_blind_ab(self, ab) -> None:
        """Turn blind A/B on (``ab``: a :class:`~engine.session.blind_ab.BlindAB`) or off (None)."""
        try:
            panel = self.editor_screen.panel
        except LookupError:
            return
        panel.apply_settings(replace(panel.settings, ab=ab))
        if ab is None:
            self.notify("Blind A/B is off.", title="Blind A/B")
        else:
            self.notify(f"Each request now also asks {ab.describe()}; the two come as A and B in random order. "
                        "Accepting one picks it; Esc picks neither.", title="Blind A/B")

    async def action_quit(self) -> None:
        try:
            screen = self.editor_screen
        except LookupError:
            self.exit()
            return
        screen.request_quit()
