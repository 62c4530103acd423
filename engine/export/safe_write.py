"""Writing an export file safely: only the path named, never over a file without ``force``,
and never a partial file (temporary file in the same folder, fsync, rename, fsync folder)."""

from __future__ import annotations

import os
from pathlib import Path

from engine.atomicfile import write_atomic

__all__ = ["ExportError", "check_target", "write_export"]


class ExportError(Exception):
    """An export that cannot be done; the message names the path and the cause."""


def check_target(path: str | Path, force: bool = False) -> Path:
    """The resolved file path an export may write to, or an :class:`ExportError`.

    Refused: an existing directory, a path whose folder does not exist (nothing is created
    on the way), a folder that is not a folder, and an existing file unless ``force``.
    """
    raw = Path(path).expanduser()
    if str(path).endswith(("/", os.sep)):
        raise ExportError(f"{path}: names a directory; give a file name")
    target = raw.resolve()
    if target.is_dir():
        raise ExportError(f"{path}: is a directory; give a file name")
    parent = target.parent
    if not parent.exists():
        raise ExportError(f"{path}: folder {parent} does not exist (export creates no folders)")
    if not parent.is_dir():
        raise ExportError(f"{path}: {parent} is not a folder")
    if target.exists() and not force:
        raise ExportError(f"{path}: already exists; use --force to overwrite it")
    if target.exists() and not target.is_file():
        raise ExportError(f"{path}: is not a regular file")
    return target


def write_export(path: str | Path, data: bytes | str, force: bool = False) -> Path:
    """Write ``data`` to ``path`` all or nothing (:func:`engine.atomicfile.write_atomic`), after
    :func:`check_target`; returns the resolved path written."""
    target = check_target(path, force)

    def still_free() -> None:
        if target.exists() and not force:  # appeared while we were writing
            raise ExportError(f"{path}: already exists; use --force to overwrite it")

    try:
        write_atomic(target, data, before_replace=still_free)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write in {target.parent} ({exc.strerror or exc})") from None
    return target
