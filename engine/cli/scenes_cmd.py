"""``scenewright scenes FILE [show|lock|unlock|update]``: locked scene numbers.

``lock`` numbers the scenes (``#1#``...) and records the numbers beside the script;
``update`` gives new scenes letter numbers (``12A``) and puts ``OMITTED`` placeholders where
locked scenes went; ``unlock`` takes the numbers out; ``show`` lists them.
"""

from __future__ import annotations

import argparse
import sys

from engine.cli.common import fail
from engine.fountain import Kind, parse
from engine.fountain.scene_numbers import OMITTED, SceneLock, SceneLockError, apply, plan, plan_unlock
from engine.scriptfile import ScriptFile, ScriptFileError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scenes", help="lock, update, unlock or list the script's scene numbers",
        description="lock: number every scene and keep the numbers from then on (new scenes get 12A, "
                    "deleted ones stay as OMITTED); update: do that after edits; unlock: remove the numbers "
                    "and the lock; show: list the scenes with their numbers.",
    )
    p.add_argument("file", help="a .fountain file")
    p.add_argument("action", nargs="?", default="show", choices=("show", "lock", "update", "unlock"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        script, text = ScriptFile.open(args.file)
        lock = SceneLock.load(args.file)
    except (ScriptFileError, SceneLockError) as exc:
        return fail(str(exc))
    elements = parse(text).elements
    if args.action == "show":
        state = f"locked {lock.locked_at}" if lock else "not locked"
        print(f"{args.file}: scene numbers {state}")
        for e in elements:
            if e.kind is Kind.SCENE_HEADING:
                print(f"{e.scene_number or '-':>6}  {e.text}")
        return 0
    if args.action == "update" and lock is None:
        return fail(f"{args.file}: scene numbers are not locked; run `scenewright scenes {args.file} lock` first")
    try:
        if args.action == "unlock":
            changes = plan_unlock(text.split("\n"), elements)
            new = apply(text, changes)
            if new != text:
                script.save(new)
            SceneLock.remove(args.file)
            print(f"{args.file}: scene numbers removed, lock taken away")
            return 0
        changes, numbers = plan(text.split("\n"), elements, lock)
        new = apply(text, changes)
        if new != text:
            script.save(new)
        SceneLock(numbers, lock.locked_at if lock else SceneLock.new(numbers).locked_at).save(args.file)
    except (ScriptFileError, SceneLockError) as exc:
        return fail(str(exc))
    omitted = sum(1 for c in changes if c.kind == "insert")
    print(f"{args.file}: {len(numbers)} scene numbers locked"
          + (f", {len(changes) - omitted} headings numbered" if changes else ", nothing to change")
          + (f", {OMITTED} placeholders added where scenes were cut" if omitted else ""))
    return 0


__all__ = ["register", "run"]
