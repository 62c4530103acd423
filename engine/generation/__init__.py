"""Generation: context assembly under a token budget, guarded streaming, events for the TUI and CLI.

Joins ``engine.models`` (weights, llama.cpp) and ``engine.fountain`` (scene boundaries).

    from engine.generation import GenerationEngine, ContinueRequest, TokenEvent, DoneEvent
    engine = GenerationEngine()
    gen = engine.continue_at(text, (row, col), ContinueRequest(max_tokens=120, n=3))
    for event in gen: ...          # a worker thread; gen.cancel() from anywhere
"""

from .context import DEFAULT_INSTRUCTIONS, AssembledContext, ContextBuilder, PromptPart, text_before_cursor
from .events import (
    CANCELLED,
    CONTEXT,
    EOS,
    LENGTH,
    REPETITION,
    SCENE_END,
    STOP,
    ContextEvent,
    DoneEvent,
    ErrorEvent,
    Event,
    LoadEvent,
    PromptEvent,
    RetryEvent,
    StatsEvent,
    TokenEvent,
)
from .guards import RepetitionGuard, StopFilter
from .request import ContinueRequest, Sampling
from .session import Generation, GenerationEngine, context_builder

__all__ = [
    "AssembledContext",
    "CANCELLED",
    "CONTEXT",
    "ContextBuilder",
    "ContextEvent",
    "ContinueRequest",
    "DEFAULT_INSTRUCTIONS",
    "DoneEvent",
    "EOS",
    "ErrorEvent",
    "Event",
    "Generation",
    "GenerationEngine",
    "LENGTH",
    "LoadEvent",
    "PromptEvent",
    "PromptPart",
    "REPETITION",
    "RepetitionGuard",
    "RetryEvent",
    "SCENE_END",
    "STOP",
    "Sampling",
    "StatsEvent",
    "StopFilter",
    "TokenEvent",
    "context_builder",
    "text_before_cursor",
]
