"""The export dialog: the script as a Fountain draft, PDF, FDX or HTML, with the options of
``scenewright export``.

It exports the text as it is in the editor (saved or not) with the editor's AI-written spans
(``[]``: no text came from accepted suggestions, and an AI label adds nothing, as the dialog
says; ``None``: not known, e.g. the record beside the script could not be read, and an AI label
is refused), to the path in the dialog (default: beside the script, the format's suffix; a relative path is
taken from the script's folder). An existing file is kept unless the writer confirms: the first
Export names it and turns the button into *Overwrite*. The export runs in a thread worker
(group ``export``): the writer can keep the dialog open and see the result or the error, which
names the file and the cause. Success closes the dialog with an :class:`ExportDone` and a
notification saying where the file is (and, for PDF, its pages).

Only light modules are imported here: ``engine.export`` (reportlab) loads when the first
export runs, not when the editor starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, ContentSwitcher, Input, Label, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState
from ..keymap import EXPORT, bindings

if TYPE_CHECKING:
    from engine.export import ExportOptions, Rendered

FORMATS = (  # (format, label, suffix of the default file)
    ("pdf", "PDF", ".pdf"),
    ("fountain", "Fountain draft", ".draft.fountain"),
    ("fdx", "Final Draft (FDX)", ".fdx"),
    ("html", "HTML", ".html"),
)
AI_LABELS = (("none", "No label"), ("notes", "A note after each AI-assisted paragraph"),
             ("title", "One line on the title page"))
DRAFT_DROPS = (("drop_notes", "Drop [[notes]]"), ("drop_boneyard", "Drop /* boneyard */"),
               ("drop_sections", "Drop # sections"), ("drop_synopses", "Drop = synopses"))


def default_output(script: Path, fmt: str) -> Path:
    """``x.fountain`` -> ``x.pdf`` (``x.draft.fountain`` for a draft) beside the script
    (the same names as ``engine.export.default_output``; tests check they agree)."""
    suffix = dict((f, s) for f, _, s in FORMATS)[fmt]
    name = script.name
    stem = name[: -len(".fountain")] if name.lower().endswith(".fountain") else script.stem
    return script.with_name(stem + suffix)


@dataclass(frozen=True, slots=True)
class ExportDone:
    """What the dialog wrote."""

    path: Path
    format: str
    pages: int | None = None  # PDF: script pages
    title_page: bool = False
    remarks: tuple[str, ...] = ()  # what the writer should know (e.g. no AI label was added)


class ExportDialog(ModalScreen[ExportDone | None]):
    """Dismisses with an :class:`ExportDone`, or None when cancelled."""

    CSS_PATH = "export_dialog.tcss"

    BINDINGS = bindings(EXPORT)

    def __init__(self, script_path: Path, text: str, ai_spans: list[tuple[int, int]] | None = None,
                 fmt: str = "pdf", revised: frozenset[int] | None = None, revision: str | None = None) -> None:
        super().__init__()
        self.revised = revised or None  # lines the PDF marks with an asterisk
        self.revision = revision if revised else None
        self.script_path = Path(script_path)
        self.text = text
        self.ai_spans = None if ai_spans is None else list(ai_spans)
        self.format = fmt
        self._default = str(default_output(self.script_path, fmt))
        self._confirmed: Path | None = None  # the existing file the writer agreed to overwrite
        self.running = False
        self._label_said = False  # the status line holds what label_problem said

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Export", id="export-title")
            yield Static(self._about(), id="export-about", markup=False)
            with RadioSet(id="format"):
                for fmt, label, _ in FORMATS:
                    yield RadioButton(label, value=fmt == self.format, id=f"format-{fmt}")
            yield Label("Save as", classes="field-label")
            yield Input(self._default, id="output", select_on_focus=False)
            with ContentSwitcher(initial=f"options-{self.format}", id="options"):
                with Vertical(id="options-fountain"):
                    with Horizontal(classes="checks"):
                        for key, label in DRAFT_DROPS[:2]:
                            yield Checkbox(label, id=key.replace("_", "-"))
                    with Horizontal(classes="checks"):
                        for key, label in DRAFT_DROPS[2:]:
                            yield Checkbox(label, id=key.replace("_", "-"))
                    yield Checkbox("Number the scenes that have no number", id="number-scenes")
                    with Horizontal(classes="field"):
                        yield Label("Draft date", classes="field-label")
                        yield Input(placeholder="empty: as on the title page", id="draft-date")
                    yield Label("Label AI-written text", classes="field-label")
                    with RadioSet(id="label-ai"):
                        for key, label in AI_LABELS:
                            yield RadioButton(label, value=key == "none", id=f"label-{key}")
                with Vertical(id="options-pdf"):
                    yield Label("Paper", classes="field-label")
                    with RadioSet(id="paper"):
                        yield RadioButton("US Letter", value=True, id="paper-letter")
                        yield RadioButton("A4", id="paper-a4")
                with Vertical(id="options-fdx"):
                    yield Static("Final Draft paragraphs, dual dialogue, scene numbers, the title page, "
                                 "and notes as script notes.", classes="format-note")
                with Vertical(id="options-html"):
                    yield Static("One self-contained page, styled like a screenplay, to read in a browser.",
                                 classes="format-note")
            yield Static("", id="export-status", markup=False)
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel", id="cancel")

    def _about(self) -> str:
        spans = self.ai_spans
        where = "The script as it is in the editor, saved or not."
        if spans is None:
            return f"{where} Which text in it is AI-written is not known."
        if not spans:
            return f"{where} No text in it came from accepted suggestions."
        words = sum(len(self.text[a:b].split()) for a, b in spans)
        total = len(self.text.split())
        share = f", {round(100 * words / total)}% of the words" if total else ""
        return (f"{where} AI-written: {len(spans)} passage{'s' * (len(spans) != 1)} "
                f"({words} word{'s' * (words != 1)}{share}).")

    def on_mount(self) -> None:
        self.query_one("#export", Button).focus()

    # ------------------------------------------------------------------ choices
    @on(RadioSet.Changed, "#format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        fmt = (event.pressed.id or "format-pdf").removeprefix("format-")
        self.format = fmt
        self.query_one("#options", ContentSwitcher).current = f"options-{fmt}"
        output = self.query_one("#output", Input)
        if output.value.strip() in ("", self._default):  # not changed by the writer: follow the format
            self._default = str(default_output(self.script_path, fmt))
            output.value = self._default
        self._reset_confirmation()

    @on(RadioSet.Changed, "#label-ai")
    def _label_changed(self) -> None:
        """Say before the export when an AI label cannot be added (not known, or no AI text)."""
        problem = self.label_problem()
        if problem:
            self._say(problem, error=self.ai_spans is None)
        elif self._label_said:
            self._say("")
        self._label_said = problem is not None

    def label_problem(self) -> str | None:
        if self._pressed("#label-ai", "label-") in ("", "none"):
            return None
        if self.ai_spans is None:
            return "Which text is AI-written is not known, so it cannot be labelled."
        if not any(self.text[a:b].strip() for a, b in self.ai_spans):
            return "No text in this script came from accepted suggestions: no AI label will be added."
        return None

    @on(Input.Changed, "#output")
    def _output_changed(self) -> None:
        self._reset_confirmation()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_export()

    def _reset_confirmation(self) -> None:
        if self._confirmed is not None:
            self._confirmed = None
            button = self.query_one("#export", Button)
            button.label, button.variant = "Export", "primary"
            self._say("")

    def options(self) -> "ExportOptions":
        from engine.export import DraftOptions, ExportOptions

        if self.format == "fountain":
            checked = {key: self.query_one(f"#{key.replace('_', '-')}", Checkbox).value for key, _ in DRAFT_DROPS}
            label = self._pressed("#label-ai", "label-")
            date = self.query_one("#draft-date", Input).value.strip() or None
            draft = DraftOptions(**checked, number_scenes=self.query_one("#number-scenes", Checkbox).value,
                                 draft_date=date, label_ai=None if label == "none" else label)
            return ExportOptions("fountain", draft=draft)
        if self.format == "pdf":
            return ExportOptions("pdf", paper=self._pressed("#paper", "paper-"), revised=self.revised,
                                 revision=self.revision)
        return ExportOptions(self.format)

    def _pressed(self, selector: str, prefix: str) -> str:
        button = self.query_one(selector, RadioSet).pressed_button
        return (button.id or "").removeprefix(prefix) if button is not None else ""

    def target(self) -> Path | None:
        """The file to write (relative paths from the script's folder), or None after saying why not."""
        raw = self.query_one("#output", Input).value.strip()
        if not raw:
            self._say("Name the file to write.", error=True)
            return None
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self.script_path.parent / path
        if path.resolve() == self.script_path.resolve():
            self._say(f"{path} is the script itself; name another file.", error=True)
            return None
        return path

    # ------------------------------------------------------------------ exporting
    @on(Button.Pressed, "#export")
    def _export_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_export(self) -> None:
        if self.running:
            return
        path = self.target()
        if path is None:
            return
        force = False
        if path.exists() and not path.is_dir():
            if self._confirmed != path:
                self._confirmed = path
                button = self.query_one("#export", Button)
                button.label, button.variant = "Overwrite", "error"
                self._say(f"{path} already exists. Press Overwrite to replace it, or change the name.", error=True)
                return
            force = True
        self.running = True
        self.query_one("#export", Button).disabled = True
        label = dict((f, lbl) for f, lbl, _ in FORMATS)[self.format]
        self._say(f"Exporting {label}…")
        self._export(path, self.options(), force)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, path: Path, options: "ExportOptions", force: bool) -> ExportDone:
        from engine.export import export_to, render_export

        rendered: Rendered = render_export(self.text, options, self.ai_spans)
        written = export_to(path, rendered, force=force, script=self.script_path)
        return ExportDone(written, options.format, rendered.pages, rendered.title_page, rendered.remarks)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export":
            return
        state = event.state
        if state == WorkerState.SUCCESS:
            done: ExportDone = event.worker.result
            self.notify(self.result_text(done), title="Exported")
            self.dismiss(done)
        elif state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.running = False
            self.query_one("#export", Button).disabled = False
            self._say(f"Not exported: {self.error_text(event.worker.error)}", error=True)

    @staticmethod
    def error_text(error: BaseException | None) -> str:
        """The cause, naming the file (export errors do); other failures with their kind."""
        from engine.export import ExportError

        if error is None:
            return "cancelled."
        if isinstance(error, ExportError):
            return str(error)
        return f"{type(error).__name__}: {error}"

    @staticmethod
    def result_text(done: ExportDone) -> str:
        remarks = "".join(f" Note: {r[:1].upper()}{r[1:]}." for r in done.remarks)
        if done.format == "pdf" and done.pages is not None:
            title = " and a title page" if done.title_page else ""
            return f"Wrote {done.path}: {done.pages} page{'s' * (done.pages != 1)}{title}.{remarks}"
        return f"Wrote {done.path}.{remarks}"

    def _say(self, text: str, error: bool = False) -> None:
        status = self.query_one("#export-status", Static)
        status.update(text)
        status.set_class(error, "-error")
