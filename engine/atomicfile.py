"""Writing a file all or nothing: a temporary file in the same folder, fsync, rename, fsync of
the folder. A crash, a kill or a full disk leaves the old file or the new one, never half of one.

Callers turn the ``OSError`` into their own message (which file, what it was for).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path


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
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path | str, data: bytes | str, before_replace: Callable[[], None] | None = None) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8 with ``\\n`` line endings).
    ``before_replace`` runs once the data is on disk, just before the rename; what it raises
    stops the write (the temporary file is removed)."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    mode = target_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)
