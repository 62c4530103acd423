"""``scenewright serve`` as a real process for the tests (the benchmark's helper), and keys made by the
command line. (A module of its own, not conftest.py: test folders import it by a name no other uses.)"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from engine.bench.served import Served, free_port, scenewright, start  # noqa: F401


def add_key(base: Path, name: str, *extra: str) -> str:
    env = dict(os.environ, SCENEWRIGHT_CONFIG_DIR=str(base / "config"))
    done = subprocess.run([scenewright(), "serve", "keys", "add", name, *extra], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
