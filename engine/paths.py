"""Where Scenewright keeps things: user directories (platformdirs) and bundled files.

Every user directory can be moved with an environment variable (``SCENEWRIGHT_CONFIG_DIR``,
``SCENEWRIGHT_DATA_DIR``, ``SCENEWRIGHT_CACHE_DIR``), which tests and shared machines use.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "scenewright"
_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parent


def _dir(env: str, default: str) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser() if value else Path(default)


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/scenewright`` on Linux: user models.toml, themes/, keymap.toml, prompts/."""
    return _dir("SCENEWRIGHT_CONFIG_DIR", platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    """Edit log database and other user data."""
    return _dir("SCENEWRIGHT_DATA_DIR", platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    """Assembled model files, thread calibration, recovery files."""
    return _dir("SCENEWRIGHT_CACHE_DIR", platformdirs.user_cache_dir(APP))


def bundled(name: str) -> Path:
    """A file or folder shipped with the package (``models.toml``, ``examples``, ``themes``).

    In a wheel they sit in ``engine/_bundled`` (themes in ``tui/_bundled``); in a source
    checkout or an editable install they are at the repository's top level.
    """
    for candidate in (_HERE / "_bundled" / name, _REPO / "tui" / "_bundled" / name, _REPO / name):
        if candidate.exists():
            return candidate
    return _REPO / name
