"""GGUF files that make llama.cpp kill its own process, made from the real SmolLM2 file.

``abort_on_load(src, dst)`` copies ``src`` and renames one vocabulary entry to the text of
another of the same length. The file stays well-formed (same size, same offsets), but the
vocabulary now has a duplicate, and llama.cpp's loader stops on
``GGML_ASSERT(id_to_token.size() == token_to_id.size())``: SIGABRT, in whatever process loaded it.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

_SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9


def _token_strings(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of every string in ``tokenizer.ggml.tokens``."""
    assert data[:4] == b"GGUF", "not a GGUF file"
    n_kv = struct.unpack_from("<Q", data, 16)[0]
    offset = 24

    def string(at: int) -> tuple[bytes, int]:
        n = struct.unpack_from("<Q", data, at)[0]
        return data[at + 8 : at + 8 + n], at + 8 + n

    def skip(kind: int, at: int) -> int:
        if kind == _STRING:
            return string(at)[1]
        if kind == _ARRAY:
            item, count = struct.unpack_from("<IQ", data, at)
            at += 12
            for _ in range(count):
                at = skip(item, at)
            return at
        return at + _SCALAR[kind]

    for _ in range(n_kv):
        key, offset = string(offset)
        kind = struct.unpack_from("<I", data, offset)[0]
        offset += 4
        if key == b"tokenizer.ggml.tokens":
            item, count = struct.unpack_from("<IQ", data, offset)
            at, out = offset + 12, []
            for _ in range(count):
                n = struct.unpack_from("<Q", data, at)[0]
                out.append((at + 8, n))
                at += 8 + n
            return out
        offset = skip(kind, offset)
    raise ValueError("no tokenizer.ggml.tokens in the file")


def abort_on_load(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        head = f.read(8 * 1024 * 1024)  # the metadata (SmolLM2's vocabulary ends before 2 MB)
        tokens = _token_strings(head)
        first = {}
        for at, n in tokens[1000:]:  # ordinary tokens, far from the special ones
            text = head[at : at + n]
            if n in first and head[first[n] : first[n] + n] != text:
                f.seek(at)
                f.write(head[first[n] : first[n] + n])
                return dst
            first.setdefault(n, at)
    raise ValueError("no two tokens of the same length")
