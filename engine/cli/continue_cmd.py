"""``scenewright continue FILE``: stream a continuation of a script to stdout (scripts, SSH)."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli.common import CommandError, fail, read_script


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "continue",
        help="stream a continuation of a Fountain script from a model (local, or a server)",
        description="Continue a Fountain script with the model and stream the text to stdout. "
        "The script is read, never written.",
    )
    p.add_argument("file", help="a .fountain file")
    p.add_argument("--line", type=int, metavar="N",
                   help="continue after line N (1-based; default: the end of the file)")
    p.add_argument("--model", metavar="NAME", help="a model from models.toml (default: its `default`)")
    p.add_argument("--max-tokens", type=int, metavar="N", help="longest continuation in tokens")
    p.add_argument("--temperature", type=float, metavar="T")
    p.add_argument("--top-p", type=float, metavar="P")
    p.add_argument("--seed", type=int, metavar="S", help="sampling seed (same seed, same text)")
    p.add_argument("--prompt", metavar="ID", help="a prompt from the library (ID or ID@VERSION; default: the "
                   "one chosen for the script, else continue); see `scenewright prompt`")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: text, prompt_tokens, generated_tokens, ttft_ms, tokens_per_s, model")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.generation import (
        CANCELLED,
        ContinueRequest,
        DoneEvent,
        ErrorEvent,
        GenerationEngine,
        StatsEvent,
        TokenEvent,
    )

    try:
        text = read_script(args.file)
    except CommandError as exc:
        return fail(str(exc))
    for name, value, low in (("--max-tokens", args.max_tokens, 1), ("--line", args.line, 1)):
        if value is not None and value < low:
            return fail(f"{name} must be at least {low}")
    if args.temperature is not None and args.temperature < 0:
        return fail("--temperature must be 0 or more")
    if args.top_p is not None and not 0 <= args.top_p <= 1:
        return fail("--top-p must be between 0 and 1")
    lines = text.split("\n")
    if args.line is None:
        cursor = (len(lines) - 1, len(lines[-1]))
    else:
        if args.line > len(lines):
            return fail(f"{args.file} has {len(lines)} lines; --line {args.line} is past its end")
        row = args.line - 1
        cursor = (row, len(lines[row]))
    from engine.steering import PromptError
    from engine.steering.steer import steer

    try:
        steered = steer(text, cursor, script_path=args.file, prompt=args.prompt)
    except PromptError as exc:
        return fail(str(exc))
    for problem in steered.problems:
        print(f"scenewright: warning: {problem}", file=sys.stderr)
    given = {"model": args.model, "max_tokens": args.max_tokens, "temperature": args.temperature,
             "top_p": args.top_p, "seed": args.seed}
    request = ContinueRequest(**{**steered.overrides, **{k: v for k, v in given.items() if v is not None}})
    engine = GenerationEngine()
    generation = engine.continue_at(text, cursor, request, render=steered.render)
    done = stats = None
    shown = ""
    out = sys.stdout
    try:
        for event in generation:
            if isinstance(event, TokenEvent) and not args.json:
                out.write(event.text)
                out.flush()
                shown += event.text
            elif isinstance(event, StatsEvent):
                stats = event
            elif isinstance(event, DoneEvent):
                done = event
            elif isinstance(event, ErrorEvent):
                return fail(event.message)
    except KeyboardInterrupt:
        generation.cancel()
        raise
    finally:
        engine.close()
    if done is None or stats is None:
        return fail("the model produced no result")
    if args.json:
        record = {
            "text": done.text,
            "prompt_tokens": stats.prompt_tokens,
            "generated_tokens": stats.generated_tokens,
            "ttft_ms": round(stats.ttft_ms, 1),
            "tokens_per_s": round(stats.tokens_per_s, 1),
            "model": stats.model,
            "reason": done.reason,
            "seed": done.seed,
            "cached_tokens": stats.cached_tokens,
            "prompt_tokens_per_s": round(stats.prompt_tokens_per_s, 1),
            "prompt": f"{done.prompt_ref[0]}@{done.prompt_ref[1]}" if done.prompt_ref else None,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return 0
    if not shown.endswith("\n"):
        out.write("\n")
    if done.text != shown and done.reason != CANCELLED:
        print(f"scenewright: note: the text above ends with a cut {done.reason} "
              f"(final text: {len(done.text)} characters)", file=sys.stderr)
    return 0
