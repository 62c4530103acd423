"""How the edit log names things: rows (:func:`engine.ids.new_id`, made on the caller's side so
that a writer thread can hand them back before the row is written), scripts (:func:`script_key`),
script texts (:func:`content_hash`) and model files (:func:`model_file_hash`)."""

from __future__ import annotations

from pathlib import Path

from engine.hashing import file_sha256, text_sha256
from engine.ids import new_id

__all__ = ["content_hash", "model_file_hash", "new_id", "script_key"]


def content_hash(text: str) -> str:
    """sha256 of the UTF-8 text."""
    return text_sha256(text)


_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def model_file_hash(path: str | Path) -> str:
    """sha256 of a model file, computed once per (path, size, modification time) in this process."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = file_sha256(path)
    return _FILE_HASHES[key]


def script_key(path: str | Path) -> str:
    """How a script is named in the log: its absolute path (symlinks resolved); a script the HTTP
    service was sent (``serve://KEY/DOCUMENT``, no file) keeps its name."""
    if isinstance(path, str) and path.startswith("serve://"):
        return path
    return str(Path(path).expanduser().resolve())
