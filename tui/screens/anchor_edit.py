"""Add or edit one anchor: kind, text, scope, trigger keys, priority, on/off.

Dismisses with the validated :class:`~engine.steering.Anchor`, or None when cancelled. Checking
is the engine's (``anchor_from_dict``): a mistake is shown under the form, naming the field, and
the form stays open. For a character anchor the script's character names are offered: picking
one makes it the trigger key (the anchor then enters the prompt when that character is in the
recent text) and starts the text with the name.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from engine.steering import KINDS, Anchor, AnchorError, anchor_from_dict, new_anchor_id
from ..keymap import ANCHOR_EDIT, bindings


class AnchorEditScreen(ModalScreen[Anchor | None]):
    CSS_PATH = "anchor_edit.tcss"

    BINDINGS = bindings(ANCHOR_EDIT)

    def __init__(self, anchor: Anchor | None, *, taken: list[str], characters: list[str],
                 kind: str = "beat") -> None:
        super().__init__()
        self.anchor = anchor  # None: a new one
        self.taken = [t for t in taken if anchor is None or t != anchor.id]
        self.characters = characters
        self.kind = anchor.kind if anchor else kind

    def compose(self) -> ComposeResult:
        anchor = self.anchor
        with Vertical(id="anchor-dialog"):
            yield Static("Edit anchor" if anchor else "New anchor", id="anchor-title", markup=False)
            with Horizontal(classes="row"):
                yield Label("Kind")
                yield Select([(k, k) for k in KINDS], value=self.kind, allow_blank=False, id="anchor-kind")
            with Horizontal(classes="row", id="anchor-character-row"):
                yield Label("Character")
                yield Select([(name, name) for name in self.characters], prompt="a character of the script",
                             id="anchor-character")
            with Horizontal(classes="row"):
                yield Label("Text")
                yield Input(anchor.text if anchor else "", placeholder="what the model must respect",
                            id="anchor-text")
            with Horizontal(classes="row"):
                yield Label("Scope")
                yield Input(str(anchor.scope) if anchor else "script",
                            placeholder="script, section:TITLE or scene:NUMBER-OR-HEADING", id="anchor-scope")
            with Horizontal(classes="row"):
                yield Label("Keys")
                yield Input(", ".join(anchor.keys) if anchor else "",
                            placeholder="comma-separated; empty: always in the prompt", id="anchor-keys")
            with Horizontal(classes="row"):
                yield Label("Priority")
                yield Input(str(anchor.priority) if anchor else "0", type="integer", id="anchor-priority")
            yield Checkbox("On", anchor.enabled if anchor else True, id="anchor-enabled")
            yield Static(id="anchor-error", markup=False)
            with Horizontal(id="anchor-buttons"):
                yield Button("Save", variant="primary", id="anchor-save")
                yield Button("Cancel", id="anchor-cancel")

    def on_mount(self) -> None:
        self._show_characters()
        self.query_one("#anchor-text", Input).focus()

    def _show_characters(self) -> None:
        self.query_one("#anchor-character-row").display = self.kind == "character" and bool(self.characters)

    @on(Select.Changed, "#anchor-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.kind = str(event.value)
        self._show_characters()

    @on(Select.Changed, "#anchor-character")
    def _character_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK:
            return
        self.pick_character(str(event.value))

    def pick_character(self, name: str) -> None:
        """``name`` becomes the trigger key; the text starts with it."""
        keys = self.query_one("#anchor-keys", Input)
        listed = [k.strip() for k in keys.value.split(",") if k.strip()]
        if name not in listed:
            keys.value = ", ".join([*listed, name])
        text = self.query_one("#anchor-text", Input)
        if not text.value.strip():
            text.value = f"{name.title()} "
        text.focus()

    def values(self) -> dict:
        text = self.query_one("#anchor-text", Input).value
        priority_raw = self.query_one("#anchor-priority", Input).value.strip() or "0"
        try:
            priority: object = int(priority_raw)
        except ValueError:
            priority = priority_raw
        aid = self.anchor.id if self.anchor else new_anchor_id(self.kind, text or self.kind, self.taken)
        return {
            "id": aid,
            "kind": self.kind,
            "text": text,
            "scope": self.query_one("#anchor-scope", Input).value,
            "keys": [k.strip() for k in self.query_one("#anchor-keys", Input).value.split(",") if k.strip()],
            "priority": priority,
            "enabled": self.query_one("#anchor-enabled", Checkbox).value,
        }

    def action_save(self) -> None:
        try:
            anchor = anchor_from_dict(self.values())
        except AnchorError as exc:
            self.query_one("#anchor-error", Static).update(f"⚠ {exc.field}: {exc.message}")
            return
        self.dismiss(anchor)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#anchor-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#anchor-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()
