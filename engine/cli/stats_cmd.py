"""``scenewright stats FILE [--json]``: pages, runtime, scenes and characters of a script."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from engine.cli.common import CommandError, fail, read_script
from engine.fountain import parse
from engine.fountain.outline import eighths_text
from engine.fountain.stats import script_stats


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stats", help="page count, runtime, scenes and characters of a script",
        description="Page count (US Letter, Courier 12, 55 lines a page: the PDF's pagination), "
                    "estimated runtime at one page a minute, scenes with their pages and length, "
                    "and per character the dialogue blocks and words.",
    )
    p.add_argument("file", help="a .fountain file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = read_script(args.file)
    except CommandError as exc:
        return fail(str(exc))
    stats = script_stats(parse(text))
    stats["ai_share"] = _ai_share(Path(args.file), text)
    if args.json:
        sys.stdout.write(json.dumps(stats, ensure_ascii=False) + "\n")
    else:
        write_table(stats, sys.stdout, title=str(args.file))
    return 0


def _ai_share(script: Path, text: str) -> dict[str, Any] | None:
    """Share of AI-written words from the provenance record beside the script (None without one).
    A broken record, or passages no longer found, are reported on stderr; the stats still print."""
    from engine.provenance import ProvenanceError, ai_share, load, provenance_path

    try:
        record = load(script, text)
    except ProvenanceError as exc:
        print(f"scenewright: {exc}; AI share not reported", file=sys.stderr)
        return None
    if record is None:
        return None
    if record.dropped:
        print(f"scenewright: {provenance_path(script)}: {len(record.dropped)} AI-written passage(s) "
              "no longer found in the script (edited elsewhere); they count as the writer's", file=sys.stderr)
    return ai_share(text, record.offsets())


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def write_table(stats: dict[str, Any], out: TextIO, title: str = "") -> None:
    """The stats as a readable report."""
    if title:
        out.write(f"{title}\n")
    out.write(f"  Pages    {stats['pages']}\n")
    out.write(f"  Runtime  {stats['runtime']} (about one page a minute)\n")
    out.write(f"  Scenes   {stats['scene_count']}\n")
    if stats.get("ai_share") is not None:
        out.write(f"  AI-written  {round(100 * stats['ai_share']['script'])}% of words (accepted suggestions)\n")
    chars = stats["characters"]
    if chars:
        width = min(30, max(9, *(len(c["name"]) for c in chars)))
        out.write(f"\n  {'Character':<{width}}  {'Blocks':>6}  {'Words':>6}\n")
        for c in chars:
            out.write(f"  {_clip(c['name'], width):<{width}}  {c['dialogue_blocks']:>6}  {c['words']:>6}\n")
    scenes = stats["scenes"]
    if scenes:
        out.write(f"\n  {'#':>4}  {'Scene':<40}  {'Pages':>7}  {'Length':>6}  {'Time':>5}\n")
        for n, s in enumerate(scenes, start=1):
            number = s["scene_number"] or str(n)
            span = str(s["page_start"]) if s["page_start"] == s["page_end"] else f"{s['page_start']}-{s['page_end']}"
            minutes, seconds = divmod(int(round(s["duration_s"])), 60)
            out.write(
                f"  {_clip(number, 4):>4}  {_clip(s['heading'], 40):<40}  {span:>7}  "
                f"{eighths_text(s['eighths']):>6}  {minutes}:{seconds:02d}\n"
            )


__all__ = ["register", "run", "write_table"]
