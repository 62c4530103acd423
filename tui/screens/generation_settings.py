"""The suggestion settings: model and sampling (temperature, top-p, top-k, min-p, repeat,
frequency and presence penalties, DRY, max tokens), the Fountain shape (the grammar on or off,
new characters allowed or not), alternatives per request, seed, and blind A/B (what each request is
compared with: another model, another prompt version, another seed; see :mod:`engine.session.blind_ab`).

Opens filled with the values in use (the writer's, else the model entry's from models.toml);
dismisses with the new :class:`~engine.session.settings.GenerationSettings` or None when cancelled.
A value out of range is named under the fields and the screen stays open.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from engine.models.registry import ModelEntry, Registry
from engine.steering import PromptLibrary

from engine.session.blind_ab import BlindAB, choices
from engine.session.settings import MAX_ALTERNATIVES, SAMPLING_FIELDS, SHAPE_FIELDS, GenerationSettings, entry_default
from ..keymap import SETTINGS, bindings

YES_NO = [("yes", "yes"), ("no", "no")]


class GenerationSettingsScreen(ModalScreen[GenerationSettings | None]):
    CSS_PATH = "generation_settings.tcss"

    BINDINGS = bindings(SETTINGS)

    def __init__(self, settings: GenerationSettings, registry: Registry | None, problem: str | None = None,
                 library: PromptLibrary | None = None) -> None:
        """``library``: the prompt library for blind A/B of prompt versions (read when None)."""
        super().__init__()
        self.settings = settings
        self.registry = registry
        self.problem = problem
        self.library = library
        self._model = self._initial_model()

    def _initial_model(self) -> str | None:
        if self.registry is None:
            return None
        if self.settings.model in self.registry.models:
            return self.settings.model
        return self.registry.default

    def _entry(self, name: str | None) -> ModelEntry | None:
        if self.registry is None or name not in (self.registry.models if self.registry else {}):
            return None
        return self.registry.models[name]

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        entry = self._entry(self._model)
        values = self.settings.effective(entry)
        with Vertical(id="dialog"):
            yield Static("Suggestion settings", id="settings-title", markup=False)
            with Grid(id="fields"):
                yield Label("Model", classes="field-label")
                yield Select(self._model_options(), value=self._model or Select.BLANK, allow_blank=self._model is None,
                             id="model", disabled=self.registry is None, compact=True, classes="wide")
                yield Label("Blind A/B", classes="field-label")
                yield Select(self._ab_options(), value=self.settings.ab.value if self.settings.ab else "off",
                             allow_blank=False, id="ab", compact=True, classes="wide",
                             tooltip="Each request also asks this; the two come as A and B in random order "
                                     "and you pick the better one (scenewright eval reports win rates)")
                for name, (label, kind, low, high) in SAMPLING_FIELDS.items():
                    yield Label(label, classes="field-label")
                    value = values[name]
                    yield Input("" if value is None else f"{value:g}" if kind is float else str(value),
                                type="integer" if kind is int else "number", id=name, compact=True,
                                tooltip=f"{label}: {low:g} to {high:g}")
                for name, (label, tip) in SHAPE_FIELDS.items():
                    yield Label(label, classes="field-label")
                    yield Select(YES_NO, value=_yes_no(values[name]), allow_blank=False, id=name,
                                 compact=True, tooltip=tip)
                yield Label("Alternatives", classes="field-label")
                yield Input(str(self.settings.alternatives), type="integer", id="alternatives", compact=True,
                            tooltip=f"Alternatives sampled for each request, one after the other (1 to {MAX_ALTERNATIVES})")
                yield Label("Seed", classes="field-label")
                yield Input("" if self.settings.seed is None else str(self.settings.seed), type="integer",
                            id="seed", placeholder="random", compact=True, tooltip="Empty: a new random seed for every sample")
            yield Static(self.problem or "", id="settings-error", markup=False)
            with Horizontal(id="settings-buttons"):
                yield Button("Apply ^s", id="apply", variant="primary")
                yield Button("Model defaults f2", id="defaults")
                yield Button("Cancel esc", id="cancel")

    def _model_options(self) -> list[tuple[str, str]]:
        if self.registry is None:
            return []
        return [(f"{name} (default)" if name == self.registry.default else name, name)
                for name in self.registry.models]

    def _ab_options(self) -> list[tuple[str, str]]:
        if self.library is None:
            from engine.steering import load_library

            try:
                self.library = load_library()
            except Exception:  # the prompt files' problems are told where prompts are used
                self.library = None
        options = [(title, ab.value if ab else "off") for title, ab in choices(self.registry, self.library)]
        current = self.settings.ab
        if current is not None and current.value not in {v for _, v in options}:
            options.append((f"{current.describe()} (not found)", current.value))
        return options

    def on_mount(self) -> None:
        self.query_one("#temperature", Input).focus()

    # ------------------------------------------------------------------ reading the fields
    def _field(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def read(self) -> tuple[GenerationSettings | None, str | None]:
        """The settings in the fields, or (None, what is wrong)."""
        values: dict[str, float | int | None] = {}
        for name, (label, kind, low, high) in SAMPLING_FIELDS.items():
            text = self._field(name)
            if not text:
                values[name] = None  # the model's default
                continue
            try:
                value = kind(text) if kind is int else float(text)
            except ValueError:
                return None, f"{label}: {text!r} is not {'a whole number' if kind is int else 'a number'}"
            if not low <= value <= high:
                return None, f"{label}: must be between {low:g} and {high:g}, not {text}"
            values[name] = value
        try:
            alternatives = int(self._field("alternatives") or "1")
        except ValueError:
            return None, "Alternatives: must be a whole number"
        if not 1 <= alternatives <= MAX_ALTERNATIVES:
            return None, f"Alternatives: must be between 1 and {MAX_ALTERNATIVES}"
        seed_text = self._field("seed")
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            return None, "Seed: must be a whole number, or empty for a random one"
        if seed is not None and not 0 <= seed < 2**31 - 1:
            return None, "Seed: must be between 0 and 2147483646"
        model = self._model
        if self.registry is not None and model == self.registry.default:
            model = None  # follow the registry's default
        ab_value = self.query_one("#ab", Select).value
        ab = BlindAB.from_value(ab_value) if isinstance(ab_value, str) else None
        if ab is not None and ab.kind == "model" and ab.other == (self._model or model):
            return None, "Blind A/B: choose another model than the one in use (or another seed)"
        for name in SHAPE_FIELDS:
            values[name] = self.query_one(f"#{name}", Select).value == "yes"
        settings = GenerationSettings(model=model, alternatives=alternatives, seed=seed, ab=ab, **values)
        return settings.without_defaults(self._entry(self._model)), None

    # ------------------------------------------------------------------ actions
    @on(Select.Changed, "#model")
    def _model_changed(self, event: Select.Changed) -> None:
        new = event.value if isinstance(event.value, str) else None
        old_entry, new_entry = self._entry(self._model), self._entry(new)
        self._model = new
        if old_entry is None or new_entry is None:
            return
        for name, (_, kind, _, _) in SAMPLING_FIELDS.items():  # values left at the old model's defaults follow
            field = self.query_one(f"#{name}", Input)
            old = getattr(old_entry, name)
            if field.value.strip() in ("", f"{old:g}" if kind is float else str(old)):
                value = getattr(new_entry, name)
                field.value = f"{value:g}" if kind is float else str(value)
        for name in SHAPE_FIELDS:
            select = self.query_one(f"#{name}", Select)
            if select.value == _yes_no(entry_default(old_entry, name)):
                select.value = _yes_no(entry_default(new_entry, name))

    def action_apply(self) -> None:
        settings, problem = self.read()
        if settings is None:
            self.query_one("#settings-error", Static).update(problem or "")
            return
        self.dismiss(settings)

    def action_defaults(self) -> None:
        entry = self._entry(self._model)
        for name, (_, kind, _, _) in SAMPLING_FIELDS.items():
            value = getattr(entry, name) if entry is not None else None
            self.query_one(f"#{name}", Input).value = "" if value is None else (
                f"{value:g}" if kind is float else str(value))
        if entry is not None:
            for name in SHAPE_FIELDS:
                self.query_one(f"#{name}", Select).value = _yes_no(entry_default(entry, name))
        self.query_one("#settings-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        {"apply": self.action_apply, "defaults": self.action_defaults, "cancel": self.action_cancel}[
            event.button.id or "cancel"]()


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
