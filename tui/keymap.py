"""The writer's key bindings: ``config_dir()/keymap.toml``.

::

    [keymap]
    "editor.save" = "ctrl+s"
    "editor.toggle_outline" = "f2,ctrl+o"   # several keys: comma-separated

Every action of the editor is a ``Binding`` with an id (listed by :func:`binding_ids`); the
file maps ids to keys and is applied with ``App.set_keymap``. Problems (bad TOML, an unknown
id, a value that is not a key string) are ``ConfigError`` naming file:line: key; the valid
entries still apply.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from engine.paths import config_dir
from engine.tomlconf import ConfigError, load_toml

_KEY = re.compile(r"^[A-Za-z0-9_+\-]+$")


def keymap_path() -> Path:
    return config_dir() / "keymap.toml"


def binding_ids(*classes: type[DOMNode]) -> dict[str, str]:
    """``{binding id: default keys}`` of the given classes' ``BINDINGS``."""
    found: dict[str, list[str]] = {}
    for cls in classes:
        for base in cls.__mro__:
            declared = [*base.__dict__.get("BINDINGS", []), *base.__dict__.get("COMPLETION_BINDINGS", [])]
            for binding in declared:
                if isinstance(binding, Binding) and binding.id:
                    keys = found.setdefault(binding.id, [])
                    for key in binding.key.split(","):
                        if key.strip() and key.strip() not in keys:
                            keys.append(key.strip())
    return {binding_id: ",".join(keys) for binding_id, keys in found.items()}


def load_keymap(
    known: dict[str, str], path: Path | None = None, taken: dict[str, tuple[str, set[str]]] | None = None
) -> tuple[dict[str, str], list[ConfigError]]:
    """The keymap in ``path`` (default: the user's), restricted to valid entries, and the errors.

    ``taken``: ``{key: (who, binding ids that may use it)}`` for keys a focused widget keeps
    for itself (the script editor's own keys), which would never reach other bindings.
    """
    path = keymap_path() if path is None else path
    if not path.exists():
        return {}, []
    try:
        toml = load_toml(path)
    except ConfigError as error:
        return {}, [error]
    table = toml.data.get("keymap")
    errors: list[ConfigError] = []
    for key in toml.data:
        if key != "keymap":
            errors.append(toml.error((key,), "unknown key; key bindings go in a [keymap] table"))
    if table is None:
        return {}, errors
    if not isinstance(table, dict):
        return {}, errors + [toml.error(("keymap",), "must be a table of binding id = \"keys\"")]
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        if binding_id not in known:
            errors.append(toml.error(("keymap", binding_id), f"unknown binding id; known ids: {', '.join(sorted(known))}"))
            continue
        if not isinstance(value, str) or not value.strip():
            errors.append(toml.error(("keymap", binding_id), 'must be a key string such as "ctrl+s" or "f2,ctrl+o"'))
            continue
        keys = [k.strip() for k in value.split(",")]
        bad = [k for k in keys if not _KEY.match(k)]
        if bad:
            errors.append(toml.error(("keymap", binding_id), f"not a key: {bad[0]!r} (write keys like \"ctrl+s\")"))
            continue
        clash = next(
            ((k, taken[k][0]) for k in keys if taken and k in taken and binding_id not in taken[k][1]), None
        )
        if clash is not None:
            errors.append(toml.error(("keymap", binding_id), f"{clash[0]} is used by {clash[1]}; choose another key"))
            continue
        keymap[binding_id] = ",".join(keys)
    return keymap, errors
