"""Entry point of the ``scenewright`` command.

``scenewright COMMAND ...`` (a name in ``engine.cli.COMMANDS``) goes to the engine's command line
(no Textual import, so they start fast); anything else opens the editor.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from engine.cli import COMMANDS

    if argv and argv[0] in COMMANDS:
        from engine.cli import main as cli_main

        return cli_main(argv)
    from tui.launch import launch_editor

    return launch_editor(argv)


if __name__ == "__main__":
    raise SystemExit(main())
