"""One request, steered: the prompt chosen for the script, its anchors and examples, as the
pieces ``GenerationEngine.continue_at`` takes. The TUI and ``scenewright continue`` both use it,
so the editor, the command line and ``scenewright prompt`` send the model the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.generation.shape import anchor_name

from .prompts import Prompt, PromptLibrary, load_library
from .render import RenderedPrompt, choose_prompt, prepare_prompt, request_overrides
from .store import AnchorStore, StoreSettings


@dataclass
class Steered:
    prompt: Prompt
    overrides: dict[str, Any]  # ContinueRequest keyword arguments the prompt asks for
    render: Callable[[Callable[[str], int], int], RenderedPrompt]
    problems: list[str] = field(default_factory=list)  # to show the writer (malformed store or prompt files)


def steer(
    script_text: str,
    cursor: tuple[int, int],
    *,
    script_path: Path | str | None = None,
    prompt: Prompt | str | None = None,
    library: PromptLibrary | None = None,
    store: AnchorStore | None = None,
    selection_text: str | None = None,
    instruction: str | None = None,
    beat: str | None = None,
) -> Steered:
    """Raises ``PromptError`` for an unknown prompt id; other problems come back in ``problems``."""
    library = library or load_library()
    if store is None and script_path is not None:
        store = AnchorStore.for_script(script_path)
    problems: list[str] = []
    settings = StoreSettings()
    if store is not None:
        if store.error is not None:
            problems.append(f"anchors not used: {store.error}")
            store = None
        else:
            settings = store.settings
    chosen = choose_prompt(library, settings, prompt)

    def render(count_tokens: Callable[[str], int], budget_tokens: int) -> RenderedPrompt:
        rendered, more = prepare_prompt(
            script_text, cursor, prompt=chosen, store=store, script_path=script_path, library=library,
            count_tokens=count_tokens, budget_tokens=budget_tokens, selection_text=selection_text,
            instruction=instruction, beat=beat,
        )
        problems.extend(p for p in more if p not in problems)
        return rendered

    problems.extend(str(e) for e in library.errors)
    overrides = request_overrides(chosen)
    if store is not None:
        overrides["cast"] = anchor_cast(store)
    return Steered(chosen, overrides, render, problems)


def anchor_cast(store: AnchorStore) -> tuple[str, ...]:
    """The characters the switched-on character anchors introduce (cue names the model may use)."""
    names = (anchor_name(a.text) for a in store.anchors if a.enabled and a.kind == "character")
    return tuple(dict.fromkeys(n for n in names if n))
