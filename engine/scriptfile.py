"""A screenplay file on disk: open, save atomically, notice outside changes, keep a recovery copy.

The script on disk is sacred. Saving writes a temporary file in the same folder, flushes and
fsyncs it, renames it over the original and fsyncs the folder, so a crash or a full disk leaves
either the old file or the new one, never half of either. The file's permission bits, its line
endings (CRLF or LF) and a UTF-8 BOM are kept. Before overwriting, the file is compared with what
was read or last saved (stat first, then a SHA-256 of the bytes), so a change made by another
program is never silently lost. While there are unsaved edits the editor keeps a recovery copy in
``cache_dir()/recovery/``; after a crash the next open offers it.

Every failure is a :class:`ScriptFileError` whose message names the file and the cause.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from engine.atomicfile import umask, write_atomic
from engine.fountain.decode import DecodedText, FountainDecodeError, decode_script
from engine.hashing import bytes_sha256, text_sha256
from engine.paths import cache_dir

__all__ = [
    "ScriptFile",
    "ScriptFileError",
    "ScriptReadError",
    "ScriptSaveError",
    "ExternalChangeError",
    "RecoveryError",
    "RecoveryInfo",
    "FountainDecodeError",
]

# A file whose mtime lies this close to the moment we fingerprinted it may be rewritten
# within the same timestamp tick without changing its stat; such files are hashed.
_RACY_NS = 2_000_000_000


class ScriptFileError(Exception):
    """Reading, saving or recovering a script failed; the message names the file and the cause."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        self.message = message
        super().__init__(f"{path}: {message}")


class ScriptReadError(ScriptFileError):
    """The file exists but cannot be read (permissions, a folder, an I/O error)."""


class ScriptSaveError(ScriptFileError):
    """The file could not be written; the original on disk is untouched."""


class ExternalChangeError(ScriptFileError):
    """The file changed on disk since it was opened or last saved; saving would overwrite that."""


class RecoveryError(ScriptFileError):
    """The recovery copy could not be written or removed."""


def _cause(exc: OSError) -> str:
    return exc.strerror or (errno.errorcode.get(exc.errno or 0) if exc.errno else None) or str(exc)


@dataclass(frozen=True, slots=True)
class _Fingerprint:
    """What the file looked like when we last read or wrote it (None fields: no file)."""

    mtime_ns: int | None
    size: int | None
    sha256: str | None
    taken_ns: int

    @property
    def exists(self) -> bool:
        return self.sha256 is not None


_MISSING = _Fingerprint(None, None, None, 0)


@dataclass(frozen=True, slots=True)
class RecoveryInfo:
    """A recovery copy found for a script."""

    text: str
    saved_at: str | None  # ISO 8601, UTC
    disk_sha256: str | None  # sha256 of the file on disk when the copy was written
    based_on_current_disk: bool  # the disk file is still the one the edits started from


class ScriptFile:
    """One script file. Create it with :meth:`ScriptFile.open`."""

    def __init__(self, path: Path, decoded: DecodedText, fingerprint: _Fingerprint):
        self.path = path  # as the user named it (absolute)
        self.real_path = Path(os.path.realpath(path))  # where bytes go (a symlink stays a symlink)
        self._decoded = decoded
        self._fp = fingerprint

    # ----------------------------------------------------------------- reading
    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> tuple["ScriptFile", str]:
        """Read ``path``; a missing file gives ``""`` and is created on the first save.

        Raises :class:`FountainDecodeError` for bytes that are not UTF-8 (it names the byte
        offset) and :class:`ScriptReadError` when the file cannot be read.
        """
        p = Path(os.path.abspath(Path(path).expanduser()))
        decoded, fp = cls._read(p)
        return cls(p, decoded, fp), decoded.text

    @staticmethod
    def _read(p: Path) -> tuple[DecodedText, _Fingerprint]:
        try:
            st = os.stat(p)
            if stat.S_ISDIR(st.st_mode):
                raise ScriptReadError(p, "is a folder, not a script file")
            if not stat.S_ISREG(st.st_mode):
                raise ScriptReadError(p, "is not a regular file")
            with open(p, "rb") as handle:
                st = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            return DecodedText("", "\n", False), _MISSING
        except OSError as exc:
            raise ScriptReadError(p, f"cannot read: {_cause(exc)}") from None
        decoded = decode_script(data, str(p))
        return decoded, _Fingerprint(st.st_mtime_ns, st.st_size, bytes_sha256(data), time.time_ns())

    def reload(self) -> str:
        """Read the file again (after an outside change); returns its text."""
        self._decoded, self._fp = self._read(self.path)
        return self._decoded.text

    @property
    def newline(self) -> str:
        return self._decoded.newline

    @property
    def bom(self) -> bool:
        return self._decoded.bom

    @property
    def exists(self) -> bool:
        """Whether the file existed when it was last read or saved."""
        return self._fp.exists

    # -------------------------------------------------------- outside changes
    def changed_on_disk(self) -> bool:
        """True if the file on disk differs from what was read or last saved.

        A stat that matches is trusted unless the file was written within the timestamp
        granularity of our read; a stat that differs is confirmed with the content hash
        (so ``touch`` or a tool rewriting the same bytes is not a change).
        """
        try:
            st = os.stat(self.real_path)
        except FileNotFoundError:
            return self._fp.exists
        except OSError:
            return True
        if not self._fp.exists:
            return True  # somebody created it since we opened it
        same_stat = st.st_mtime_ns == self._fp.mtime_ns and st.st_size == self._fp.size
        racy = self._fp.taken_ns - (self._fp.mtime_ns or 0) < _RACY_NS
        if same_stat and not racy:
            return False
        if st.st_size != self._fp.size:
            return True
        try:
            data = self.real_path.read_bytes()
        except OSError:
            return True
        if bytes_sha256(data) != self._fp.sha256:
            return True
        # Same bytes: remember the new stat so the next check is cheap.
        self._fp = _Fingerprint(st.st_mtime_ns, st.st_size, self._fp.sha256, time.time_ns())
        return False

    # ------------------------------------------------------------------ saving
    def encode(self, text: str) -> bytes:
        """``text`` as the bytes :meth:`save` would write (original newlines and BOM)."""
        return self._decoded.encode(text)

    def save(self, text: str, force: bool = False) -> None:
        """Write ``text`` atomically. Raises :class:`ExternalChangeError` (unless ``force``)
        when the file changed on disk, :class:`ScriptSaveError` when it cannot be written."""
        target = self.real_path
        if not force and self.changed_on_disk():
            what = "was deleted" if self._fp.exists and not target.exists() else (
                "was created" if not self._fp.exists else "was changed"
            )
            raise ExternalChangeError(
                self.path,
                f"{what} on disk by another program since it was opened; "
                "reload it to see that version, or overwrite it with yours",
            )
        try:
            data = self._decoded.encode(text)
        except UnicodeEncodeError as exc:
            raise ScriptSaveError(
                self.path, f"cannot save: the text cannot be written as UTF-8 ({exc.reason})"
            ) from None
        folder = target.parent
        if not folder.is_dir():
            raise ScriptSaveError(self.path, f"cannot save: the folder {folder} does not exist")
        mode: int | None
        owner: tuple[int, int] | None = None
        try:
            st = os.stat(target)
            mode = stat.S_IMODE(st.st_mode)
            owner = (st.st_uid, st.st_gid) if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()) else None
        except FileNotFoundError:
            mode = 0o666 & ~umask()
        except OSError as exc:
            raise ScriptSaveError(self.path, f"cannot save: {_cause(exc)}") from None
        try:
            write_atomic(target, data, mode=mode, owner=owner)
        except OSError as exc:
            raise ScriptSaveError(self.path, f"cannot save: {_cause(exc)}; the file on disk was not changed") from None
        try:
            st = os.stat(target)
            self._fp = _Fingerprint(st.st_mtime_ns, st.st_size, bytes_sha256(data), time.time_ns())
        except OSError:
            self._fp = _Fingerprint(None, len(data), bytes_sha256(data), time.time_ns())
        try:
            self.discard_recovery()
        except RecoveryError:
            pass  # the script is saved; a stale copy equal to it is never offered

    # ---------------------------------------------------------------- recovery
    def _recovery_paths(self) -> tuple[Path, Path]:
        key = text_sha256(str(self.real_path), "surrogateescape")
        folder = cache_dir() / "recovery"
        return folder / f"{key}.fountain", folder / f"{key}.json"

    def write_recovery(self, text: str) -> Path:
        """Keep ``text`` (unsaved edits) in the recovery folder; returns the copy's path."""
        text_path, meta_path = self._recovery_paths()
        data = text.encode("utf-8", "surrogatepass")
        meta = {
            "path": str(self.real_path),
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "disk_sha256": self._fp.sha256,
            "text_sha256": bytes_sha256(data),
        }
        try:
            text_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(text_path, data, mode=0o600)
            write_atomic(meta_path, json.dumps(meta, indent=1).encode(), mode=0o600)
        except OSError as exc:
            raise RecoveryError(text_path, f"cannot write the recovery copy of {self.path}: {_cause(exc)}") from None
        return text_path

    def recovery_info(self) -> RecoveryInfo | None:
        """The recovery copy, if there is one whose text differs from the file on disk."""
        text_path, meta_path = self._recovery_paths()
        try:
            raw = text_path.read_bytes()
        except OSError:
            return None
        text = raw.decode("utf-8", "replace")
        meta: dict = {}
        try:
            loaded = json.loads(meta_path.read_text("utf-8"))
            if isinstance(loaded, dict):
                meta = loaded
        except (OSError, ValueError):
            pass
        try:
            disk = self.real_path.read_bytes()
        except FileNotFoundError:
            disk = None
        except OSError:
            disk = None
        if disk is not None:
            try:
                disk_text = decode_script(disk, str(self.path)).text
            except FountainDecodeError:
                disk_text = None
            if disk_text == text:
                return None
        elif text == "":
            return None
        disk_sha = bytes_sha256(disk) if disk is not None else None
        return RecoveryInfo(
            text=text,
            saved_at=meta.get("saved_at"),
            disk_sha256=meta.get("disk_sha256"),
            based_on_current_disk=meta.get("disk_sha256", disk_sha) == disk_sha,
        )

    def recovery(self) -> str | None:
        """The recovered text if a recovery copy exists and differs from the file on disk."""
        info = self.recovery_info()
        return info.text if info else None

    def discard_recovery(self) -> None:
        for p in self._recovery_paths():
            try:
                p.unlink(missing_ok=True)
            except OSError as exc:
                raise RecoveryError(p, f"cannot remove the recovery copy of {self.path}: {_cause(exc)}") from None

    def __repr__(self) -> str:
        return f"ScriptFile({str(self.path)!r})"
