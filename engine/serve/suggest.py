"""One suggestion request of the HTTP service, without HTTP: where it goes in the script, how it is
steered (the prompt library, the request's anchors), the request the engine runs, and the record
it leaves in the edit log. ``engine.serve.app`` wraps it in routes.

The text is the script itself (the service keeps no file): a request names where to write with a
1-based ``line`` (after that line), a ``scene`` (its number or heading: after its last line), or
nothing (the end). A rewrite or alternatives request names the passage it works on, ``selection``,
which must occur in the text; the model reads the script before it, and ``render_script`` puts the
rewrite in its place.

Edit-log records name the script ``serve://KEY/DOCUMENT`` (the key's name, the request's
``document``), so the same key's ``POST /feedback`` lands on its own suggestions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.generation import ContextEvent, ContinueRequest, StatsEvent
from engine.session import Alternative, GenerationSettings, SuggestionSession, steered_request
from engine.session.recording import model_identity, request_fields
from engine.steering import Anchor, AnchorStore, PromptError, load_library
from engine.steering.anchors import KINDS as ANCHOR_KINDS
from engine.steering.steer import Steered, anchor_cast, steer

KINDS = ("continue", "dialogue", "rewrite", "alternatives", "beat")
SELECTION_KINDS = ("rewrite", "alternatives")
SCHEME = "serve://"


class BadRequest(ValueError):
    """What is wrong with a request, for the writer's tool (the server's 422)."""


@dataclass(frozen=True)
class Ask:
    kind: str
    text: str
    document: str = "untitled"
    line: int | None = None
    scene: str | None = None
    selection: str | None = None
    instruction: str | None = None
    beat: str | None = None
    prompt: str | None = None
    anchors: tuple[tuple[str, str], ...] = ()  # (kind, text)
    model: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    n: int = 1


@dataclass
class Prepared:
    ask: Ask
    cursor: tuple[int, int]
    replace: tuple[int, int] | None  # character offsets of the passage a rewrite replaces
    steered: Steered
    request: ContinueRequest
    settings: GenerationSettings
    problems: list[str] = field(default_factory=list)
    entry: Any = None  # the ModelEntry the request resolved to (set by the service)


def place(ask: Ask) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(cursor, replaced span) of ``ask`` in its text; BadRequest saying what does not fit."""
    text = ask.text
    lines = text.split("\n")
    if ask.kind in SELECTION_KINDS:
        if not ask.selection or not ask.selection.strip():
            raise BadRequest(f"a {ask.kind} request needs `selection`: the passage of `text` to work on")
        start = text.find(ask.selection)
        if start < 0:
            raise BadRequest("`selection` does not occur in `text` (it must be copied from it exactly)")
        before = text[:start].split("\n")
        return (len(before) - 1, len(before[-1])), (start, start + len(ask.selection))
    if ask.kind == "beat" and not (ask.beat or "").strip():
        raise BadRequest("a beat request needs `beat`: what happens in the scene to write")
    if ask.line is not None and ask.scene is not None:
        raise BadRequest("give `line` or `scene`, not both")
    if ask.line is not None:
        if not 1 <= ask.line <= len(lines):
            raise BadRequest(f"`line` {ask.line}: the text has {len(lines)} lines")
        row = ask.line - 1
        return (row, len(lines[row])), None
    if ask.scene is not None:
        from engine.steering.structure import ScriptMap

        found = ScriptMap.build(text).find_scenes(str(ask.scene))
        if not found:
            raise BadRequest(f"`scene` {ask.scene!r}: no scene of that number or heading")
        if len(found) > 1:
            raise BadRequest(f"`scene` {ask.scene!r}: {len(found)} scenes have that heading; give its number")
        row = found[0].end
        while row > found[0].start and not lines[row].strip():
            row -= 1
        return (row, len(lines[row])), None
    return (len(lines) - 1, len(lines[-1])), None


def anchor_store(anchors: tuple[tuple[str, str], ...]) -> AnchorStore | None:
    if not anchors:
        return None
    made = []
    for i, (kind, text) in enumerate(anchors):
        if kind not in ANCHOR_KINDS:
            raise BadRequest(f"anchors[{i}].kind {kind!r}: one of {', '.join(ANCHOR_KINDS)}")
        if not text.strip():
            raise BadRequest(f"anchors[{i}].text is empty")
        made.append(Anchor(id=f"request-{i}", kind=kind, text=text))
    return AnchorStore(Path("/dev/null/request.anchors.toml"), made)  # in memory; never saved


def prepare(ask: Ask, library=None) -> Prepared:
    if ask.kind not in KINDS:
        raise BadRequest(f"kind {ask.kind!r}: one of {', '.join(KINDS)}")
    cursor, replace = place(ask)
    store = anchor_store(ask.anchors)
    library = library or load_library()
    prompt = ask.prompt
    if prompt is None and ask.kind != "continue":
        of_kind = library.of_kind(ask.kind)
        if ask.kind in library.versions and library.current(ask.kind).kind == ask.kind:
            prompt = library.current(ask.kind)
        elif of_kind:
            prompt = of_kind[0]
        else:
            raise BadRequest(f"the prompt library has no prompt of kind {ask.kind!r}")
    try:
        steered = steer(ask.text, cursor, prompt=prompt, library=library, store=store,
                        selection_text=ask.selection if ask.kind in SELECTION_KINDS else None,
                        instruction=ask.instruction, beat=ask.beat)
    except PromptError as exc:
        raise BadRequest(str(exc)) from None
    if store is not None:
        steered.overrides["cast"] = anchor_cast(store)
    settings = GenerationSettings(model=ask.model, max_tokens=ask.max_tokens, temperature=ask.temperature,
                                  top_p=ask.top_p, seed=ask.seed, alternatives=ask.n)
    request = steered_request(steered, settings)  # as the editor and `scenewright continue` make one
    return Prepared(ask, cursor, replace, steered, request, settings, list(steered.problems))


class Outcome:
    """One request's life, owned by a :class:`~engine.session.SuggestionSession` of its own (the
    same object the editor's panel and ``scenewright continue`` use), and what the service reads
    of it: the alternatives' texts, why each ended, the statistics, the error."""

    def __init__(self, engine, prepared: "Prepared") -> None:
        self.session = SuggestionSession(engine)
        self.session.settings = prepared.settings
        self.session.request(prepared.ask.text, prepared.cursor, steered=prepared.steered)
        self.job = self.session.queued.pop()
        self.feed = self.job.feed()
        self.ids: tuple[str, list[str]] | None = None  # (request id, suggestion ids) once recorded
        self._context: ContextEvent | None = None  # kept here too: a request failing before any
        # text is dropped from the session, and its prompt's tokens still count

    @property
    def generation(self):
        return self.job.generation

    def see(self, event: Any) -> None:
        """An engine event of the request (in the service's event loop: the session is applied there)."""
        if isinstance(event, ContextEvent):
            self._context = event
        for step in self.feed.steps(event):
            self.session.apply(self.job.id, step)

    @property
    def cancelled(self) -> bool:
        """An alternative ended cancelled (the client went away, or the server is shutting down),
        even one the session dropped because nothing of it had come."""
        return self.feed.ended_by == "cancelled" or "cancelled" in self.reasons

    def ended(self) -> None:
        self.session.ended(self.job.id)

    @property
    def alternatives(self) -> list[Alternative]:
        suggestion = self.session.suggestion
        return [a for a in suggestion.alternatives if a.finished or a.text] if suggestion else []

    @property
    def texts(self) -> list[str]:
        return [a.text for a in self.alternatives]

    @property
    def reasons(self) -> list[str]:
        return [a.reason or "" for a in self.alternatives]

    @property
    def seeds(self) -> list[int | None]:
        return [a.seed for a in self.alternatives]

    @property
    def stats(self) -> list[StatsEvent]:
        return [a.stats for a in self.alternatives if a.stats is not None]

    @property
    def context(self) -> ContextEvent | None:
        suggestion = self.session.suggestion
        return suggestion.context if suggestion is not None and suggestion.context else self._context

    @property
    def prompt_ref(self) -> tuple[str, int] | None:
        return next((a.prompt_ref for a in self.alternatives if a.prompt_ref), None)

    @property
    def error(self) -> str | None:
        return self.session.error

    @property
    def error_kind(self) -> str | None:
        return self.session.error_kind if self.session.error else None

    @property
    def prompt_tokens(self) -> int:
        return self.stats[0].prompt_tokens if self.stats else (self.context.prompt_tokens if self.context else 0)

    @property
    def generated_tokens(self) -> int:
        return sum(s.generated_tokens for s in self.stats)

    @property
    def ttft_ms(self) -> float | None:
        return self.stats[0].ttft_ms if self.stats else None

    @property
    def model(self) -> str | None:
        return self.stats[0].model if self.stats else (self.context.model if self.context else None)


def script_name(key: str, document: str) -> str:
    return f"{SCHEME}{key}/{document}"


def record(log, key: str, prepared: Prepared, outcome: Outcome, engine) -> tuple[str, list[str]]:
    """(request id, suggestion ids) written to the edit log for a request that came back: the
    same fields the editor records (:func:`engine.session.recording.request_fields`), the script
    named ``serve://KEY/DOCUMENT``."""
    suggestion = outcome.session.suggestion
    assert suggestion is not None
    _, model_hash, model_path = model_identity(engine, prepared.entry or prepared.ask.model)
    request_id = None
    ids = []
    for i, alt in enumerate(outcome.alternatives):
        row = suggestion.record(alt)
        if request_id is None:
            fields = request_fields(row, script_name(key, prepared.ask.document), model_hash)
            if fields["seed"] is None:  # no seed asked for: the one it ran with, so the row can be replayed
                fields["seed"] = row.seed
            request_id = log.record_request(id=row.request_key, **fields, model_path=model_path)
        ids.append(log.record_suggestion(request_id, row.text, i, id=row.key, seed=row.seed,
                                         finish_reason=row.reason, stats=row.stats))
    return request_id, ids


def rendered_script(prepared: Prepared, text: str) -> str:
    """The script with ``text`` written in: at the cursor, or over the rewritten passage."""
    script = prepared.ask.text
    if prepared.replace is not None:
        start, end = prepared.replace
        return script[:start] + text + script[end:]
    row, col = prepared.cursor
    lines = script.split("\n")
    offset = sum(len(line) + 1 for line in lines[:row]) + col
    joiner = "" if not script[:offset] or script[:offset].endswith("\n") or text.startswith("\n") else "\n"
    return script[:offset] + joiner + text + script[offset:]


FEEDBACK_DECISIONS = ("accepted", "accepted_part", "edited", "rejected")


def feedback(log, key: str, suggestion_id: str, decision: str, *, accepted_text: str | None = None,
             final_text: str | None = None, ratings: dict[str, int] | None = None,
             tags: list[str] | None = None) -> dict:
    """The writer's decision on a suggestion this key was given, as the editor records one."""
    if decision not in FEEDBACK_DECISIONS:
        raise BadRequest(f"decision {decision!r}: one of {', '.join(FEEDBACK_DECISIONS)}")
    from engine.editlog import UnknownId

    try:
        row = log.suggestion(suggestion_id)
    except UnknownId:
        row = None
    if row is None or not str(row.get("script", "")).startswith(script_name(key, "")):
        raise LookupError(f"no suggestion {suggestion_id} was made for key {key}")
    if decision == "rejected":
        log.mark(suggestion_id, "rejected")
    else:
        if decision == "accepted_part" and not accepted_text:
            raise BadRequest("accepted_part needs `accepted_text`: the part the writer kept")
        if decision == "edited" and final_text is None:
            raise BadRequest("edited needs `final_text`: the text as the writer left it")
        log.mark(suggestion_id, "accepted_part" if decision == "accepted_part" else "accepted",
                 accepted_text=accepted_text if decision == "accepted_part" else None)
        if final_text is not None:
            log.record_final(suggestion_id, final_text)
    if ratings or tags is not None:
        ratings = ratings or {}
        unknown = set(ratings) - {"plot", "dialogue", "tone"}
        if unknown:
            raise BadRequest(f"ratings: plot, dialogue and tone only (not {', '.join(sorted(unknown))})")
        try:
            log.rate(suggestion_id, **ratings, tags=tags)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    return log.suggestion(suggestion_id)
