"""The anchors panel: the script's anchors (the ``.anchors.toml`` beside it) as a table, with
the ones the next request will use marked.

* ``a`` adds, ``e``/Enter edits, ``x`` deletes, Space switches one on or off, ``k`` and ``o``
  cycle the kind and scope filters. Edits go through :class:`~engine.session.steering.ScriptSteering`'s
  store and are saved in a thread worker (group ``anchors-save``).
* ``mark_at(text, row)`` works out, in a thread worker (group ``anchors``, exclusive), which
  anchors apply at the cursor and fit their token budget (``select_anchors`` with the model's
  tokenizer); the editor screen calls it 0.4 s after the writer stops typing or moving.
  ▶ marks an anchor in the next prompt, ✂ one that applies but does not fit the budget.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from engine.models import ModelError
from engine.steering import KINDS, Anchor, Selection, StoreError, select_anchors
from engine.tomlconf import ConfigError

from engine.session.steering import ScriptSteering, token_budget
from ..keymap import ANCHORS, bindings

KIND_FILTERS = (None, *KINDS)
SCOPE_FILTERS = (None, "script", "section", "scene")


class AnchorsMarked(Message):
    """Which anchors apply at the cursor (``selection``), or why that is unknown (``error``)."""

    def __init__(self, revision: int, selection: Selection | None, error: str | None) -> None:
        super().__init__()
        self.revision = revision
        self.selection = selection
        self.error = error


class AnchorsSaved(Message):
    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class AnchorsPanel(Vertical):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS = bindings(ANCHORS)

    class Changed(Message):
        """The anchors changed (the prompt of the next request changes with them)."""

    class Leave(Message):
        """The writer wants to go back to the script."""

    class EditRequested(Message):
        """The writer wants the anchor form: ``anchor`` None to add one."""

        def __init__(self, anchor: Anchor | None) -> None:
            super().__init__()
            self.anchor = anchor

    def __init__(self, steering: ScriptSteering, engine, **kwargs) -> None:
        super().__init__(**kwargs)
        self.steering = steering
        self.engine = engine
        self.settings_source = None  # a callable returning the panel's GenerationSettings
        self.kind_filter: str | None = None
        self.scope_filter: str | None = None
        self.selection: Selection | None = None
        self.mark_error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="anchors-title", markup=False)
        yield DataTable(id="anchors-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="anchors-detail", markup=False)

    @property
    def table(self) -> DataTable:
        return self.query_one("#anchors-table", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns("", "on", "kind", "scope", "keys", "pri", "text")
        self.refresh_rows()

    def focus_table(self) -> None:
        self.table.focus()

    # ------------------------------------------------------------------ what is shown
    @property
    def store(self):
        return self.steering.store

    def visible(self) -> list[Anchor]:
        store = self.store
        if store is None or store.error is not None:
            return []
        return [a for a in store.anchors
                if (self.kind_filter is None or a.kind == self.kind_filter)
                and (self.scope_filter is None or a.scope.kind == self.scope_filter)]

    def mark(self, anchor: Anchor) -> str:
        selection = self.selection
        if selection is None:
            return ""
        if anchor.id in selection.ids:
            return "▶"
        if any(c.anchor.id == anchor.id for c in selection.dropped):
            return "✂"
        return ""

    def refresh_rows(self) -> None:
        if not self.children:
            return
        table = self.table
        current = self.highlighted()
        table.clear()
        for anchor in self.visible():
            table.add_row(
                self.mark(anchor), "✓" if anchor.enabled else "·", anchor.kind, str(anchor.scope),
                ", ".join(anchor.keys), str(anchor.priority), " ".join(anchor.text.split()), key=anchor.id,
            )
        if current is not None:
            ids = [a.id for a in self.visible()]
            if current.id in ids:
                table.move_cursor(row=ids.index(current.id), animate=False)
        filters = " · ".join(f for f in (self.kind_filter, self.scope_filter and f"scope {self.scope_filter}") if f)
        store = self.store
        total = len(store.anchors) if store is not None and store.error is None else 0
        used = len(self.selection.ids) if self.selection is not None else 0
        title = f"Anchors {len(self.visible())}/{total}" + (f" ({filters})" if filters else "")
        self.query_one("#anchors-title", Static).update(f"{title} · {used} in the next prompt")
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#anchors-detail", Static)
        store = self.store
        if store is not None and store.error is not None:
            detail.update(f"⚠ {store.error}")
            return
        if self.mark_error:
            detail.update(f"⚠ {self.mark_error}")
            return
        anchor = self.highlighted()
        if anchor is None:
            detail.update("No anchors yet: a adds one." if not self.visible() else "")
            return
        why = self.selection.reason_for(anchor.id) if self.selection is not None else None
        detail.update(why or "")

    def highlighted(self) -> Anchor | None:
        visible = self.visible()
        if not self.children or not visible:
            return None
        row = self.table.cursor_row
        return visible[row] if 0 <= row < len(visible) else None

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # ------------------------------------------------------------------ which anchors apply
    def mark_at(self, text: str, row: int) -> None:
        store = self.store
        if store is None or store.error is not None:
            return
        settings = self.settings_source() if self.settings_source else None
        self._mark_worker(list(store.anchors), store.settings, text, row, settings, self.steering.revision)

    @work(thread=True, exclusive=True, group="anchors", exit_on_error=False)
    def _mark_worker(self, anchors, settings, text, row, generation_settings, revision) -> None:
        from engine.session.settings import GenerationSettings

        try:
            count_tokens, _, _ = token_budget(self.engine, generation_settings or GenerationSettings())
        except (ConfigError, ModelError) as exc:
            self.post_message(AnchorsMarked(revision, None, f"cannot count tokens: {exc}"))
            return
        selection = select_anchors(anchors, text, row, settings.anchor_budget, count_tokens,
                                   scan_chars=settings.scan_chars)
        self.post_message(AnchorsMarked(revision, selection, None))

    @on(AnchorsMarked)
    def _marked(self, message: AnchorsMarked) -> None:
        message.stop()
        if message.revision != self.steering.revision:
            return  # the anchors changed since: a newer marking is on its way
        self.selection, self.mark_error = message.selection, message.error
        self.refresh_rows()

    # ------------------------------------------------------------------ changes
    def _writable(self) -> bool:
        store = self.store
        if store is None or store.error is not None:
            self.app.bell()
            self.notify(str(store.error) if store else "the script has no file", title="Anchors",
                        severity="error")
            return False
        return True

    def action_add(self) -> None:
        if self._writable():
            self.post_message(self.EditRequested(None))

    def action_edit(self) -> None:
        anchor = self.highlighted()
        if anchor is not None and self._writable():
            self.post_message(self.EditRequested(anchor))

    def save_anchor(self, anchor: Anchor, replacing: Anchor | None) -> None:
        """Put the edited (or new) anchor into the store and save."""
        self.store.put(anchor)
        self._changed()
        ids = [a.id for a in self.visible()]
        if anchor.id in ids:
            self.table.move_cursor(row=ids.index(anchor.id), animate=False)

    def action_delete(self) -> None:
        anchor = self.highlighted()
        if anchor is None or not self._writable():
            return
        self.store.remove(anchor.id)
        self.notify(f"Deleted {anchor.id}.", title="Anchors")
        self._changed()

    def action_toggle(self) -> None:
        anchor = self.highlighted()
        if anchor is None or not self._writable():
            return
        self.store.set_enabled(anchor.id, not anchor.enabled)
        self._changed()

    def action_cycle_kind(self) -> None:
        self.kind_filter = KIND_FILTERS[(KIND_FILTERS.index(self.kind_filter) + 1) % len(KIND_FILTERS)]
        self.refresh_rows()

    def action_cycle_scope(self) -> None:
        self.scope_filter = SCOPE_FILTERS[(SCOPE_FILTERS.index(self.scope_filter) + 1) % len(SCOPE_FILTERS)]
        self.refresh_rows()

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def _changed(self) -> None:
        self.steering.changed()
        self.refresh_rows()
        self._save()
        self.post_message(self.Changed())

    def _save(self) -> None:
        """Save the store as it is now, in a thread (the snapshot is taken here)."""
        self._save_worker(self.store.saver())

    @work(thread=True, exclusive=False, group="anchors-save", exit_on_error=False)
    def _save_worker(self, write) -> None:
        try:
            write()
        except StoreError as exc:
            self.post_message(AnchorsSaved(str(exc)))
            return
        self.post_message(AnchorsSaved(None))

    @on(AnchorsSaved)
    def _saved(self, message: AnchorsSaved) -> None:
        message.stop()
        if message.error:
            self.notify(message.error, title="Anchors not saved", severity="error", timeout=10)
