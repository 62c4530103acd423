"""Reading TOML config files with errors that name the file, the line and the key.

``tomllib`` reports syntax errors with a line and column but knows nothing of meaning;
``TomlFile.error(("models", "gemma", "threads"), "must be an integer")`` gives a
``ConfigError`` pointing at the line where that key is written, so every config file
of Scenewright (models.toml, themes, keymaps, prompts) reports problems the same way.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A problem in a config file: ``path:line: key: message``."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, key: str | None = None):
        self.path = Path(path)
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) + (f":{self.line}" if self.line else "")
        return f"{where}: {self.key + ': ' if self.key else ''}{self.message}"


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def _split_dotted(name: str) -> tuple[str, ...]:
    parts = re.findall(r'"[^"]*"|\'[^\']*\'|[^.\s]+', name)
    return tuple(p.strip("\"'") for p in parts)


@dataclass
class TomlFile:
    path: Path
    text: str
    data: dict[str, Any]

    def line_of(self, keys: tuple[str, ...]) -> int | None:
        """The 1-based line where the dotted key path ``keys`` is defined, if it can be found."""
        table: tuple[str, ...] = ()
        best: int | None = None
        for number, raw in enumerate(self.text.splitlines(), start=1):
            header = _HEADER.match(raw)
            if header and "=" not in raw.split("]")[0]:
                table = _split_dotted(header.group(1))
                if table == keys:
                    return number
                if keys[: len(table)] == table and best is None:
                    best = number
                continue
            key = _KEY.match(raw)
            if key:
                full = table + _split_dotted(key.group(1))
                if full == keys:
                    return number
                if keys[: len(full)] == full:  # inline table holding the key
                    best = number
        return best

    def error(self, keys: tuple[str, ...], message: str) -> ConfigError:
        return ConfigError(self.path, message, self.line_of(keys), ".".join(keys) or None)


def load_toml(path: Path | str) -> TomlFile:
    """Read and parse a TOML file; every failure is a ``ConfigError``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not valid UTF-8 at byte {exc.start}") from None
    return parse_toml(text, path)


def parse_toml(text: str, path: Path | str = "<string>") -> TomlFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = None
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if found:
            line = int(found.group(1))
            message = message[: found.start()].strip()
        raise ConfigError(path, f"invalid TOML: {message}", line) from None
    return TomlFile(Path(path), text, data)
