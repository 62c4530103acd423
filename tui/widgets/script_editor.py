"""The script editor: a ``TextArea`` whose text lives in the engine's ``Document``.

How an edit flows (the keystroke path; nothing here touches disk or a model):

1. Every change to a ``TextArea`` - typing, paste, ``replace()`` - ends in
   ``document.replace_range``. Our :class:`FountainDocument` reads and edits the engine's
   :class:`engine.document.Document`, the one copy of the text: ``replace_range`` is
   ``Document.replace``, whose ``LiveParse`` re-classifies only the paragraphs the edit touched,
   and which moves the AI spans and tells the listeners (edit log, revision marks).
2. Undo and redo are the engine document's (:meth:`ScriptEditor.undo`): it keeps the edits in
   batches as Textual would, with the AI spans around each; ``TextArea.history`` hands its
   checkpoints to it.
3. Styling is :meth:`ScriptEditor.get_line` (Textual's public hook for it): the rows the
   ``TextArea`` renders (the screenful) ask :attr:`ScriptEditor.highlights`, a
   :class:`~tui.highlight.LazyHighlights` emptied when the document's version changes.

Private Textual 8.2.8 hooks that remain (each commented where it is used): ``_set_document``
and ``_watch_language`` (a document of our own; with them ``_rewrap_and_refresh_virtual_size``),
``_refresh_size`` (after the engine's undo and redo: TextArea has no public way to show an undo
it did not do itself; Textual issue #4428, an API to batch edits, would cover only the joining
of batches), ``_replace_via_keyboard`` /
``_delete_via_keyboard`` (typing and the deleting keys, for completion) and ``_restart_blink``
(keys handled in :meth:`ScriptEditor.on_key`, issue #6605). :class:`FountainLine` relies on
no private name, but on TextArea styling the cursor line and the selection after ``get_line``.

Writing help (Tab, Enter, autocomplete) asks ``engine.fountain.editing`` what to write and
applies it as ordinary, undoable edits.

AI-written text: the engine document keeps it (``engine.document.DocumentProvenance``).
Accepted suggestions are marked by :meth:`ScriptEditor.insert_suggestion`;
the record beside the script is opened (:meth:`ScriptEditor.open_provenance`) and written
(:meth:`ScriptEditor.save_provenance`) in thread workers (groups ``provenance-load`` and
``provenance-save``). Alt+I shows AI-written text in the theme's ``ai_text`` style.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Span, Text
from textual import events, on, work
from textual.binding import Binding, BindingsMap
from textual.message import Message
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import TextArea
from textual.widgets.text_area import (
    DocumentNavigator,
    Edit,
    EditHistory,
    EditResult,
    Location,
    Selection,
    WrappedDocument,
)

from engine import document as engine_document
from engine.document import Batch, Document, DocumentProvenance, words_in
from engine.fountain import Kind, LiveParse
from engine.spelling import CHECKED_KINDS
from engine.fountain.editing import (
    CompletionContext,
    apply_completion,
    complete,
    completion_context,
    cycle_element,
    effective_kind,
    looks_like_cue,
    newline_for,
    unforced_cue,
)

from ..fountain_document import FountainDocument
from ..highlight import LazyHighlights, byte_to_character
from ..keymap import COMPLETION, SCRIPT, bindings

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from engine.fountain.scene_numbers import LineChange
    from engine.provenance import Provenance
from ..themes import derived_fountain_styles, text_area_theme

class DocumentHistory(EditHistory):
    """``TextArea.history`` of a :class:`ScriptEditor`: the engine document keeps the edits
    (it records each one as it is made), so this hands checkpoints and clearing to it and
    shows its batches; :meth:`ScriptEditor.undo` and :meth:`ScriptEditor.redo` undo them."""

    def __init__(self, editor: "ScriptEditor") -> None:
        super().__init__(
            max_checkpoints=engine_document.MAX_BATCHES,
            checkpoint_timer=engine_document.BATCH_SECONDS,
            checkpoint_max_characters=engine_document.BATCH_CHARACTERS,
        )
        self._editor = editor

    def record(self, edit: Edit) -> None:
        """Already recorded by the engine document (``Document.replace``)."""

    def checkpoint(self) -> None:
        self._editor.script.checkpoint()

    def clear(self) -> None:
        self._editor.script.clear_history()

    @property
    def undo_stack(self) -> list[Batch]:  # type: ignore[override]  # engine batches, not Edit lists
        return self._editor.script.undo_stack

    @property
    def redo_stack(self) -> list[Batch]:  # type: ignore[override]
        return self._editor.script.redo_stack


class FountainLine(Text):
    """A line as :meth:`ScriptEditor.get_line` styles it, for ``TextArea`` to draw.

    ``TextArea`` styles the line it gets from ``get_line``: the cursor line and the selection
    (whose theme styles carry a foreground colour), then the cursor. When TextArea drew the
    highlights itself they went over the cursor line and the selection, so a scene heading kept
    its colour on the cursor line; to keep that, those two styles (``under``) go in *under* the
    Fountain styles, and whole-line Fountain styles reach the space TextArea adds for the
    cursor at the end of the line, as they did."""

    __slots__ = ("_under", "_front", "_whole")

    def __init__(self, text: str, under: tuple[Style, ...]) -> None:
        super().__init__(text, end="", no_wrap=True)
        self._under = under
        self._front = 0  # spans before this index are TextArea's, under ours
        self._whole: list[int] = []  # indexes of our spans that run to the end of the line

    def stylize_line(self, style: Style, start: int, end: int | None) -> None:
        """Ours: ``end`` None runs to the end of the line, the cursor's space included."""
        if end is None:  # kept even on an empty line: it will cover the cursor's space
            self._whole.append(len(self.spans))
            self.spans.append(Span(start, len(self), style))
        else:
            super().stylize(style, start, end)

    def stylize(self, style, start: int = 0, end: int | None = None) -> None:  # type: ignore[override]
        if style not in self._under:
            super().stylize(style, start, end)
            return
        spans = self.spans
        count = len(spans)
        super().stylize(style, start, end)
        if len(spans) > count:  # put it under ours
            spans.insert(self._front, spans.pop())
            self._front += 1
            self._whole = [index + 1 for index in self._whole]

    def set_length(self, new_length: int) -> None:
        old = len(self)
        super().set_length(new_length)
        if new_length > old and self._whole:
            spans = self.spans
            for index in self._whole:
                span = spans[index]
                if span.end == old:
                    spans[index] = span._replace(end=new_length)


_DIALOGUE_KINDS = (Kind.CHARACTER, Kind.PARENTHETICAL, Kind.DIALOGUE, Kind.LYRICS)
_CAPS_KINDS = (Kind.CHARACTER, Kind.SCENE_HEADING, Kind.TRANSITION)


class ScriptEditor(TextArea):
    """Fountain editing with highlighting from the engine, Tab/Enter writing help and
    completion of character names and locations."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS = bindings(SCRIPT)  # the key registry's (tui/keymap.py); on_key runs them

    COMPLETION_BINDINGS = bindings(COMPLETION)
    """Keys that act only while the completion list is open. They are not in ``BINDINGS``
    (which would replace TextArea's own Up, Down and Right); :meth:`on_key` dispatches them,
    with the writer's key map applied."""

    class Completions(Message):
        """The completion list changed: ``items`` (empty: close it) and the ``index`` chosen."""

        def __init__(
            self, editor: "ScriptEditor", items: list[str], index: int, context: CompletionContext | None
        ) -> None:
            super().__init__()
            self.editor = editor
            self.items = items
            self.index = index
            self.context = context

    class ProvenanceLoaded(Message):
        """The provenance record of the script was read (in a worker) for ``text``."""

        def __init__(self, token: int, text: str, record: "Provenance | None", error: str | None) -> None:
            super().__init__()
            self.token = token
            self.text = text
            self.record = record
            self.error = error

    class ProvenanceSaved(Message):
        """The provenance record was written to ``path`` (None: nothing to record), or ``error``."""

        def __init__(self, path: Path | None, error: str | None) -> None:
            super().__init__()
            self.path = path
            self.error = error

    revision_marks: "Callable[[int], bool] | None" = None
    """Whether a row is marked as revised (set by the screen; None: no marks)."""

    misspelled: dict[str, list[tuple[int, int]]] = {}
    """Misspelled word spans by line text (from the spelling worker; keyed by text, so they
    stay right while lines move, and vanish from a line as soon as it changes)."""

    show_ai_text: reactive[bool] = reactive(False, init=False)
    """Whether AI-written text is drawn in the theme's ``ai_text`` style (Alt+I)."""

    class ElementCycled(Message):
        """Tab rewrote a line as another element."""

        def __init__(self, row: int, kind: Kind) -> None:
            super().__init__()
            self.row = row
            self.kind = kind

    def __init__(self, text: str = "", **kwargs) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("show_line_numbers", False)
        kwargs.setdefault("highlight_cursor_line", True)
        self.character_names: list[str] = []
        self.locations: list[str] = []
        self._vocabulary_version = -1
        self.completion: CompletionContext | None = None
        self.completion_items: list[str] = []
        self.completion_index = 0
        self._completion_at: Location | None = None
        self._key_actions: dict[str, list[tuple[str, bool]]] | None = None
        self._caps_row: int | None = None
        self._cycle_origin: tuple[int, str] | None = None
        self._cycle_last: str | None = None
        self._cue_mark_row: int | None = None  # a row where Tab wrote an "@" before the name
        self.provenance_path: Path | None = None  # the script whose record is open
        self._provenance_save_lock = threading.Lock()
        self._provenance_saves = 0  # saves asked for; a worker writes only if no later one has written
        self._provenance_written = 0
        self._save_after_load: Path | None = None
        self._highlights_cache = LazyHighlights()
        self._highlights_version = -1
        self._syntax_styles: dict[str, Style] = {}  # the Fountain styles of the theme in use
        # TextArea would build (and wrap) a plain Document of the text first; start empty and
        # load the text once, into the engine document.
        super().__init__("", **kwargs)
        self.history = DocumentHistory(self)
        self.match_cursor_bracket = False  # brackets are parentheticals and extensions here, not code
        if text:
            self._set_document(text, None)

    # ------------------------------------------------------------------ theme
    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._use_app_theme)
        self._use_app_theme(self.app.current_theme)
        self.watch(self, "selection", self._selection_moved, init=False)

    def _use_app_theme(self, theme: Theme) -> None:
        """Switch to the ``TextAreaTheme`` holding the Fountain styles of the app's theme."""
        make = getattr(self.app, "fountain_theme", None)
        if make is not None:
            area_theme = make(theme)
        else:  # a plain Textual app (tests of the widget alone)
            area_theme = text_area_theme(theme, derived_fountain_styles(theme))
        self.register_theme(area_theme)
        self.theme = area_theme.name
        self._syntax_styles = area_theme.syntax_styles
        self._restyle()

    # ------------------------------------------------------------------ engine hook
    @property
    def script(self) -> Document:
        """The engine's document: the text being edited, its parse, AI spans and undo history."""
        return self.document.engine  # type: ignore[attr-defined]

    @property
    def live(self) -> LiveParse:
        """The engine's parse state of the text being edited."""
        return self.script.live

    @property
    def provenance(self) -> DocumentProvenance:
        """Which text came from accepted suggestions (the engine document's)."""
        return self.script.provenance

    def _set_document(self, text: str, language: str | None) -> None:
        """Replaces ``TextArea._set_document`` (Textual 8.2.8 private hook: TextArea has no
        public way to edit a document of one's own, and no Textual issue asks for one yet). The document is always a
        :class:`FountainDocument` over the one engine document, which loads the new text
        (the listeners stay; nothing is AI-written); there is no tree-sitter language.
        A new adapter each time: whoever follows ``document`` sees that the text was replaced."""
        old = getattr(self, "document", None)
        if isinstance(old, FountainDocument):
            old.engine.load(text)
            document = FountainDocument(old.engine)
        else:
            document = FountainDocument(text)
        self.document = document
        self._highlights_version = -1  # the version starts again at 0 with the new text
        self.wrapped_document = WrappedDocument(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()  # (private, with _set_document)

    def _watch_language(self, language: str | None) -> None:
        """There is no tree-sitter language: the document is Fountain whatever ``language``
        says (TextArea would rebuild the document, re-parsing the whole script, at mount).
        Textual 8.2.8 private watcher, overridden with ``_set_document`` (no Textual issue yet)."""

    # ------------------------------------------------------------------ styling
    @property
    def highlights(self) -> LazyHighlights:
        """``{row: [(start_byte, end_byte_or_None, name)]}`` of the rows asked for since the
        last change (filled on demand: only rendered rows are computed)."""
        highlights = self._highlights_cache
        version = self.script.version
        if self._highlights_version != version:
            highlights.clear()
            highlights.live = self.live
            self._highlights_version = version
        return highlights

    def get_line(self, line_index: int) -> Text:
        """The line with its Fountain styles, AI-text, spelling and revision marks (Textual's
        public hook for styling TextArea content)."""
        plain = self.document.get_line(line_index)
        styles = self._syntax_styles
        if not styles:
            return Text(plain, end="", no_wrap=True)
        line = FountainLine(plain, self._under_styles())
        to_character = None if plain.isascii() else byte_to_character(plain)
        for start, end, name in self.highlights[line_index]:
            style = styles.get(name)
            if style is None:
                continue
            if to_character is not None:
                start = to_character.get(start, 0)
                end = to_character.get(end) if end else None
            line.stylize_line(style, start, end)
        return line

    def _under_styles(self) -> tuple[Style, ...]:
        """The cursor line and selection styles TextArea puts on a line (from the CSS, as
        ``TextAreaTheme.apply_css`` takes them)."""
        get = self.get_component_rich_style
        return get("text-area--cursor-line"), get("text-area--selection")

    def _restyle(self) -> None:
        """Draw again after the marks (AI text, spelling, revisions) or the theme changed."""
        highlights = self.highlights
        highlights.clear()
        highlights.ai_rows = self.provenance.row_spans if self.show_ai_text else None
        highlights.spell_rows = self._misspelled_in_row if self.misspelled else None
        highlights.revised_rows = self.revision_marks
        self.notify_style_update()  # TextArea's public way to drop its rendered lines
        self.refresh()

    # ------------------------------------------------------------------ reading the script
    def line(self, row: int) -> str:
        return self.document[row] if 0 <= row < self.document.line_count else ""

    def _prev_blank(self, row: int) -> bool:
        return row == 0 or not self.line(row - 1).strip()

    def element_kind_at(self, row: int) -> Kind | None:
        """The element of ``row`` as the writer sees it: the parser's kind, except that a cue
        still waiting for its dialogue counts as a character."""
        return effective_kind(self.line(row), self.live.line_kind(row), self._prev_blank(row))

    def _in_dialogue(self, row: int) -> bool:
        if self._prev_blank(row):
            return False
        above = row - 1
        kind = self.live.line_kind(above)
        if kind in _DIALOGUE_KINDS:
            return True
        return self._prev_blank(above) and looks_like_cue(self.line(above))

    # ------------------------------------------------------------------ keys
    def key_actions(self) -> dict[str, list[tuple[str, bool]]]:
        """``{key: [(action, only while completing), ...]}``: the completion keys, then every
        binding of this widget (ours and TextArea's, a subclass's key replacing its base's as
        Textual merges them), with the writer's key map (``App.user_keymap``) applied."""
        if self._key_actions is None:
            keymap: dict[str, str] = getattr(self.app, "user_keymap", {}) or {}
            merged: dict[str, list[Binding]] = {}
            for cls in reversed(type(self).__mro__):
                if "BINDINGS" in cls.__dict__:
                    merged.update(BindingsMap(cls.__dict__["BINDINGS"]).key_to_bindings)
            table: dict[str, list[tuple[str, bool]]] = {}

            def add(binding: Binding, completing: bool) -> None:
                keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
                for key in keys.split(","):
                    table.setdefault(key.strip(), []).append((binding.action, completing))

            for binding in BindingsMap(self.COMPLETION_BINDINGS).key_to_bindings.values():
                for each in binding:
                    add(each, True)
            remapped = {b.id for bs in merged.values() for b in bs if b.id and b.id in keymap}
            for key, bound in merged.items():
                for binding in bound:
                    if binding.id in remapped:
                        add(binding, False)
                    elif not any(b.id in remapped for b in bound):
                        table.setdefault(key, []).append((binding.action, False))
            self._key_actions = table
        return self._key_actions

    def keymap_changed(self) -> None:
        self._key_actions = None

    async def on_key(self, event: events.Key) -> None:
        """Every key of this widget is handled here, in the order the keys arrive.

        Textual runs a focused widget's bindings only after the key has travelled back up to
        the app, so in a burst of keys (a fast typist, a laggy SSH link delivering several at
        once) a Backspace, an arrow or Tab could act after the letters typed after it
        (Textual issue #6605). Running this widget's bindings here keeps the order. Runs
        before ``TextArea._on_key``: Textual calls the handlers down the class hierarchy unless
        one prevents the default.

        ``_restart_blink`` (private, Textual 8.2.8): a key handled here does not reach
        ``TextArea._on_key``, which restarts the cursor blink; TextArea has no public way to
        (no Textual issue asks for one yet; #6605 would make this handler unnecessary).
        """
        for action, completing in self.key_actions().get(event.key, ()):
            if completing and (self.read_only or not self.completion_items):
                continue
            if action == "accept_completion" and self.completion is not None and not self.completion.query.strip():
                continue  # nothing of the name typed yet: Tab cycles on, Right moves
            if await self.app.run_action(action, self):
                event.stop()
                event.prevent_default()
                self._restart_blink()
                return
        if self.read_only:
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self._restart_blink()
            self.smart_newline()
            return
        if event.is_printable and event.character and self._caps_row is not None:
            start, end = self.selection
            if start == end and start[0] == self._caps_row and event.character != event.character.upper():
                event.stop()
                event.prevent_default()
                self._restart_blink()
                self._replace_via_keyboard(event.character.upper(), start, end)

    # ``_replace_via_keyboard`` / ``_delete_via_keyboard`` (private, Textual 8.2.8): the one place
    # typing and the deleting keys (Backspace, Delete, word and line deletes) pass, and only
    # they; completion follows them. ``TextArea.Changed`` comes for every edit, later. No Textual
    # issue asks for a public hook yet.
    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        result = super()._replace_via_keyboard(insert, start, end)
        if result is not None:
            self.update_completion()
        return result

    def _delete_via_keyboard(self, start: Location, end: Location) -> EditResult | None:
        result = super()._delete_via_keyboard(start, end)
        if result is not None:
            self.update_completion()
        return result

    def _selection_moved(self, selection: Selection) -> None:
        """The cursor moved (watched with the public ``watch``, right after TextArea's own
        watcher)."""
        row = selection.end[0]
        if self._caps_row is not None and row != self._caps_row:
            self._caps_row = None
        if self._cue_mark_row is not None and row != self._cue_mark_row:
            self.call_later(self._drop_cue_mark, self._cue_mark_row)
            self._cue_mark_row = None
        if self._completion_at is not None and selection.end != self._completion_at:
            self.clear_completion()

    def smart_newline(self) -> None:
        """Enter: a line break, and a blank line where the paragraph ends (after dialogue,
        action, a heading or a transition); after a cue or parenthetical, dialogue follows."""
        start, end = self.selection
        self._caps_row = None
        self.clear_completion()
        if start != end:
            self._replace_via_keyboard("\n", start, end)
            return
        row, column = end
        if self._cue_mark_row == row and column == len(self.line(row)):
            self._drop_cue_mark(row)
            column = len(self.line(row))
            start = end = (row, column)
        self._cue_mark_row = None
        line = self.line(row)
        following = self.line(row + 1) if row + 1 < self.document.line_count else None
        enter = newline_for(
            line, self.live.line_kind(row), column, prev_blank=self._prev_blank(row), next_line=following
        )
        result = self._replace_via_keyboard(enter.text, start, end)
        if result is not None and enter.rows != enter.text.count("\n"):
            self.move_cursor((row + enter.rows, 0))
        self.clear_completion()
        # on the last visible row the new line is below the view until the wrap is redone
        self.call_after_refresh(self.scroll_cursor_visible, animate=False)

    def _drop_cue_mark(self, row: int) -> None:
        """Take away the ``@`` Tab wrote on ``row`` when the name typed after it is a cue
        without it (``@TEO`` -> ``TEO``; ``@McCLANE`` keeps it)."""
        if not 0 <= row < self.document.line_count or not self._prev_blank(row):
            return
        line = self.line(row)
        name = unforced_cue(line)
        if name is None or name == line:
            return
        cursor_row, cursor_column = self.cursor_location
        self.history.checkpoint()
        self.replace(name, (row, 0), (row, len(line)), maintain_selection_offset=False)
        self.history.checkpoint()
        if cursor_row == row:
            self.move_cursor((row, max(0, min(len(name), cursor_column - (len(line) - len(name))))))
        else:
            self.move_cursor((cursor_row, cursor_column))
    def action_cycle_element(self) -> None:
        """Tab: rewrite the current line as the next element."""
        if self.read_only:
            return
        start, end = self.selection
        row, column = end
        if start[0] != row:
            return
        line = self.line(row)
        if self._cycle_origin is None or self._cycle_origin[0] != row or self._cycle_last != line:
            self._cycle_origin = (row, line)
        rewrite = cycle_element(
            line,
            self.live.line_kind(row),
            prev_blank=self._prev_blank(row),
            in_dialogue=self._in_dialogue(row),
            origin=self._cycle_origin[1],
        )
        if rewrite is None:
            self.app.bell()
            return
        at_end = column >= len(line)
        if rewrite.text != line:
            self.history.checkpoint()  # each Tab is one undo step
            self.replace(rewrite.text, (row, 0), (row, len(line)), maintain_selection_offset=False)
            self.history.checkpoint()
        self.move_cursor((row, rewrite.cursor if at_end or not line.strip() else min(column, len(rewrite.text))))
        self._cycle_last = rewrite.text
        self._caps_row = row if rewrite.kind in _CAPS_KINDS else None
        self._cue_mark_row = row if rewrite.kind is Kind.CHARACTER and rewrite.text.startswith("@") else None
        self.post_message(self.ElementCycled(row, rewrite.kind))
        self.update_completion(open_empty=False)  # an empty cue or heading: no list of everything

    # ------------------------------------------------------------------ completion
    def update_completion(self, open_empty: bool = True) -> None:
        """Work out what the writer is typing and which names or locations would complete it
        (``open_empty``: also when nothing of the name is typed yet, e.g. after a typed ``@``)."""
        start, end = self.selection
        context = None
        if start == end:
            row, column = end
            context = completion_context(self.line(row), column, prev_blank=self._prev_blank(row))
        items: list[str] = []
        if context is not None:
            if self.completion is None and self._vocabulary_version != self.document.version:  # type: ignore[attr-defined]
                self.refresh_vocabulary()  # a new completion starts: names typed since the last pause count
            pool = self.character_names if context.kind == "character" else self.locations
            if open_empty or context.query.strip():
                items = complete(context.query, pool, fuzzy=not context.strict)
        if not items:
            self.clear_completion()
            return
        self.completion, self.completion_items, self._completion_at = context, items, end
        self.completion_index = 0
        self.post_message(self.Completions(self, items, 0, context))

    def refresh_vocabulary(self) -> None:
        """Character names and scene locations of the script, for completion."""
        live = self.live
        self.character_names = live.character_names()
        self.locations = live.locations()
        self._vocabulary_version = self.document.version  # type: ignore[attr-defined]

    def clear_completion(self) -> None:
        if self.completion is None and self._completion_at is None:
            return
        self.completion, self.completion_items, self._completion_at = None, [], None
        self.completion_index = 0
        self.post_message(self.Completions(self, [], 0, None))

    def action_accept_completion(self) -> None:
        items = self.completion_items
        if items:
            self.accept_completion(items[min(self.completion_index, len(items) - 1)])

    def _move_completion(self, step: int) -> None:
        if self.completion_items:
            self.completion_index = (self.completion_index + step) % len(self.completion_items)
            self.post_message(self.Completions(self, self.completion_items, self.completion_index, self.completion))

    def action_completion_next(self) -> None:
        self._move_completion(1)

    def action_completion_previous(self) -> None:
        self._move_completion(-1)

    def action_dismiss_completion(self) -> None:
        self.clear_completion()

    def accept_completion(self, choice: str) -> bool:
        """Replace what is being typed with ``choice`` (one undoable edit)."""
        context = self.completion
        if context is None:
            return False
        row, _ = self.cursor_location
        line = self.line(row)
        rewrite = apply_completion(line, context, choice)
        self.clear_completion()
        self.history.checkpoint()
        self.replace(rewrite.text, (row, 0), (row, len(line)), maintain_selection_offset=False)
        self.history.checkpoint()
        self.move_cursor((row, rewrite.cursor))
        if rewrite.kind is Kind.SCENE_HEADING:
            self._caps_row = row  # the time of day comes next
        return True

    # ------------------------------------------------------------------ suggestions
    def insert_suggestion(self, text: str, at: Location, ai: bool = True,
                          suggestion_id: str | None = None) -> Location:
        """Insert ``text`` at ``at`` as one undo step, replacing nothing; the cursor goes to
        the end of it. With ``ai`` the inserted text is marked AI-written. Returns that end."""
        self.clear_completion()
        self._caps_row = None
        at = self.clamp_visitable(at)
        self.history.checkpoint()
        result = self.insert(text, at, maintain_selection_offset=False)
        self.history.checkpoint()
        if ai:
            self.mark_ai(at, result.end_location, suggestion_id)
        self.move_cursor(result.end_location)
        self.scroll_cursor_visible(animate=False)
        return result.end_location

    def replace_with_suggestion(self, text: str, start: Location, end: Location, ai: bool = True,
                                suggestion_id: str | None = None) -> Location:
        """Put ``text`` in place of ``start``..``end`` (a rewrite of a passage) as one undo
        step, marked AI-written with ``ai``; the cursor goes to its end, which is returned."""
        self.clear_completion()
        self._caps_row = None
        start, end = sorted((start, end))
        self.history.checkpoint()
        result = self.replace(text, start, end, maintain_selection_offset=False)
        self.history.checkpoint()
        if ai:
            self.mark_ai(start, result.end_location, suggestion_id)
        self.move_cursor(result.end_location)
        self.scroll_cursor_visible(animate=False)
        return result.end_location

    # ------------------------------------------------------------------ AI-written text
    def mark_ai(self, start: Location, end: Location, suggestion_id: str | None = None) -> None:
        """Mark ``start``..``end`` (text just put in by the last edit) as AI-written (the
        engine document keeps the mark with that edit: redo marks it again, undo takes it away
        with the text)."""
        if self.provenance.mark(start, end, suggestion_id) is not None:
            self._ai_changed()

    @property
    def provenance_spans(self) -> list[tuple[int, int]]:
        """AI-written ``(start, end)`` character offsets into :attr:`text` (for the export)."""
        return self.provenance.spans

    def edit(self, edit: Edit) -> EditResult:
        """Every edit made through ``TextArea`` (typing, paste, ``replace()``) passes here: the
        engine document has recorded it for undo; give it the selection before and after."""
        before = self.selection
        result = super().edit(edit)
        self.script.note_cursor(before, self.selection)
        return result

    def undo(self) -> None:
        """Undo the engine document's last batch of edits (the AI spans come back with the text)."""
        gutter = self.gutter_width
        batch = self.script.undo()
        if batch is not None:
            self._history_applied(batch, gutter, undo=True)

    def redo(self) -> None:
        gutter = self.gutter_width
        batch = self.script.redo()
        if batch is not None:
            self._history_applied(batch, gutter, undo=False)

    def _history_applied(self, batch: Batch, gutter: int, undo: bool) -> None:
        """What ``TextArea`` does after undoing or redoing a batch, for the engine's batch:
        re-wrap what changed, put the selection back, redraw, tell who listens.

        ``_refresh_size`` (private, Textual 8.2.8): the virtual size after re-wrapping; TextArea
        has no public way to show an undo it did not do itself, and no Textual issue asks for
        one yet (#4428, an API to batch edits, covers only the joining of batches)."""
        changes = batch.changes
        if batch.joined or self.gutter_width != gutter:  # a joined batch's edits lie far apart
            self.wrapped_document.wrap(self.wrap_width, self.indent_width)
        else:
            top = min(c.start for c in changes)
            old_bottom = max(c.new_end if undo else c.end for c in changes)
            new_bottom = max(c.end if undo else c.new_end for c in changes)
            self.wrapped_document.wrap_range(top, old_bottom, new_bottom)
        self._refresh_size()
        selection = batch.cursor_before if undo else batch.cursor_after
        if isinstance(selection, Selection):
            self.selection = selection
        self.record_cursor_width()
        self.notify_style_update()
        self.refresh()
        self.post_message(self.Changed(self))
        self.update_suggestion()

    def _ai_changed(self) -> None:
        """The spans changed without the text changing: redraw them when they are shown."""
        if self.show_ai_text:
            self._restyle()

    def _watch_show_ai_text(self) -> None:
        self._restyle()

    def action_toggle_ai_text(self) -> None:
        """Alt+I: show or hide AI-written text, and say how much there is."""
        self.show_ai_text = not self.show_ai_text
        spans = self.provenance_spans
        if not self.show_ai_text:
            self.notify("AI-written text is no longer marked.", title="AI text: hidden")
        elif not spans:
            self.notify("No text in this script came from accepted suggestions.", title="AI text: shown")
        else:
            text = self.text
            words = words_in(text, spans)
            total = len(text.split())
            share = f" ({round(100 * words / total)}% of the words)" if total else ""
            self.notify(f"Underlined: {len(spans)} passage{'s' * (len(spans) != 1)} from accepted suggestions, "
                        f"{words} word{'s' * (words != 1)}{share}. Alt+I hides it.", title="AI text: shown")

    def open_provenance(self, path: str | Path) -> None:
        """Read the record of AI-written text beside the script at ``path`` (in a worker; edits
        made meanwhile are kept in step). Problems and spans that could not be found again
        after an outside edit are told in a notification."""
        self.provenance_path = Path(path)
        token = self.provenance.begin_load()
        self._open_provenance_worker(token, self.provenance_path, self.text)

    @work(thread=True, exclusive=True, group="provenance-load", exit_on_error=False)
    def _open_provenance_worker(self, token: int, path: Path, text: str) -> None:
        record, error = DocumentProvenance.read(path, text)
        self.post_message(self.ProvenanceLoaded(token, text, record, error))

    @on(ProvenanceLoaded)
    def _provenance_loaded(self, message: ProvenanceLoaded) -> None:
        record = message.record
        if not self.provenance.finish_load(message.token, message.text, record, broken=message.error is not None):
            return
        name = self.provenance_path.name if self.provenance_path else "the script"
        if message.error:
            self.notify(f"{message.error}. AI-written text of {name} is not known; the record is left as it is "
                        "unless you accept a suggestion.", title="AI text record", severity="warning", timeout=12)
        elif record is not None and record.dropped:
            n = len(record.dropped)
            self.notify(
                f"{name} was changed outside Scenewright: {n} AI-written passage{'s' * (n != 1)} could not be "
                f"found again and now count{'s' * (n == 1)} as your text.",
                title="AI text record", severity="warning", timeout=12,
            )
        self._ai_changed()
        if self._save_after_load is not None:
            path, self._save_after_load = self._save_after_load, None
            self.save_provenance(path)

    def save_provenance(self, path: str | Path | None = None, wait: bool = False) -> None:
        """Write the record of AI-written text beside the script at ``path`` (default: the one
        opened) for the text as it is now; call it after the script was saved. Runs in a
        worker (``wait``: here and now, e.g. when the app quits right after the save); a
        failure is told in a notification."""
        target = Path(path) if path is not None else self.provenance_path
        if target is None:
            return
        provenance = self.provenance
        if provenance.loading:  # the record being read has spans this one must not lose
            self._save_after_load = target
            return
        if provenance.broken and not provenance.has_spans:
            return  # keep the unreadable record for the writer to look at
        text, spans = provenance.save_state()
        self._provenance_saves += 1
        if wait:
            with self._provenance_save_lock:
                written, error = DocumentProvenance.write(target, text, spans)
                self._provenance_written = self._provenance_saves
            self._provenance_saved(self.ProvenanceSaved(written, error))
            return
        self._save_provenance_worker(target, text, spans, self._provenance_saves)

    @work(thread=True, group="provenance-save", exit_on_error=False)
    def _save_provenance_worker(self, path: Path, text: str, spans: tuple, number: int) -> None:
        with self._provenance_save_lock:
            if number < self._provenance_written:
                return  # a later save already wrote a newer record
            written, error = DocumentProvenance.write(path, text, spans)
            self._provenance_written = number
        self.post_message(self.ProvenanceSaved(written, error))

    @on(ProvenanceSaved)
    def _provenance_saved(self, message: ProvenanceSaved) -> None:
        if message.error:
            self.notify(message.error, title="AI text record not saved", severity="warning", timeout=12)
        elif message.path is not None:
            self.provenance.broken = False

    # ------------------------------------------------------------------ navigation
    def action_cursor_document_start(self) -> None:
        self.move_cursor((0, 0))

    def action_cursor_document_end(self) -> None:
        self.move_cursor(self.document.end)

    def jump_to_line(self, row: int) -> None:
        """Put the cursor at the start of ``row`` and show it near the top third of the view."""
        row = max(0, min(row, self.document.line_count - 1))
        self.move_cursor((row, 0))
        self.scroll_cursor_visible(center=True, animate=False)

    # ------------------------------------------------------------------ spelling
    def _misspelled_in_row(self, row: int) -> list[tuple[int, int]]:
        live = self.live
        if live.line_kind(row) not in CHECKED_KINDS:
            return []
        return self.misspelled.get(live.lines[row], [])

    def refresh_marks(self) -> None:
        """Draw again after the revision marks (or another mark source) changed."""
        self._restyle()

    def set_misspelled(self, found: dict[str, list[tuple[int, int]]]) -> None:
        """Show these misspellings (``{}``: none, spelling off)."""
        if found == self.misspelled:
            return
        self.misspelled = found
        self._restyle()

    def misspelling_from(self, location: Location) -> tuple[int, int, int, str] | None:
        """``(row, start, end, word)`` of the first misspelled word at or after ``location``,
        going on from the top after the end."""
        if not self.misspelled:
            return None
        row0, col0 = location
        count = self.document.line_count
        for step in range(count + 1):
            row = (row0 + step) % count
            spans = self._misspelled_in_row(row)
            for start, end in spans:
                if step == 0 and end < col0:
                    continue
                if step == count and start >= col0:
                    break
                return row, start, end, self.document[row][start:end]
        return None

    # ------------------------------------------------------------------ changes made for the writer
    def apply_line_changes(self, changes: "Sequence[LineChange]") -> bool:
        """Make whole-line ``changes`` (scene numbers, placeholders, moved scenes) as one undo
        step; the cursor stays on its text. Returns whether anything changed."""
        if not changes:
            return False
        self.clear_completion()
        self._caps_row = None
        with self.script.group():  # one Ctrl+Z undoes them all, however far apart
            for change in sorted(changes, key=lambda c: c.line, reverse=True):  # bottom first: rows stay valid
                self._apply_line_change(change)
        return True

    def _apply_line_change(self, change: "LineChange") -> None:
        count = self.document.line_count
        row = change.line
        if change.kind == "insert":
            if row < count:
                self.insert("\n".join(change.lines) + "\n", (row, 0), maintain_selection_offset=True)
            else:
                last = count - 1
                self.insert("\n" + "\n".join(change.lines), (last, len(self.document[last])),
                            maintain_selection_offset=True)
        elif change.kind == "delete":
            if row + 1 < count:
                self.delete((row, 0), (row + 1, 0), maintain_selection_offset=True)
            elif row > 0:
                self.delete((row - 1, len(self.document[row - 1])), (row, len(self.document[row])),
                            maintain_selection_offset=True)
            else:
                self.delete((row, 0), (row, len(self.document[row])), maintain_selection_offset=True)
        else:
            self.replace(change.lines[0], (row, 0), (row, len(self.document[row])),
                         maintain_selection_offset=True)
