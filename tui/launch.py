"""``scenewright [FILE] [--theme NAME]``: open a script in the editor."""

from __future__ import annotations

import argparse
import sys

from engine.fountain import FountainDecodeError
from engine.scriptfile import ScriptFile, ScriptFileError


def build_parser() -> argparse.ArgumentParser:
    from engine.cli import COMMANDS  # the names only: no command module is imported

    parser = argparse.ArgumentParser(
        prog="scenewright",
        description="Write a Fountain screenplay in the terminal. Other commands "
        f"(scenewright COMMAND --help tells more): {', '.join(COMMANDS)}.",
    )
    parser.add_argument("file", nargs="?", default="untitled.fountain",
                        help="the script to open (created on the first save if it does not exist; "
                        "default: untitled.fountain)")
    parser.add_argument("--theme", metavar="NAME",
                        help="colour theme: dark, light, a Textual theme, or one in the config folder's themes/")
    return parser


def launch_editor(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        script, text = ScriptFile.open(args.file)
    except (FountainDecodeError, ScriptFileError) as exc:
        print(f"scenewright: {exc}", file=sys.stderr)
        return 1

    from .app import ScenewrightApp  # Textual is imported only when the editor opens
    from .themes import load_catalog

    catalog = load_catalog()
    if args.theme:
        from textual.theme import BUILTIN_THEMES

        if args.theme not in catalog.themes and args.theme not in BUILTIN_THEMES:
            names = ", ".join(sorted(set(catalog.themes) | set(BUILTIN_THEMES)))
            print(f"scenewright: no theme named {args.theme!r}; themes: {names}", file=sys.stderr)
            return 2
    app = ScenewrightApp(script, text, theme=args.theme, catalog=catalog, warm_model=True, start_at_end=True)
    result = app.run()
    return int(result or 0)
