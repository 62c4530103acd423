"""The generation engine with the real default model: streaming, cancellation, prefix reuse, guards."""

from __future__ import annotations

import threading
import time

import pytest

from engine.generation import (
    CANCELLED,
    REPETITION,
    STOP,
    ContextEvent,
    ContinueRequest,
    DoneEvent,
    ErrorEvent,
    LoadEvent,
    PromptEvent,
    StatsEvent,
    TokenEvent,
)
from engine.models import user_registry_path
from model_helpers import end_of, of_type

GENEROUS_S = 2.0  # cancellation must end the stream well within this (it takes milliseconds)


def long_script(example_text: str, scenes: int) -> str:
    """Many distinct scenes (the example script's body with renumbered headings)."""
    body = example_text.split("\n\n", 1)[1]
    parts = []
    for i in range(scenes):
        parts.append(f"INT. STORAGE ROOM {i} - NIGHT\n\n" + body.replace("#", f"#{i}-"))
    return "\n\n".join(parts)


def test_tokens_stream_and_stats_describe_the_request(engine, example_text):
    events = list(engine.continue_at(example_text, end_of(example_text), ContinueRequest(max_tokens=24, seed=7)))
    kinds = [type(e) for e in events]
    assert kinds[0] is ContextEvent
    assert kinds[-2:] == [StatsEvent, DoneEvent]
    tokens = of_type(events, TokenEvent)
    assert len(tokens) >= 5  # streamed piece by piece, not at the end
    assert kinds.index(TokenEvent) < kinds.index(StatsEvent)
    context, stats, done = events[0], events[-2], events[-1]
    if done.reason in ("length", "eos"):
        assert "".join(t.text for t in tokens) == done.text
    assert done.seed == 7
    assert stats.model == "gemma3-270m"
    assert stats.prompt_tokens == context.prompt_tokens > 100
    assert 0 < stats.generated_tokens <= 24
    assert stats.ttft_ms > 0 and stats.tokens_per_s > 0
    assert context.prompt.startswith("The following is a screenplay")
    assert context.prompt.endswith(example_text)
    assert context.dropped_chars == 0


def test_asking_again_after_typing_reuses_the_cached_prefix(engine, example_text):
    request = ContinueRequest(max_tokens=8, seed=1)
    first = of_type(list(engine.continue_at(example_text, end_of(example_text), request)), StatsEvent)[0]
    typed = example_text + "Marisol smiles"
    second = of_type(list(engine.continue_at(typed, end_of(typed), request)), StatsEvent)[0]
    assert second.prompt_tokens > first.prompt_tokens
    evaluated = second.prompt_tokens - second.cached_tokens
    assert second.cached_tokens >= first.prompt_tokens - 3
    assert evaluated <= 8, second


def test_reused_prefix_gives_the_same_text_as_a_fresh_context(engine, model, example_text):
    greedy = ContinueRequest(max_tokens=16, temperature=0.0, seed=1)
    typed = example_text + "José drops the oranges"
    list(engine.continue_at(example_text, end_of(example_text), greedy))
    reused = list(engine.continue_at(typed, end_of(typed), greedy))
    with model.lock:
        model.clear_cache()
    fresh = list(engine.continue_at(typed, end_of(typed), greedy))
    assert of_type(reused, StatsEvent)[0].cached_tokens > 0
    assert of_type(fresh, StatsEvent)[0].cached_tokens == 0
    # A reused prefix is evaluated in other batches than a fresh prompt, and llama.cpp's sums are
    # not bit-identical across batch splits: greedy texts part at the first near-tie (with the
    # example's title page that is the second token). A wrong cache (stale or shifted tokens)
    # shows at once, in the first token.
    first = [of_type(run, TokenEvent)[0].text for run in (reused, fresh)]
    assert first[0] == first[1], first


def test_cancel_during_prompt_evaluation(engine, model, example_text):
    script = long_script(example_text, 5)  # about 3,500 tokens: seconds of prompt evaluation on 2 cores
    with model.lock:
        model.clear_cache()
    generation = engine.continue_at(script, end_of(script), ContinueRequest(max_tokens=8, seed=1))
    events, asked = [], {}

    def cancel_soon():
        asked["at"] = time.perf_counter()
        generation.cancel()

    for event in generation:
        events.append(event)
        if isinstance(event, ContextEvent):
            threading.Timer(0.05, cancel_soon).start()
    ended = time.perf_counter()
    assert not of_type(events, TokenEvent)
    done = of_type(events, DoneEvent)
    assert done and done[-1].reason == CANCELLED
    assert ended - asked["at"] < GENEROUS_S
    # The evaluation stopped part-way, and the model goes on serving requests.
    context = of_type(events, ContextEvent)[0]
    assert model.cached_tokens < context.prompt_tokens
    again = list(engine.continue_at(example_text, end_of(example_text), ContinueRequest(max_tokens=2, seed=1)))
    assert of_type(again, DoneEvent)[0].reason != CANCELLED


def test_cancel_from_another_thread_during_generation(engine, example_text):
    generation = engine.continue_at(example_text, end_of(example_text), ContinueRequest(max_tokens=150, seed=3))
    events: list = []
    first_tokens = threading.Event()
    finished = threading.Event()

    def consume():
        for event in generation:
            events.append(event)
            if len(of_type(events, TokenEvent)) == 3:
                first_tokens.set()
        finished.set()

    worker = threading.Thread(target=consume)
    worker.start()
    assert first_tokens.wait(60)
    generation.cancel()
    assert finished.wait(GENEROUS_S)
    worker.join()
    done = of_type(events, DoneEvent)[-1]
    assert done.reason == CANCELLED
    assert of_type(events, StatsEvent)[-1].generated_tokens < 150
    assert done.text == "".join(t.text for t in of_type(events, TokenEvent))


def test_stop_sequences_end_the_text_before_them(engine, example_text):
    request = ContinueRequest(max_tokens=60, seed=2, stop=("e",))
    events = list(engine.continue_at(example_text, end_of(example_text), request))
    done = of_type(events, DoneEvent)[0]
    assert done.reason == STOP
    assert "e" not in done.text
    assert "e" not in "".join(t.text for t in of_type(events, TokenEvent))
    # a stream left at a stop sequence still reports how the prompt was evaluated
    again = of_type(list(engine.continue_at(example_text, end_of(example_text), request)), StatsEvent)[0]
    assert again.cached_tokens >= again.prompt_tokens - 1 and again.prompt_ms >= 0
    assert of_type(events, StatsEvent)[0].prompt_ms > 0 or of_type(events, StatsEvent)[0].cached_tokens > 0


def test_repetition_guard_cuts_a_loop(engine):
    looping = "INT. HALL - NIGHT\n\n" + "TOM\nI said no.\n\n" * 30
    request = ContinueRequest(max_tokens=80, temperature=0.0, seed=1, loop_retries=0)
    done = of_type(list(engine.continue_at(looping, end_of(looping), request)), DoneEvent)[0]
    assert done.reason == REPETITION
    assert done.text.count("I said no.") <= 2


def test_alternatives_come_one_after_another_with_their_own_seeds(engine, example_text):
    request = ContinueRequest(max_tokens=6, seed=11, n=2)
    events = list(engine.continue_at(example_text, end_of(example_text), request))
    done = of_type(events, DoneEvent)
    stats = of_type(events, StatsEvent)
    assert [d.index for d in done] == [0, 1] and [d.seed for d in done] == [11, 12]
    assert [t.index for t in of_type(events, TokenEvent)] == sorted(t.index for t in of_type(events, TokenEvent))
    assert stats[1].cached_tokens >= stats[1].prompt_tokens - 1  # the prompt is evaluated once


def test_long_script_is_trimmed_at_a_scene_boundary(engine, model, example_text):
    from engine.fountain import Kind, parse

    script = long_script(example_text, 3)
    # A long max_tokens leaves a small prompt budget (n_ctx - max_tokens): the script must be trimmed.
    request = ContinueRequest(max_tokens=model.n_ctx - 600, seed=1)

    def context_of(text: str):
        generation = engine.continue_at(text, end_of(text), request)
        for event in generation:
            if isinstance(event, TokenEvent):
                generation.cancel()
        return generation.context  # the AssembledContext the model read

    first = context_of(script)
    assert first.dropped_chars > 0
    assert len(first.tokens) <= first.budget <= 600
    included = first.prompt[first.prompt.index("\n\n") + 2 :]
    assert parse(included).elements[0].kind == Kind.SCENE_HEADING
    assert parse(script).line_kinds[script.count("\n", 0, first.dropped_chars)] == Kind.SCENE_HEADING
    # Typing at the end keeps the same cut, so the cached prefix survives.
    typed = script + "She waits"
    assert context_of(typed).dropped_chars == first.dropped_chars


def test_second_request_waits_for_the_first(engine, example_text):
    request = ContinueRequest(max_tokens=6, seed=5)
    first = engine.continue_at(example_text, end_of(example_text), request)
    results: dict = {}
    worker = threading.Thread(target=lambda: results.setdefault("first", list(first)))
    worker.start()
    second = list(engine.continue_at(example_text, end_of(example_text), request))
    worker.join()
    assert of_type(results["first"], DoneEvent) and of_type(second, DoneEvent)


def test_unknown_model_and_config_mistakes_are_error_events(engine, example_text):
    events = list(engine.continue_at(example_text, (0, 0), ContinueRequest(model="no-such-model")))
    assert [type(e) for e in events] == [ErrorEvent]
    assert events[0].kind == "model" and "no-such-model" in events[0].message

    from engine.generation import GenerationEngine

    config = user_registry_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[models.gemma3-270m]\ntemperature = \"warm\"\n")
    events = list(GenerationEngine().continue_at(example_text, (0, 0)))
    assert [type(e) for e in events] == [ErrorEvent]
    assert events[0].kind == "config"
    assert f"{config}:2: models.gemma3-270m.temperature" in events[0].message


def test_load_of_a_loaded_model_reports_ready(engine):
    events = list(engine.load())
    assert events == [LoadEvent("gemma3-270m", "ready", 1.0)]


def test_prompt_progress_is_reported(engine, model, example_text):
    script = example_text  # about 900 tokens: several 256-token chunks
    with model.lock:
        model.clear_cache()
    events = list(engine.continue_at(script, end_of(script), ContinueRequest(max_tokens=1, seed=1)))
    progress = of_type(events, PromptEvent)
    assert len(progress) >= 2
    assert progress[-1].done == progress[-1].total == of_type(events, ContextEvent)[0].prompt_tokens
    assert [p.done for p in progress] == sorted(p.done for p in progress)


@pytest.mark.parametrize("cursor", [(0, 0), (3, 2), (10_000, 10_000)])
def test_any_cursor_position_is_accepted(engine, example_text, cursor):
    events = list(engine.continue_at(example_text, cursor, ContinueRequest(max_tokens=2, seed=1)))
    assert of_type(events, DoneEvent), events


def test_chat_prompt_format_renders_the_gguf_template_in_a_sandbox():
    from dataclasses import replace

    from jinja2.sandbox import SandboxedEnvironment

    from engine.generation import GenerationEngine
    from engine.models import load_registry
    from engine.models.registry import Registry

    smol = replace(load_registry().get("smollm2-135m"), prompt_format="chat")
    engine = GenerationEngine(Registry({smol.name: smol}, smol.name))
    scene = "INT. BAKERY - NIGHT\n\nMARISOL kneads dough.\n\nJOSÉ\nYou're open?\n\n"
    try:
        events = list(engine.continue_at(scene, end_of(scene), ContinueRequest(max_tokens=8, seed=1)))
        context = of_type(events, ContextEvent)[0]
        assert "<|im_start|>user" in context.prompt and context.prompt.rstrip().endswith("<|im_start|>assistant")
        assert scene in context.prompt
        assert of_type(events, DoneEvent)
        # the model process renders with llama-cpp-python's Jinja2ChatFormatter (LocalModel.render_chat)
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = Jinja2ChatFormatter("{{ messages }}", eos_token="", bos_token="")._environment
        assert isinstance(template.environment, SandboxedEnvironment)
    finally:
        engine.close()


def test_background_requests_leave_a_core_to_the_ui(engine, model, example_text):
    """Reading ahead (nobody waiting) runs on at most cpu_count - 1 threads, then the model's
    own thread counts come back for the writer's requests."""
    import os

    before = model.threads
    request = ContinueRequest(max_tokens=2, seed=1, background=True)
    stats = of_type(list(engine.continue_at(example_text, end_of(example_text), request)), StatsEvent)[0]
    spare = max(1, (os.cpu_count() or 1) - 1)
    assert max(stats.threads) <= max(spare, 1)
    assert model.threads == before
