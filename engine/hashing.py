"""sha256 as Scenewright uses it: of bytes, of text (UTF-8), of a file read in blocks, and of
a few strings joined into one key. Hex digests throughout; the one place ``hashlib`` is called
(the web server keeps its own, for API keys)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["bytes_sha256", "file_sha256", "key_sha256", "text_sha256"]

_BLOCK = 4 << 20


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_sha256(text: str, errors: str = "strict") -> str:
    """sha256 of ``text`` as UTF-8 (``errors`` as for :meth:`str.encode`: ``surrogatepass``
    or ``surrogateescape`` for text that may hold lone surrogates)."""
    return hashlib.sha256(text.encode("utf-8", errors)).hexdigest()


def key_sha256(parts: Iterable[str]) -> str:
    """sha256 of ``parts`` joined by the unit separator: a cache key made of several values."""
    return text_sha256("\x1f".join(parts))


def file_sha256(path: str | Path, on_block: Callable[[int], None] | None = None, block: int = _BLOCK) -> str:
    """sha256 of the file at ``path``, read ``block`` bytes at a time. ``on_block`` is called
    with the bytes read so far after each block; what it raises stops the reading."""
    digest = hashlib.sha256()
    done = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
            done += len(chunk)
            if on_block is not None:
                on_block(done)
    return digest.hexdigest()
