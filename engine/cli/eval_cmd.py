"""``scenewright eval [--csv]`` and ``scenewright eval perplexity [--model NAME] [FILES...]``.

``eval``: per model and prompt version, from the edit log: acceptance rate, mean normalised edit
distance, BLEU and ROUGE-L of the suggestion against the final text, mean ratings, time to first
token; then the blind A/B win rates with 95% intervals.

``eval perplexity``: the perplexity of a model on Fountain files, from its logits (sliding
window); without files, on the writer's final texts of the log's validation split, each read
after the prompt the model had.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from engine.cli.common import CommandError, fail, read_script
from engine.cli.dataset_cmd import add_filter_arguments, filters_from
from engine.cli.log_cmd import add_db_argument, open_log


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="how well each model and prompt serves you (from the edit log); perplexity of a model",
        description="Per model and prompt version: acceptance rate, mean normalised edit distance, BLEU "
        "(sentence-level, smoothed, 0-100) and ROUGE-L F1 of suggestion against final text, mean ratings "
        "and time to first token; then blind A/B win rates. `scenewright eval perplexity` measures a "
        "model's perplexity on Fountain files.",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    out.add_argument("--json", action="store_true", help="print one JSON object")
    add_filter_arguments(p)
    add_db_argument(p)
    p.set_defaults(func=run_eval)

    cmds = p.add_subparsers(dest="eval_command", metavar="[perplexity|compare]")
    ppl = cmds.add_parser(
        "perplexity",
        help="perplexity of a model on Fountain files (or on the log's validation split)",
        description="Perplexity of a model on Fountain files, from the log-softmax of its logits "
        "(llama.cpp, logits_all), with a sliding window. Without FILES: the final texts of the edit "
        "log's validation split, each scored after the prompt the model had.",
    )
    ppl.add_argument("files", nargs="*", metavar="FILE", help=".fountain files")
    ppl.add_argument("--model", metavar="NAME", help="a model of models.toml (default: the default model)")
    ppl.add_argument("--window", type=int, default=512, metavar="N",
                     help="tokens evaluated at once (default 512; memory grows with window x vocabulary)")
    ppl.add_argument("--stride", type=int, metavar="N", help="tokens scored per window after the first "
                     "(default: half the window, so each token has at least half a window of context)")
    ppl.add_argument("--threads", type=int, default=1, metavar="N", help="CPU threads (default 1)")
    ppl.add_argument("--val-fraction", type=float, default=0.1, metavar="F",
                     help="without FILES: the validation split's share, as in dataset export (default 0.1)")
    ppl.add_argument("--json", dest="ppl_json", action="store_true", help="print one JSON object")
    add_db_argument(ppl)
    ppl.set_defaults(func=run_perplexity)

    cmp = cmds.add_parser(
        "compare",
        help="models side by side on held-out text: perplexity, BLEU/ROUGE/edit distance, criteria, acceptance",
        description="Compare models (a base and its adapter from `scenewright train`, say) on text none of them "
        "was trained on: the corpus's held-out scenes and the edit log's validation split, or FILES. Perplexity "
        "and bits per byte; each scene continued from its first half (BLEU, ROUGE-L, edit distance against the "
        "real second half; the suggestion-quality criteria); acceptance in the edit log. 95% intervals.",
    )
    cmp.add_argument("files", nargs="*", metavar="FILE", help=".fountain files to hold out instead")
    cmp.add_argument("--model", action="append", required=True, metavar="NAME",
                     help="a model of models.toml (give two or more)")
    cmp.add_argument("--seeds", type=int, default=2, help="continuations per scene and model (default 2)")
    cmp.add_argument("--max-tokens", type=int, default=120, help="tokens per continuation (default 120)")
    cmp.add_argument("--scenes", type=int, metavar="N", help="at most N held-out scenes")
    cmp.add_argument("--no-generate", action="store_true", help="perplexity and acceptance only (fast)")
    cmp.add_argument("--window", type=int, default=512, metavar="N", help="perplexity window (default 512)")
    cmp.add_argument("--threads", type=int, default=1, metavar="N", help="CPU threads for scoring (default 1)")
    cmp.add_argument("--json", dest="cmp_json", action="store_true", help="print one JSON object")
    from engine.cli.corpus_cmd import add_corpus_argument

    add_corpus_argument(cmp)
    add_db_argument(cmp)
    cmp.set_defaults(func=run_compare)


def run_eval(args: argparse.Namespace) -> int:
    from engine.editlog import EditLogError, comparisons, select_records
    from engine.editlog.evaluation import ab_summary, ab_table, evaluate, table, to_csv

    try:
        filters = filters_from(args)
    except ValueError as exc:
        return fail(str(exc))
    try:
        with open_log(args) as log:
            records = select_records(log, filters)
            picks = comparisons(log)
    except EditLogError as exc:
        return fail(str(exc))
    rows = evaluate(records)
    summary = ab_summary(picks)
    if args.csv:
        sys.stdout.write(to_csv(rows, summary))
        return 0
    if args.json:
        from dataclasses import asdict

        sys.stdout.write(json.dumps({"groups": [asdict(r) for r in rows],
                                     "ab": [asdict(p) for p in summary.pairs],
                                     "ab_decided": summary.decided, "ab_picked_a": summary.picked_a}) + "\n")
        return 0
    if not rows:
        print("No suggestions in the edit log" + (" match the filters" if any(vars(filters).values()) else "")
              + "; they are recorded as you use the model panel.")
        return 0
    sys.stdout.write(table(rows))
    finals = sum(r.finals for r in rows)
    print(f"({sum(r.suggestions for r in rows)} suggestions; edit distance, BLEU and ROUGE-L over the {finals} "
          "with a final text recorded at a save)")
    ab = ab_table(summary)
    if ab:
        sys.stdout.write("\n" + ab)
    return 0


def run_perplexity(args: argparse.Namespace) -> int:
    from engine.editlog.perplexity import PerplexityScorer, combine
    from engine.models.errors import ModelError
    from engine.tomlconf import ConfigError

    try:
        texts = _texts(args)
    except CommandError as exc:
        return fail(str(exc))
    if not texts:
        return fail("no text to score: give Fountain files, or accept and save some suggestions first "
                    "(the log's validation split is empty)")
    try:
        scorer = PerplexityScorer(args.model, window=args.window, stride=args.stride, threads=args.threads)
    except (ConfigError, ModelError) as exc:
        return fail(str(exc))
    except ValueError as exc:
        return fail(str(exc))
    scores = []
    try:
        for name, text, context in texts:
            score = scorer.score(text, context, name)
            if score.tokens == 0:
                print(f"scenewright: {name}: nothing to score (empty)", file=sys.stderr)
                continue
            scores.append(score)
    except ModelError as exc:  # the model process died (ModelCrashed) or llama.cpp refused the text
        return fail(str(exc))
    finally:
        scorer.close()
    if not scores:
        return fail("every text was empty")
    total = combine(scores)
    if args.ppl_json:
        out = {"model": scorer.model, "window": scorer.window, "stride": scorer.stride,
               "texts": [s.as_dict() for s in scores], "all": total.as_dict()}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return 0
    print(f"Perplexity under {scorer.model} (window {scorer.window} tokens, stride {scorer.stride})")
    width = min(48, max(4, *(len(s.name) for s in scores)))
    print(f"  {'text':<{width}}  {'tokens':>7}  {'ppl/token':>10}  {'bits/byte':>9}")
    for s in scores + ([total] if len(scores) > 1 else []):
        name = s.name if len(s.name) <= width else "…" + s.name[-(width - 1):]
        print(f"  {name:<{width}}  {s.tokens:>7}  {_num(s.perplexity, 10, 2)}  {_num(s.bits_per_byte, 9, 3)}")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from engine.bench.model_compare import compare, table
    from engine.models import load_registry
    from engine.models.errors import ModelError
    from engine.tomlconf import ConfigError

    if len(args.model) < 2:
        return fail("give two or more models to compare: --model BASE --model ADAPTER")
    try:
        registry = load_registry()
        for name in args.model:
            registry.get(name)
        held_out, records = _held_out(args)
    except (ConfigError, ModelError, CommandError) as exc:
        return fail(str(exc))
    if not held_out:
        return fail("nothing held out to compare on: add scripts to the corpus (`scenewright corpus add`), "
                    "whose held-out scenes are never trained on, or name .fountain files")

    def progress(message: str) -> None:
        print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)

    try:
        result = compare(args.model, held_out, records=records, seeds=args.seeds, max_tokens=args.max_tokens,
                         window=args.window, threads=args.threads, generate=not args.no_generate,
                         progress=progress if sys.stderr.isatty() else None)
    except (ModelError, RuntimeError, ValueError) as exc:
        return fail(str(exc))
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr)
    if args.cmp_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        sys.stdout.write(table(result))
    return 0


def _held_out(args: argparse.Namespace):
    """(held-out texts, the edit log's records for acceptance)."""
    from engine.corpus import CorpusError, segments
    from engine.editlog import EditLogError, Filters, select_records
    from engine.editlog.datasets import in_validation
    from engine.bench.model_compare import HeldOut

    held: list = []
    if args.files:
        for path in args.files:
            for seg in segments(read_script(path)):
                if seg.kind == "scene":
                    held.append(HeldOut(f"{path}#{seg.index + 1}", seg.text))
    else:
        from engine.cli.corpus_cmd import open_corpus

        try:
            with open_corpus(args) as corpus:
                held += [HeldOut(f"corpus#{u.id}", u.text, genre=u.genre)
                         for u in corpus.units("scene", "val", trainable_only=False)]
        except CorpusError as exc:
            raise CommandError(str(exc)) from None
    if args.scenes:
        held = held[: args.scenes]
    try:
        with open_log(args) as log:
            records = select_records(log, Filters())
    except EditLogError as exc:
        raise CommandError(str(exc)) from None
    if not args.files:
        for r in records:
            if r.accepted and r.target and in_validation(r.suggestion_id, 0.1):
                held.append(HeldOut(f"log:{r.suggestion_id[:8]}", r.target, context=r.prompt, is_scene=False))
    return held, records


def _num(value: float, width: int, places: int) -> str:
    return f"{'-':>{width}}" if math.isnan(value) else f"{value:>{width}.{places}f}"


def _texts(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(name, text, context) to score."""
    if args.files:
        return [(str(path), read_script(path), "") for path in args.files]
    from engine.editlog import EditLogError, Filters, select_records
    from engine.editlog.datasets import in_validation

    if not 0 < args.val_fraction < 1:
        raise CommandError(f"--val-fraction {args.val_fraction:g}: must be above 0 and below 1")
    try:
        with open_log(args) as log:
            records = select_records(log, Filters(accepted_only=True))
    except EditLogError as exc:
        raise CommandError(str(exc)) from None
    out = []
    for r in records:
        if r.target and in_validation(r.suggestion_id, args.val_fraction):
            out.append((f"{r.suggestion_id[:8]} {r.model} {r.prompt_ref}", r.target, r.prompt))
    return out


__all__ = ["register"]
