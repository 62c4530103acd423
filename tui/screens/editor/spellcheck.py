"""The editor screen's spell checking: checked in a worker after a pause in typing, the next
misspelled word from the cursor with suggestions, the personal word list."""

from __future__ import annotations

from textual import on, work
from textual.screen import Screen
from textual.widgets.text_area import Selection

from engine.fountain import Element
from engine.spelling import SpellingError

from ...messages import SpellingChecked, SpellingSuggested
from ..spelling import ADD, IGNORE, SpellingScreen
from .hints import spelling_off


class EditorSpellcheck(Screen[None]):
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
            self.notify(spelling_off(self.app), title="Spelling")
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
