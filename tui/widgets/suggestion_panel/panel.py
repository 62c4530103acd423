"""The suggestion panel widget: it wires a :class:`~engine.session.SuggestionSession` to the
screen (the session's state, the writer's requests, accepting, picks and ratings, settings and
the model), runs the session's jobs in thread workers and applies their messages; the session's
updates go on as messages. Drawing is ``view``'s, the keys ``keys``', the key hints ``hints``'."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import Blur, Focus
from textual.message import Message
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from engine.generation import GenerationEngine
from engine.models.registry import ModelEntry
from engine.session import (
    Accepted,
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

from ...generation_feed import message_of
from ...messages import (
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
from ...keymap import PANEL, bindings
from ..stream_text import StreamText
from .hints import PanelHints
from .keys import PanelKeys
from .view import PanelView

WARM_LOAD_DELAY_S = 1.0  # with warm=True, the model starts loading this long after the panel is on screen


class SuggestionPanel(PanelKeys, PanelView, PanelHints, Vertical, can_focus=True):
    DEFAULT_CSS = Path(__file__).with_name("suggestion_panel.tcss").read_text(encoding="utf-8")
    BINDINGS = bindings(PANEL)  # the key registry's; PanelKeys says which are live and runs them

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
