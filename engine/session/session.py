"""One owner for a suggestion's life: :class:`SuggestionSession`.

The session holds what the writer asked for and what came back: the settings, the suggestion on
show and its alternatives, a blind A/B pair, the model's state, and every decision. It steers each
request (the script's anchors and prompt, :mod:`engine.session.steering`), starts the engine's
``Generation`` and reports decisions to its recorder (the edit log) and to its owner. It never
waits on the model: a request is a :class:`Job` that the owner runs where it likes, feeding the
steps back with :meth:`SuggestionSession.apply` and saying when it ended with
:meth:`SuggestionSession.ended`.

Owners:

* the editor's suggestion panel runs each job in a thread worker (one worker group per concern:
  ``generate`` and ``load-model``), posts the steps as messages and applies them on the UI
  thread; it draws the session's state and nothing else;
* ``scenewright continue`` and ``scenewright serve`` call :meth:`SuggestionSession.run`, which
  iterates a job's generation in the calling thread.

Every method returns what the owner should draw again: ``None`` (nothing), ``"status"`` (all but
the suggestion's text), ``"text"`` (everything) or ``"stream"`` (the text of the alternative on
show, which grew).

The life of a request::

    job = session.request(script, cursor, version)        # steered, started: run it
    for step in feed.steps(event): session.apply(job.id, step)
    session.ended(job.id)                                  # may start the next job (a blind B side)
    offer = session.offer("whole"); ...; session.taken(offer, at, end, version, script)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol

from engine.generation import CANCELLED, Generation, GenerationEngine
from engine.models import ModelError
from engine.models.registry import ModelEntry
from engine.steering import Prompt, PromptError
from engine.tomlconf import ConfigError

from .blind_ab import BlindABError, BlindPair, shuffle
from .feed import Assembled, Failed, Feed, Finished, Loading, Progress, Restarted, Step, Streamed
from .settings import GenerationSettings, resolved_sampling
from .steering import RequestInputs, ScriptSteering, other_side, steered_request
from .suggestion import Alternative, Offer, Rating, Suggestion, SuggestionRecord, first_line, new_key
from .updates import Accepted, Decision, Picked, Rated, Rejected, Retried, Shown, Told, Update

Redraw = str | None  # None | "status" | "text" | "stream"


class Recorder(Protocol):
    """Where decisions go to be kept (``engine.session.recording``: the edit log)."""

    def decided(self, decision: Decision) -> None: ...


@dataclass
class Job:
    """One run of the model for the session: a request's samples, priming, or a model load."""

    id: int
    generation: Generation | None  # None: steps replayed by the owner (``replay``)
    suggestion: int | None  # the Suggestion it samples for; None when priming or loading
    first_slot: int = 0
    primes: tuple[int, int] | None = None  # priming: the cursor it reads the script up to
    steered: object | None = None  # the Steered prompt it renders (a blind A/B side has its own)
    request_key: str | None = None  # the edit log's request id of its alternatives
    loads: bool = False  # a model load ahead of the first request

    def feed(self) -> Feed:
        return Feed(self.first_slot)


class SuggestionSession:
    """``run(job)``: how the owner starts a job (the panel: a thread worker); None keeps jobs
    for :meth:`run` to iterate in the calling thread. ``on_update(update)``: decisions and
    problems, for the owner (the panel posts them as messages). ``recorder``: where decisions
    are kept."""

    def __init__(self, engine: GenerationEngine, steering: ScriptSteering | None = None, *,
                 warm: bool = False, recorder: Recorder | None = None,
                 on_update: Callable[[Update], Any] | None = None,
                 run: Callable[[Job], Any] | None = None) -> None:
        self.engine = engine
        self.steering = steering or ScriptSteering(None)
        self.warm = warm  # the owner loads the model at start and keeps the prompt cache warm
        self.recorder = recorder
        self.on_update = on_update
        self._run = run
        self.settings = GenerationSettings()
        self.suggestion: Suggestion | None = None
        self.model_state = "idle"  # idle | loading | ready | failed | crashed (its process died: no
        # read-ahead, no warm load; the writer's next request starts a new process)
        self.load_progress: tuple[str, float | None] | None = None
        self.error: str | None = None
        self.notice: str | None = None
        self.cancelling = False
        self.primed_at: tuple[int, int] | None = None  # cursor of the last script read ahead
        self.queued: list[Job] = []  # jobs for run() when no runner was given
        self._ids = itertools.count(1)
        self._job: Job | None = None
        self._load: Job | None = None
        self._primed: tuple | None = None
        self.check_registry()

    # ------------------------------------------------------------------ telling
    def _update(self, update: Update) -> None:
        if self.recorder is not None and not isinstance(update, Told):
            self.recorder.decided(update)
        if self.on_update is not None:
            self.on_update(update)

    def tell(self, problems: list[str]) -> None:
        """Problems with the prompt or the anchors, each told once."""
        fresh = self.steering.news(problems)
        if fresh:
            self._update(Told(tuple(fresh)))

    # ------------------------------------------------------------------ state
    @property
    def job(self) -> Job | None:
        return self._job

    @property
    def loading_job(self) -> Job | None:
        return self._load

    @property
    def generating(self) -> bool:
        """A request of the writer's is being sampled (priming does not count)."""
        return self._job is not None and self._job.suggestion is not None

    @property
    def busy(self) -> bool:
        """The model is busy for the session (a request or priming)."""
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

    @property
    def can_pick(self) -> bool:
        """A blind comparison is on show with both candidates written."""
        if self.blind is None or self.generating:
            return False
        alternatives = self.suggestion.alternatives  # type: ignore[union-attr]
        return len(alternatives) == 2 and all(a.finished and a.text for a in alternatives)

    def allows(self, action: str) -> bool:
        """Whether the suggestion ``action`` (the editor screen's action names) can do something now."""
        suggestion = self.suggestion
        if action == "accept_suggestion":
            return self.can_accept
        if action == "retry_suggestion":
            return suggestion is not None and self.blind is None
        if action == "next_suggestion":
            if self.blind is not None:
                return suggestion.current < len(suggestion.alternatives) - 1  # type: ignore[union-attr]
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

    def check_registry(self) -> None:
        try:
            self.engine.registry.get(self.settings.model)
        except (ConfigError, ModelError) as exc:
            self.model_state = "failed"
            self.error = str(exc)

    # ------------------------------------------------------------------ requests
    def request(self, script: str, cursor: tuple[int, int], version: int = 0,
                inputs: RequestInputs | None = None) -> Redraw:
        """Ask for a continuation of ``script`` at ``cursor``; ``inputs``: a request of another
        kind than the script's prompt (a rewrite, a beat...)."""
        self._reject("replaced")
        self._stop_job()
        suggestion = self._new_suggestion(script, cursor, version)
        # a blind comparison only for the script's own prompt (not a rewrite, a beat...)
        suggestion.steered = self._steer(script, cursor, inputs)
        if self.settings.ab is not None and inputs is None:
            return self._request_blind(suggestion)
        request = steered_request(suggestion.steered, self.settings)
        suggestion.samples = request.n
        return self._start(suggestion, request, first_slot=0)

    def _new_suggestion(self, script: str, cursor: tuple[int, int], version: int) -> Suggestion:
        suggestion = Suggestion(next(self._ids), script, cursor, version, self.settings, model=self.model_name())
        self.suggestion = suggestion
        self.error = self.notice = None
        suggestion.slot(0)
        return suggestion

    def _request_blind(self, suggestion: Suggestion) -> Redraw:
        """Sample the writer's candidate and the other one (``settings.ab``) into slots A and B,
        in random order; the second starts when the first has ended (:meth:`ended`)."""
        ab = self.settings.ab
        assert ab is not None
        mine = (suggestion.steered, steered_request(suggestion.steered, self.settings, n=1))
        try:
            other = other_side(ab, self.steering, self.settings, suggestion.script, suggestion.cursor)
        except BlindABError as exc:
            self.error = str(exc)
            self.suggestion = None
            return "text"
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
        return self._start(suggestion, sides[0][1], first_slot=0, steered=sides[0][0],
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
            self._update(Retried(suggestion.record(shown)))
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
        return True

    def cancel(self) -> bool:
        """Stop the request being sampled (at once: the engine checks between tokens and inside
        prompt evaluation). What was streamed stays, marked cancelled."""
        job = self._job
        if job is None or job.suggestion is None:
            return False
        if job.generation is not None:
            job.generation.cancel()
        if self.suggestion is not None:
            self.suggestion.pending.clear()  # a blind comparison stops with what came
        self.cancelling = True
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
        return True

    def _reject(self, why: str) -> None:
        suggestion = self.suggestion
        if suggestion is None or suggestion.accepted:
            return
        pair = suggestion.blind
        if pair is not None and pair.decided and pair.winner is None and why == "dismissed":
            for alt in suggestion.alternatives:  # neither of a blind pair: both were read and refused
                if alt.text:
                    self._update(Rejected(suggestion.record(alt), why))
        elif any(alt.text for alt in suggestion.alternatives):
            self._update(Rejected(suggestion.record(), why))

    def _start(self, suggestion: Suggestion, request, first_slot: int, steered=None,
               request_key: str | None = None) -> Redraw:
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
        job = self._job = Job(next(self._ids), generation, suggestion.id, first_slot, steered=steered,
                              request_key=key)
        self.cancelling = False
        self._primed = None
        self._launch(job)
        return "text"

    def _launch(self, job: Job) -> None:
        if self._run is None:
            self.queued.append(job)
        else:
            self._run(job)

    def _stop_job(self) -> None:
        """Cancel what the model is doing for the session; unfinished alternatives end cancelled."""
        job = self._job
        if job is None:
            return
        if job.generation is not None:
            job.generation.cancel()
        self._job = None
        self.cancelling = False
        if self.suggestion is not None and job.suggestion == self.suggestion.id:
            self.suggestion.pending.clear()
            for alt in self.suggestion.alternatives:
                if not alt.finished:
                    alt.reason = CANCELLED
                    alt.prompt = None

    def prime(self, script: str, cursor: tuple[int, int]) -> bool:
        """Read ``script`` up to ``cursor`` into the model's prompt cache, in the background, so
        that the next request evaluates only what changed. Only while idle with the model loaded;
        a request cancels it (what was read stays in the cache)."""
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
        job = self._job = Job(next(self._ids), generation, None, primes=cursor)
        self._launch(job)
        return True

    def _steer(self, script: str, cursor: tuple[int, int], inputs: RequestInputs | None = None):
        """The steered prompt for ``script`` at ``cursor``; its problems (a malformed anchor
        store or prompt file) are told once."""
        steered = self.steering.steer(script, cursor, inputs)
        self.tell(steered.problems)
        return steered

    def replay(self, script: str, cursor: tuple[int, int], version: int = 0) -> Job:
        """A request whose steps the owner supplies (recorded engine events, for deterministic
        snapshots): the same state changes as a real one."""
        self._reject("replaced")
        self._stop_job()
        suggestion = self._new_suggestion(script, cursor, version)
        job = self._job = Job(next(self._ids), None, suggestion.id)
        return job

    # ------------------------------------------------------------------ accepting
    def offer(self, part: str = "whole") -> Offer | None:
        """What "accept" would put in the script (``part``: "whole" or "line"), or None."""
        suggestion = self.suggestion
        alt = suggestion.shown if suggestion else None
        if suggestion is None or alt is None or not alt.offered:
            return None
        text = alt.offered if part == "whole" else first_line(alt.offered)
        return Offer(suggestion.id, alt.slot, part, text, suggestion.cursor, suggestion.version)

    def taken(self, offer: Offer, at: tuple[int, int], end: tuple[int, int], version: int, script: str,
              undo_key: str = "ctrl+z") -> bool:
        """``offer`` is in the script, from ``at`` to ``end``; ``version``/``script``: the document
        after the edit. ``undo_key``: how the owner names undo, for the notice."""
        suggestion = self.suggestion
        if suggestion is None or suggestion.id != offer.request_id:
            return False
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
            self.notice = f"Inserted {what}; {undo_key} takes them out again."
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
        self._update(Accepted(record, offer.part, offer.text, at, end, version))
        return True

    # ------------------------------------------------------------------ blind A/B picks
    def pick(self, label: str | None) -> bool:
        """The writer's pick of a blind comparison ("A", "B", or None for neither): recorded, and
        which was which is told. The picked candidate stays on offer."""
        if not self.can_pick:
            return False
        blind = self.blind
        self._pick(label)
        if label is not None:
            self.suggestion.current = 0 if label == "A" else 1  # type: ignore[union-attr]
        self.notice = blind.reveal()  # type: ignore[union-attr]
        return True

    def _pick(self, label: str | None) -> bool:
        suggestion = self.suggestion
        blind = suggestion.blind if suggestion is not None else None
        if blind is None or blind.decided:
            return False
        blind.winner, blind.decided = label, True
        a, b = suggestion.alternatives[:2]  # type: ignore[union-attr]
        self._update(Picked(suggestion.record(a), suggestion.record(b), label, blind.key))  # type: ignore[union-attr]
        return True

    # ------------------------------------------------------------------ ratings
    def rating_target(self) -> SuggestionRecord | None:
        """The suggestion on show, finished and with text (what the rating key rates), or None."""
        suggestion = self.suggestion
        alt = suggestion.shown if suggestion else None
        if alt is None or not alt.finished or not alt.text:
            return None
        return suggestion.record(alt)  # type: ignore[union-attr]

    def rated(self, record: SuggestionRecord, rating: Rating) -> None:
        """The writer rated ``record`` (the one on show, or one already decided)."""
        suggestion = self.suggestion
        shown = next((a for a in suggestion.alternatives if a.key == record.key), None) if suggestion else None
        if shown is not None:
            shown.rating = rating
        else:
            self.notice = f"Rated: {rating.summary()}."
        self._update(Rated(record, rating))

    # ------------------------------------------------------------------ settings and model
    def apply_settings(self, settings: GenerationSettings) -> bool:
        """Use ``settings`` from now on; True when the model changed and should be loaded."""
        model_changed = settings.model != self.settings.model
        self.settings = settings
        ab = settings.ab
        self.engine.keep_loaded(2 if ab is not None and ab.kind == "model" else 1)
        self.error = None
        if self.model_state in ("failed", "crashed"):
            self.model_state = "idle"
        self.engine.forgive(settings.model)  # chosen again: a model that kept crashing may start
        self.check_registry()
        return model_changed and self.model_state != "failed"

    def wants_warm_load(self) -> bool:
        return self.model_state == "idle" and self._job is None and self._load is None

    def load_model(self) -> Job:
        """Load the chosen model ahead of the first request (a job of its own)."""
        if self._load is not None and self._load.generation is not None:
            self._load.generation.cancel()
        job = self._load = Job(next(self._ids), self.engine.load(self.settings.model), None, loads=True)
        self.model_state = "loading"
        self.load_progress = None
        self.error = None
        return job

    def loaded(self, job_id: int) -> Redraw:
        """A model load ended without an error."""
        if self._load is not None and self._load.id == job_id:
            self._load = None
            self.model_state = "ready"
            self.load_progress = None
            return "status"
        return None

    def close(self) -> None:
        """Nothing may keep the model busy once the owner has gone."""
        if self._job is not None and self._job.generation is not None:
            self._job.generation.cancel()
        if self._load is not None and self._load.generation is not None:
            self._load.generation.cancel()

    # ------------------------------------------------------------------ steps of a running job
    def _current(self, job: int) -> bool:
        return self._job is not None and self._job.id == job

    def _mine(self, job: int) -> bool:
        """``job`` samples the suggestion on show."""
        return self._current(job) and self.suggestion is not None and self._job.suggestion == self.suggestion.id

    def _slot(self, job: int, slot: int) -> Alternative | None:
        if not self._mine(job):
            return None
        alt = self.suggestion.slot(slot)  # type: ignore[union-attr]
        return None if alt.finished else alt

    def apply(self, job: int, step: Step) -> Redraw:
        """One step of job ``job`` (from its :class:`Feed`); steps of a job that is no longer the
        session's are ignored."""
        if isinstance(step, Streamed):
            return self._streamed(job, step)
        if isinstance(step, Progress):
            alt = self._slot(job, step.slot)
            if alt is None:
                return None
            alt.prompt = (step.done, step.total)
            return "status"
        if isinstance(step, Loading):
            return self._loading(job, step)
        if isinstance(step, Assembled):
            return self._assembled(job, step)
        if isinstance(step, Restarted):
            alt = self._slot(job, step.slot)
            if alt is None:
                return None
            alt.text, alt.seed = "", step.seed
            alt.restarts += 1
            return "text"
        if isinstance(step, Finished):
            return self._finished(job, step)
        if isinstance(step, Failed):
            return self._failed(job, step)
        raise TypeError(f"not a session step: {step!r}")

    def _streamed(self, job: int, step: Streamed) -> Redraw:
        alt = self._slot(job, step.slot)
        if alt is None:
            return None
        first = not alt.text
        alt.text = step.text
        alt.prompt = None
        if first:
            return "text"  # the status changes from "reading" to "writing"
        return "stream" if self.suggestion.current == step.slot else None  # type: ignore[union-attr]

    def _loading(self, job: int, step: Loading) -> Redraw:
        if not (self._current(job) or (self._load is not None and self._load.id == job)):
            return None
        if step.stage == "ready":
            self.model_state = "ready"
            self.load_progress = None
        else:
            self.model_state = "loading"
            self.load_progress = (step.stage, step.fraction)
        return "status"

    def _assembled(self, job: int, step: Assembled) -> Redraw:
        if not self._mine(job):
            return None
        current = self._job
        suggestion = self.suggestion
        assert current is not None and suggestion is not None
        suggestion.context = step.context
        key = current.request_key or suggestion.key
        for alt in suggestion.alternatives:  # what the edit log keeps with each
            if alt.request_key == key and not alt.finished:
                alt.context = step.context
        steered = current.steered if current.steered is not None else suggestion.steered
        if steered is not None:  # what rendering found (examples file missing...)
            self.tell(steered.problems)
        if suggestion.blind is None:
            suggestion.model = step.context.model
        if self.model_state != "ready":
            self.model_state = "ready"
            self.load_progress = None
        return "status"

    def _finished(self, job: int, step: Finished) -> Redraw:
        alt = self._slot(job, step.slot)
        suggestion = self.suggestion
        if alt is None or suggestion is None:
            return None
        done = step.done
        alt.text, alt.reason, alt.seed, alt.stats, alt.prompt = done.text, done.reason, done.seed, step.stats, None
        alt.prompt_ref = done.prompt_ref
        if alt.text or alt.reason != CANCELLED:
            self._update(Shown(suggestion.record(alt)))
        if not alt.text and alt.reason == CANCELLED and len(suggestion.alternatives) > 1:
            suggestion.alternatives.remove(alt)  # nothing to show: forget the slot
            suggestion.current = min(suggestion.current, len(suggestion.alternatives) - 1)
        return "text"

    def _failed(self, job: int, step: Failed) -> Redraw:
        if self._load is not None and self._load.id == job:
            self._load = None
        elif not self._current(job):
            return None
        if step.kind in ("config", "model"):
            self.model_state = "failed"  # a server failure is not for good: the writer can retry
        elif step.kind == "crash":
            self.model_state = "crashed"
        suggestion = self.suggestion
        if self._mine(job):
            for alt in suggestion.alternatives:  # type: ignore[union-attr]  # what streamed before the failure stays
                if not alt.finished and alt.text:
                    alt.reason, alt.prompt = "failed", None
                    self._update(Shown(suggestion.record(alt)))  # type: ignore[union-attr]
        self.load_progress = None
        self.error = step.message
        return "text"

    def ended(self, job: int, *, cancelled: bool = False, failure: BaseException | None = None) -> Redraw:
        """Job ``job`` has stopped running (its thread is done): ``cancelled`` when its runner was
        cancelled, ``failure`` when it died of an unexpected error (a bug: said, not hidden).
        The second side of a blind comparison starts here, once the first has wholly ended."""
        if self._load is not None and self._load.id == job:
            if failure is not None:
                self._load = None
                self.model_state = "failed"
                self.error = f"load-model failed: {failure.__class__.__name__}: {failure}"
                return "text"
            return None
        if not self._current(job):
            return None
        current = self._job
        assert current is not None
        if failure is not None:
            self._stop_job()
            self.error = f"generate failed: {failure.__class__.__name__}: {failure}"
            return "text"
        if current.primes is not None:
            self.primed_at = current.primes
        suggestion = self.suggestion
        mine = suggestion is not None and current.suggestion == suggestion.id
        pending = list(suggestion.pending) if mine else []  # type: ignore[union-attr]
        if pending and not cancelled and not self.error and not self._cancelled_blind():
            slot, steered, request, key = pending[0]  # the other side of a blind comparison
            self._job = None
            self._start(suggestion, request, first_slot=slot, steered=steered, request_key=key)  # type: ignore[arg-type]
            suggestion.pending = pending[1:]  # type: ignore[union-attr]
            return "text"
        self._stop_job()
        if self.error and suggestion is not None and not any(a.text for a in suggestion.alternatives):
            self.suggestion = None  # it failed before any text: the error says why
        return "text"

    def _cancelled_blind(self) -> bool:
        """A side of a blind comparison was stopped: the next one is not sampled."""
        suggestion = self.suggestion
        return suggestion is None or any(a.reason == CANCELLED for a in suggestion.alternatives)

    # ------------------------------------------------------------------ running here
    def run(self) -> None:
        """Run the queued jobs in this thread, one after the other (a blind comparison's second
        side is queued when the first ends), applying their steps as they come. For owners
        without an event loop of their own: ``scenewright continue``, ``scenewright serve``."""
        while self.queued:
            job = self.queued.pop(0)
            self.run_job(job)

    def run_job(self, job: Job, on_step: Callable[[Job, Step], Any] | None = None) -> None:
        """Iterate ``job``'s generation here, applying each step (``on_step`` sees it after)."""
        feed = job.feed()
        generation = job.generation
        assert generation is not None
        try:
            for event in generation:
                for step in feed.steps(event):
                    self.apply(job.id, step)
                    if on_step is not None:
                        on_step(job, step)
        except BaseException as exc:
            self.ended(job.id, failure=exc)
            raise
        if job.loads:
            if feed.ended_by is None:
                self.loaded(job.id)
            return
        self.ended(job.id)
