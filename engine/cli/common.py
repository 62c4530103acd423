"""Small pieces shared by the command-line commands; they live in :mod:`engine.commandline`.

``engine.bench``'s runners use them too, and engine.cli imports engine.bench, so they sit below
both (importing them from here would make engine.bench import engine.cli: a cycle).
"""

from __future__ import annotations

from engine.commandline import CommandError, fail, read_script

__all__ = ["CommandError", "fail", "read_script"]
