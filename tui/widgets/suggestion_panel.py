"""The suggestion panel: continuations from the model, streamed beside the script.

The panel draws a :class:`~engine.session.SuggestionSession`, which owns the request's life
(steering, settings, alternatives, blind A/B pairing, decisions and their recording): the editor
screen owns the keys and the script, the session owns the requests, the panel owns the screen.

* Each job the session starts runs in a thread worker (group ``generate``, exclusive; a model
  load in group ``load-model``) that turns the engine's events into the session's steps
  (:class:`~engine.session.feed.Feed`) and posts each as a message (:mod:`tui.generation_feed`);
  the handlers apply it to the session on the UI thread and draw what changed. Streamed text
  travels as "the text so far" in ``TokensStreamed``, which ``can_replace`` its predecessor, so
  when tokens come faster than the screen refreshes only the newest is drawn; :class:`StreamText`
  lays out again only when the text gains a line.
* A job has ended when its worker has: the panel tells the session then (``Worker.StateChanged``),
  and only then does a blind comparison's second side start.
* The session's decisions (shown, accepted, rejected, retried, rated, picked) go to its recorder
  (the app's edit log) and come back here as updates, which the panel posts as
  ``SuggestionShown`` / ``SuggestionAccepted`` / ... messages (:mod:`tui.messages`) for the
  screen and the app; problems with the prompt or anchors become a notification.
* The model line names the prompt in use: the one the shown suggestion was asked with (a rewrite
  or a beat uses another prompt than the script's), else the script's remembered prompt, the one
  the next request uses; ``p`` in the panel chooses another.
"""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Blur, Focus
from textual.message import Message
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from engine.generation import CANCELLED, GenerationEngine
from engine.models.registry import ModelEntry
from engine.session import (
    Accepted,
    Alternative,
    GenerationSettings,
    Job,
    Offer,
    Picked,
    Rated,
    Rating,
    Recorder,
    Rejected,
    RequestInputs,
    Retried,
    ScriptSteering,
    Shown,
    SuggestionRecord,
    SuggestionSession,
    Told,
)
from engine.session.blind_ab import BlindPair
from engine.session.feed import Feed
from engine.steering import Prompt

from ..generation_feed import message_of
from ..messages import (
    AlternativeFinished,
    AlternativeRestarted,
    BlindPicked,
    ContextAssembled,
    GenerationEnded,
    ModelFailed,
    ModelLoaded,
    ModelLoading,
    PromptProgress,
    SuggestionAccepted,
    SuggestionRated,
    SuggestionRejected,
    SuggestionRetried,
    SuggestionShown,
    TokensStreamed,
)
from .stream_text import StreamText
from ..keymap import APP, EDITOR, PANEL, bindings, hints, key_display, keys

WARM_LOAD_DELAY_S = 1.0  # with warm=True, the model starts loading this long after the panel is on screen

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


class SuggestionPanel(Vertical, can_focus=True):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS = bindings(PANEL)

    class Leave(Message):
        """The writer wants to go back to the script."""

    def __init__(self, engine: GenerationEngine, *, warm: bool = False,
                 steering: ScriptSteering | None = None, recorder: Recorder | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = SuggestionSession(engine, steering, warm=warm, recorder=recorder,
                                         on_update=self._session_update, run=self._run_job)
        self._workers: dict[int, Worker] = {}  # job id -> the worker running it

    # ------------------------------------------------------------------ the session's state
    engine = property(lambda self: self.session.engine)
    steering = property(lambda self: self.session.steering)
    warm = property(lambda self: self.session.warm)
    settings = property(lambda self: self.session.settings)
    suggestion = property(lambda self: self.session.suggestion)
    model_state = property(lambda self: self.session.model_state)
    load_progress = property(lambda self: self.session.load_progress)
    error = property(lambda self: self.session.error)
    notice = property(lambda self: self.session.notice)
    primed_at = property(lambda self: self.session.primed_at)
    generating = property(lambda self: self.session.generating)
    busy = property(lambda self: self.session.busy)
    can_accept = property(lambda self: self.session.can_accept)
    can_pick = property(lambda self: self.session.can_pick)

    @property
    def blind(self) -> BlindPair | None:
        return self.session.blind

    def allows(self, action: str) -> bool:
        """Whether the editor screen's suggestion ``action`` can do something now."""
        return self.session.allows(action)

    def entry(self) -> ModelEntry | None:
        return self.session.entry()

    def model_name(self) -> str | None:
        return self.session.model_name()

    def prompt_in_use(self) -> Prompt | None:
        return self.session.prompt_in_use()

    def rating_target(self) -> SuggestionRecord | None:
        return self.session.rating_target()

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Static(id="suggestion-title", markup=False)
        yield Static(id="suggestion-model", markup=False)
        yield Static(id="suggestion-status", markup=False)
        yield ProgressBar(total=100, show_eta=False, id="suggestion-progress")
        with VerticalScroll(id="suggestion-body", can_focus=False):
            yield StreamText(id="suggestion-text")
        yield Static(id="suggestion-stats", markup=False)
        yield Static(id="suggestion-keys", markup=False)

    @property
    def text_view(self) -> StreamText:
        return self.query_one("#suggestion-text", StreamText)

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#suggestion-body", VerticalScroll)

    def on_mount(self) -> None:
        self.refresh_view(text=True)
        if self.warm and self.model_state != "failed":
            # Not now: the first screen and the writer's first keys come first. The load starts
            # once the editor is on screen, a moment later (a request asks for it sooner).
            self.call_after_refresh(self.set_timer, WARM_LOAD_DELAY_S, self._warm_load, name="warm-load")

    def on_resize(self) -> None:
        self.refresh_view()  # the statistics take one line or three, depending on the width

    def on_focus(self, event: Focus) -> None:
        self._update_hint()  # the prompt key: the panel's own while it has focus

    def on_blur(self, event: Blur) -> None:
        self._update_hint()

    def on_unmount(self) -> None:
        """Nothing may keep the model busy after the editor closes."""
        self.session.close()

    # ------------------------------------------------------------------ the writer's requests
    def _draw(self, redraw: str | None) -> None:
        if redraw == "stream":
            self._show_text()
        elif redraw is not None:
            self.refresh_view(text=redraw == "text")

    def request(self, script: str, cursor: tuple[int, int], version: int,
                inputs: RequestInputs | None = None) -> None:
        """Ask for a continuation of ``script`` at ``cursor`` (the editor's text and cursor);
        ``inputs``: a request of another kind than the script's prompt (a rewrite, a beat...)."""
        self._draw(self.session.request(script, cursor, version, inputs) or "text")

    def retry(self) -> bool:
        """Sample the same request again into a new alternative, and show it."""
        return self._did(self.session.retry(), text=True)

    def step(self, delta: int) -> bool:
        """Show another alternative; past the last one, sample a new one."""
        return self._did(self.session.step(delta), text=True)

    def cancel(self) -> bool:
        """Stop the request being sampled; what was streamed stays, marked cancelled."""
        return self._did(self.session.cancel())

    def dismiss(self) -> bool:
        """Throw the suggestion away (the writer said no)."""
        return self._did(self.session.dismiss(), text=True)

    def _did(self, done: bool, text: bool = False) -> bool:
        if done:
            self.refresh_view(text=text)
        return done

    def prime(self, script: str, cursor: tuple[int, int]) -> bool:
        """Read ``script`` up to ``cursor`` into the model's prompt cache while the writer pauses
        (see :meth:`SuggestionSession.prime`)."""
        return self.session.prime(script, cursor)

    def replay(self, script: str, cursor: tuple[int, int], version: int, events: list) -> None:
        """Show ``events`` (engine events) as if the model had produced them for a request at
        ``cursor``: the same messages, the same handlers. For deterministic snapshots."""
        job = self.session.replay(script, cursor, version)
        feed = job.feed()
        for event in events:
            for step in feed.steps(event):
                self.post_message(message_of(job.id, step))
        self.post_message(GenerationEnded(job.id))

    # ------------------------------------------------------------------ accepting
    def offer(self, part: str = "whole") -> Offer | None:
        """What "accept" would put in the script (``part``: "whole" or "line"), or None."""
        return self.session.offer(part)

    def taken(self, offer: Offer, at: tuple[int, int], end: tuple[int, int], version: int, script: str) -> None:
        """``offer`` is in the script, from ``at`` to ``end``; ``version``/``script``: the
        editor's document after the edit."""
        undo = self.app.get_key_display(Binding("ctrl+z", "undo"))
        self._did(self.session.taken(offer, at, end, version, script, undo_key=undo), text=True)

    # ------------------------------------------------------------------ blind A/B picks and ratings
    def pick(self, label: str | None) -> bool:
        """The writer's pick of a blind comparison ("A", "B", or None for neither)."""
        return self._did(self.session.pick(label), text=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The pick keys are live (and in the key bar) only while a blind comparison waits."""
        if action == "pick":
            return self.can_pick
        return True

    def action_pick(self, label: str) -> None:
        if not self.pick(label):
            self.app.bell()

    def rated(self, record: SuggestionRecord, rating: Rating) -> None:
        """The writer rated ``record`` (the one on show, or one already decided)."""
        self.session.rated(record, rating)
        self.refresh_view()

    # ------------------------------------------------------------------ settings and model
    def apply_settings(self, settings: GenerationSettings) -> None:
        if self.session.apply_settings(settings):
            self.load_model()
        self.refresh_view()

    def _warm_load(self) -> None:
        if self.session.wants_warm_load():
            self.load_model()

    def load_model(self) -> None:
        """Load the chosen model in the background (progress shows in the panel)."""
        job = self.session.load_model()
        self._workers[job.id] = self._load_worker(job)
        self.refresh_view()

    # ------------------------------------------------------------------ running jobs
    def _run_job(self, job: Job) -> None:
        """The session's runner: each job in the ``generate`` worker group."""
        self._workers[job.id] = self._generate_worker(job)

    @work(thread=True, exclusive=True, group="generate", exit_on_error=False)
    def _generate_worker(self, job: Job) -> None:
        """Iterate the generation (in a thread) and post its steps; never touch widgets."""
        generation = job.generation
        assert generation is not None
        worker = get_current_worker()
        feed = job.feed()
        for event in generation:
            if worker.is_cancelled or job.read_enough(event):
                generation.cancel()  # keep reading: the stream ends within ~100 ms
            if job.reports(event):
                self._post_steps(job, feed, event)

    @work(thread=True, exclusive=True, group="load-model", exit_on_error=False)
    def _load_worker(self, job: Job) -> None:
        feed = job.feed()
        for event in job.generation:
            self._post_steps(job, feed, event)
        if feed.ended_by is None:
            self.post_message(ModelLoaded(job.id, feed.model or ""))

    def _post_steps(self, job: Job, feed: Feed, event) -> None:
        for step in feed.steps(event):
            self.post_message(message_of(job.id, step))

    # ------------------------------------------------------------------ worker messages
    @on(ModelLoading)
    @on(ModelFailed)
    @on(ContextAssembled)
    @on(PromptProgress)
    @on(TokensStreamed)
    @on(AlternativeRestarted)
    @on(AlternativeFinished)
    def _step(self, message) -> None:
        message.stop()
        self._draw(self.session.apply(message.job, message.step))

    @on(ModelLoaded)
    def _model_loaded(self, message: ModelLoaded) -> None:
        """Bubbles on to the screen, which primes the prompt cache with the script."""
        self._draw(self.session.loaded(message.job))

    @on(GenerationEnded)
    def _replay_ended(self, message: GenerationEnded) -> None:
        message.stop()
        self._draw(self.session.ended(message.job))

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """A job has ended when its worker has (a blind comparison's second side starts then).
        A worker that died of an unexpected error (a bug): said instead of hanging."""
        worker = event.worker
        if not worker.is_finished:
            return
        job = next((job for job, known in self._workers.items() if known is worker), None)
        if job is None:
            return
        del self._workers[job]
        if worker.group == "load-model" and event.state is WorkerState.SUCCESS:
            return  # ModelLoaded (or ModelFailed) says how it went
        self._draw(self.session.ended(job, cancelled=event.state is WorkerState.CANCELLED,
                                      failure=worker.error if event.state is WorkerState.ERROR else None))

    # ------------------------------------------------------------------ the session's updates
    def _session_update(self, update) -> None:
        """Decisions go on to the screen and the app as messages; problems as a notification."""
        if isinstance(update, Told):
            self.notify("\n".join(update.problems), title="Prompt problems", severity="warning", timeout=15)
        elif isinstance(update, Shown):
            self.post_message(SuggestionShown(update.record))
        elif isinstance(update, Accepted):
            self.post_message(SuggestionAccepted(update.record, update.part, update.text, update.at,
                                                 update.end, update.version))
        elif isinstance(update, Rejected):
            self.post_message(SuggestionRejected(update.record, update.why))
        elif isinstance(update, Retried):
            self.post_message(SuggestionRetried(update.record))
        elif isinstance(update, Rated):
            self.post_message(SuggestionRated(update.record, update.rating))
        elif isinstance(update, Picked):
            self.post_message(BlindPicked(update.a, update.b, update.winner, update.key))

    # ------------------------------------------------------------------ keys of the panel
    def action_scroll_text(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)

    def action_leave(self) -> None:
        if not self.cancel():
            self.post_message(self.Leave())

    # ------------------------------------------------------------------ drawing
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

    def _suggestion_bindings(self) -> dict[str, tuple[str, str]]:
        """``{binding id: (key as shown, action)}`` for the keys of the editor screen and the
        app (the registry's), with the writer's key map applied."""
        return {key.id: (key_display(self.app, key.id), key.action.split("(")[0])
                for key in [*keys(EDITOR), *keys(APP)] if key.is_binding}

    def _keys(self) -> dict[str, str]:
        return {binding_id: key for binding_id, (key, _) in self._suggestion_bindings().items()}

    def _update_hint(self) -> None:
        parts = []
        bindings = self._suggestion_bindings()
        prompt = None
        for hinted in hints():
            if hinted.id not in bindings:
                continue
            if hinted.id == "editor.choose_prompt":  # added below when there is room
                prompt = hinted
                continue
            key, action = bindings[hinted.id]
            if not self.allows(action):
                continue
            parts.append(f"{key} {hinted.hint}")
        hint = self.query_one("#suggestion-keys", Static)
        prompt_key = self._prompt_key(bindings)
        width = hint.content_size.width
        if prompt is not None and prompt_key is not None and width > 0:
            with_prompt = [*parts, f"{prompt_key} {prompt.hint}"]
            if self._hint_lines(with_prompt, width) <= self._hint_lines(parts, width):
                parts = with_prompt
        hint.update("  ".join(parts))

    def _prompt_key(self, bindings: dict[str, tuple[str, str]]) -> str | None:
        """The key that chooses the prompt: ``p`` (or the writer's key for it) while the panel
        has focus, else the editor screen's key (F12), or None."""
        if self.screen.focused is self:  # (``has_focus`` is set after ``on_focus`` runs)
            return key_display(self.app, "panel.choose_prompt")
        return bindings["editor.choose_prompt"][0] if "editor.choose_prompt" in bindings else None

    @staticmethod
    def _hint_lines(parts: list[str], width: int) -> int:
        return max(1, len(Content("  ".join(parts)).wrap(width)))  # an empty line still takes one
