"""Writing the user's ``models.toml``: read with tomllib, merge, validate, write atomically.

A new file is written with tomli-w. An existing file is edited as text so that the writer's
comments and layout stay: the new ``[models.NAME]`` table (rendered by tomli-w) is appended, or
replaces the table of the same name, and ``default = ...`` is changed in place (or added before the
first table). The edited text must parse (tomllib) to exactly the merged data, else the file is
rewritten from the data with tomli-w instead, which loses its comments: ``Written.comments_kept``
says which happened, and the old file is always saved next to it as ``models.toml.bak`` first.
Nothing is written when the result would not validate, and an API key is never written: only the
NAME of its variable.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from engine.atomicfile import write_atomic
from engine.tomlconf import _HEADER, _split_dotted, load_toml, parse_toml

from .registry import _NAME, build_registry, bundled, user_registry_path

_BOM = b"\xef\xbb\xbf"
_DEFAULT_LINE = re.compile(r"""^(\s*default\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(\s*(?:#.*)?)$""")


@dataclass(frozen=True)
class Written:
    """What ``add_remote_entry`` did to the file."""

    path: Path
    comments_kept: bool  # False: the file had to be rewritten by tomli-w and its comments are gone
    backup: Path | None  # the previous file, when there was one


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
) -> Written:
    """Add (or replace) ``[models.NAME]`` as a remote entry; ConfigError/ValueError on bad input."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r}: model names use letters, digits, '.', '_' and '-'")
    path = path or user_registry_path()
    table: dict = {"kind": "remote", "base_url": base_url, "served_model": served_model, "endpoint": endpoint}
    if api_key_env:
        table["api_key_env"] = api_key_env
    if context_length is not None:
        table["context_length"] = context_length
    return add_entry(name, table, make_default=make_default, path=path)


def add_adapter_entry(name: str, *, base: str, adapter: Path, description: str = "", make_default: bool = False,
                      path: Path | None = None) -> Written:
    """Add (or replace) ``[models.NAME]`` as base + LoRA adapter (what ``scenewright train`` registers)."""
    table: dict = {"base": base, "adapter": str(adapter)}
    if description:
        table["description"] = description
    return add_entry(name, table, make_default=make_default, path=path)


def add_entry(name: str, table: dict, *, make_default: bool = False, path: Path | None = None) -> Written:
    """Add (or replace) the table ``[models.NAME]``, keeping the file's comments where it can."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r}: model names use letters, digits, '.', '_' and '-'")
    path = path or user_registry_path()
    if not path.exists():
        data = ({"default": name} if make_default else {}) | {"models": {name: table}}
        text = tomli_w.dumps(data)
        _validate(text, path)
        _write(path, text.encode("utf-8"))
        return Written(path, True, None)

    current = load_toml(path)
    build_registry([load_toml(bundled("models.toml")), current])  # its own mistakes, with its own lines
    data = copy.deepcopy(current.data)
    models = data.setdefault("models", {})
    if not isinstance(models, dict):
        raise ValueError(f"{path}: `models` is not a table; fix the file first")
    models[name] = table
    if make_default:
        data["default"] = name
    raw = path.read_bytes()
    original = current.text
    newline = "\r\n" if "\r\n" in original else "\n"
    text = _edited(original.replace("\r\n", "\n"), name, table, make_default)
    if text is not None and _parses_to(text) != data:
        text = None  # a layout the text edit does not handle (dotted keys, inline tables...)
    kept = text is not None
    if text is None:
        text = tomli_w.dumps(data)
    else:
        text = text.replace("\n", newline)
    _validate(text, path)
    backup = path.with_name(path.name + ".bak")
    try:
        backup.write_bytes(raw)
    except OSError as exc:
        raise ValueError(f"{backup}: cannot save the old models.toml ({exc.strerror or exc}); nothing changed") from None
    _write(path, (_BOM if raw.startswith(_BOM) else b"") + text.encode("utf-8"))
    return Written(path, kept, backup)


def _validate(text: str, path: Path) -> None:
    """Validate with the bundled registry before touching the file: errors name the key."""
    build_registry([load_toml(bundled("models.toml")), parse_toml(text, path)])


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write ({exc.strerror or exc}); nothing changed") from None


def _parses_to(text: str) -> dict | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _edited(text: str, name: str, table: dict, make_default: bool) -> str | None:
    """``text`` with the entry appended or replaced and ``default`` set; None when unsure how."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    headers = [i for i, line in enumerate(lines) if _is_header(line)]
    entry = tomli_w.dumps({"models": {name: table}}).rstrip("\n").split("\n")
    mine = [i for i in headers if _split_dotted(_HEADER.match(lines[i]).group(1)) == ("models", name)]
    if len(mine) > 1:
        return None
    if mine:  # replace the table: its header up to its last key (comments before the next header stay)
        start = mine[0]
        following = [i for i in headers if i > start]
        end = following[0] if following else len(lines)
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        lines[start:end] = entry
    else:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ([""] if lines else []) + entry
    if make_default:
        headers = [i for i, line in enumerate(lines) if _is_header(line)]
        top = headers[0] if headers else len(lines)
        found = [i for i in range(top) if re.match(r"^\s*default\s*=", lines[i])]
        value = json.dumps(name)
        if found:
            match = _DEFAULT_LINE.match(lines[found[0]])
            if match is None:
                return None
            lines[found[0]] = f"{match.group(1)}{value}{match.group(3)}"
        else:  # before the first table and the comments just above it
            at = top
            while at > 0 and lines[at - 1].lstrip().startswith("#"):
                at -= 1
            lines[at:at] = [f"default = {value}", ""]
    return "\n".join(lines) + "\n"


def _is_header(line: str) -> bool:
    match = _HEADER.match(line)
    return bool(match) and "=" not in line.split("]")[0]
