"""``scenewright log show|mark|forget``: look at the edit log, mark scripts, forget a script.

    scenewright log show [--json] [--limit N]
    scenewright log mark --script FILE --mine|--licensed|--not-mine|--unmarked [--genre GENRE]
    scenewright log forget --script FILE

The log is one SQLite file in the user data folder (``--db`` reads another). It stays on this
machine; ``forget`` deletes every request, prompt, suggestion, rating and A/B pick about a script
and overwrites them in the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.cli.common import fail

_USAGE_WORDS = {"mine": "yours", "licensed": "licensed", "not_mine": "not yours", "unmarked": "unmarked"}


def add_db_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="the edit log file (default: editlog.sqlite3 in the data folder)")


def open_log(args: argparse.Namespace):
    from engine.editlog import EditLog

    return EditLog.open(args.db)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "log",
        help="the edit log: show it, mark scripts as yours or licensed, forget a script",
        description="The edit log records every request and suggestion and what you made of them. "
        "It stays on this machine.",
    )
    cmds = p.add_subparsers(dest="log_command", metavar="ACTION")

    show = cmds.add_parser("show", help="scripts in the log and the latest suggestions")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.add_argument("--limit", type=int, default=20, metavar="N", help="latest suggestions to list (default 20)")
    add_db_argument(show)
    show.set_defaults(func=run_show)

    mark = cmds.add_parser(
        "mark", help="mark a script as yours, licensed or not yours (only yours and licensed ones are exported)"
    )
    mark.add_argument("--script", required=True, metavar="FILE", help="the .fountain file")
    which = mark.add_mutually_exclusive_group(required=True)
    which.add_argument("--mine", dest="usage", action="store_const", const="mine", help="you wrote it")
    which.add_argument("--licensed", dest="usage", action="store_const", const="licensed",
                       help="you hold a licence to use it for training")
    which.add_argument("--not-mine", dest="usage", action="store_const", const="not_mine",
                       help="never export it")
    which.add_argument("--unmarked", dest="usage", action="store_const", const="unmarked",
                       help="take the marking back")
    mark.add_argument("--genre", metavar="GENRE", help="its genre (used by dataset export --balance-genre)")
    add_db_argument(mark)
    mark.set_defaults(func=run_mark)

    forget = cmds.add_parser("forget", help="delete everything the log holds about a script")
    forget.add_argument("--script", required=True, metavar="FILE", help="the .fountain file (or its path as listed)")
    add_db_argument(forget)
    forget.set_defaults(func=run_forget)

    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_show(args: argparse.Namespace) -> int:
    from engine.editlog import EditLogError

    try:
        with open_log(args) as log:
            scripts = log.scripts()
            recent = log.recent(max(0, args.limit))
            counts = log.counts()
            path, version = log.path, log.schema_version
    except EditLogError as exc:
        return fail(str(exc))
    if args.json:
        out = {"database": str(path), "schema_version": version, "counts": counts, "scripts": scripts,
               "suggestions": recent}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return 0
    w = sys.stdout.write
    w(f"Edit log {path}\n")
    w(f"  {counts['scripts']} scripts, {counts['requests']} requests, {counts['suggestions']} suggestions, "
      f"{counts['comparisons']} A/B comparisons\n")
    if scripts:
        w("\n  Scripts (only yours and licensed ones are exported):\n")
        for s in scripts:
            genre = f", {s['genre']}" if s["genre"] else ""
            n = s["suggestions"]
            w(f"    {_USAGE_WORDS[s['usage']]:<9} {s['path']}  ({n} suggestion{'' if n == 1 else 's'}{genre})\n")
    if recent:
        w(f"\n  Latest {len(recent)} suggestions:\n")
        w(f"    {'when':<16}  {'script':<18}  {'model':<14}  {'prompt':<14}  {'state':<13}  {'edit':>5}  text\n")
        for r in recent:
            ref = "-" if r["prompt_id"] is None else f"{r['prompt_id']}@{r['prompt_version']}"
            dist = "" if r["edit_distance"] is None else f"{r['edit_distance']:.2f}"
            text = " ".join(r["text"].split())
            w(f"    {r['created_at'][:16].replace('T', ' '):<16}  {_clip(Path(r['path']).name, 18):<18}  "
              f"{_clip(r['model'], 14):<14}  {_clip(ref, 14):<14}  {r['state']:<13}  {dist:>5}  {_clip(text, 40)}\n")
    elif not scripts:
        w("  (empty: suggestions are recorded as you use the model panel)\n")
    return 0


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_mark(args: argparse.Namespace) -> int:
    from engine.editlog import EditLogError, script_key

    try:
        with open_log(args) as log:
            known = {s["path"] for s in log.scripts()}
            key = script_key(args.script)
            if key not in known and not Path(args.script).is_file():
                return fail(f"{args.script}: no such file, and the edit log has nothing about it")
            log.mark_script(args.script, args.usage, args.genre)
    except EditLogError as exc:
        return fail(str(exc))
    genre = f" ({args.genre})" if args.genre else ""
    note = "; it goes into dataset exports" if args.usage in ("mine", "licensed") else "; it is never exported"
    print(f"Marked {key} as {_USAGE_WORDS[args.usage]}{genre}{note}")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    from engine.editlog import EditLogError

    try:
        with open_log(args) as log:
            gone = log.forget_script(args.script)
    except EditLogError as exc:
        return fail(str(exc))
    if not gone["scripts"] and not gone["suggestions"]:
        print(f"The edit log has nothing about {args.script}")
        return 0
    print(
        f"Forgot {args.script}: {gone['requests']} requests, {gone['suggestions']} suggestions"
        + (f", {gone['comparisons']} A/B comparisons" if gone["comparisons"] else "")
    )
    return 0


__all__ = ["add_db_argument", "open_log", "register"]
