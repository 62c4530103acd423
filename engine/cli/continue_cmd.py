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
    from pathlib import Path

    from engine.generation import CANCELLED, GenerationEngine
    from engine.session import GenerationSettings, RequestInputs, ScriptSteering, Shown, SuggestionSession, Told
    from engine.session.feed import Failed, Restarted, Streamed
    from engine.steering import PromptError

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

    shown: list = []  # the records of the alternatives, as they finish
    out = sys.stdout

    def told(update) -> None:
        if isinstance(update, Told):
            for problem in update.problems:
                print(f"scenewright: warning: {problem}", file=sys.stderr)
        elif isinstance(update, Shown):
            shown.append(update.record)

    engine = GenerationEngine()
    session = SuggestionSession(engine, ScriptSteering(Path(args.file)), on_update=told)
    session.apply_settings(GenerationSettings(model=args.model, max_tokens=args.max_tokens,
                                              temperature=args.temperature, top_p=args.top_p, seed=args.seed))
    written: dict[int, str] = {}  # slot -> what stdout has of it
    failure: list[str] = []

    def end_line() -> None:
        if written and not list(written.values())[-1].endswith("\n"):
            out.write("\n")

    def stream(job, step) -> None:
        if isinstance(step, Failed):
            failure.append(step.message)
        if args.json:
            return
        if isinstance(step, Restarted):  # the repetition guard threw the text away: sampled again
            end_line()
            written[step.slot] = ""
            print("scenewright: note: the model began to repeat itself; sampling again", file=sys.stderr)
        elif isinstance(step, Streamed):
            if step.slot not in written:  # a prompt that asks for alternatives: one after the other
                if written:
                    end_line()
                    print(f"scenewright: alternative {step.slot + 1}", file=sys.stderr)
                written[step.slot] = ""
            out.write(step.text[len(written[step.slot]):])  # the text so far: write what is new
            out.flush()
            written[step.slot] = step.text

    try:
        session.request(text, cursor, inputs=RequestInputs(prompt=args.prompt) if args.prompt else None)
    except PromptError as exc:
        engine.close()
        return fail(str(exc))
    try:
        while session.queued:
            session.run_job(session.queued.pop(0), on_step=stream)
    except KeyboardInterrupt:
        session.cancel()
        raise
    finally:
        engine.close()
    if failure:
        return fail(failure[0])
    if not shown or shown[0].stats is None:
        return fail("the model produced no result")
    record = shown[0]
    stats, prompt_ref = record.stats, record.prompt_ref
    if args.json:
        answer = {
            "text": record.text,
            "prompt_tokens": stats.prompt_tokens,
            "generated_tokens": stats.generated_tokens,
            "ttft_ms": round(stats.ttft_ms, 1),
            "tokens_per_s": round(stats.tokens_per_s, 1),
            "model": stats.model,
            "reason": record.reason,
            "seed": record.seed,
            "cached_tokens": stats.cached_tokens,
            "prompt_tokens_per_s": round(stats.prompt_tokens_per_s, 1),
            "prompt": f"{prompt_ref[0]}@{prompt_ref[1]}" if prompt_ref else None,
        }
        if len(shown) > 1:  # a prompt that asks for alternatives: all of their texts
            answer["alternatives"] = [r.text for r in shown]
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return 0
    end_line()
    for r in shown:
        if r.text != written.get(r.slot, "") and r.reason != CANCELLED:
            print(f"scenewright: note: the text above ends with a cut {r.reason} "
                  f"(final text: {len(r.text)} characters)", file=sys.stderr)
    return 0
