"""``scenewright report FILE --kind characters|scenes|locations [--csv]``."""

from __future__ import annotations

import argparse
import sys

from engine.cli.common import CommandError, fail, read_script
from engine.export.reports import KINDS, report, report_csv, report_table
from engine.fountain import parse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="character, scene or location breakdown of a script",
        description="characters: scenes each appears in, dialogue blocks and words; scenes: page, "
                    "length in eighths, characters and location; locations: scenes and total pages.",
    )
    p.add_argument("file", help="a .fountain file")
    p.add_argument("--kind", required=True, choices=KINDS, help="which report")
    p.add_argument("--csv", action="store_true", help="CSV on standard output instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = read_script(args.file)
    except CommandError as exc:
        return fail(str(exc))
    rows = report(parse(text), args.kind)
    sys.stdout.write(report_csv(rows, args.kind) if args.csv else report_table(rows, args.kind))
    return 0


__all__ = ["register", "run"]
