"""The panel's drawing: the title (the suggestion, its model and rating), the model line (the
prompt in use and the sampling), the status line, the progress bar, the statistics and the
streamed text (or, with no suggestion, what the keys do)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ProgressBar, Static

from engine.generation import CANCELLED
from engine.models.registry import ModelEntry
from engine.session import Alternative
from engine.steering import Prompt

LOAD_STAGES = {
    "connect": "connecting to the server",
    "assemble": "unpacking the packaged model",
    "verify": "checking the file",
    "download": "downloading",
    "load": "reading the weights",
    "calibrate": "measuring the best thread count (once)",
    "ready": "ready",
}
ENDINGS = {
    "stop": "ended at a stop sequence",
    "eos": "the model ended it",
    "length": "cut at the token limit (max tokens in F5)",
    "context": "the context window is full",
    "repetition": "cut where it began to repeat itself",
    "scene-end": "the scene ends here",
    "cancelled": "cancelled",
    "failed": "the server failed",
}
MIN_TITLE = 8  # a prompt title cut shorter than this leaves only the prompt's id@version


class PanelView(Vertical):
    def _draw(self, redraw: str | None) -> None:
        if redraw == "stream":
            self._show_text()
        elif redraw is not None:
            self.refresh_view(text=redraw == "text")

    def _model_line(self, entry: ModelEntry | None, prompt: Prompt | None, width: int) -> str:
        """``"Continue from the cursor (continue@1) · temp 0.4 · ≤256 tok"``: the prompt in use
        and the sampling, on one line of ``width`` cells (0: no limit). When it is too long the
        prompt's title is cut (``"Continue fr… (continue@1)"``), or left out; what is still too
        long ends in an ellipsis (the CSS's ``text-overflow``)."""
        summary = self.settings.summary(entry)
        if prompt is None:
            return " · ".join(part for part in ("no prompt", summary) if part)
        rest = f" ({prompt.ref})" + (f" · {summary}" if summary else "")
        title = " ".join(prompt.title.split())
        room = width - cell_len(rest)
        if width <= 0 or cell_len(title) <= room:
            return title + rest
        if room >= MIN_TITLE:
            return Content(title).truncate(room - 1).plain.rstrip() + "…" + rest
        return prompt.ref + (f" · {summary}" if summary else "")

    def refresh_view(self, text: bool = False) -> None:
        """Draw the state (everything but the streamed text unless ``text``)."""
        if not self.children:  # not composed yet
            return
        suggestion = self.suggestion
        alt = suggestion.shown if suggestion else None
        count = len(suggestion.alternatives) if suggestion else 0
        entry = self.entry()
        hidden = self.blind is not None  # a blind comparison: which is which stays hidden
        prompt = self.prompt_in_use()
        model_line = self.query_one("#suggestion-model", Static)
        model_line.update(self._model_line(entry, prompt, model_line.content_size.width))
        tip = "\n".join(filter(None, (  # the whole of it: the line is cut in a narrow panel
            f"Prompt: {prompt.title} ({prompt.ref})" if prompt is not None else "",
            f"Sampling: {self.settings.summary(entry)}",
        )))
        if model_line.tooltip != tip:
            model_line.tooltip = tip
        # under the script the model line is not shown: the title names the prompt instead
        # (not in a blind comparison, where only the model line says what it compares with)
        named = self.model_name() or "no model"
        if not model_line.display and prompt is not None:
            named += f" · {prompt.ref}"
        if alt is not None and alt.label is not None:
            heading = f"Blind A/B: {alt.label}" + (f" ({suggestion.current + 1}/{count})" if count > 1 else "")
        else:
            heading = "Suggestion" if count <= 1 else f"Suggestion {suggestion.current + 1}/{count}"
        title = Content.assemble(
            heading,
            ("" if hidden else f"  {named}", "not bold dim"),
            (f"  ★ {alt.rating.summary()}" if alt is not None and alt.rating is not None else "",
             "not bold $text-success"),
        )
        self.query_one("#suggestion-title", Static).update(title)
        status_text, style = self._status(alt)
        status = self.query_one("#suggestion-status", Static)
        status.update(status_text)
        status.set_classes(style)
        bar = self.query_one("#suggestion-progress", ProgressBar)
        fraction = self._progress_fraction(alt)
        bar.display = fraction is not None
        if fraction is not None:
            bar.update(total=100, progress=round(fraction * 100))
        self.query_one("#suggestion-stats", Static).update(
            "" if hidden else self._stats_text(alt, " · " if self.size.width >= 70 else "\n"))
        self._update_hint()
        if text:
            self._show_text()
        self.screen.refresh_bindings()

    def _progress_fraction(self, alt: Alternative | None) -> float | None:
        if self.model_state == "loading" and self.load_progress is not None:
            return self.load_progress[1] or 0.0
        if self.generating and alt is not None and alt.prompt is not None and not alt.text:
            done, total = alt.prompt
            return done / total if total else 0.0
        return None

    def _status(self, alt: Alternative | None) -> tuple[str, str]:
        """(text, CSS class) of the status line."""
        if self.error:
            return f"⚠ {self.error}", "-error"
        if self.model_state == "loading":
            stage = LOAD_STAGES.get(self.load_progress[0], "loading") if self.load_progress else "starting"
            return f"Loading the model: {stage}…", "-busy"
        if self.generating:
            if self.session.cancelling:
                return "Cancelling…", "-busy"
            alternatives = self.suggestion.alternatives if self.suggestion else []
            writing = next((a for a in alternatives if not a.finished), None)
            if writing is not None and writing is not alt and alt is not None:
                return f"Writing alternative {writing.slot + 1}…", "-busy"
            if alt is not None and alt.text:
                return "Writing…", "-busy"
            if alt is not None and alt.prompt is not None:
                done, total = alt.prompt
                return f"Reading the script: {done} of {total} tokens", "-busy"
            return "Waiting for the model…", "-busy"
        if self.can_pick:
            keys = self._keys()
            accept = keys.get("suggest.accept", "^t")
            return (f"Which is better? {accept} accepts the one shown (and picks it); "
                    "in the panel a or b picks without inserting; Esc: neither."), "-done"
        pair = self.suggestion.blind if self.suggestion is not None else None
        if pair is not None and pair.decided and alt is not None and alt.label is not None:
            return pair.reveal(), "-done"
        if alt is not None and alt.finished:
            ending = ENDINGS.get(alt.reason or "", alt.reason or "")
            if alt.reason == CANCELLED:
                return ("Cancelled." if alt.text else "Cancelled before any text."), "-cancelled"
            if not alt.text:
                return f"No text ({ending}). Retry for another sample.", ""
            return f"Done: {ending}.", "-done"
        if self.notice:
            return self.notice, ""
        if self.model_state == "ready":
            return "Ready.", ""
        return "", ""

    @staticmethod
    def _stats_text(alt: Alternative | None, separator: str = " · ") -> str:
        """Prompt tokens (cached), time to first token, speed, tokens generated (and the model
        load the request waited for)."""
        stats = alt.stats if alt is not None else None
        if stats is None:
            return ""
        cached = f" ({stats.cached_tokens} cached)" if stats.cached_tokens else ""
        speed = f" at {stats.tokens_per_s:.1f} tok/s" if stats.tokens_per_s else ""
        load = f" (+{stats.load_ms / 1000:.1f} s loading)" if stats.load_ms else ""
        return separator.join((
            f"Prompt {stats.prompt_tokens} tokens{cached}",
            f"First token {stats.ttft_ms / 1000:.2f} s{load}",
            f"{stats.generated_tokens} tokens{speed}",
        ))

    def _show_text(self) -> None:
        suggestion = self.suggestion
        alt = suggestion.shown if suggestion else None
        body = self.body
        at_end = body.scroll_y >= body.max_scroll_y - 1
        if alt is None:
            self.text_view.show(Content.styled(self._idle_text(), "dim"))
            return
        text = alt.offered
        content = Content(text)
        if self.generating and not alt.finished:
            content = content + Content.from_markup("[bold $accent]▍[/]")
        elif alt.reason == CANCELLED and text:
            content = content + Content.styled(" (cancelled)", "italic dim")
        self.text_view.show(content)
        if at_end:
            body.scroll_end(animate=False)

    def _idle_text(self) -> str:
        keys = self._keys()
        ask = keys.get("suggest.request", "^j")
        take = keys.get("suggest.accept", "^t")
        undo = self.app.get_key_display(Binding("ctrl+z", "undo"))
        return (
            f"{ask} continues the script from the cursor. The suggestion streams in here while you "
            f"keep writing; {take} puts it into the script, {undo} takes it out again."
        )
