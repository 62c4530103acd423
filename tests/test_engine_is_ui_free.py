"""engine/ is the UI-free core: importing all of it must not import Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import engine


def test_importing_every_engine_module_leaves_textual_out():
    names = [m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")]
    assert "engine.fountain.live" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.') or m == 'tui')\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(engine.__file__).parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
