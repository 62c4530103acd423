"""TOML helpers for the steering files: atomic writes and line numbers inside arrays of tables."""

from __future__ import annotations

import re
from pathlib import Path

import tomli_w

from engine.atomicfile import write_atomic
from engine.tomlconf import ConfigError, TomlFile

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def write_toml_atomic(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file, never half."""
    write_atomic(path, tomli_w.dumps(data, multiline_strings=True))


def array_item_line(tf: TomlFile, array: str, index: int, key: str | None = None) -> int | None:
    """The 1-based line of ``key`` in the ``index``-th ``[[array]]`` table (or of its header)."""
    seen = -1
    header_line: int | None = None
    for number, raw in enumerate(tf.text.splitlines(), start=1):
        header = _ARRAY_HEADER.match(raw)
        if header:
            if header_line is not None and seen == index:
                break  # the next table starts: key not found in ours
            if header.group(1) == array:
                seen += 1
                if seen == index:
                    header_line = number
                    if key is None:
                        return number
            continue
        if _ANY_HEADER.match(raw) and header_line is not None:
            break
        if header_line is not None and key is not None:
            found = _KEY.match(raw)
            if found and found.group(1).strip("\"'") == key:
                return number
    return header_line


def item_error(tf: TomlFile, array: str, index: int, key: str | None, message: str) -> ConfigError:
    """``file:line: array[N].key: message`` for the ``index``-th table (N is 1-based)."""
    line = array_item_line(tf, array, index, key)
    if line is None:
        line = tf.line_of((array,))
    label = f"{array}[{index + 1}]" + (f".{key}" if key else "")
    return ConfigError(tf.path, message, line, label)


__all__ = ["array_item_line", "item_error", "write_toml_atomic"]
