"""The editor screen's writing tools: revision marks, locked scene numbers, the index cards,
the dialogue analysis and the export dialog."""

from __future__ import annotations

from textual import work
from textual.screen import Screen

from engine.fountain import Kind
from engine.fountain.cards import Card, Column, board, plan_move
from engine.fountain.scene_numbers import SceneLockError

from ..cards import CardsScreen
from ..dialogue_report import open_dialogue_report
from ..export_dialog import ExportDialog
from .hints import next_revision, revision_mode


class EditorTools(Screen[None]):
    def action_export(self) -> None:
        editor = self.editor
        spans = None if editor.provenance.broken else editor.provenance_spans  # None: not known
        record = self.revisions.record
        marks = record.lines if record is not None and record.marks else None
        self.app.push_screen(ExportDialog(self.script.path, editor.text, spans, revised=marks,
                                          revision=record.header if marks else None))

    def action_revision_mode(self) -> None:
        on = self.revisions.toggle()
        self.status.set(revision=self.revisions.label)
        current = self.revisions.record.current if self.revisions.record else ""
        self.notify(revision_mode(self.app, on, current), title="Revisions")

    def action_next_revision(self) -> None:
        colour = self.revisions.next_colour()
        self.status.set(revision=self.revisions.label)
        self.notify(next_revision(self.app, colour, self.revisions.mode), title="Revisions")

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
