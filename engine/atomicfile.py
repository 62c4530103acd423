"""Writing a file all or nothing: a temporary file in the same folder, fsync, rename, fsync of
the folder. A crash, a kill or a full disk leaves the old file or the new one, never half of one.

:func:`write_atomic` is the one writer every module uses; :func:`move_into_place` publishes a
file or folder something else (a subprocess, an extractor, a download) built beside its target.
Callers turn the ``OSError`` into their own message (which file, what it was for).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["fsync_dir", "move_into_place", "target_mode", "umask", "write_atomic"]


def umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def target_mode(path: Path) -> int:
    """The permissions a file written at ``path`` gets: those of the file it replaces, else
    what ``open()`` would give a new file (0666 less the umask). ``mkstemp`` alone makes 0600,
    which would leave a shared PDF or anchors file readable by its owner only."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~umask()


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # the rename itself is done; only its durability is not promised here
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def write_atomic(
    path: Path | str,
    data: bytes | str,
    before_replace: Callable[[], None] | None = None,
    *,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8, line endings as given).

    ``mode``: the new file's permissions (default :func:`target_mode`: those of the file it
    replaces, else 0666 less the umask). ``owner``: (uid, gid) to give the new file, best
    effort (only root may give a file away; keeping ours is fine). ``before_replace`` runs
    once the data is on disk, just before the rename; what it raises stops the write. On any
    error the temporary file is removed and the old file is left as it was.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if mode is None:
        mode = target_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            if owner is not None and hasattr(os, "fchown"):
                try:
                    os.fchown(handle.fileno(), *owner)
                except OSError:
                    pass
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        _remove(Path(tmp))
        raise
    fsync_dir(path.parent)


def move_into_place(built: Path | str, target: Path | str, *, replace_folder: bool = False) -> None:
    """Publish ``built`` (a file or folder made in ``target``'s folder) as ``target`` by one
    rename, made durable; on error ``built`` is removed and ``target`` is left as it was.

    A file is fsynced before the rename. ``replace_folder``: ``target`` may be a folder, which
    is removed first (a rename cannot replace a non-empty folder; between the two there is no
    ``target``, so readers must check for it)."""
    built, target = Path(built), Path(target)
    try:
        if built.is_file():
            fd = os.open(built, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if replace_folder and target.is_dir() and not target.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(built, target)
    except BaseException:
        _remove(built)
        raise
    fsync_dir(target.parent)
