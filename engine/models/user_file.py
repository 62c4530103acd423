"""Writing the user's ``models.toml``: read with tomllib, merge, validate, write atomically with tomli-w.

Entries already in the file are kept (tomli-w rewrites the file, so comments in it are not kept;
the old file is saved next to it as ``models.toml.bak`` first). Nothing is written when the
result would not validate, and an API key is never written: only the NAME of its variable.
"""

from __future__ import annotations

from pathlib import Path

import tomli_w

from engine.atomicfile import write_atomic
from engine.tomlconf import load_toml, parse_toml

from .registry import _NAME, build_registry, bundled, user_registry_path


def add_remote_entry(
    name: str,
    *,
    base_url: str,
    served_model: str,
    endpoint: str = "completions",
    api_key_env: str | None = None,
    context_length: int | None = None,
    make_default: bool = False,
    path: Path | None = None,
) -> Path:
    """Add (or replace) ``[models.NAME]`` as a remote entry; ConfigError/ValueError on bad input."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r}: model names use letters, digits, '.', '_' and '-'")
    path = path or user_registry_path()
    data: dict = {}
    if path.exists():
        current = load_toml(path)
        build_registry([load_toml(bundled("models.toml")), current])  # its own mistakes, with its own lines
        data = current.data
    table: dict = {"kind": "remote", "base_url": base_url, "served_model": served_model, "endpoint": endpoint}
    if api_key_env:
        table["api_key_env"] = api_key_env
    if context_length is not None:
        table["context_length"] = context_length
    models = data.setdefault("models", {})
    if not isinstance(models, dict):
        raise ValueError(f"{path}: `models` is not a table; fix the file first")
    models[name] = table
    if make_default:
        data["default"] = name
    text = tomli_w.dumps(data)
    # Validate with the bundled registry before touching the file: errors name the key.
    build_registry([load_toml(bundled("models.toml")), parse_toml(text, path)])
    _write_atomic(path, text)
    return path


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        backup.write_bytes(path.read_bytes())
    write_atomic(path, text)

