"""The editor screen's file: saving (a thread worker, group ``save``), an outside change to the
file (overwrite / reload / cancel), the recovery copy of unsaved edits written every few
seconds and offered when the file is opened again, and quitting with unsaved edits.

The engine document (``self.document``) counts which version is on disk and which is in the
recovery copy. A save takes the version and the text on the UI thread, the worker writes them
through the ``ScriptFile``, and the result, back on the UI thread, marks that version saved
(``Document.mark_saved``): edits made while the worker writes stay unsaved."""

from __future__ import annotations

from textual import on, work
from textual.screen import Screen

from engine.fountain.scene_numbers import SceneLockError
from engine.revisions import RevisionError
from engine.scriptfile import ExternalChangeError, ScriptFileError

from ...messages import RecoveryWritten, SaveFinished
from ..external_change import ExternalChangeScreen
from ..quit_unsaved import QuitUnsavedScreen


class EditorFiles(Screen[None]):
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
        document = self.document
        self._save_worker(document.text, document.version, force, quit_after)

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

    @on(SaveFinished)
    def _save_finished(self, message: SaveFinished) -> None:
        self._saving = False
        error = message.error
        if error is None:
            self.document.mark_saved(message.generation)  # and the recovery copy is of no use now
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
        self.document.mark_saved()  # the text is the file on disk's
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

    def write_recovery_now(self) -> None:
        """Keep a recovery copy of unsaved edits (called every few seconds)."""
        document = self.document
        if document.needs_recovery and not self._saving:
            self._recovery_worker(document.text, document.version)
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
        else:
            self.document.mark_recovery(message.generation)
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
