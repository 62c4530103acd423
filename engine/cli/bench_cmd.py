"""``scenewright bench parse|model|quality|training|serve``: speed (and suggestion quality) measured against a named peer in the same run."""

from __future__ import annotations

import argparse
import json

from engine.cli.common import CommandError, fail, read_script


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="measure speed against a peer (parse: screenplain; model: a bare "
                       "llama-cpp-python or httpx loop)")
    kinds = p.add_subparsers(dest="bench", metavar="WHAT", required=True)
    parse_p = kinds.add_parser("parse", help="full parse and per-keystroke engine work vs screenplain")
    parse_p.add_argument("file", nargs="?", help="a Fountain file (default: a generated 4,600-line feature script)")
    parse_p.add_argument("--json", action="store_true", help="one JSON object: full_ms, edit_ms, peer_full_ms")
    parse_p.add_argument("--repeat", type=int, default=21, help="full parses to take the median of (default 21)")
    parse_p.set_defaults(func=run_parse)
    model_p = kinds.add_parser(
        "model", help="engine vs a bare loop on the same model (local: llama-cpp-python; remote: httpx to the "
        "same server): throughput, time to first token, cancel")
    from engine.bench import model_bench

    model_bench.add_arguments(model_p)
    model_p.set_defaults(func=model_bench.run)
    quality_p = kinds.add_parser(
        "quality", help="suggestion quality on held-out scenes: well-formed, loop-free, in cast, dialogue, in "
        "scene, distinct-2, tokens/s and TTFT, shaped vs unconstrained in the same run")
    from engine.bench import quality

    quality.add_arguments(quality_p)
    quality_p.set_defaults(func=quality.run)
    training_p = kinds.add_parser(
        "training", help="our LoRA loop vs transformers.Trainer on the same model, LoRA and examples: training "
        "tokens/s, peak memory, held-out perplexity before and after (needs the train extra)")
    from engine.bench import training_bench

    training_bench.add_arguments(training_p)
    training_p.set_defaults(func=training_bench.run)
    serve_p = kinds.add_parser(
        "serve", help="scenewright serve under wrk (healthz and short continuations at 1, 8, 32 connections), "
        "its overhead over the direct path, edit-log exactness and rate limits under load (needs wrk)")
    from engine.bench import serve_bench

    serve_bench.add_arguments(serve_p)
    serve_p.set_defaults(func=serve_bench.run)


def run_parse(args: argparse.Namespace) -> int:
    from engine.bench.parse_bench import run_parse_bench
    from engine.bench.sample import generate_script

    try:
        text = read_script(args.file) if args.file else generate_script()
    except CommandError as exc:
        return fail(str(exc))
    result = run_parse_bench(text, repeat=max(1, args.repeat))
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    source = args.file or "generated feature script"
    print(f"{source}: {result.lines} lines")
    print(f"  full parse          {result.full_ms:8.2f} ms (median of {args.repeat})")
    print(f"  after one keystroke {result.edit_ms:8.3f} ms (median of 200 random edits)")
    if result.peer_full_ms is not None:
        print(f"  screenplain full    {result.peer_full_ms:8.2f} ms  -> ours/screenplain = {result.ratio:.2f}")
    else:
        print("  screenplain is not installed: no peer figure (pip install screenplain)")
    return 0
