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
    from engine.session.feed import Failed, Streamed
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

    shown: dict[str, object] = {}
    out = sys.stdout

    def told(update) -> None:
        if isinstance(update, Told):
            for problem in update.problems:
                print(f"scenewright: warning: {problem}", file=sys.stderr)
        elif isinstance(update, Shown):
            shown.setdefault("record", update.record)  # the first alternative (the one streamed)

    engine = GenerationEngine()
    session = SuggestionSession(engine, ScriptSteering(Path(args.file)), on_update=told)
    session.apply_settings(GenerationSettings(model=args.model, max_tokens=args.max_tokens,
                                              temperature=args.temperature, top_p=args.top_p, seed=args.seed))
    streamed = {"text": ""}
    failure: list[str] = []

    def stream(job, step) -> None:
        if isinstance(step, Streamed) and step.slot == 0 and not args.json:
            out.write(step.text[len(streamed["text"]):])  # the text so far: write what is new
            out.flush()
            streamed["text"] = step.text
        elif isinstance(step, Failed):
            failure.append(step.message)

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
    record = shown.get("record")
    if record is None or record.stats is None:  # type: ignore[attr-defined]
        return fail("the model produced no result")
    stats, done_text, reason = record.stats, record.text, record.reason  # type: ignore[attr-defined]
    prompt_ref = record.prompt_ref  # type: ignore[attr-defined]
    if args.json:
        answer = {
            "text": done_text,
            "prompt_tokens": stats.prompt_tokens,
            "generated_tokens": stats.generated_tokens,
            "ttft_ms": round(stats.ttft_ms, 1),
            "tokens_per_s": round(stats.tokens_per_s, 1),
            "model": stats.model,
            "reason": reason,
            "seed": record.seed,  # type: ignore[attr-defined]
            "cached_tokens": stats.cached_tokens,
            "prompt_tokens_per_s": round(stats.prompt_tokens_per_s, 1),
            "prompt": f"{prompt_ref[0]}@{prompt_ref[1]}" if prompt_ref else None,
        }
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return 0
    written = streamed["text"]
    if not written.endswith("\n"):
        out.write("\n")
    if done_text != written and reason != CANCELLED:
        print(f"scenewright: note: the text above ends with a cut {reason} "
              f"(final text: {len(done_text)} characters)", file=sys.stderr)
    return 0
