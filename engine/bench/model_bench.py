"""``scenewright bench model``: the engine's generation path against a bare llama-cpp-python loop.

Both paths run in the same process on the same loaded ``Llama`` (same file, context size,
threads and sampling), with a prompt of about ``--context`` tokens (1,500 by default) cut from a
script at a scene boundary, the repetition guard and stop sequences off, and the same seed, so
both generate the same tokens. For each path:

* prompt tokens/s: prompt tokens / time to first token, from an empty KV cache;
* generated tokens/s: tokens after the first / time after the first;
* TTFT cold: empty KV cache; TTFT warm: the same request after appending a few words to the script
  (the prefix is reused, only the new tokens are evaluated).

Each figure is the median over ``--repeat`` rounds; the runs of the two paths alternate so that
background load on the machine hits both alike. Also reported: how long ``cancel()`` takes to end
a request in the middle of its prompt evaluation.

Targets (issue 3): engine/bare throughput >= 0.95; warm TTFT < 150 ms and a 1,500-token cold TTFT
< 4 s with the default model on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass

WARM_APPEND = " She hesitates, then"


@dataclass
class PathFigures:
    prompt_tokens: int
    prompt_tokens_per_s: float
    generated_tokens: int
    gen_tokens_per_s: float
    ttft_cold_ms: float
    ttft_warm_ms: float
    warm_evaluated_tokens: int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="NAME", help="a model from models.toml (default: the default model)")
    parser.add_argument("--json", action="store_true", help="one JSON object with both paths and the ratios")
    parser.add_argument("--context", type=int, default=1500, metavar="N", help="prompt size in tokens (default 1500)")
    parser.add_argument("--max-tokens", type=int, default=64, metavar="N", help="tokens generated per run (default 64)")
    parser.add_argument("--repeat", type=int, default=3, metavar="R", help="rounds; medians are reported (default 3)")
    parser.add_argument("--file", metavar="FILE", help="a Fountain script to take the prompt from (default: a generated one)")


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import CommandError, fail, read_script
    from engine.generation import GenerationEngine
    from engine.models import ModelError
    from engine.tomlconf import ConfigError

    try:
        script = read_script(args.file) if args.file else _default_script()
    except CommandError as exc:
        return fail(str(exc))
    engine = GenerationEngine()
    try:
        result = bench(engine, script, args.model, args.context, args.max_tokens, max(1, args.repeat),
                       log=(lambda m: None) if args.json else (lambda m: print(m, file=sys.stderr)))
    except (ConfigError, ModelError) as exc:
        return fail(str(exc))
    finally:
        engine.close()
    if args.json:
        print(json.dumps(result))
        return 0
    _print(result)
    return 0


def _default_script() -> str:
    from engine.bench.sample import generate_script

    return generate_script()


def bench(engine, script: str, model_name: str | None, context: int, max_tokens: int, repeat: int, log=print) -> dict:
    from engine.generation import ContinueRequest, ErrorEvent, PromptPart, context_builder
    from engine.generation.context import DEFAULT_INSTRUCTIONS, cut_points, first_fit

    entry = engine.registry.get(model_name)
    if entry.is_remote:
        from engine.models import ModelError

        raise ModelError(f"model {entry.name!r} is remote: `bench model` measures local models only so far "
                         "(the remote figures against a bare streaming loop are not written yet)")
    log(f"loading {entry.name}...")
    for event in engine.load(entry.name):
        if isinstance(event, ErrorEvent):
            from engine.models import ModelError

            raise ModelError(event.message)
    model = engine.model(entry.name)
    prefix = [PromptPart("instructions", entry.instructions or DEFAULT_INSTRUCTIONS)]
    if context + max_tokens + 8 > model.n_ctx:
        context = model.n_ctx - max_tokens - 8
    # The end of the script, cut at a paragraph boundary so that the prompt is about `context` tokens.
    builder = context_builder(model)
    fits = lambda cut: len(builder.tokens(builder.prompt_text(prefix, script[cut:]))) <= context  # noqa: E731
    cut = first_fit(cut_points(script, "\n\n", 0), fits) or 0
    bench_script = script[cut:].rstrip("\n") + "\n\n"
    warm_script = bench_script.rstrip("\n") + WARM_APPEND
    cursor = _end(bench_script)
    warm_cursor = _end(warm_script)
    sampling = ContinueRequest().sampling(entry)
    request = ContinueRequest(model=entry.name, max_tokens=max_tokens, seed=1234, stop=(), repetition_guard=False)
    cold_tokens = builder.build(prefix, bench_script, cursor, model.n_ctx - max_tokens - 1).tokens
    warm_tokens = builder.build(prefix, warm_script, warm_cursor, model.n_ctx - max_tokens - 1).tokens

    def engine_run(text, cur):
        gen = engine.continue_at(text, cur, request, prefix)
        stats = None
        for event in gen:
            if isinstance(event, ErrorEvent):
                raise RuntimeError(event.message)
            if type(event).__name__ == "StatsEvent":
                stats = event
        return stats.ttft_ms, stats.prompt_tokens - stats.cached_tokens, stats.generated_tokens, stats.tokens_per_s

    def bare_run(tokens):
        llm = model.llm
        with model.lock:
            before_n = _cached_prefix(llm, tokens)
            llm.set_seed(1234)
            started = time.perf_counter()
            first = last = None
            n = 0
            for token in llm.generate(tokens, temp=sampling.temperature, top_p=sampling.top_p,
                                      top_k=sampling.top_k, min_p=sampling.min_p,
                                      repeat_penalty=sampling.repeat_penalty):
                now = time.perf_counter()
                if first is None:
                    first = now
                last = now
                if model.is_end(token):
                    break
                llm.detokenize([token])
                n += 1
                if n >= max_tokens:
                    break
        ttft = (first - started) * 1000
        speed = (n - 1) / (last - first) if n > 1 and last > first else 0.0
        return ttft, len(tokens) - before_n, n, speed

    rounds: dict[str, list[tuple]] = {"engine_cold": [], "engine_warm": [], "bare_cold": [], "bare_warm": []}
    for r in range(repeat):
        log(f"round {r + 1}/{repeat}")
        for name in (("engine", "bare") if r % 2 == 0 else ("bare", "engine")):
            _clear(model)
            if name == "engine":
                rounds["engine_cold"].append(engine_run(bench_script, cursor))
                rounds["engine_warm"].append(engine_run(warm_script, warm_cursor))
            else:
                rounds["bare_cold"].append(bare_run(cold_tokens))
                rounds["bare_warm"].append(bare_run(warm_tokens))

    def figures(path: str) -> PathFigures:
        cold, warm = rounds[f"{path}_cold"], rounds[f"{path}_warm"]
        ttft_cold = statistics.median(c[0] for c in cold)
        return PathFigures(
            prompt_tokens=len(cold_tokens),
            prompt_tokens_per_s=statistics.median(c[1] / (c[0] / 1000) for c in cold),
            generated_tokens=int(statistics.median(c[2] for c in cold + warm)),
            gen_tokens_per_s=statistics.median(c[3] for c in cold + warm),
            ttft_cold_ms=ttft_cold,
            ttft_warm_ms=statistics.median(w[0] for w in warm),
            warm_evaluated_tokens=int(statistics.median(w[1] for w in warm)),
        )

    eng, bare = figures("engine"), figures("bare")
    cancel_ms = _cancel_latency(engine, bench_script, cursor, request, prefix, model)
    return {
        "model": entry.name,
        "file": str(model.path),
        "threads": list(model.threads),
        "n_ctx": model.n_ctx,
        "max_tokens": max_tokens,
        "repeat": repeat,
        "engine": asdict(eng),
        "bare": asdict(bare),
        "ratio_prompt_tokens_per_s": eng.prompt_tokens_per_s / bare.prompt_tokens_per_s if bare.prompt_tokens_per_s else None,
        "ratio_gen_tokens_per_s": eng.gen_tokens_per_s / bare.gen_tokens_per_s if bare.gen_tokens_per_s else None,
        "cancel_during_prompt_ms": cancel_ms,
        "targets": {
            "throughput_ratio_min": 0.95,
            "ttft_warm_ms_max": 150,
            "ttft_cold_1500_ms_max": 4000,
        },
    }


def _end(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


def _cached_prefix(llm, tokens) -> int:
    n = 0
    for a, b in zip(llm.input_ids[: llm.n_tokens].tolist(), tokens):
        if a != b:
            break
        n += 1
    return min(n, len(tokens) - 1) if n else 0


def _clear(model) -> None:
    with model.lock:
        model.llm.reset()
        model.llm._ctx.kv_cache_seq_rm(-1, 0, -1)


def _cancel_latency(engine, script, cursor, request, prefix, model) -> float | None:
    """Milliseconds from cancel() to the end of the stream, cancelling mid prompt evaluation."""
    from engine.generation import DoneEvent, PromptEvent

    _clear(model)
    gen = engine.continue_at(script, cursor, request, prefix)
    ended: dict[str, float] = {}
    seen_prompt = threading.Event()

    def consume():
        for event in gen:
            if isinstance(event, PromptEvent):
                seen_prompt.set()
            if isinstance(event, DoneEvent):
                ended["reason"] = event.reason  # type: ignore[assignment]
        ended["at"] = time.perf_counter()

    worker = threading.Thread(target=consume)
    worker.start()
    seen_prompt.wait(30)
    asked = time.perf_counter()
    gen.cancel()
    worker.join()
    if ended.get("reason") != "cancelled":
        return None
    return (ended["at"] - asked) * 1000


def _print(result: dict) -> None:
    e, b = result["engine"], result["bare"]
    print(f"model {result['model']}  threads {result['threads']}  n_ctx {result['n_ctx']}  "
          f"prompt {e['prompt_tokens']} tokens, {result['max_tokens']} generated, median of {result['repeat']}")
    print(f"{'':24}{'engine':>12}{'bare':>12}{'ratio':>8}")
    rows = [
        ("prompt tokens/s", "prompt_tokens_per_s", True),
        ("generated tokens/s", "gen_tokens_per_s", True),
        ("TTFT cold (ms)", "ttft_cold_ms", False),
        ("TTFT warm (ms)", "ttft_warm_ms", False),
        ("warm: tokens evaluated", "warm_evaluated_tokens", False),
    ]
    for label, key, ratio in rows:
        r = f"{e[key] / b[key]:8.2f}" if ratio and b[key] else ""
        print(f"{label:<24}{e[key]:>12.1f}{b[key]:>12.1f}{r}")
    if result["cancel_during_prompt_ms"] is not None:
        print(f"cancel during prompt evaluation: stream ended {result['cancel_during_prompt_ms']:.1f} ms after cancel()")
    t = result["targets"]
    checks = [
        ("engine/bare prompt throughput >= 0.95", (result["ratio_prompt_tokens_per_s"] or 0) >= t["throughput_ratio_min"]),
        ("engine/bare generation throughput >= 0.95", (result["ratio_gen_tokens_per_s"] or 0) >= t["throughput_ratio_min"]),
        ("warm TTFT < 150 ms", e["ttft_warm_ms"] < t["ttft_warm_ms_max"]),
        (f"cold TTFT ({e['prompt_tokens']} tokens) < 4 s", e["ttft_cold_ms"] < t["ttft_cold_1500_ms_max"]),
    ]
    for label, ok in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {label}")


