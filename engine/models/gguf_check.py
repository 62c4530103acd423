"""A cheap look at a file's GGUF header before llama.cpp opens it, for a clear message.

llama.cpp validates the whole file (tensor bounds, types) and fails cleanly on most damage; this
check only turns the commonest mistakes (an empty file, an HTML error page saved as .gguf, a
safetensors file, an old GGML file) into a sentence instead of a log line.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .errors import ModelLoadError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
HEADER_SIZE = 4 + 4 + 8 + 8  # magic, version, tensor count, metadata count


def check_gguf_header(path: Path) -> None:
    """Raise ``ModelLoadError`` unless ``path`` starts like a GGUF v2/v3 file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEADER_SIZE)
    except OSError as exc:
        raise ModelLoadError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not head:
        raise ModelLoadError(f"{path} is empty, not a GGUF model file")
    if head[:4] != GGUF_MAGIC:
        hint = ""
        if head.lstrip()[:1] in (b"<", b"{"):
            hint = " (it looks like a saved web page or JSON, not the model)"
        elif head[:4] in (b"ggml", b"ggjt", b"ggmf", b"lmgg", b"tjgg"):
            hint = " (an old GGML file: convert it to GGUF with llama.cpp's tools)"
        raise ModelLoadError(f"{path} is not a GGUF model file{hint}")
    if len(head) < HEADER_SIZE:
        raise ModelLoadError(f"{path} is truncated: it ends inside the GGUF header")
    version, n_tensors, n_kv = struct.unpack("<IQQ", head[4:])
    if version not in SUPPORTED_VERSIONS:
        raise ModelLoadError(f"{path} is GGUF version {version}; llama.cpp reads versions 2 and 3")
    if n_tensors == 0 or n_tensors > 1_000_000 or n_kv > 1_000_000:
        raise ModelLoadError(f"{path} has a damaged GGUF header ({n_tensors} tensors, {n_kv} metadata keys)")
