"""Fixtures for the steering tests: the default model's real tokenizer and the example script.

Token counts come from the GGUF file of the default model in the bundled models.toml (read with
``vocab_only=True``: the vocabulary, not the weights), exactly as ``scenewright prompt`` counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.models import load_registry, resolve
from engine.steering.tokens import TokenCounter, open_vocab

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "night-shift.fountain"


@pytest.fixture(scope="session")
def count_tokens() -> TokenCounter:
    registry = load_registry(user_path=Path("/nonexistent/models.toml"))
    entry = registry.get()
    return open_vocab(resolve(entry), entry)


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def script(tmp_path) -> Path:
    """A copy of the example script in a temporary folder (its anchors store goes beside it)."""
    target = tmp_path / "night-shift.fountain"
    shutil.copyfile(EXAMPLE, target)
    return target
