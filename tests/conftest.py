"""Shared fixtures: tests never touch the real user's directories.

Config and data directories are fresh for every test; the cache directory (assembled model
files, thread calibration) is shared by the whole session so that a model is unpacked once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "fountain-corpus"


@pytest.fixture(autouse=True, scope="session")
def _session_cache_dir(tmp_path_factory):
    previous = os.environ.get("SCENEWRIGHT_CACHE_DIR")
    if not os.environ.get("SCENEWRIGHT_TEST_KEEP_CACHE"):
        os.environ["SCENEWRIGHT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("SCENEWRIGHT_CACHE_DIR", None)
    else:
        os.environ["SCENEWRIGHT_CACHE_DIR"] = previous


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("user")
    for name in ("CONFIG", "DATA"):
        path = base / name.lower()
        path.mkdir()
        monkeypatch.setenv(f"SCENEWRIGHT_{name}_DIR", str(path))
    yield


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared Fountain corpus (../shared/fountain-corpus) is not beside this checkout")
    return CORPUS
