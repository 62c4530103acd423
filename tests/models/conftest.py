"""Fixtures for the model tests: the real default model (Gemma 3 270M), loaded once per session.

No mocks: these tests assemble the packaged GGUF into the session's cache directory, load it
with llama-cpp-python and generate with small ``max_tokens``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.generation import GenerationEngine
from engine.models import load_registry

from model_helpers import EXAMPLE


@pytest.fixture(scope="session")
def engine():
    """A GenerationEngine on the bundled registry (no user file) with the default model loaded, once."""
    eng = GenerationEngine(load_registry(user_path=Path("/nonexistent/models.toml")))
    events = list(eng.load())
    assert eng.loaded() == [eng.registry.default], events
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def model(engine):
    return engine.model()


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")
