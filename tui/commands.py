"""Command palette providers: fuzzy "go to scene" (scene number, heading, page), "Model: choose",
"Prompt: choose" and "Blind A/B: compare with…". Each lists entries of the open editor screen
as ``(title, help, what choosing it does)``; :class:`EditorProvider` does the listing and the
fuzzy matching."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from engine.fountain import Outline

from engine.session.blind_ab import BlindAB, choices

Entry = tuple[str, str, Callable[[], object]]  # title, help, what choosing it does


@runtime_checkable
class ScriptScreen(Protocol):
    """The editor screen (``tui.screens.editor.EditorScreen``) as the providers see it, so that
    this module does not import it (the screen imports these providers). They also read its
    ``panel`` and ``steering``, left out here: ``isinstance`` on a protocol would read them, and
    ``panel`` queries the screen's widgets."""

    def scene_entries(self) -> list[Outline]: ...

    def jump_to(self, line: int) -> None: ...

    def choose_model(self, name: str) -> None: ...

    def choose_prompt(self, prompt) -> None: ...


class EditorProvider(Provider):
    """A provider of entries of the editor screen under the palette (none without one)."""

    def _screen(self) -> ScriptScreen | None:
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, ScriptScreen):
                return screen
        return None

    def entries(self, screen) -> list[Entry]:
        raise NotImplementedError

    def _entries(self) -> list[Entry]:
        screen = self._screen()
        return self.entries(screen) if screen is not None else []

    async def discover(self) -> Hits:
        for title, help_text, run in self._entries():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)


class SceneCommands(EditorProvider):
    """Every scene of the open script; choosing one moves the cursor to its heading."""

    def entries(self, screen) -> list[Entry]:
        return [(self._title(entry, ordinal), f"page {entry.page}", partial(screen.jump_to, entry.line))
                for ordinal, entry in enumerate(screen.scene_entries(), start=1)]

    @staticmethod
    def _title(entry: Outline, ordinal: int) -> str:
        return f"{entry.scene_number or ordinal}  {entry.text}"


class ModelCommands(EditorProvider):
    """Every model of models.toml; choosing one makes it the panel's model (it loads in the background)."""

    def entries(self, screen) -> list[Entry]:
        return [(title, help_text, partial(screen.choose_model, name)) if name else (title, help_text, lambda: None)
                for title, help_text, name in self._models()]

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



class BlindABCommands(EditorProvider):
    """The other model, prompt version or seed the writer's suggestions are compared with (or off)."""

    def entries(self, screen) -> list[Entry]:
        return [(title, help_text, partial(self._choose, ab)) for title, help_text, ab in self._options()]

    def _options(self) -> list[tuple[str, str, BlindAB | None]]:
        """(title, help, comparison) for each comparison on offer."""
        from engine.tomlconf import ConfigError

        screen = self._screen()
        if screen is None:
            return []
        panel = screen.panel
        try:
            registry = panel.engine.registry
        except ConfigError as exc:
            registry = None
            problem = str(exc)
        else:
            problem = None
        current = panel.settings.ab
        out = []
        for title, ab in choices(registry, screen.steering.prompts(), panel.model_name()):
            mark = "  (in use)" if ab == current else ""
            if ab is None:
                help_text = "One suggestion per request, as usual"
            elif ab.kind == "seed":
                help_text = "Two samples of your model and prompt with different seeds"
            else:
                help_text = f"Your settings against {ab.describe()}, shown as A and B in random order"
            out.append((title + mark, help_text, ab))
        if problem:
            out.append(("models.toml has a problem", problem, current))
        return out

    def _choose(self, ab: BlindAB | None) -> None:
        set_blind_ab = getattr(self.app, "set_blind_ab", None)
        if set_blind_ab is not None:
            set_blind_ab(ab)


class PromptCommands(EditorProvider):
    """The prompt library (built-in and the user's), fuzzy-searched with rapidfuzz on title, id,
    kind, genres and description; choosing one makes it the script's prompt (remembered in the
    anchor store beside the script)."""

    def entries(self, screen) -> list[Entry]:
        return self._listed(screen, screen.steering.prompts().all())

    def _listed(self, screen, prompts) -> list[Entry]:
        current = screen.steering.prompt_id
        return [(self._title(p, current), self._help(p), partial(screen.choose_prompt, p)) for p in prompts]

    @staticmethod
    def _title(prompt, current: str | None) -> str:
        mark = "  (in use)" if prompt.id == current else ""
        return f"{prompt.title}{mark}"

    @staticmethod
    def _help(prompt) -> str:
        genres = f" · {', '.join(prompt.genres)}" if prompt.genres else ""
        return f"{prompt.ref} · {prompt.kind}{genres}" + (f" · {prompt.description}" if prompt.description else "")

    async def search(self, query: str) -> Hits:
        """rapidfuzz over every field of the prompts (the palette's matcher sees only titles)."""
        screen = self._screen()
        if screen is None:
            return
        matcher = self.matcher(query)
        found = self._listed(screen, screen.steering.prompts().search(query))
        for rank, (title, help_text, run) in enumerate(found):
            score = max(matcher.match(title), 1.0 - rank / (len(found) + 1) * 0.5)
            yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)
