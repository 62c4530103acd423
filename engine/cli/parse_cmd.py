"""``scenewright parse FILE [--json]``: the elements of a script, one a line."""

from __future__ import annotations

import argparse
import sys

from engine.cli.common import CommandError, fail, read_script
from engine.fountain import Kind, parse
from engine.fountain.jsonout import json_lines


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="print the elements of a Fountain script",
                       description="Print the elements of a Fountain script in document order.")
    p.add_argument("file", help="a .fountain file")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per line (type, text, line, end_line, ...): a stable contract")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = read_script(args.file)
    except CommandError as exc:
        return fail(str(exc))
    elements = parse(text).elements
    out = sys.stdout
    if args.json:
        for line in json_lines(elements):
            out.write(line + "\n")
        return 0
    for e in elements:
        label = f"{e.key}:" if e.kind is Kind.TITLE else e.kind.value
        first, *rest = e.text.split("\n") if e.text else [""]
        span = f"{e.line + 1}" if e.line == e.end_line else f"{e.line + 1}-{e.end_line + 1}"
        out.write(f"{span:>9}  {label:<14} {first}\n")
        for more in rest:
            out.write(f"{'':>9}  {'':<14} {more}\n")
    return 0
