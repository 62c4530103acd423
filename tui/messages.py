"""Messages: what workers post back to the widgets that started them (workers never touch
widgets), and what the suggestion panel tells the app about the writer's decisions."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from engine.fountain import Outline
from engine.fountain.pagination import Pages
from engine.generation import ContextEvent, DoneEvent, StatsEvent

from engine.session import Rating, SuggestionRecord
from engine.session import feed


@dataclass(frozen=True)
class ScriptFacts:
    """What the stats worker computed for one version of the text."""

    generation: int
    pages: Pages
    outline: list[Outline]
    scene_lines: list[int]
    scene_numbers: list[str | None]


class StatsReady(Message):
    def __init__(self, facts: ScriptFacts) -> None:
        super().__init__()
        self.facts = facts


class SaveFinished(Message):
    """A save ended: ``error`` is None on success."""

    def __init__(self, generation: int, error: Exception | None, quit_after: bool) -> None:
        super().__init__()
        self.generation = generation
        self.error = error
        self.quit_after = quit_after


class RecoveryWritten(Message):
    def __init__(self, generation: int, error: Exception | None, changed_on_disk: bool) -> None:
        super().__init__()
        self.generation = generation
        self.error = error
        self.changed_on_disk = changed_on_disk


# ---------------------------------------------------------------------- the model panel
# What the panel's workers post to it (one message per engine event; workers never touch
# widgets). Streaming messages carry the text so far, not a delta, so a burst of them can be
# collapsed into the newest (``can_replace``) without losing a token.


class ModelLoading(Message):
    """Load progress of ``model`` (``LoadEvent``): stage assemble | verify | download | load |
    calibrate | ready; ``fraction`` 0..1 within the stage, None when unknown."""

    def __init__(self, job: int, model: str, stage: str, fraction: float | None) -> None:
        super().__init__()
        self.job = job
        self.model = model
        self.stage = stage
        self.fraction = fraction

    @property
    def step(self) -> feed.Loading:
        return feed.Loading(self.model, self.stage, self.fraction)

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, ModelLoading) and message.job == self.job and message.stage == self.stage
        )


class ModelLoaded(Message):
    """A load requested ahead of use (``GenerationEngine.load``) finished: ``model`` is ready."""

    def __init__(self, job: int, model: str) -> None:
        super().__init__()
        self.job = job
        self.model = model


class ModelFailed(Message):
    """Loading or using the model failed; ``message`` is a sentence for the writer."""

    def __init__(self, job: int, model: str | None, message: str, kind: str) -> None:
        super().__init__()
        self.job = job
        self.model = model
        self.message = message
        self.kind = kind  # config | model | generation

    @property
    def step(self) -> feed.Failed:
        return feed.Failed(self.model, self.message, self.kind)


class ContextAssembled(Message):
    """What the model will read for the request of ``job`` (``ContextEvent``)."""

    def __init__(self, job: int, context: ContextEvent) -> None:
        super().__init__()
        self.job = job
        self.context = context

    @property
    def step(self) -> feed.Assembled:
        return feed.Assembled(self.context)


class PromptProgress(Message):
    """Prompt evaluation of alternative ``slot``: ``done`` of ``total`` tokens in the cache."""

    def __init__(self, job: int, slot: int, done: int, total: int) -> None:
        super().__init__()
        self.job = job
        self.slot = slot
        self.done = done
        self.total = total

    @property
    def step(self) -> feed.Progress:
        return feed.Progress(self.slot, self.done, self.total)

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, PromptProgress)
            and message.job == self.job
            and message.slot == self.slot
        )


class TokensStreamed(Message):
    """Alternative ``slot`` so far (all of its text, not just the new tokens)."""

    def __init__(self, job: int, slot: int, text: str) -> None:
        super().__init__()
        self.job = job
        self.slot = slot
        self.text = text

    @property
    def step(self) -> feed.Streamed:
        return feed.Streamed(self.slot, self.text)

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, TokensStreamed)
            and message.job == self.job
            and message.slot == self.slot
        )


class AlternativeRestarted(Message):
    """The repetition guard threw alternative ``slot`` away; it is being sampled again."""

    def __init__(self, job: int, slot: int, reason: str, seed: int) -> None:
        super().__init__()
        self.job = job
        self.slot = slot
        self.reason = reason
        self.seed = seed

    @property
    def step(self) -> feed.Restarted:
        return feed.Restarted(self.slot, self.reason, self.seed)


class AlternativeFinished(Message):
    """Alternative ``slot`` ended: ``done`` has the final text and why it ended."""

    def __init__(self, job: int, slot: int, done: DoneEvent, stats: StatsEvent | None) -> None:
        super().__init__()
        self.job = job
        self.slot = slot
        self.done = done
        self.stats = stats

    @property
    def step(self) -> feed.Finished:
        return feed.Finished(self.slot, self.done, self.stats)


class GenerationEnded(Message):
    """The replayed steps of ``job`` are all posted (``SuggestionPanel.replay``); a job run by a
    worker has ended when its worker has (``Worker.StateChanged``)."""

    def __init__(self, job: int) -> None:
        super().__init__()
        self.job = job


# The writer's decisions, as the panel's session made them (``engine.session.updates``); the
# session has given them to its recorder (the edit log) already. Each carries a ``SuggestionRecord``.


class SuggestionShown(Message):
    """An alternative finished streaming and is on show (``record.reason`` says how it ended)."""

    def __init__(self, record: SuggestionRecord) -> None:
        super().__init__()
        self.record = record


class SuggestionAccepted(Message):
    """The writer put ``text`` (all that was offered, or its first line) into the script at ``at``.

    ``end``: where what went in ends (it may carry a blank line before ``text``, or replace a
    selection), and ``version``: the editor's document version just after, so that the edit
    log can follow the inserted text through edits made before this message arrives."""

    def __init__(self, record: SuggestionRecord, part: str, text: str, at: tuple[int, int],
                 end: tuple[int, int] | None = None, version: int | None = None) -> None:
        super().__init__()
        self.record = record
        self.part = part  # "whole" | "line"
        self.text = text
        self.at = at
        self.end = end
        self.version = version


class SuggestionRejected(Message):
    """The writer dismissed the suggestion (``why``: "dismissed") or asked for a new one
    in its place ("replaced") without accepting any of it."""

    def __init__(self, record: SuggestionRecord, why: str) -> None:
        super().__init__()
        self.record = record
        self.why = why


class SuggestionRetried(Message):
    """The writer asked for another sample instead of ``record``."""

    def __init__(self, record: SuggestionRecord) -> None:
        super().__init__()
        self.record = record


class BlindPicked(Message):
    """The writer picked ``winner`` ("A", "B", or None for neither) of a blind A/B comparison:
    ``a`` was shown as A, ``b`` as B; ``key`` is the comparison's id."""

    def __init__(self, a: SuggestionRecord, b: SuggestionRecord, winner: str | None, key: str) -> None:
        super().__init__()
        self.a = a
        self.b = b
        self.winner = winner
        self.key = key


class SuggestionRated(Message):
    """The writer rated the suggestion ``record``."""

    def __init__(self, record: SuggestionRecord, rating: Rating) -> None:
        super().__init__()
        self.record = record
        self.rating = rating


class EditLogProblem(Message):
    """The edit log failed (posted from its writer thread): ``message`` names the file and the
    cause; ``unavailable``: it could not be opened, nothing is recorded this session."""

    def __init__(self, message: str, unavailable: bool) -> None:
        super().__init__()
        self.message = message
        self.unavailable = unavailable


class SpellingChecked(Message):
    """The spelling worker's result for the text at ``generation``: misspelled spans by line
    text, or ``problem`` (no dictionary, unreadable word list)."""

    def __init__(self, generation: int, found: dict[str, list[tuple[int, int]]], problem: str | None) -> None:
        super().__init__()
        self.generation = generation
        self.found = found
        self.problem = problem


class SpellingSuggested(Message):
    """Suggestions for the misspelled ``word`` at ``row``, ``start``..``end``."""

    def __init__(self, row: int, start: int, end: int, word: str, suggestions: list[str]) -> None:
        super().__init__()
        self.row, self.start, self.end, self.word = row, start, end, word
        self.suggestions = suggestions
