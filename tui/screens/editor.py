"""The main screen: outline | script | suggestion panel, status bar, key bar.

The screen owns the open :class:`~engine.scriptfile.ScriptFile` and what happens around the
keystroke path, never on it:

* pages, runtime, the outline and the names for completion are computed 0.3 s after typing
  stops, in a thread worker (group ``stats``) working on a snapshot of the elements;
* saving and the recovery copy run in thread workers (group ``save``); an outside change to
  the file asks the writer (overwrite / reload / cancel);
* while there are unsaved edits a recovery copy is written every few seconds; opening a
  file that has one offers to recover it; quitting with unsaved edits asks first;
* the suggestion keys (continue, accept, accept line, retry, next/previous alternative,
  cancel) are bindings of this screen, so they work while the writer types; the
  :class:`~tui.widgets.suggestion_panel.SuggestionPanel` runs the requests, this screen puts
  accepted text into the script.

Where accepted text goes: at the position the request was made for when the script has not
changed since (even if the cursor moved away); if the writer has edited the script meanwhile,
at the cursor. It is inserted, never replacing anything (a selection stays in the script), as
one undo step.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.geometry import Offset
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, TextArea
from textual.widgets.text_area import Location, Selection

from engine.fountain import Element, Kind, Outline
from engine.fountain.editing import separate_suggestion
from engine.fountain.outline import build_outline
from engine.fountain.pagination import paginate
from engine.generation import GenerationEngine
from engine.fountain.cards import Card, Column, board, plan_move
from engine.fountain.scene_numbers import SceneLockError
from engine.revisions import RevisionError
from engine.spelling import SpellingError
from engine.steering import Anchor, Prompt, PromptError, StoreError
from engine.scriptfile import ExternalChangeError, ScriptFile, ScriptFileError
from engine.tomlconf import ConfigError

from ..scene_numbering import SceneNumbering
from ..messages import (
    ModelLoaded, RecoveryWritten, SaveFinished, ScriptFacts, SpellingChecked, SpellingSuggested, StatsReady,
)
from ..revisions_view import EditorRevisions
from ..spelling_view import EditorSpelling
from ..steering import RequestInputs, ScriptSteering
from ..suggestions import GenerationSettings
from ..widgets.anchors_panel import AnchorsPanel
from ..widgets.completion_menu import CompletionMenu
from ..widgets.outline_panel import OutlinePanel
from ..widgets.script_editor import ScriptEditor
from ..widgets.status_bar import StatusBar
from ..widgets.suggestion_panel import SuggestionPanel
from .anchor_edit import AnchorEditScreen
from .cards import CardsScreen
from .context_view import ContextViewScreen
from .dialogue_report import open_dialogue_report
from .export_dialog import ExportDialog
from .external_change import ExternalChangeScreen
from .generation_settings import GenerationSettingsScreen
from .prompt_edit import PromptEditScreen
from .quit_unsaved import QuitUnsavedScreen
from .recover import RecoverScreen
from .request_input import RequestInputScreen
from .spelling import ADD, IGNORE, SpellingScreen
from ..keymap import EDITOR, bindings

STATS_DELAY_S = 0.3
AUTOSAVE_INTERVAL_S = 5.0
NARROW_WIDTH = 100  # below this many columns the outline starts hidden
SIDE_PANEL_WIDTH = 120  # from this many columns the suggestion panel sits beside the script, else under it
PANEL_SHOWN_WIDTH = 140  # from this many columns the suggestion panel is shown from the start
ANCHOR_MARKS_DELAY_S = 0.4  # after this pause the anchors panel marks the anchors the next request uses
PRIME_DELAY_S = 1.5  # after this pause in typing the model reads the script ahead (when warm)


def fit_replacement(old: str, new: str) -> str:
    """``new`` with the blank lines around ``old`` (a rewritten passage keeps its place in the
    paragraphs around it)."""
    lead = old[: len(old) - len(old.lstrip("\n"))]
    trail = old[len(old.rstrip("\n")):]
    return lead + new.strip("\n") + trail


def runtime_words(seconds: float) -> str:
    """Estimated screen time as a writer says it: ``"3 min"``, ``"1 h 52 min"``."""
    minutes = max(0, int(round(seconds / 60)))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class EditorScreen(Screen[None]):
    CSS_PATH = "editor.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide"), (SIDE_PANEL_WIDTH, "-roomy")]

    BINDINGS = bindings(EDITOR)

    def __init__(
        self,
        script: ScriptFile,
        text: str,
        *,
        autosave_interval: float = AUTOSAVE_INTERVAL_S,
        engine: GenerationEngine | None = None,
        warm_model: bool = False,
        start_at_end: bool = False,
    ) -> None:
        super().__init__()
        self.generation_engine = engine or GenerationEngine()
        self.warm_model = warm_model
        self.start_at_end = start_at_end
        self.steering = ScriptSteering(script.path)  # anchors beside the script, the prompt library
        self._prime_timer: Timer | None = None
        self._marks_timer: Timer | None = None
        self.script = script
        self.initial_text = text
        self.autosave_interval = autosave_interval
        self.saved_generation = 0
        self.recovery_generation = 0
        self.facts: ScriptFacts | None = None
        self._disk_lock = threading.Lock()
        self._stats_timer: Timer | None = None
        self._replaces: dict[int, tuple[Location, Location, int, str]] = {}  # request id -> selection it rewrites
        self._instructions: list[str] = []  # this session's rewrite instructions, newest first
        self._saving = False
        self._warned_external = False
        self.numbering = SceneNumbering(script.path)
        self.spelling = EditorSpelling()
        self.revisions = EditorRevisions(script.path)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="workspace"):
            yield OutlinePanel(id="outline")
            yield ScriptEditor(self.initial_text, id="script")
            yield AnchorsPanel(self.steering, self.generation_engine, id="anchors")
            yield SuggestionPanel(self.generation_engine, warm=self.warm_model, steering=self.steering,
                                  id="suggestions")
        yield StatusBar(id="status")
        yield Footer(id="keys", compact=True)
        yield CompletionMenu(id="completion")

    @property
    def editor(self) -> ScriptEditor:
        return self.query_one("#script", ScriptEditor)

    @property
    def outline(self) -> OutlinePanel:
        return self.query_one("#outline", OutlinePanel)

    @property
    def workspace(self) -> Horizontal:
        """The row holding outline and script; a side panel is mounted at its right end."""
        return self.query_one("#workspace", Horizontal)

    @property
    def panel(self) -> SuggestionPanel:
        return self.query_one("#suggestions", SuggestionPanel)

    @property
    def anchors(self) -> AnchorsPanel:
        return self.query_one("#anchors", AnchorsPanel)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    @property
    def menu(self) -> CompletionMenu:
        return self.query_one("#completion", CompletionMenu)

    def on_mount(self) -> None:
        self.outline.display = self.app.size.width >= NARROW_WIDTH
        self.panel.display = self.app.size.width >= PANEL_SHOWN_WIDTH
        self.anchors.display = False
        self.anchors.settings_source = lambda: self.panel.settings
        self.editor.focus()
        self.editor.open_provenance(self.script.path)  # which text came from accepted suggestions
        problem = self.numbering.load()  # a few bytes beside the script
        if problem:
            self.notify(problem, title="Scene numbers", severity="warning", timeout=15)
        problem = self.revisions.load(self.initial_text)
        if problem:
            self.notify(problem, title="Revision marks", severity="warning", timeout=15)
        self.editor.document.listeners.append(self.revisions.listener)
        self.editor.revision_marks = self.revisions.is_revised
        self.editor.refresh_marks()
        if self.start_at_end:  # where the writer goes on writing (and where Ctrl+J continues)
            self.editor.move_cursor(self.editor.document.end, center=True)
        self.status.set(file=self.script.path.name, modified=False)
        self._update_cursor_status()
        self.refresh_facts()
        self.set_interval(self.autosave_interval, self.write_recovery_now, name="autosave")
        self._warn_missing_folder()
        recovered = self._recovery_text()
        if recovered is not None:
            self.app.push_screen(
                RecoverScreen(self._recovery_message()), lambda answer: self._recovery_answer(answer, recovered)
            )

    def _warn_missing_folder(self) -> None:
        """Saving into a folder that is not there fails: say so now, not at the first Ctrl+S."""
        folder = self.script.path.parent
        try:
            missing = not folder.is_dir()
        except OSError:
            missing = True
        if missing:
            self.notify(
                f"The folder {folder} does not exist, so {self.script.path.name} cannot be saved there. "
                "Create the folder before saving, or save elsewhere.",
                title="Folder missing", severity="warning", timeout=15,
            )

    # ------------------------------------------------------------------ state
    @property
    def generation(self) -> int:
        """Counts every change to the text (typing, undo, paste...), synchronously."""
        return self.editor.document.version  # type: ignore[attr-defined]

    @property
    def modified(self) -> bool:
        return self.generation != self.saved_generation

    @property
    def text(self) -> str:
        return self.editor.text

    @on(TextArea.Changed, "#script")
    def _script_changed(self) -> None:
        self.status.set(modified=self.modified, message=None)
        self._update_cursor_status()
        if self._stats_timer is not None:
            self._stats_timer.stop()
        self._stats_timer = self.set_timer(STATS_DELAY_S, self.refresh_facts, name="stats-debounce")
        self._schedule_prime()
        self._schedule_anchor_marks()

    @on(TextArea.SelectionChanged, "#script")
    def _cursor_moved(self) -> None:
        self._update_cursor_status()
        self._schedule_prime()
        self._schedule_anchor_marks()

    def _update_cursor_status(self) -> None:
        editor = self.editor
        row = editor.cursor_location[0]
        kind = editor.element_kind_at(row)
        facts = self.facts
        scene = page = pages = None
        if facts is not None:
            from bisect import bisect_right

            index = bisect_right(facts.scene_lines, row) - 1
            total = len(facts.scene_lines)
            if index >= 0:
                number = facts.scene_numbers[index]
                scene = f"{'#' + number if number else index + 1} of {total}"
            elif total:
                scene = f"– of {total}"  # before the first scene (title page, opening sections)
            page, pages = facts.pages.page_of_line(row), facts.pages.count
        self.status.set(element=kind.value if kind else None, scene=scene, page=page, pages=pages)
        if self.outline.display:
            self.outline.follow(row)

    # ------------------------------------------------------------------ pages, outline, names
    def refresh_facts(self) -> None:
        """Recompute pages, runtime, outline and completion names off the keystroke path."""
        elements = list(self.editor.live.elements)  # a snapshot: the worker never reads the live parse
        self.editor.refresh_vocabulary()
        self._compute_facts(elements, self.generation)
        self.check_spelling(elements)

    # ------------------------------------------------------------------ spelling
    def check_spelling(self, elements: list[Element] | None = None) -> None:
        if not self.spelling.enabled:
            return
        live = self.editor.live
        lines = list(live.lines)
        kinds = [live.line_kind(row) for row in range(len(lines))]
        self._spelling_worker(lines, kinds, list(live.elements) if elements is None else elements, self.generation)

    @work(thread=True, group="spelling", exit_on_error=False)
    def _spelling_worker(self, lines: list[str], kinds: list, elements: list[Element], generation: int) -> None:
        found = self.spelling.check(lines, kinds, elements)
        self.post_message(SpellingChecked(generation, found, self.spelling.problem))

    @on(SpellingChecked)
    def _spelling_checked(self, message: SpellingChecked) -> None:
        if message.problem and not self.spelling.told:
            self.spelling.told = True
            self.notify(message.problem, title="Spelling", severity="warning", timeout=10)
        if self.spelling.enabled:
            self.editor.set_misspelled(message.found)

    def action_toggle_spelling(self) -> None:
        spelling = self.spelling
        spelling.enabled = not spelling.enabled
        if spelling.enabled:
            self.check_spelling()
        else:
            self.editor.set_misspelled({})
        self.notify("Spell checking on." if spelling.enabled else "Spell checking off.", title="Spelling")

    def action_spelling(self) -> None:
        editor = self.editor
        if not self.spelling.enabled:
            self.notify("Spell checking is off (Alt+K turns it on).", title="Spelling")
            return
        found = editor.misspelling_from(editor.cursor_location)
        if found is None:
            self.notify("No misspelled words in action or dialogue.", title="Spelling")
            return
        row, start, end, word = found
        editor.selection = Selection((row, start), (row, end))
        editor.scroll_cursor_visible(center=True, animate=False)
        self._suggest_worker(row, start, end, word)

    @work(thread=True, group="spelling", exit_on_error=False)
    def _suggest_worker(self, row: int, start: int, end: int, word: str) -> None:
        self.post_message(SpellingSuggested(row, start, end, word, self.spelling.suggestions(word)))

    @on(SpellingSuggested)
    def _spelling_suggested(self, message: SpellingSuggested) -> None:
        editor = self.editor
        row, start, end, word = message.row, message.start, message.end, message.word
        if row >= editor.document.line_count or editor.document[row][start:end] != word:
            return  # the writer changed the word meanwhile
        context = editor.document[row].strip()

        def chosen(answer: str | None) -> None:
            if not answer:
                return
            if answer in (ADD, IGNORE):
                self._word_worker(word, answer == ADD)
                return
            if editor.document[row][start:end] == word:
                editor.history.checkpoint()
                editor.replace(answer, (row, start), (row, end), maintain_selection_offset=False)
                editor.history.checkpoint()
                editor.move_cursor((row, start + len(answer)))

        self.app.push_screen(SpellingScreen(word, context[:200], message.suggestions), chosen)

    @work(thread=True, group="spelling", exit_on_error=False)
    def _word_worker(self, word: str, add: bool) -> None:
        try:
            self.spelling.add(word) if add else self.spelling.ignore(word)
        except SpellingError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Word not added", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.check_spelling)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _compute_facts(self, elements: list[Element], generation: int) -> None:
        pages = paginate(elements)
        outline = build_outline(elements, pages)
        headings = [e for e in elements if e.kind is Kind.SCENE_HEADING]
        facts = ScriptFacts(generation, pages, outline, [e.line for e in headings], [e.scene_number for e in headings])
        self.post_message(StatsReady(facts))

    @on(StatsReady)
    def _facts_ready(self, message: StatsReady) -> None:
        facts = message.facts
        if self.facts is not None and facts.generation < self.facts.generation:
            return
        self.facts = facts
        self.outline.set_entries(facts.outline)
        self.status.set(runtime=runtime_words(facts.pages.runtime_s))
        self._update_cursor_status()

    # ------------------------------------------------------------------ outline and go-to
    def action_toggle_outline(self) -> None:
        outline = self.outline
        if outline.display and outline.has_focus:
            outline.display = False
            self.editor.focus()
        elif outline.display:
            outline.focus()
        else:
            outline.display = True
            outline.follow(self.editor.cursor_location[0])
            outline.focus()

    @on(OutlinePanel.Jump)
    def _outline_jump(self, message: OutlinePanel.Jump) -> None:
        self.jump_to(message.line)

    @on(OutlinePanel.Leave)
    def _outline_leave(self) -> None:
        self.editor.focus()

    def jump_to(self, line: int) -> None:
        self.editor.jump_to_line(line)
        self.editor.focus()

    def action_goto_scene(self) -> None:
        from ..commands import SceneCommands
        from textual.command import CommandPalette

        self.app.push_screen(CommandPalette(providers=[SceneCommands], placeholder="Go to scene…"))

    def scene_entries(self) -> list[Outline]:
        if self.facts is None:
            return []
        return [e for e in self.facts.outline if e.kind is Kind.SCENE_HEADING]

    # ------------------------------------------------------------------ completion
    @on(ScriptEditor.Completions)
    def _completions(self, message: ScriptEditor.Completions) -> None:
        """Show the editor's completion list under the cursor (the editor owns its state)."""
        menu = self.menu
        editor = message.editor
        if not message.items or message.context is None:
            menu.hide()
            return
        cursor = editor.cursor_screen_offset
        x = max(0, cursor.x - len(message.context.query))
        height = min(len(message.items), 8)
        below = cursor.y + 1
        if below + height > editor.content_region.bottom and cursor.y - height >= editor.content_region.y:
            below = cursor.y - height  # no room under the line: open upwards, over the text above
        menu.show(message.items, Offset(x, below), message.index)

    @on(CompletionMenu.OptionSelected, "#completion")
    def _completion_clicked(self, event: CompletionMenu.OptionSelected) -> None:
        event.stop()
        items = self.menu.items
        if 0 <= event.option_index < len(items):
            self.editor.accept_completion(items[event.option_index])
        self.editor.focus()

    # ------------------------------------------------------------------ suggestions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Suggestion keys are live only when they can do something (else the key is left to
        others, and the key bar does not show them)."""
        if action in ("accept_suggestion", "retry_suggestion", "next_suggestion", "previous_suggestion",
                      "cancel_suggestion", "dismiss_suggestion"):
            try:
                return self.panel.allows(action)
            except NoMatches:  # not composed yet
                return False
        if action == "blind_neither":
            return self.panel.can_pick
        return True

    def show_panel(self) -> None:
        if not self.panel.display:
            self.panel.display = True
            self.call_after_refresh(self.editor.scroll_cursor_visible)  # under the script, it takes rows

    def action_suggest(self) -> None:
        """Ask for a continuation at the cursor, with the script's prompt. A prompt that works on
        a selection (rewrite, alternatives) or on a beat asks for what it needs first."""
        kind = self.steering.remembered_kind()
        if kind == "rewrite":
            self.action_rewrite_selection()
        elif kind == "alternatives":
            self.action_alternatives_for_selection()
        elif kind == "beat":
            self.action_scene_from_beat()
        else:
            self._request()

    def _request(self, inputs: RequestInputs | None = None, at: Location | None = None) -> int | None:
        """Send the request (the panel shows it); returns its id."""
        self.show_panel()
        editor = self.editor
        self.panel.request(editor.text, at or editor.cursor_location, self.generation, inputs)
        suggestion = self.panel.suggestion
        return suggestion.id if suggestion is not None else None

    def _selected(self, kind: str) -> tuple[Location, Location, str] | None:
        """The selected passage, as whole lines' worth of text (or None, after telling the writer)."""
        editor = self.editor
        start, end = sorted(editor.selection)
        text = editor.get_text_range(start, end)
        if not text.strip():
            what = "rewrite" if kind == "rewrite" else "give alternatives for"
            self.notify(f"Select the passage to {what} first (Shift+arrows, or F6 for the line).",
                        title="Nothing selected", severity="warning")
            return None
        return start, end, text

    def action_rewrite_selection(self) -> None:
        selected = self._selected("rewrite")
        if selected is None:
            return
        start, end, text = selected
        words = len(text.split())

        def send(instruction: str | None) -> None:
            if instruction is None:
                return
            if instruction:
                self._instructions = [instruction, *[i for i in self._instructions if i != instruction]][:20]
            inputs = RequestInputs("rewrite", selection_text=text, instruction=instruction or None)
            self._remember_replacement(self._request(inputs, at=start), start, end, text)

        self.app.push_screen(RequestInputScreen(
            "Rewrite the selection", f"{words} words selected. How should the model rewrite them? "
            "(Enter with nothing: make it tighter and more vivid)",
            placeholder="e.g. make Emma colder; cut it to two lines; more subtext", choices=self._instructions,
        ), send)

    def action_alternatives_for_selection(self) -> None:
        selected = self._selected("alternatives")
        if selected is None:
            return
        start, end, text = selected
        inputs = RequestInputs("alternatives", selection_text=text)
        self._remember_replacement(self._request(inputs, at=start), start, end, text)

    def _remember_replacement(self, request_id: int | None, start: Location, end: Location, text: str) -> None:
        if request_id is not None:
            self._replaces = {request_id: (start, end, self.generation, text)}

    def action_scene_from_beat(self) -> None:
        store = self.steering.store
        beats = [a.text for a in store.anchors if a.kind == "beat" and a.enabled] if (
            store is not None and store.error is None) else []

        def send(beat: str | None) -> None:
            if beat:
                self._request(RequestInputs("beat", beat=beat))

        self.app.push_screen(RequestInputScreen(
            "A scene from a beat", "What happens in the next scene? The model writes it after the cursor.",
            placeholder="e.g. Emma realises the villain's motives are rooted in betrayal", choices=beats,
            required=True,
        ), send)

    def action_accept_suggestion(self, part: str = "whole") -> None:
        offer = self.panel.offer(part)
        if offer is None:
            self.app.bell()
            return
        editor = self.editor
        replaces = self._replaces.pop(offer.request_id, None)
        if replaces is not None and replaces[2] == self.generation:
            start, end, _, old = replaces  # a rewrite of the selection: it takes the passage's place
            text = fit_replacement(old, offer.text)
            at, end = start, editor.replace_with_suggestion(text, start, end)  # one undo step
        else:
            if replaces is not None:
                self.notify("The script changed since the request: the rewrite goes in at the cursor, "
                            "the passage stays.", title="Rewrite", severity="warning")
            at = offer.at if offer.version == self.generation else editor.cursor_location
            text = separate_suggestion(editor.document.lines, at, offer.text)
            end = editor.insert_suggestion(text, at)
        self.panel.taken(offer, at, end, self.generation, editor.text)
        editor.focus()

    def action_retry_suggestion(self) -> None:
        self.show_panel()
        if not self.panel.retry():
            self.app.bell()

    def action_next_suggestion(self) -> None:
        self.show_panel()
        if not self.panel.step(1):
            self.app.bell()

    def action_previous_suggestion(self) -> None:
        if not self.panel.step(-1):
            self.app.bell()

    def action_cancel_suggestion(self) -> None:
        self.panel.cancel()

    def action_dismiss_suggestion(self) -> None:
        self.panel.dismiss()

    def action_toggle_panel(self) -> None:
        panel = self.panel
        if panel.display and panel.has_focus:
            panel.display = False
            self.editor.focus()
        elif panel.display:
            panel.focus()
        else:
            panel.display = True
            panel.focus()

    @on(SuggestionPanel.Leave)
    def _panel_leave(self) -> None:
        self.editor.focus()

    def action_suggestion_settings(self) -> None:
        panel = self.panel
        registry, problem = None, None
        try:
            registry = panel.engine.registry
        except ConfigError as exc:  # the settings screen says what is wrong
            problem = str(exc)
        self.app.push_screen(GenerationSettingsScreen(panel.settings, registry, problem), self._settings_chosen)

    def _settings_chosen(self, settings: GenerationSettings | None) -> None:
        if settings is not None:
            self.panel.apply_settings(settings)

    def choose_model(self, name: str) -> None:
        panel = self.panel
        self.show_panel()
        panel.apply_settings(replace(panel.settings, model=name))

    def reset_sampling(self) -> None:
        panel = self.panel
        panel.apply_settings(GenerationSettings(model=panel.settings.model))

    def action_reset_sampling(self) -> None:
        self.reset_sampling()

    def action_blind_neither(self) -> None:
        """Blind A/B: neither side is good (both are dismissed)."""
        self.panel.dismiss()

    def _schedule_prime(self) -> None:
        if not self.warm_model:
            return
        if self._prime_timer is not None:
            self._prime_timer.stop()
        self._prime_timer = self.set_timer(PRIME_DELAY_S, self.prime_model, name="prime-debounce")

    def prime_model(self) -> None:
        """Let the model read the script up to the cursor while the writer pauses."""
        editor = self.editor
        self.panel.prime(editor.text, editor.cursor_location)

    @on(ModelLoaded)
    def _model_loaded(self) -> None:
        """Not right away: the read-ahead waits for a pause in typing like any other."""
        self._schedule_prime()

    # ------------------------------------------------------------------ anchors, prompt, context
    def _schedule_anchor_marks(self) -> None:
        if not self.anchors.display:
            return
        if self._marks_timer is not None:
            self._marks_timer.stop()
        self._marks_timer = self.set_timer(ANCHOR_MARKS_DELAY_S, self.mark_anchors, name="anchors-debounce")

    def mark_anchors(self) -> None:
        """Mark the anchors the next request at the cursor will use (worked out in a worker)."""
        self.anchors.mark_at(self.editor.text, self.editor.cursor_location[0])

    def action_toggle_anchors(self) -> None:
        anchors = self.anchors
        if anchors.display and anchors.has_focus_within:
            anchors.display = False
            self.editor.focus()
        elif anchors.display:
            anchors.focus_table()
        else:
            anchors.display = True
            anchors.refresh_rows()
            anchors.focus_table()
            self.mark_anchors()

    @on(AnchorsPanel.Leave)
    def _anchors_leave(self) -> None:
        self.editor.focus()

    @on(AnchorsPanel.Changed)
    def _anchors_changed(self) -> None:
        self.mark_anchors()
        self._schedule_prime()  # the read-ahead is stale: the prompt's prefix changed

    @on(AnchorsPanel.EditRequested)
    def _edit_anchor(self, message: AnchorsPanel.EditRequested) -> None:
        anchors = self.anchors
        store = self.steering.store
        screen = AnchorEditScreen(
            message.anchor, taken=store.ids() if store is not None else [],
            characters=self.editor.live.character_names(), kind=anchors.kind_filter or "beat",
        )

        def done(anchor: Anchor | None) -> None:
            if anchor is not None:
                anchors.save_anchor(anchor, message.anchor)
            anchors.focus_table()

        self.app.push_screen(screen, done)

    def action_choose_prompt(self) -> None:
        from textual.command import CommandPalette

        from ..commands import PromptCommands

        self.app.push_screen(CommandPalette(providers=[PromptCommands], placeholder="Choose a prompt…"))

    def choose_prompt(self, prompt: Prompt) -> None:
        """Use ``prompt`` for this script's requests from now on (remembered beside the script)."""
        problem = self.steering.remember_prompt(prompt)
        if problem:
            self.notify(problem, title="Prompt", severity="warning", timeout=10)
        else:
            self._save_steering()
            self.notify(f"{prompt.title} ({prompt.ref}) for {self.script.path.name}.", title="Prompt")
        self.panel.refresh_view()
        self._schedule_prime()

    def _save_steering(self) -> None:
        write = self.steering.saver()
        if write is not None:
            self._steering_save_worker(write)

    @work(thread=True, group="steering-save", exit_on_error=False)
    def _steering_save_worker(self, write) -> None:
        try:
            write()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Prompt not remembered", severity="error",
                                      timeout=10)

    def action_export(self) -> None:
        editor = self.editor
        spans = None if editor.provenance.broken else editor.provenance_spans  # None: not known
        record = self.revisions.record
        marks = record.lines if record is not None and record.marks else None
        self.app.push_screen(ExportDialog(self.script.path, editor.text, spans, revised=marks,
                                          revision=record.header if marks else None))

    # ------------------------------------------------------------------ revisions
    def action_revision_mode(self) -> None:
        on = self.revisions.toggle()
        self.status.set(revision=self.revisions.label)
        current = self.revisions.record.current if self.revisions.record else ""
        self.notify(f"Revision mode on: lines you change are marked {current} (Alt+W starts the next colour)."
                    if on else "Revision mode off: the marks stay (Alt+X clears them).", title="Revisions")

    def action_next_revision(self) -> None:
        colour = self.revisions.next_colour()
        self.status.set(revision=self.revisions.label)
        self.notify(f"Changes from now on are marked {colour}"
                    + ("." if self.revisions.mode else " (Alt+V turns revision mode on)."), title="Revisions")

    def action_jump_revision(self, step: int) -> None:
        row = self.revisions.jump(self.editor.cursor_location[0], step)
        if row is None:
            self.notify("No line is marked as revised.", title="Revisions")
            return
        self.editor.jump_to_line(row)

    def action_clear_revisions(self) -> None:
        count = self.revisions.clear()
        self.editor.refresh_marks()
        self.notify(f"{count} revision mark{'s' * (count != 1)} cleared; saving keeps it.", title="Revisions")

    # ------------------------------------------------------------------ cards
    def action_cards(self) -> None:
        editor = self.editor
        self.app.push_screen(CardsScreen(self._board, self._move_card, editor.cursor_location[0]),
                             lambda line: self.jump_to(line) if line is not None else None)

    def _board(self) -> list[Column]:
        editor = self.editor
        spans = None if editor.provenance.broken else editor.provenance_spans
        return board(editor.document.lines, editor.live.elements, spans)

    def _move_card(self, columns: list[Column], card: Card, column: int, position: int) -> bool:
        """Move the scene's lines (one undo step); its AI-written text stays marked as such."""
        editor = self.editor
        document = editor.document
        changes = plan_move(document.lines, columns, card, column, position)
        if not changes:
            return False
        base = document.get_index_from_location((card.start, 0))
        stop = document.get_index_from_location((card.end, 0)) if card.end < document.line_count else len(editor.text)
        moved_ai = [(max(s.start, base) - base, min(s.end, stop) - base, s.suggestion_id)
                    for s in editor.provenance.snapshot() if s.start < stop and s.end > base]
        insert = next(c for c in changes if c.kind == "insert")
        editor.apply_line_changes(changes)
        row = insert.line - (card.end - card.start if insert.line > card.start else 0) + (insert.lines[0] == "")
        new_base = editor.document.get_index_from_location((row, 0))
        for start, end, suggestion_id in moved_ai:
            editor.mark_ai(editor.document.get_location_from_index(new_base + start),
                           editor.document.get_location_from_index(new_base + end), suggestion_id)
        return True

    def action_dialogue_report(self) -> None:
        open_dialogue_report(self, self.editor.live.elements, self.steering.store, self._save_steering)

    def action_edit_prompt(self) -> None:
        """Edit the script's prompt; the new version becomes the script's prompt."""
        steering = self.steering
        try:
            prompt = steering.steer_prompt()
        except PromptError as exc:
            self.notify(str(exc), title="Prompt", severity="error", timeout=10)
            return

        def saved(new: Prompt | None) -> None:
            if new is None:
                return
            problem = steering.remember_prompt(new, pin=True)
            if not problem:
                self._save_steering()
            self.notify(f"Saved {new.title} as {new.ref} (version {prompt.version} is kept)."
                        + (f" {problem}" if problem else ""), title="Prompt")
            self.panel.refresh_view()
            self._schedule_prime()

        self.app.push_screen(PromptEditScreen(prompt, steering.prompts()), saved)

    def action_context_view(self) -> None:
        editor = self.editor
        self.app.push_screen(ContextViewScreen(
            self.generation_engine, self.steering, self.panel.settings, editor.text, editor.cursor_location,
        ))

    # ------------------------------------------------------------------ saving
    def action_save(self) -> None:
        self.save()

    def save(self, force: bool = False, quit_after: bool = False) -> None:
        if self._saving:
            return
        self._saving = True
        self.status.set(message="Saving…")
        if self.numbering.locked:  # new scenes get their numbers as the script is saved (one undo step)
            editor = self.editor
            editor.apply_line_changes(self.numbering.update(editor.document.lines, editor.live.elements))
        self._save_worker(self.text, self.generation, force, quit_after)

    @work(thread=True, group="save", exit_on_error=False)
    def _save_worker(self, text: str, generation: int, force: bool, quit_after: bool) -> None:
        error: Exception | None = None
        try:
            with self._disk_lock:
                self.script.save(text, force=force)
        except (ScriptFileError, OSError) as exc:
            error = exc
        if error is None:
            try:
                self.numbering.save_record()
            except SceneLockError as exc:
                self.app.call_from_thread(self.notify, str(exc), title="Scene numbers not kept",
                                          severity="error", timeout=10)
            try:
                self.revisions.save_record(text)
            except RevisionError as exc:
                self.app.call_from_thread(self.notify, str(exc), title="Revision marks not kept",
                                          severity="error", timeout=10)
        self.post_message(SaveFinished(generation, error, quit_after))

    # ------------------------------------------------------------------ scene numbers
    def action_number_scenes(self) -> None:
        """Lock the scene numbers, or after edits number new scenes and keep cut ones."""
        editor = self.editor
        changes, first = self.numbering.lock_or_update(editor.document.lines, editor.live.elements)
        changed = editor.apply_line_changes(changes)
        count = len(self.numbering.lock.numbers) if self.numbering.lock else 0
        if first:
            message = f"{count} scenes numbered and locked: new scenes get letters (12A), cut ones stay as OMITTED."
        else:
            message = "Scene numbers brought up to date." if changed else "Scene numbers are up to date."
        self.notify(message + (" Saving keeps the lock." if self.modified else ""), title="Scene numbers")
        if not self.modified:  # the file on disk has these numbers already: keep the lock now
            self._scene_record_worker()

    @work(thread=True, group="save", exit_on_error=False)
    def _scene_record_worker(self) -> None:
        try:
            with self._disk_lock:
                self.numbering.save_record()
        except SceneLockError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Scene numbers not kept", severity="error",
                                      timeout=10)

    def action_unlock_scene_numbers(self) -> None:
        editor = self.editor
        if not self.numbering.locked and not any(
                e.scene_number for e in editor.live.elements if e.kind is Kind.SCENE_HEADING):
            self.notify("The scenes have no numbers.", title="Scene numbers")
            return
        editor.apply_line_changes(self.numbering.unlock(editor.document.lines, editor.live.elements))
        self.notify("Scene numbers taken out and unlocked (Ctrl+Z puts the numbers back). Save to keep it.",
                    title="Scene numbers")

    @on(SaveFinished)
    def _save_finished(self, message: SaveFinished) -> None:
        self._saving = False
        error = message.error
        if error is None:
            self.saved_generation = message.generation
            self.recovery_generation = message.generation
            self._warned_external = False
            self.status.set(file=self.script.path.name, modified=self.modified, message="Saved")
            self.editor.save_provenance(self.script.path, wait=message.quit_after)
            if message.quit_after:
                self.app.exit()
            return
        self.status.set(message="Not saved")
        if isinstance(error, ExternalChangeError):
            self.app.push_screen(
                ExternalChangeScreen(f"{self.script.path} was changed by another program since you opened it."),
                lambda answer: self._external_answer(answer, message.quit_after),
            )
        else:
            self.notify(str(error), title="Not saved", severity="error", timeout=10)

    def _external_answer(self, answer: str | None, quit_after: bool) -> None:
        if answer == "overwrite":
            self.save(force=True, quit_after=quit_after)
        elif answer == "reload":
            self.reload_from_disk()

    def reload_from_disk(self) -> None:
        """Replace the text with the file on disk as one undoable edit (Ctrl+Z brings the
        writer's version back)."""
        try:
            with self._disk_lock:
                text = self.script.reload()
        except (ScriptFileError, ValueError) as exc:
            self.notify(str(exc), title="Cannot reload", severity="error", timeout=10)
            return
        self.replace_all(text)
        self.editor.open_provenance(self.script.path)  # the record of the file on disk
        self.saved_generation = self.generation
        self.status.set(modified=False, message="Reloaded")
        self.notify("Loaded the version on disk. Ctrl+Z brings your version back.", title="Reloaded")

    def replace_all(self, text: str) -> None:
        """Put ``text`` in the editor as one undoable edit, the cursor where it first differs."""
        editor = self.editor
        old = editor.text
        if old == text:
            return
        first = 0
        for first, (a, b) in enumerate(zip(old.split("\n"), text.split("\n"))):
            if a != b:
                break
        editor.replace(text, (0, 0), editor.document.end, maintain_selection_offset=False)
        editor.jump_to_line(first)

    # ------------------------------------------------------------------ recovery
    def write_recovery_now(self) -> None:
        """Keep a recovery copy of unsaved edits (called every few seconds)."""
        if self.modified and self.generation != self.recovery_generation and not self._saving:
            self._recovery_worker(self.text, self.generation)
        elif not self.modified:
            self._check_disk_worker()

    @work(thread=True, group="save", exit_on_error=False)
    def _recovery_worker(self, text: str, generation: int) -> None:
        error: Exception | None = None
        changed = False
        try:
            with self._disk_lock:
                self.script.write_recovery(text)
                changed = self.script.changed_on_disk()
        except (ScriptFileError, OSError) as exc:
            error = exc
        self.post_message(RecoveryWritten(generation, error, changed))

    @work(thread=True, group="save", exit_on_error=False)
    def _check_disk_worker(self) -> None:
        with self._disk_lock:
            try:
                changed = self.script.changed_on_disk()
            except OSError:
                changed = False
        if changed:
            self.post_message(RecoveryWritten(self.recovery_generation, None, True))

    @on(RecoveryWritten)
    def _recovery_written(self, message: RecoveryWritten) -> None:
        if message.error is not None:
            self.notify(str(message.error), title="No recovery copy", severity="warning", timeout=10)
        elif message.generation > self.recovery_generation:
            self.recovery_generation = message.generation
        if message.changed_on_disk and not self._warned_external:
            self._warned_external = True
            self.notify(
                f"{self.script.path.name} was changed by another program. Saving will ask before overwriting.",
                title="Changed on disk", severity="warning", timeout=10,
            )

    def _recovery_text(self) -> str | None:
        try:
            return self.script.recovery()
        except (ScriptFileError, OSError):
            return None

    def _recovery_message(self) -> str:
        info = None
        try:
            info = self.script.recovery_info()
        except (ScriptFileError, OSError):
            pass
        when = f" (kept {info.saved_at.replace('T', ' ')[:16]} UTC)" if info and info.saved_at else ""
        note = ""
        if info is not None and not info.based_on_current_disk:
            note = "\n\nThe file on disk has also changed since then."
        return (
            f"Scenewright kept a copy of unsaved edits to {self.script.path.name}{when}. "
            f"Recover it? The saved file stays as it is until you save.{note}"
        )

    def _recovery_answer(self, answer: str | None, recovered: str) -> None:
        if answer == "discard":
            try:
                self.script.discard_recovery()
            except ScriptFileError as exc:
                self.notify(str(exc), severity="warning")
            return
        self.replace_all(recovered)
        self.editor.open_provenance(self.script.path)
        self.notify("Recovered your unsaved edits. Ctrl+S saves them; Ctrl+Z shows the saved file.",
                    title="Recovered")

    # ------------------------------------------------------------------ quitting
    def request_quit(self) -> None:
        if isinstance(self.app.screen, QuitUnsavedScreen):
            return  # already asking
        if not self.modified:
            self.app.exit()
            return
        self.app.push_screen(
            QuitUnsavedScreen(f"{self.script.path.name} has changes that are not saved."), self._quit_answer
        )

    def _quit_answer(self, answer: str | None) -> None:
        if answer == "save":
            self.save(quit_after=True)
        elif answer == "discard":
            try:
                self.script.discard_recovery()
            except ScriptFileError:
                pass
            self.app.exit()
