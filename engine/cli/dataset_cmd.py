"""``scenewright dataset export --format F -o DIR``: fine-tuning files from the edit log.

Formats: ``sft`` (TRL conversational ``messages``), ``prompt-completion`` (TRL ``prompt``,
``completion``), ``dpo`` (TRL ``prompt``, ``chosen``, ``rejected``), ``kto`` (TRL ``prompt``,
``completion``, ``label``), ``openai`` (chat JSONL ``messages``), ``csv`` (``id,prompt,response``).
Only scripts marked as yours or licensed (``scenewright log mark``) are exported. ``DIR`` gets
``train`` and ``validation`` files and a ``README.md`` dataset card.
"""

from __future__ import annotations

import argparse

from engine.cli.common import fail
from engine.cli.log_cmd import add_db_argument, open_log


def add_filter_arguments(p: argparse.ArgumentParser) -> None:
    """--script, --model, --prompt, --since, --until, --min-rating, --accepted-only (shared with eval)."""
    p.add_argument("--script", dest="scripts", action="append", default=[], metavar="FILE",
                   help="only suggestions for this script (repeatable)")
    p.add_argument("--model", dest="models", action="append", default=[], metavar="NAME",
                   help="only this model's suggestions (repeatable)")
    p.add_argument("--prompt", dest="prompts", action="append", default=[], metavar="ID[@VERSION]",
                   help="only this prompt, or this version of it (repeatable)")
    p.add_argument("--since", metavar="DATE", help="from this date or date-time on (YYYY-MM-DD[THH:MM], local time)")
    p.add_argument("--until", metavar="DATE", help="up to this date (included) or date-time")
    p.add_argument("--min-rating", type=float, metavar="N",
                   help="only suggestions whose mean rating (plot, dialogue, tone given) is at least N")
    p.add_argument("--accepted-only", action="store_true", help="only suggestions you accepted (whole or part)")


def filters_from(args: argparse.Namespace):
    from engine.editlog import Filters, parse_time

    for value, end in ((args.since, False), (args.until, True)):
        if value:
            parse_time(value, end=end)  # ValueError with the reason
    if args.min_rating is not None and not 1 <= args.min_rating <= 5:
        raise ValueError(f"--min-rating {args.min_rating:g}: ratings go from 1 to 5")
    for ref in args.prompts:
        _, _, version = ref.partition("@")
        if version and not version.isdigit():
            raise ValueError(f"--prompt {ref}: the version after @ must be a number")
    return Filters(
        scripts=tuple(args.scripts), models=tuple(args.models), prompts=tuple(args.prompts),
        since=args.since, until=args.until, min_rating=args.min_rating, accepted_only=args.accepted_only,
    )


def register(sub: argparse._SubParsersAction) -> None:
    from engine.editlog.datasets import FORMATS

    p = sub.add_parser("dataset", help="fine-tuning datasets from the edit log",
                       description="Fine-tuning datasets from the edit log.")
    cmds = p.add_subparsers(dest="dataset_command", metavar="ACTION")
    ex = cmds.add_parser(
        "export",
        help="write train/validation files and a dataset card",
        description="Write the suggestions and what you made of them as a fine-tuning dataset: "
        "train and validation files and a README.md card in DIR. Only scripts you marked as yours or "
        "licensed (scenewright log mark) are included.",
    )
    ex.add_argument("--format", required=True, choices=FORMATS, help="the trainer's format")
    ex.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write (created if needed)")
    add_filter_arguments(ex)
    ex.add_argument("--val-fraction", type=float, default=0.1, metavar="F",
                    help="share of suggestions in the validation split, by a hash of their id (default 0.1)")
    ex.add_argument("--balance-genre", action="store_true",
                    help="keep as many suggestions of each genre as the smallest genre has")
    add_db_argument(ex)
    ex.set_defaults(func=run_export)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_export(args: argparse.Namespace) -> int:
    from engine.editlog import EditLogError
    from engine.editlog.datasets import ExportError, export

    try:
        filters = filters_from(args)
    except ValueError as exc:
        return fail(str(exc))
    try:
        with open_log(args) as log:
            result = export(log, args.output, args.format, filters, val_fraction=args.val_fraction,
                            balance_genre=args.balance_genre)
    except (EditLogError, ExportError) as exc:
        return fail(str(exc))
    counts = {"train": result.train, "validation": result.validation}
    for path in result.files:
        print(f"Wrote {path} ({_n(counts[path.stem], 'row')})")
    print(f"Wrote {result.card} (dataset card)")
    print(
        f"{_n(result.suggestions, 'suggestion')} from {_n(result.scripts, 'script')}; "
        f"{_n(result.duplicates, 'duplicate')} removed"
        + (f"; {_n(result.balanced_out, 'row')} left out to balance genres" if args.balance_genre else "")
        + (f"; {_n(result.left_out_scripts, 'script')} not marked yours or licensed left out"
           if result.left_out_scripts else "")
    )
    return 0


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


__all__ = ["add_filter_arguments", "filters_from", "register"]
