"""Small pieces shared by the command-line entry points: ``engine.cli``'s commands and ``engine.bench``'s runners."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.fountain.decode import FountainDecodeError, decode_script


class CommandError(Exception):
    """A failure to report on one line (no traceback), exit status 1."""


def read_script(path: str | Path) -> str:
    """The text of a Fountain file, or a CommandError that names the file and the cause."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a Fountain file") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return decode_script(data, str(path)).text
    except FountainDecodeError as exc:
        raise CommandError(str(exc)) from None


def fail(message: str) -> int:
    print(f"scenewright: {message}", file=sys.stderr)
    return 1
