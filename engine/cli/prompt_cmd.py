"""``scenewright prompt FILE --line N [--prompt ID] [--json]``: what the model would read, without running it.

The prompt is assembled exactly as for a request in the editor: the prompt remembered for the
script (or ``--prompt``), the anchors that apply at the line within their budget, the examples,
and the script before the cursor trimmed at scene boundaries to fit the model's context window,
counted with the model's own tokenizer (its vocabulary only is read, not its weights).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.cli.common import CommandError, fail, read_script
from engine.tomlconf import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "prompt",
        help="print the prompt a request at a line would send to the model",
        description="Print the assembled prompt (instructions, anchors, examples, script) for a request "
        "at the end of line N, trimmed to the model's context, without running the model.",
    )
    p.add_argument("file", help="a .fountain file")
    p.add_argument(
        "--line", type=int, required=True, metavar="N", help="the cursor's line (1-based); the cursor is at its end"
    )
    p.add_argument(
        "--column", type=int, metavar="C", help="the cursor's column (1-based; default: the end of the line)"
    )
    p.add_argument(
        "--prompt",
        metavar="ID",
        help="a prompt id (ID or ID@VERSION; default: the one chosen for the script, else continue)",
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="the model whose tokenizer and context window count (default: the default model)",
    )
    p.add_argument(
        "--max-tokens",
        type=int,
        metavar="N",
        help="room left for the continuation (default: the prompt's, else the model's)",
    )
    p.add_argument("--selection", metavar="TEXT", help="the selected text (rewrite and alternatives prompts)")
    p.add_argument("--instruction", metavar="TEXT", help="the instruction (rewrite prompts)")
    p.add_argument("--beat", metavar="TEXT", help="the beat (beat prompts)")
    p.add_argument("--sections", action="store_true", help="print each section under a header with its token count")
    p.add_argument("--json", action="store_true", help="print one JSON object: prompt, sections, trimmed, ...")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.models.errors import ModelError
    from engine.steering.prompts import PromptError, load_library
    from engine.steering.render import choose_prompt, prepare_prompt
    from engine.steering.store import AnchorStore, StoreSettings
    from engine.steering.tokens import model_token_counter

    try:
        text = read_script(args.file)
        lines = text.split("\n")
        if args.line < 1 or args.line > len(lines):
            raise CommandError(f"--line {args.line}: {args.file} has lines 1 to {len(lines)}")
        col = None
        if args.column is not None:
            if args.column < 1:
                raise CommandError(f"--column {args.column}: columns count from 1")
            col = min(args.column - 1, len(lines[args.line - 1]))
        try:
            count = model_token_counter(args.model)
        except (ConfigError, ModelError) as exc:
            raise CommandError(str(exc)) from None
        entry = count.entry
        assert entry is not None
        try:
            store = AnchorStore.for_script(args.file)
            library = load_library()
            settings = store.settings if store.error is None else StoreSettings()
            chosen = choose_prompt(library, settings, args.prompt)
            max_tokens = int(args.max_tokens or chosen.sampling.get("max_tokens") or entry.max_tokens)
            budget = entry.context_length - max_tokens - 1  # one token for BOS, as the engine counts
            if budget <= 0:
                raise CommandError(
                    f"--max-tokens {max_tokens} leaves no room in {entry.name}'s "
                    f"context of {entry.context_length} tokens"
                )
            rendered, problems = prepare_prompt(
                text,
                (args.line - 1, col),
                prompt=chosen,
                store=store,
                script_path=Path(args.file),
                library=library,
                count_tokens=count,
                budget_tokens=budget,
                selection_text=args.selection,
                instruction=args.instruction,
                beat=args.beat,
            )
        except PromptError as exc:
            raise CommandError(str(exc)) from None
    except CommandError as exc:
        return fail(str(exc))

    for problem in problems:
        print(f"scenewright: warning: {problem}", file=sys.stderr)
    if args.json:
        data = rendered.to_dict()
        data["model"] = entry.name
        data["context_length"] = entry.context_length
        data["max_tokens"] = max_tokens
        data["line"] = args.line
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    elif args.sections:
        for s in rendered.sections:
            sys.stdout.write(f"──── {s.name} ({s.tokens} tokens) ────\n{s.text}")
            if not s.text.endswith("\n"):
                sys.stdout.write("\n")
        sys.stdout.write(f"──── {summary(rendered, entry.name)}\n")
    else:
        sys.stdout.write(rendered.text)
        if not rendered.text.endswith("\n"):
            sys.stdout.write("\n")
        print(f"scenewright: {summary(rendered, entry.name)}", file=sys.stderr)
    return 0 if rendered.fits else 1


def summary(rendered, model: str) -> str:
    t = rendered.trimmed
    parts = [
        f"prompt {rendered.prompt_id}@{rendered.prompt_version}",
        f"{rendered.tokens} tokens of {rendered.budget} ({model})",
    ]
    if t.script_chars:
        parts.append(
            f"trimmed {t.script_chars} characters of script ({t.scenes} scenes), script from line {t.first_line + 1}"
        )
    if rendered.anchors:
        parts.append(f"anchors: {', '.join(rendered.anchors)}")
    if t.anchors:
        parts.append(f"anchors left out: {', '.join(t.anchors)}")
    if t.examples:
        parts.append(f"examples left out: {', '.join(t.examples)}")
    if not rendered.fits:
        parts.append("DOES NOT FIT the context window")
    return "; ".join(parts)


__all__ = ["register", "run", "summary"]
