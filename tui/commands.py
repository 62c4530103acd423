"""Command palette providers: fuzzy "go to scene" (scene number, heading, page) and "Model: choose"."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from engine.fountain import Outline


class SceneCommands(Provider):
    """Every scene of the open script; choosing one moves the cursor to its heading."""

    def _editor_screen(self):
        from .screens.editor import EditorScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, EditorScreen):
                return screen
        return None

    def _scenes(self) -> list[tuple[str, str, int]]:
        screen = self._editor_screen()
        if screen is None:
            return []
        out = []
        for ordinal, entry in enumerate(screen.scene_entries(), start=1):
            out.append((self._title(entry, ordinal), f"page {entry.page}", entry.line))
        return out

    @staticmethod
    def _title(entry: Outline, ordinal: int) -> str:
        return f"{entry.scene_number or ordinal}  {entry.text}"

    def _jump(self, line: int) -> None:
        screen = self._editor_screen()
        if screen is not None:
            screen.jump_to(line)

    async def discover(self) -> Hits:
        for title, help_text, line in self._scenes():
            yield DiscoveryHit(title, partial(self._jump, line), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, line in self._scenes():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._jump, line), text=title, help=help_text)


class ModelCommands(Provider):
    """Every model of models.toml; choosing one makes it the panel's model (it loads in the background)."""

    def _screen(self):
        from .screens.editor import EditorScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, EditorScreen):
                return screen
        return None

    def _models(self) -> list[tuple[str, str, str]]:
        """(title, help, model name) for each model, or one entry explaining what is wrong."""
        from engine.models import locate
        from engine.tomlconf import ConfigError

        screen = self._screen()
        if screen is None:
            return []
        panel = screen.panel
        try:
            registry = panel.engine.registry
        except ConfigError as exc:
            return [("models.toml has a problem", str(exc), "")]
        current = panel.model_name()
        out = []
        for name, entry in registry.models.items():
            info = locate(entry)
            marks = [m for m, on in (("default", name == registry.default), ("in use", name == current)) if on]
            title = f"{name}  ({', '.join(marks)})" if marks else name
            size = f"{info.size / 1e6:.0f} MB · " if info.size else ""
            out.append((title, f"{size}{info.status} · {entry.description or entry.where()}", name))
        return out

    def _choose(self, name: str) -> None:
        screen = self._screen()
        if screen is not None and name:
            screen.choose_model(name)

    async def discover(self) -> Hits:
        for title, help_text, name in self._models():
            yield DiscoveryHit(title, partial(self._choose, name), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, name in self._models():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._choose, name), text=title, help=help_text)


class PromptCommands(Provider):
    """The prompt library (built-in and the user's), fuzzy-searched with rapidfuzz on title, id,
    kind, genres and description; choosing one makes it the script's prompt (remembered in the
    anchor store beside the script)."""

    def _screen(self):
        from .screens.editor import EditorScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, EditorScreen):
                return screen
        return None

    def _title(self, prompt, current: str | None) -> str:
        mark = "  (in use)" if prompt.id == current else ""
        return f"{prompt.title}{mark}"

    def _help(self, prompt) -> str:
        genres = f" · {', '.join(prompt.genres)}" if prompt.genres else ""
        return f"{prompt.ref} · {prompt.kind}{genres}" + (f" · {prompt.description}" if prompt.description else "")

    def _choose(self, prompt) -> None:
        screen = self._screen()
        if screen is not None:
            screen.choose_prompt(prompt)

    async def discover(self) -> Hits:
        screen = self._screen()
        if screen is None:
            return
        steering = screen.steering
        current = steering.prompt_id
        for prompt in steering.prompts().all():
            yield DiscoveryHit(self._title(prompt, current), partial(self._choose, prompt), help=self._help(prompt))

    async def search(self, query: str) -> Hits:
        screen = self._screen()
        if screen is None:
            return
        steering = screen.steering
        current = steering.prompt_id
        matcher = self.matcher(query)
        found = steering.prompts().search(query)
        for rank, prompt in enumerate(found):
            title = self._title(prompt, current)
            score = max(matcher.match(title), 1.0 - rank / (len(found) + 1) * 0.5)
            yield Hit(score, matcher.highlight(title), partial(self._choose, prompt), text=title,
                      help=self._help(prompt))
