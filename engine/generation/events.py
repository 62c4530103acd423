"""What a generation reports, in order, as plain immutable objects (no UI types).

For one request the stream is::

    LoadEvent*            only when the model is not loaded yet (stages: assemble, verify, load, calibrate, ready)
    ContextEvent          what the model will read: prompt text, token count, what was trimmed
    then per alternative (index 0, 1, ...):
        PromptEvent*      prompt evaluation progress (tokens done / total), after the reused prefix
        TokenEvent*       streamed text; provisional: DoneEvent.text is the final word
        RetryEvent?       the repetition guard threw the alternative away and samples it again
        StatsEvent        counts and timings of the alternative
        DoneEvent         final text and why it ended
    ErrorEvent            instead of the rest, when something fails (the stream then ends); for a server
                          that fails mid-stream (kind "server") it carries the text streamed so far

A cancelled request ends with ``DoneEvent(reason="cancelled")`` for the alternative in progress.
"""

from __future__ import annotations

from dataclasses import dataclass

# DoneEvent.reason values
STOP = "stop"  # a stop sequence was produced (not included in the text)
EOS = "eos"  # the model ended the text (end-of-generation token)
LENGTH = "length"  # max_tokens reached
CONTEXT = "context"  # the context window is full
SCENE_END = "scene-end"  # a shaped continuation reached the next scene's heading (not included in the text)
REPETITION = "repetition"  # the repetition guard cut a loop off (the loop is not in the text)
CANCELLED = "cancelled"


@dataclass(frozen=True)
class LoadEvent:
    model: str
    stage: str  # assemble | verify | download | load | calibrate | ready
    fraction: float | None  # 0..1 within the stage, None when unknown


@dataclass(frozen=True)
class ContextEvent:
    model: str
    prompt: str  # the exact text the model reads (instructions + script before the cursor)
    prompt_tokens: int
    script_chars: int  # characters of the script included
    dropped_chars: int  # characters of the script before the cursor left out (trimmed at scene boundaries)
    first_line: int  # 0-based script line where the included script starts
    rendered: object | None = None  # the steering RenderedPrompt (sections, anchors, trimmed), when one was used


@dataclass(frozen=True)
class PromptEvent:
    index: int
    done: int  # prompt tokens in the KV cache so far (reused prefix included)
    total: int


@dataclass(frozen=True)
class TokenEvent:
    text: str
    index: int = 0


@dataclass(frozen=True)
class RetryEvent:
    index: int
    reason: str  # why the text streamed so far for this alternative was discarded
    seed: int  # the new seed


@dataclass(frozen=True)
class StatsEvent:
    model: str
    prompt_tokens: int  # tokens of the prompt
    cached_tokens: int  # of which reused from the previous request (prefix cache)
    generated_tokens: int
    ttft_ms: float  # request start (model loaded) to the first generated token
    prompt_ms: float  # evaluating the prompt tokens that were not cached
    tokens_per_s: float  # generation speed after the first token
    prompt_tokens_per_s: float  # evaluated (uncached) prompt tokens per second; 0 when all were cached
    threads: tuple[int, int]  # (n_threads, n_threads_batch)
    index: int = 0
    load_ms: float = 0.0  # model loading time paid by this request (0 when already loaded)


@dataclass(frozen=True)
class DoneEvent:
    text: str
    reason: str  # stop | eos | length | context | repetition | cancelled
    index: int = 0
    seed: int = 0
    prompt_ref: tuple[str, int] | None = None  # (prompt id, version) of the library prompt used


@dataclass(frozen=True)
class ErrorEvent:
    message: str  # a sentence for the writer (model missing, file broken, config error with file:line)
    kind: str = "generation"  # config | model | server | generation
    text: str = ""  # the text streamed before the failure (a server that died mid-stream): keep it
    index: int = 0  # the alternative ``text`` belongs to


Event = LoadEvent | ContextEvent | PromptEvent | TokenEvent | RetryEvent | StatsEvent | DoneEvent | ErrorEvent
