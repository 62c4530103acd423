"""The main screen: outline | script | suggestion panel, status bar, key bar.

The screen owns the open :class:`~engine.scriptfile.ScriptFile` and what happens around the
keystroke path, never on it: pages, runtime, the outline and the names for completion are
computed 0.3 s after typing stops, in a thread worker (group ``stats``) working on a snapshot of
the elements. Its other ideas are its bases: the keys (``keys.py``), the requests to the model
(``requests.py``), steering (``steering.py``), spell checking (``spellcheck.py``), the writing
tools (``tools.py``) and the file (``files.py``); the key names in its messages and the status
bar's words come from ``hints.py``.
"""

from __future__ import annotations

import threading

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Offset
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, TextArea
from textual.widgets.text_area import Location

from engine.document import Document
from engine.fountain import Element, Kind, Outline
from engine.fountain.outline import build_outline
from engine.fountain.pagination import paginate
from engine.generation import GenerationEngine
from engine.scriptfile import ScriptFile

from ...messages import ScriptFacts, StatsReady
from ...revisions_view import EditorRevisions
from ...scene_numbering import SceneNumbering
from ...spelling_view import EditorSpelling
from engine.session.steering import ScriptSteering
from ...widgets.anchors_panel import AnchorsPanel
from ...widgets.completion_menu import CompletionMenu
from ...widgets.outline_panel import OutlinePanel
from ...widgets.script_editor import ScriptEditor
from ...widgets.status_bar import StatusBar
from ...widgets.suggestion_panel import SuggestionPanel
from ...keymap import EDITOR, bindings
from ..recover import RecoverScreen
from .files import EditorFiles
from .hints import runtime_words
from .keys import EditorKeys
from .requests import EditorRequests
from .spellcheck import EditorSpellcheck
from .steering import EditorSteering
from .tools import EditorTools

STATS_DELAY_S = 0.3
AUTOSAVE_INTERVAL_S = 5.0
NARROW_WIDTH = 100  # below this many columns the outline starts hidden
SIDE_PANEL_WIDTH = 120  # from this many columns the suggestion panel sits beside the script, else under it
PANEL_SHOWN_WIDTH = 140  # from this many columns the suggestion panel is shown from the start


class EditorScreen(
    EditorKeys, EditorRequests, EditorSteering, EditorSpellcheck, EditorTools, EditorFiles, Screen[None]
):
    CSS_PATH = "editor.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide"), (SIDE_PANEL_WIDTH, "-roomy")]
    BINDINGS = bindings(EDITOR)  # the key registry's; EditorKeys says which are live and runs the simple ones

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
        self._document: Document | None = None  # the editor's engine document (see document)
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

    def compose(self) -> ComposeResult:
        with Horizontal(id="workspace"):
            yield OutlinePanel(id="outline")
            yield ScriptEditor(self.initial_text, id="script")
            yield AnchorsPanel(self.steering, self.generation_engine, id="anchors")
            yield SuggestionPanel(self.generation_engine, warm=self.warm_model, steering=self.steering,
                                  recorder=getattr(self.app, "edit_recording", None),
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
        self._document = self.editor.script  # the one copy of the text, held for the screen's life
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

    @property
    def document(self) -> Document:
        """The engine document (the one copy of the script's text, its saved and recovery
        versions): the editor's, which keeps the same one for its life. Held here from mount,
        so that it can be read when the editor is gone (``EditRecording.close`` at exit)."""
        if self._document is None:
            self._document = self.editor.script
        return self._document

    @property
    def generation(self) -> int:
        """Counts every change to the text (typing, undo, paste...), synchronously."""
        return self.document.version

    @property
    def saved_generation(self) -> int:
        """The version of the text the file on disk holds (``Document.saved_version``)."""
        return self.document.saved_version

    @property
    def recovery_generation(self) -> int:
        """The version of the text in the recovery copy (``Document.recovery_version``)."""
        return self.document.recovery_version

    @property
    def modified(self) -> bool:
        return self.document.modified

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

    def refresh_facts(self) -> None:
        """Recompute pages, runtime, outline and completion names off the keystroke path."""
        elements = list(self.editor.live.elements)  # a snapshot: the worker never reads the live parse
        self.editor.refresh_vocabulary()
        self._compute_facts(elements, self.generation)
        self.check_spelling(elements)

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

    @on(OutlinePanel.Jump)
    def _outline_jump(self, message: OutlinePanel.Jump) -> None:
        self.jump_to(message.line)

    @on(OutlinePanel.Leave)
    def _outline_leave(self) -> None:
        self.editor.focus()

    def jump_to(self, line: int) -> None:
        self.editor.jump_to_line(line)
        self.editor.focus()

    def scene_entries(self) -> list[Outline]:
        if self.facts is None:
            return []
        return [e for e in self.facts.outline if e.kind is Kind.SCENE_HEADING]

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

    def show_panel(self) -> None:
        if not self.panel.display:
            self.panel.display = True
            self.call_after_refresh(self.editor.scroll_cursor_visible)  # under the script, it takes rows

    @on(SuggestionPanel.Leave)
    def _panel_leave(self) -> None:
        self.editor.focus()

    @on(AnchorsPanel.Leave)
    def _anchors_leave(self) -> None:
        self.editor.focus()
