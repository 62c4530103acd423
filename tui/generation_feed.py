"""Session steps as the panel's messages: what the panel's workers post.

The engine's events become steps in :class:`engine.session.feed.Feed` (in the worker's thread);
each step travels to the panel as the message of its kind, which carries it back
(``message.step``) for the session to apply on the UI thread. The same translation serves the
workers and :meth:`~tui.widgets.suggestion_panel.SuggestionPanel.replay` (a fixed list of
events: a deterministic snapshot of the panel).
"""

from __future__ import annotations

from textual.message import Message

from engine.session.feed import Assembled, Failed, Finished, Loading, Progress, Restarted, Step, Streamed

from .messages import (
    AlternativeFinished,
    AlternativeRestarted,
    ContextAssembled,
    ModelFailed,
    ModelLoading,
    PromptProgress,
    TokensStreamed,
)


def message_of(job: int, step: Step) -> Message:
    """The message that carries ``step`` of job ``job``."""
    if isinstance(step, Streamed):
        return TokensStreamed(job, step.slot, step.text)
    if isinstance(step, Progress):
        return PromptProgress(job, step.slot, step.done, step.total)
    if isinstance(step, Loading):
        return ModelLoading(job, step.model, step.stage, step.fraction)
    if isinstance(step, Assembled):
        return ContextAssembled(job, step.context)
    if isinstance(step, Restarted):
        return AlternativeRestarted(job, step.slot, step.reason, step.seed)
    if isinstance(step, Finished):
        return AlternativeFinished(job, step.slot, step.done, step.stats)
    if isinstance(step, Failed):
        return ModelFailed(job, step.model, step.message, step.kind)
    raise TypeError(f"not a session step: {step!r}")
