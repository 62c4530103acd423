"""The ``scenewright`` command line: argument parsing only; each command calls engine functions.

Each subcommand lives in its own module exposing ``register(subparsers)``; the module adds
its parser and sets ``func`` (``func(args) -> int``, the exit status). ``tui.main`` sends
every argv whose first word is a subcommand here, and everything else to the editor.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> module under engine.cli
COMMANDS = {
    "parse": "parse_cmd",
    "stats": "stats_cmd",
    "bench": "bench_cmd",
    "continue": "continue_cmd",
    "models": "models_cmd",
    "anchors": "anchors_cmd",
    "prompt": "prompt_cmd",
    "log": "log_cmd",
    "dataset": "dataset_cmd",
    "eval": "eval_cmd",
    "export": "export_cmd",
    "import": "import_cmd",
    "report": "report_cmd",
    "scenes": "scenes_cmd",
    "corpus": "corpus_cmd",
    "train": "train_cmd",
    "serve": "serve_cmd",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's module is imported (fast start)."""
    parser = argparse.ArgumentParser(
        prog="scenewright",
        description="Screenplay co-writing in the terminal. `scenewright [FILE]` opens the editor.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only and name != only:
            continue
        importlib.import_module(f"engine.cli.{module}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `scenewright parse x | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
