"""What steers the requests of one script: its anchor store (the ``.anchors.toml`` beside the
script, or one in memory), the prompt library and the prompt the writer picked; and
:func:`steered_request`, the one place a request is made from a steered prompt and the writer's
settings (the editor's panel, ``scenewright continue`` and ``scenewright serve`` all use it).

The suggestion session asks :meth:`ScriptSteering.steer` for every request and for every read-ahead
(prime), so both send the model the same stable prefix (instructions, genre and tone, anchors,
examples) and the prompt cache the prime filled is the one the next request uses. The anchors
panel and the prompt picker change the store through this object and bump ``revision`` so that
the panel knows its read-ahead is stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine.generation import ContinueRequest
from engine.steering import AnchorStore, Prompt, PromptError, PromptLibrary, load_library
from engine.steering.render import choose_prompt
from engine.steering.steer import Steered, steer
from engine.steering.store import StoreSettings

from .blind_ab import BlindAB, BlindABError
from .settings import SAMPLING_FIELDS, SHAPE_FIELDS, GenerationSettings


#: Request kinds that work on the selected passage (accepting replaces it).
SELECTION_KINDS = ("rewrite", "alternatives")


@dataclass(frozen=True)
class RequestInputs:
    """What one request adds to the script and the cursor: the prompt of a kind other than the
    remembered one, the passage it rewrites, the writer's instruction, the beat to play."""

    kind: str  # continue | dialogue | rewrite | alternatives | beat
    selection_text: str | None = None
    instruction: str | None = None
    beat: str | None = None


@dataclass
class ScriptSteering:
    script_path: Path | None
    store: AnchorStore | None = None
    library: PromptLibrary | None = None
    revision: int = 0  # bumped on every change that alters the prompt
    told: set[str] = field(default_factory=set)  # problems already shown to the writer

    def __post_init__(self) -> None:
        if self.store is None and self.script_path is not None:
            self.store = AnchorStore.for_script(self.script_path)

    # ------------------------------------------------------------------ library
    def prompts(self) -> PromptLibrary:
        if self.library is None:
            self.library = load_library()
        return self.library

    def reload(self) -> None:
        """Read the store and the library again (after an outside change)."""
        self.library = None
        if self.script_path is not None:
            self.store = AnchorStore.for_script(self.script_path)
        self.changed()

    def changed(self) -> None:
        self.revision += 1

    # ------------------------------------------------------------------ the chosen prompt
    @property
    def prompt_id(self) -> str | None:
        """The prompt remembered for this script (None: the library's default)."""
        return self.store.settings.prompt if self.store is not None and self.store.error is None else None

    def remember_prompt(self, prompt: Prompt, pin: bool = False) -> str | None:
        """Use ``prompt`` for this script from now on (``pin``: that very version, not the
        newest); an error sentence or None. Then write the store with :meth:`saver`."""
        store = self.store
        if store is None or store.error is not None:
            return f"the prompt is not remembered: {store.error if store else 'the script has no file yet'}"
        store.remember_prompt(prompt.id, prompt.version if pin else None)
        self.changed()
        return None

    def saver(self) -> Callable[[], None] | None:
        """A function that writes the store as it is now (run it in a thread; it raises
        ``StoreError``), or None when the script has no store."""
        return self.store.saver() if self.store is not None else None

    def prompt_of_kind(self, kind: str) -> Prompt:
        """The prompt a request of ``kind`` uses: the remembered one when it is of that kind,
        else the library's prompt with that id (the built-ins are named after their kind), else
        the first of that kind. Raises PromptError when the library has none."""
        library = self.prompts()
        try:
            remembered = self.steer_prompt()
        except PromptError:
            remembered = None
        if remembered is not None and remembered.kind == kind:
            return remembered
        if kind in library.versions and library.current(kind).kind == kind:
            return library.current(kind)
        found = library.of_kind(kind)
        if not found:
            raise PromptError(f"the prompt library has no prompt of kind {kind!r}")
        return found[0]

    def remembered_kind(self) -> str:
        """The kind of the prompt Ctrl+J uses for this script."""
        try:
            return self.steer_prompt().kind
        except PromptError:
            return "continue"

    def steer_prompt(self) -> Prompt:
        """The prompt remembered for this script (the default when none or gone)."""
        store = self.store if self.store is not None and self.store.error is None else None
        return choose_prompt(self.prompts(), store.settings if store else StoreSettings(), None)

    # ------------------------------------------------------------------ requests
    def steer(self, script: str, cursor: tuple[int, int], inputs: RequestInputs | None = None) -> Steered:
        """The steered prompt for a request at ``cursor`` (its ``render`` runs in the worker),
        with the remembered prompt, or with ``inputs`` a request of their kind. A remembered
        prompt that no longer exists falls back to the default (a problem says so)."""
        store = self.store
        extra: dict = {}
        if inputs is not None:
            extra = {"selection_text": inputs.selection_text, "instruction": inputs.instruction,
                     "beat": inputs.beat}
            try:
                extra["prompt"] = self.prompt_of_kind(inputs.kind)
            except PromptError as exc:
                steered = steer(script, cursor, script_path=self.script_path, store=store, library=self.prompts())
                steered.problems.insert(0, str(exc))
                return steered
        try:
            return steer(script, cursor, script_path=self.script_path, store=store, library=self.prompts(), **extra)
        except PromptError as exc:
            extra.pop("prompt", None)
            steered = steer(script, cursor, script_path=self.script_path, store=None, library=self.prompts(), **extra)
            steered.problems.insert(0, f"{exc} (using {steered.prompt.id})")
            return steered

    def news(self, problems: list[str]) -> list[str]:
        """The problems not shown to the writer yet (each is shown once)."""
        fresh = [p for p in problems if p not in self.told]
        self.told.update(fresh)
        return fresh


def steered_request(steered: Steered | None, settings: GenerationSettings, *, n: int | None = None,
                    seed_offset: int = 0) -> ContinueRequest:
    """The request: the prompt's own overrides (sampling, stop sequences, alternatives), then the
    writer's panel settings over them (only the values the writer set)."""
    mine = settings.request(n=n, seed_offset=seed_offset)
    panel = {name: getattr(mine, name) for name in ("model", "seed", *SAMPLING_FIELDS, *SHAPE_FIELDS)
             if getattr(mine, name) is not None}
    if n is not None or settings.alternatives != 1 or steered is None or "n" not in steered.overrides:
        panel["n"] = mine.n
    overrides = dict(steered.overrides) if steered is not None else {}
    return ContinueRequest(**{**overrides, **panel})


def token_budget(engine, settings: GenerationSettings) -> tuple[Callable[[str], int], int, str]:
    """``(count_tokens, budget_tokens, model name)`` for the next request with ``settings``: the
    loaded model's tokenizer and window when it is loaded, else the tokenizer read from the model
    file (``model_token_counter``) and the entry's context length. Slow the first time (it reads
    the vocabulary): call it from a worker. Raises ConfigError/ModelError as the registry does."""
    from engine.steering.tokens import model_token_counter

    entry = engine.registry.get(settings.model)
    max_tokens = steered_request(None, settings).token_limit(entry)
    model = engine.model(entry.name)
    if model is not None:
        return model.count_tokens, model.n_ctx - max_tokens - 1, entry.name
    return model_token_counter(entry.name), entry.context_length - max_tokens - 1, entry.name


def other_side(ab: BlindAB, steering: "ScriptSteering", settings: GenerationSettings, script: str,
               cursor: tuple[int, int]):
    """``(Steered, ContinueRequest)`` of the other candidate (one sample) for a request at
    ``cursor``; ``steering`` is the script's :class:`~engine.session.steering.ScriptSteering`, ``settings``
    the writer's :class:`~engine.session.settings.GenerationSettings`. Raises :class:`BlindABError`."""
    if ab.kind == "prompt":
        store = steering.store if steering.store is not None and steering.store.error is None else None
        try:
            steered = steer(script, cursor, script_path=steering.script_path, store=store,
                            library=steering.prompts(), prompt=ab.other)
        except PromptError as exc:
            raise BlindABError(f"blind A/B: {exc}") from None
        return steered, steered_request(steered, settings, n=1)
    steered = steering.steer(script, cursor)
    if ab.kind == "model":
        return steered, steered_request(steered, replace(settings, model=ab.other), n=1)
    return steered, steered_request(steered, settings, n=1, seed_offset=1)
