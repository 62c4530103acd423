"""``scenewright report FILE --kind characters|scenes|locations|dialogue [--csv|--json]``."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli.common import CommandError, fail, read_script
from engine.export.dialogue import dialogue_csv, dialogue_report, dialogue_text
from engine.export.reports import KINDS, report, report_csv, report_table
from engine.fountain import parse
from engine.steering import AnchorStore


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="character, scene or location breakdown of a script",
        description="characters: scenes each appears in, dialogue blocks and words; scenes: page, "
                    "length in eighths, characters and location; locations: scenes and total pages.",
    )
    p.add_argument("file", help="a .fountain file")
    p.add_argument("--kind", required=True, choices=(*KINDS, "dialogue"), help="which report")
    p.add_argument("--csv", action="store_true", help="CSV on standard output instead of a table")
    p.add_argument("--json", action="store_true", help="dialogue only: the whole report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = read_script(args.file)
    except CommandError as exc:
        return fail(str(exc))
    if args.kind == "dialogue":
        store = AnchorStore.for_script(args.file)
        if store.error is not None:
            return fail(f"{store.error} (the character tags are read from there)")
        result = dialogue_report(parse(text), store.cast)
        if args.json:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n")
        else:
            sys.stdout.write(dialogue_csv(result) if args.csv else dialogue_text(result))
        return 0
    if args.json:
        return fail("--json is for --kind dialogue; use scenewright stats FILE --json for the other figures")
    rows = report(parse(text), args.kind)
    sys.stdout.write(report_csv(rows, args.kind) if args.csv else report_table(rows, args.kind))
    return 0


__all__ = ["register", "run"]
