"""Command palette providers: fuzzy "go to scene" (scene number, heading, page)."""

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
