"""The suggestion panel: continuations from the local model, streamed beside the script.

How it works (the editor screen owns the keys and the script; the panel owns the requests):

* ``request(script, cursor, version)`` starts a :class:`~tui.suggestions.Suggestion`: the
  engine's ``Generation`` is iterated in a thread worker (group ``generate``, exclusive) that
  posts one message per event (:mod:`tui.generation_feed`). Streamed text travels as "the text
  so far" in ``TokensStreamed``, which ``can_replace`` its predecessor, so when tokens come
  faster than the screen refreshes only the newest is drawn; :class:`StreamText` lays out
  again only when the text gains a line.
* ``cancel()`` calls ``Generation.cancel()`` at once (the engine stops within ~100 ms, also
  while it reads the prompt); the alternative ends "cancelled" and keeps what was streamed.
* ``retry()`` samples the same request again (same script snapshot and cursor) into a new
  alternative; ``step(±1)`` moves between alternatives, and stepping past the last one samples
  a new one, like a swipe.
* ``offer(part)`` hands the editor screen the text to insert (all that is left, or its first
  line); ``taken(...)`` is called once it is in the script.
* Model loading runs in its own worker (group ``load-model``) with the stages in a progress
  bar; ``prime(script, cursor)`` reads the script into the model's prompt cache while the
  writer pauses, so the next request only evaluates what changed (group ``generate``: a real
  request cancels it).

* Blind A/B (``settings.ab``, :mod:`tui.blind_ab`): a request samples one candidate with the
  writer's settings and one with the other model, prompt version or seed, one after the other,
  shown as "A" and "B" in random order with model and statistics hidden; accepting one (or
  ``a``/``b`` in the panel) picks it, dismissing picks neither, and then the panel says which
  was which.

* The model line names the prompt in use: the one the shown suggestion was asked with (a
  rewrite or a beat uses another prompt than the script's), else the script's remembered
  prompt, the one the next request uses; ``p`` in the panel chooses another.

The panel reports the writer's decisions as ``SuggestionShown`` / ``SuggestionAccepted`` /
``SuggestionRejected`` / ``SuggestionRetried`` / ``SuggestionRated`` / ``BlindPicked``
messages (:mod:`tui.messages`), which bubble up to the app (and on to the edit log).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
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

from engine.generation import (
    CANCELLED,
    DoneEvent,
    ErrorEvent,
    Generation,
    GenerationEngine,
    PromptEvent,
    StatsEvent,
    TokenEvent,
)
from engine.models import ModelError
from engine.models.registry import ModelEntry
from engine.steering import Prompt, PromptError
from engine.tomlconf import ConfigError

from ..blind_ab import BlindABError, BlindPair, other_side, shuffle
from ..generation_feed import GenerationFeed
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
from ..steering import RequestInputs, ScriptSteering, steered_request
from ..suggestions import (
    Alternative,
    GenerationSettings,
    Offer,
    Rating,
    Suggestion,
    SuggestionRecord,
    first_line,
    new_key,
    resolved_sampling,
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
#: The editor screen's suggestion bindings the panel's hint line shows: (binding id, label).
HINTS = (
    ("suggest.accept", "accept"),
    ("suggest.accept_line", "line"),
    ("suggest.retry", "retry"),
    ("suggest.next", "next"),
    ("suggest.cancel", "stop"),
    ("suggest.dismiss", "dismiss"),
    ("suggest.settings", "settings"),
    ("suggest.rate", "rate"),
)
#: The prompt key's hint (the panel's own key while it has focus, else the editor screen's),
#: shown when the hint line has room for it without taking another line.
PROMPT_HINT = ("panel.choose_prompt", "editor.choose_prompt", "prompt")
MIN_TITLE = 8  # a prompt title cut shorter than this leaves only the prompt's id@version


@dataclass
class _Job:
    id: int
    generation: Generation | None  # None: events replayed by replay()
    suggestion: int | None  # the Suggestion it samples for; None when priming
    first_slot: int = 0
    primes: tuple[int, int] | None = None  # priming: the cursor it reads the script up to
    steered: object | None = None  # the Steered prompt it renders (a blind A/B side has its own)
    request_key: str | None = None  # the edit log's request id of its alternatives
    worker: Worker | None = None
    then: tuple | None = None  # blind A/B: the other side, started once this job's worker is done


class SuggestionPanel(Vertical, can_focus=True):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS = bindings(PANEL)

    class Leave(Message):
        """The writer wants to go back to the script."""

    def __init__(self, engine: GenerationEngine, *, warm: bool = False,
                 steering: ScriptSteering | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self.steering = steering or ScriptSteering(None)  # anchors and prompt of the script
        self.warm = warm  # load the model at start and keep the prompt cache warm
        self.settings = GenerationSettings()
        self.suggestion: Suggestion | None = None
        self.model_state = "idle"  # idle | loading | ready | failed | crashed (its process died: no
        # read-ahead, no warm load; the writer's next request starts a new process)
        self.load_progress: tuple[str, float | None] | None = None
        self.error: str | None = None
        self.notice: str | None = None
        self._ids = itertools.count(1)
        self._job: _Job | None = None
        self._load: tuple[int, Generation] | None = None
        self._cancelling = False
        self._primed: tuple[str, tuple[int, int], GenerationSettings, int] | None = None
        self.primed_at: tuple[int, int] | None = None  # cursor of the last script read ahead

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
        self._check_registry()
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
        if self._job is not None and self._job.generation is not None:
            self._job.generation.cancel()
        if self._load is not None:
            self._load[1].cancel()

    # ------------------------------------------------------------------ state for the screen
    @property
    def generating(self) -> bool:
        """A request of the writer's is being sampled (priming does not count)."""
        return self._job is not None and self._job.suggestion is not None

    @property
    def busy(self) -> bool:
        """The model is busy for the panel (a request or priming)."""
        return self._job is not None

    @property
    def can_accept(self) -> bool:
        alt = self.suggestion.shown if self.suggestion else None
        return alt is not None and bool(alt.offered)

    @property
    def blind(self) -> BlindPair | None:
        """The blind A/B comparison on show and not yet decided, or None."""
        suggestion = self.suggestion
        if suggestion is None or suggestion.blind is None or suggestion.blind.decided:
            return None
        return suggestion.blind

    def allows(self, action: str) -> bool:
        """Whether the editor screen's suggestion ``action`` can do something now."""
        suggestion = self.suggestion
        if action == "accept_suggestion":
            return self.can_accept
        if action == "retry_suggestion":
            return suggestion is not None and self.blind is None
        if action == "next_suggestion":
            if self.blind is not None:
                return suggestion.current < len(suggestion.alternatives) - 1
            return suggestion is not None and bool(suggestion.alternatives)
        if action == "rate_suggestion":
            return self.rating_target() is not None
        if action == "pick":
            return self.can_pick
        if action == "previous_suggestion":
            return suggestion is not None and suggestion.current > 0
        if action == "cancel_suggestion":
            return self.generating
        if action == "dismiss_suggestion":
            return not self.generating and suggestion is not None
        return True

    def entry(self) -> ModelEntry | None:
        """The registry entry of the chosen model (None when models.toml has a problem)."""
        try:
            return self.engine.registry.get(self.settings.model)
        except (ConfigError, ModelError):
            return None

    def model_name(self) -> str | None:
        entry = self.entry()
        return entry.name if entry is not None else self.settings.model

    def prompt_in_use(self) -> Prompt | None:
        """The prompt of the suggestion on show (a rewrite, a beat... has a prompt of its own),
        else the script's remembered prompt (the next request's); None when the library has
        none to offer."""
        suggestion = self.suggestion
        prompt = getattr(suggestion.steered, "prompt", None) if suggestion is not None else None
        if isinstance(prompt, Prompt):
            return prompt
        try:
            return self.steering.steer_prompt()
        except (PromptError, ConfigError):
            return None

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

    def _check_registry(self) -> None:
        try:
            self.engine.registry.get(self.settings.model)
        except (ConfigError, ModelError) as exc:
            self.model_state = "failed"
            self.error = str(exc)

    # ------------------------------------------------------------------ requests
    def request(self, script: str, cursor: tuple[int, int], version: int,
                inputs: RequestInputs | None = None) -> None:
        """Ask for a continuation of ``script`` at ``cursor`` (the editor's text and cursor);
        ``inputs``: a request of another kind than the script's prompt (a rewrite, a beat...)."""
        self._reject("replaced")
        self._stop_job()
        suggestion = Suggestion(next(self._ids), script, cursor, version, self.settings, model=self.model_name())
        self.suggestion = suggestion
        self.error = self.notice = None
        suggestion.slot(0)
        # a blind comparison only for the script's own prompt (not a rewrite, a beat...)
        blind = self.settings.ab is not None and inputs is None
        suggestion.steered = self._steer(script, cursor, inputs)
        if blind:
            self._request_blind(suggestion)
            return
        request = steered_request(suggestion.steered, self.settings)
        suggestion.samples = request.n
        self._start(suggestion, request, first_slot=0)

    def _request_blind(self, suggestion: Suggestion) -> None:
        """Sample the writer's candidate and the other one (``settings.ab``) into slots A and B,
        in random order; the second starts when the first ends (see ``_ended``)."""
        ab = self.settings.ab
        assert ab is not None
        mine = (suggestion.steered, steered_request(suggestion.steered, self.settings, n=1))
        try:
            other = other_side(ab, self.steering, self.settings, suggestion.script, suggestion.cursor)
        except BlindABError as exc:
            self.error = str(exc)
            self.suggestion = None
            self.refresh_view(text=True)
            return
        self.tell(getattr(other[0], "problems", []))
        writers = shuffle()
        sides = [mine, other] if writers == "A" else [other, mine]
        names = [self._side_name(steered, request, own) for (steered, request), own in
                 zip(sides, (writers == "A", writers == "B"))]
        suggestion.blind = BlindPair(new_key(), writers, (names[0], names[1]))
        suggestion.samples = 1
        for slot, label in enumerate(("A", "B")):
            alt = suggestion.slot(slot)
            alt.label, alt.request_key = label, new_key()
        suggestion.pending = [(1, sides[1][0], sides[1][1], suggestion.alternatives[1].request_key)]
        self._start(suggestion, sides[0][1], first_slot=0, steered=sides[0][0],
                    request_key=suggestion.alternatives[0].request_key)

    def _side_name(self, steered, request, own: bool) -> str:
        """"gemma3-270m · continue@2 (your settings)": what a blind side is, told after the pick."""
        try:
            model = self.engine.registry.get(request.model).name
        except (ConfigError, ModelError):
            model = request.model or "?"
        prompt = getattr(getattr(steered, "prompt", None), "ref", None)
        seed = f" · seed {request.seed}" if request.seed is not None else ""
        return f"{model}" + (f" · {prompt}" if prompt else "") + seed + (" (your settings)" if own else "")

    def retry(self) -> bool:
        """Sample the same request again into a new alternative, and show it."""
        suggestion = self.suggestion
        if suggestion is None or self.blind is not None:
            return False
        shown = suggestion.shown
        if shown is not None and shown.text:
            self.post_message(SuggestionRetried(suggestion.record(shown)))
        self._stop_job()
        suggestion.alternatives = [a for a in suggestion.alternatives if a.text or not a.finished]
        for index, alt in enumerate(suggestion.alternatives):
            alt.slot = index
        slot = len(suggestion.alternatives)
        suggestion.slot(slot)
        suggestion.current = slot
        self.error = self.notice = None
        request = steered_request(suggestion.steered, suggestion.settings, n=1, seed_offset=suggestion.samples)
        suggestion.samples += 1  # with a fixed seed, every sample still gets a seed of its own
        self._start(suggestion, request, first_slot=slot)
        return True

    def step(self, delta: int) -> bool:
        """Show another alternative; past the last one, sample a new one."""
        suggestion = self.suggestion
        if suggestion is None or not suggestion.alternatives:
            return False
        target = suggestion.current + delta
        if target >= len(suggestion.alternatives):
            if self.generating or self.blind is not None:  # the next one is on its way
                return False
            return self.retry()
        if target < 0:
            return False
        suggestion.current = target
        self.refresh_view(text=True)
        return True

    def cancel(self) -> bool:
        """Stop the request being sampled (at once: the engine checks between tokens and
        inside prompt evaluation). What was streamed stays, marked cancelled."""
        job = self._job
        if job is None or job.suggestion is None:
            return False
        if job.generation is not None:
            job.generation.cancel()
        if self.suggestion is not None:
            self.suggestion.pending.clear()  # a blind comparison stops with what came
        job.then = None
        self._cancelling = True
        self.refresh_view()
        return True

    def dismiss(self) -> bool:
        """Throw the suggestion away (the writer said no)."""
        if self.suggestion is None:
            return False
        blind = self.blind
        picked = self.can_pick and self._pick(None)
        self._reject("dismissed")
        self._stop_job()
        self.suggestion = None
        self.notice = blind.reveal() if picked and blind is not None else "Dismissed."
        self.refresh_view(text=True)
        return True

    def _reject(self, why: str) -> None:
        suggestion = self.suggestion
        if suggestion is None or suggestion.accepted:
            return
        pair = suggestion.blind
        if pair is not None and pair.decided and pair.winner is None and why == "dismissed":
            for alt in suggestion.alternatives:  # neither of a blind pair: both were read and refused
                if alt.text:
                    self.post_message(SuggestionRejected(suggestion.record(alt), why))
        elif any(alt.text for alt in suggestion.alternatives):
            self.post_message(SuggestionRejected(suggestion.record(), why))

    def _start(self, suggestion: Suggestion, request, first_slot: int, steered=None,
               request_key: str | None = None) -> None:
        steered = steered if steered is not None else suggestion.steered
        render = steered.render if steered is not None else None
        key = request_key or suggestion.key
        try:
            sampling = resolved_sampling(request, self.engine.registry.get(request.model))
        except (ConfigError, ModelError):
            sampling = resolved_sampling(request, None)  # the request fails and says why
        for index in range(request.n):  # what the edit log keeps about each alternative's request
            alt = suggestion.slot(first_slot + index)
            alt.request_key, alt.sampling, alt.request_seed = key, sampling, request.seed
        generation = self.engine.continue_at(suggestion.script, suggestion.cursor, request, render=render)
        job = self._job = _Job(next(self._ids), generation, suggestion.id, first_slot, steered=steered,
                               request_key=key)
        self._cancelling = False
        self._primed = None
        job.worker = self._generate_worker(job)
        self.refresh_view(text=True)

    def _stop_job(self) -> None:
        """Cancel what the model is doing for the panel; unfinished alternatives end cancelled."""
        job = self._job
        if job is None:
            return
        if job.generation is not None:
            job.generation.cancel()
        self._job = None
        self._cancelling = False
        if self.suggestion is not None and job.suggestion == self.suggestion.id:
            self.suggestion.pending.clear()
            for alt in self.suggestion.alternatives:
                if not alt.finished:
                    alt.reason = CANCELLED
                    alt.prompt = None

    def prime(self, script: str, cursor: tuple[int, int]) -> bool:
        """Read ``script`` up to ``cursor`` into the model's prompt cache, in the background,
        so that the next request evaluates only what changed. Only while idle with the model
        loaded; a request cancels it (what was read stays in the cache)."""
        if not self.warm or self._job is not None or self.model_state != "ready":
            return False
        key = (script, cursor, self.settings, self.steering.revision)
        if self._primed == key:
            return False
        self._primed = key
        steered = self._steer(script, cursor)  # the same prefix the next request sends
        # work nobody waits for: the engine leaves one core to the editor while it reads
        request = replace(steered_request(steered, self.settings, n=1), background=True)
        generation = self.engine.continue_at(script, cursor, request, render=steered.render)
        job = self._job = _Job(next(self._ids), generation, None, primes=cursor)
        self._generate_worker(job)
        return True

    def _steer(self, script: str, cursor: tuple[int, int], inputs: RequestInputs | None = None):
        """The steered prompt for ``script`` at ``cursor``; problems (a malformed anchor store or
        prompt file) are shown once, as a notification."""
        steered = self.steering.steer(script, cursor, inputs)
        self.tell(steered.problems)
        return steered

    def tell(self, problems: list[str]) -> None:
        fresh = self.steering.news(problems)
        if fresh:
            self.notify("\n".join(fresh), title="Prompt problems", severity="warning", timeout=15)

    @work(thread=True, exclusive=True, group="generate", exit_on_error=False)
    def _generate_worker(self, job: _Job) -> None:
        """Iterate the generation (in a thread) and post what happens; never touch widgets."""
        generation = job.generation
        assert generation is not None
        worker = get_current_worker()
        feed = GenerationFeed(job.id, job.first_slot)
        try:
            for event in generation:
                if worker.is_cancelled:
                    generation.cancel()  # keep reading: the stream ends within ~100 ms
                if job.suggestion is None:  # priming: stop once the prompt is in the cache
                    if isinstance(event, ErrorEvent) and event.kind == "crash":  # its process died
                        for message in feed.messages(event):
                            self.post_message(message)
                    if isinstance(event, (TokenEvent, StatsEvent, DoneEvent)) or (
                        isinstance(event, PromptEvent) and event.done >= event.total
                    ):
                        generation.cancel()
                    continue
                for message in feed.messages(event):
                    self.post_message(message)
        finally:
            self.post_message(GenerationEnded(job.id))

    def replay(self, script: str, cursor: tuple[int, int], version: int, events: list) -> None:
        """Show ``events`` (engine events) as if the model had produced them for a request at
        ``cursor``: the same messages, the same handlers. For deterministic snapshots."""
        self._reject("replaced")
        self._stop_job()
        suggestion = Suggestion(next(self._ids), script, cursor, version, self.settings, model=self.model_name())
        self.suggestion = suggestion
        self.error = self.notice = None
        suggestion.slot(0)
        job = self._job = _Job(next(self._ids), None, suggestion.id)
        feed = GenerationFeed(job.id)
        for event in events:
            for message in feed.messages(event):
                self.post_message(message)
        self.post_message(GenerationEnded(job.id))

    # ------------------------------------------------------------------ accepting
    def offer(self, part: str = "whole") -> Offer | None:
        """What "accept" would put in the script (``part``: "whole" or "line"), or None."""
        suggestion = self.suggestion
        alt = suggestion.shown if suggestion else None
        if suggestion is None or alt is None or not alt.offered:
            return None
        text = alt.offered if part == "whole" else first_line(alt.offered)
        return Offer(suggestion.id, alt.slot, part, text, suggestion.cursor, suggestion.version)

    def taken(self, offer: Offer, at: tuple[int, int], end: tuple[int, int], version: int, script: str) -> None:
        """``offer`` is in the script, from ``at`` to ``end``; ``version``/``script``: the
        editor's document after the edit."""
        suggestion = self.suggestion
        if suggestion is None or suggestion.id != offer.request_id:
            return
        alt = suggestion.alternatives[offer.slot]
        blind = self.blind
        if blind is not None and self.can_pick:
            self._pick(alt.label)  # accepting a blind candidate picks it
        suggestion.accepted = True
        record = suggestion.record(alt)
        alt.consumed += len(offer.text)
        self._stop_job()  # accepting while it is being written stops it where it is
        if offer.part == "whole" or not alt.offered:
            self.suggestion = None
            lines = offer.text.rstrip("\n").count("\n")
            what = f"{lines + 1} lines" if lines else "one line"
            undo = self.app.get_key_display(Binding("ctrl+z", "undo"))
            self.notice = f"Inserted {what}; {undo} takes them out again."
            if blind is not None and blind.decided:
                self.notice = f"{blind.reveal()} {self.notice}"
        else:
            # The rest continues from the end of what went in: this alternative is the only one
            # that fits the script now, and a retry samples from there (a new request for the log).
            suggestion.alternatives = [alt]
            alt.slot = 0
            suggestion.current = 0
            suggestion.script, suggestion.cursor, suggestion.version = script, end, version
            suggestion.key = new_key()
            self.notice = blind.reveal() if blind is not None and blind.decided else None
        self.post_message(SuggestionAccepted(record, offer.part, offer.text, at, end, version))
        self.refresh_view(text=True)

    # ------------------------------------------------------------------ blind A/B picks
    @property
    def can_pick(self) -> bool:
        """A blind comparison is on show with both candidates written."""
        blind = self.blind
        if blind is None or self.generating:
            return False
        alternatives = self.suggestion.alternatives
        return len(alternatives) == 2 and all(a.finished and a.text for a in alternatives)

    def pick(self, label: str | None) -> bool:
        """The writer's pick of a blind comparison ("A", "B", or None for neither): recorded,
        and which was which is told. The picked candidate stays on offer."""
        if not self.can_pick:
            return False
        blind = self.blind
        self._pick(label)
        if label is not None:
            self.suggestion.current = 0 if label == "A" else 1
        self.notice = blind.reveal()
        self.refresh_view(text=True)
        return True

    def _pick(self, label: str | None) -> bool:
        suggestion = self.suggestion
        blind = suggestion.blind if suggestion is not None else None
        if blind is None or blind.decided:
            return False
        blind.winner, blind.decided = label, True
        a, b = suggestion.alternatives[:2]
        self.post_message(BlindPicked(suggestion.record(a), suggestion.record(b), label, blind.key))
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The pick keys are live (and in the key bar) only while a blind comparison waits."""
        if action == "pick":
            return self.can_pick
        return True

    def action_pick(self, label: str) -> None:
        if not self.pick(label):
            self.app.bell()

    # ------------------------------------------------------------------ ratings
    def rating_target(self) -> SuggestionRecord | None:
        """The suggestion on show, finished and with text (what the rating key rates), or None."""
        suggestion = self.suggestion
        alt = suggestion.shown if suggestion else None
        if alt is None or not alt.finished or not alt.text:
            return None
        return suggestion.record(alt)

    def rated(self, record: SuggestionRecord, rating: Rating) -> None:
        """The writer rated ``record`` (the one on show, or one already decided): show it, and
        report it (``SuggestionRated``)."""
        suggestion = self.suggestion
        shown = next((a for a in suggestion.alternatives if a.key == record.key), None) if suggestion else None
        if shown is not None:
            shown.rating = rating
        else:
            self.notice = f"Rated: {rating.summary()}."
        self.post_message(SuggestionRated(record, rating))
        self.refresh_view()

    # ------------------------------------------------------------------ settings and model
    def apply_settings(self, settings: GenerationSettings) -> None:
        model_changed = settings.model != self.settings.model
        self.settings = settings
        ab = settings.ab
        self.engine.keep_loaded(2 if ab is not None and ab.kind == "model" else 1)
        self.error = None
        if self.model_state in ("failed", "crashed"):
            self.model_state = "idle"
        self.engine.forgive(settings.model)  # chosen again: a model that kept crashing may start
        self._check_registry()
        if model_changed and self.model_state != "failed":
            self.load_model()
        self.refresh_view()

    def _warm_load(self) -> None:
        if self.model_state == "idle" and self._job is None and self._load is None:
            self.load_model()

    def load_model(self) -> None:
        """Load the chosen model in the background (progress shows in the panel)."""
        if self._load is not None:
            self._load[1].cancel()
        job = next(self._ids)
        generation = self.engine.load(self.settings.model)
        self._load = (job, generation)
        self.model_state = "loading"
        self.load_progress = None
        self.error = None
        self._load_worker(job, generation)
        self.refresh_view()

    @work(thread=True, exclusive=True, group="load-model", exit_on_error=False)
    def _load_worker(self, job: int, generation: Generation) -> None:
        feed = GenerationFeed(job)
        for event in generation:
            for message in feed.messages(event):
                self.post_message(message)
        if feed.ended_by is None:
            self.post_message(ModelLoaded(job, feed.model or ""))

    # ------------------------------------------------------------------ worker messages
    def _current(self, job: int) -> bool:
        return self._job is not None and self._job.id == job

    def _slot(self, job: int, slot: int) -> Alternative | None:
        if not self._current(job) or self.suggestion is None or self._job.suggestion != self.suggestion.id:
            return None
        alt = self.suggestion.slot(slot)
        return None if alt.finished else alt

    @on(ModelLoading)
    def _model_loading(self, message: ModelLoading) -> None:
        message.stop()
        if not (self._current(message.job) or (self._load is not None and self._load[0] == message.job)):
            return
        if message.stage == "ready":
            self.model_state = "ready"
            self.load_progress = None
        else:
            self.model_state = "loading"
            self.load_progress = (message.stage, message.fraction)
        self.refresh_view()

    @on(ModelLoaded)
    def _model_loaded(self, message: ModelLoaded) -> None:
        """Bubbles on to the screen, which primes the prompt cache with the script."""
        if self._load is not None and self._load[0] == message.job:
            self._load = None
            self.model_state = "ready"
            self.load_progress = None
            self.refresh_view()

    @on(ModelFailed)
    def _model_failed(self, message: ModelFailed) -> None:
        message.stop()
        if self._load is not None and self._load[0] == message.job:
            self._load = None
        elif not self._current(message.job):
            return
        if message.kind in ("config", "model"):
            self.model_state = "failed"  # a server failure is not for good: the writer can retry
        elif message.kind == "crash":
            self.model_state = "crashed"
        suggestion = self.suggestion
        if self._current(message.job) and suggestion is not None and self._job.suggestion == suggestion.id:
            for alt in suggestion.alternatives:  # what streamed before the failure stays on offer
                if not alt.finished and alt.text:
                    alt.reason, alt.prompt = "failed", None
                    self.post_message(SuggestionShown(suggestion.record(alt)))
        self.load_progress = None
        self.error = message.message
        self.refresh_view()

    @on(ContextAssembled)
    def _context_assembled(self, message: ContextAssembled) -> None:
        message.stop()
        if self._current(message.job) and self.suggestion is not None and self._job.suggestion == self.suggestion.id:
            job = self._job
            self.suggestion.context = message.context
            key = job.request_key or self.suggestion.key
            for alt in self.suggestion.alternatives:  # what the edit log keeps with each
                if alt.request_key == key and not alt.finished:
                    alt.context = message.context
            steered = job.steered if job.steered is not None else self.suggestion.steered
            if steered is not None:  # what rendering found (examples file missing...)
                self.tell(steered.problems)
            if self.suggestion.blind is None:
                self.suggestion.model = message.context.model
            if self.model_state != "ready":
                self.model_state = "ready"
                self.load_progress = None
            self.refresh_view()

    @on(PromptProgress)
    def _prompt_progress(self, message: PromptProgress) -> None:
        message.stop()
        alt = self._slot(message.job, message.slot)
        if alt is not None:
            alt.prompt = (message.done, message.total)
            self.refresh_view()

    @on(TokensStreamed)
    def _tokens(self, message: TokensStreamed) -> None:
        message.stop()
        alt = self._slot(message.job, message.slot)
        if alt is None:
            return
        first = not alt.text
        alt.text = message.text
        alt.prompt = None
        if first:
            self.refresh_view(text=True)  # the status changes from "reading" to "writing"
        elif self.suggestion is not None and self.suggestion.current == message.slot:
            self._show_text()

    @on(AlternativeRestarted)
    def _restarted(self, message: AlternativeRestarted) -> None:
        message.stop()
        alt = self._slot(message.job, message.slot)
        if alt is not None:
            alt.text, alt.seed = "", message.seed
            alt.restarts += 1
            self.refresh_view(text=True)

    @on(AlternativeFinished)
    def _finished(self, message: AlternativeFinished) -> None:
        message.stop()
        alt = self._slot(message.job, message.slot)
        if alt is None or self.suggestion is None:
            return
        done = message.done
        alt.text, alt.reason, alt.seed, alt.stats, alt.prompt = done.text, done.reason, done.seed, message.stats, None
        alt.prompt_ref = done.prompt_ref
        if alt.text or alt.reason != CANCELLED:
            self.post_message(SuggestionShown(self.suggestion.record(alt)))
        if not alt.text and alt.reason == CANCELLED and len(self.suggestion.alternatives) > 1:
            self.suggestion.alternatives.remove(alt)  # nothing to show: forget the slot
            self.suggestion.current = min(self.suggestion.current, len(self.suggestion.alternatives) - 1)
        self.refresh_view(text=True)

    @on(GenerationEnded)
    def _ended(self, message: GenerationEnded) -> None:
        message.stop()
        if self._current(message.job):
            if self._job.primes is not None:
                self.primed_at = self._job.primes
            suggestion = self.suggestion
            mine = suggestion is not None and self._job.suggestion == suggestion.id
            pending = list(suggestion.pending) if mine else []
            if pending and not self.error and not self._cancelled_blind():
                # the other side of a blind comparison: it starts once this worker has finished
                # (the "generate" group is exclusive: starting now would cancel it)
                self._job.then = pending[0]
                suggestion.pending = pending[1:]
                if self._job.worker is None or self._job.worker.is_finished:
                    self._next_side()
                return
            self._stop_job()
            if self.error and suggestion is not None and not any(a.text for a in suggestion.alternatives):
                self.suggestion = None  # it failed before any text: the error says why
            self.refresh_view(text=True)

    def _cancelled_blind(self) -> bool:
        """A side of a blind comparison was stopped: the next one is not sampled."""
        suggestion = self.suggestion
        return suggestion is None or any(a.reason == CANCELLED for a in suggestion.alternatives)

    def _next_side(self) -> None:
        job, suggestion = self._job, self.suggestion
        if job is None or job.then is None or suggestion is None or job.suggestion != suggestion.id:
            return
        slot, steered, request, key = job.then
        pending = suggestion.pending
        self._job = None
        self._start(suggestion, request, first_slot=slot, steered=steered, request_key=key)
        suggestion.pending = pending

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """A blind comparison's first side done: the second starts. A worker that died of an
        unexpected error (a bug): say so instead of hanging."""
        job = self._job
        if job is not None and job.then is not None and event.worker is job.worker and event.worker.is_finished:
            if event.state is WorkerState.SUCCESS:
                self._next_side()
                return
            if event.state is WorkerState.CANCELLED:
                self._stop_job()
                self.refresh_view(text=True)
                return
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "load-model":
            self._load = None
            self.model_state = "failed"
        else:
            self._stop_job()
        self.error = f"{event.worker.group} failed: {error.__class__.__name__}: {error}"
        self.refresh_view(text=True)

    # ------------------------------------------------------------------ keys of the panel
    def action_scroll_text(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)

    def action_leave(self) -> None:
        if not self.cancel():
            self.post_message(self.Leave())

    # ------------------------------------------------------------------ drawing
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
            if self._cancelling:
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
