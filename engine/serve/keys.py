"""API keys of ``scenewright serve``: made by ``scenewright serve keys add NAME``, kept hashed.

A key is ``sw-`` and 43 random URL-safe characters (256 bits from ``secrets``), shown once when it is
made. The file (``serve-keys.toml`` in the config folder, mode 0600) holds its SHA-256, the first
characters for recognising it (``sw-AbCd…``), and its limits; never the key itself. With that
much randomness a plain SHA-256 is what the key's strength needs (a slow password hash guards
guessable secrets, which these are not); comparisons are constant-time.

    [keys.coda]
    sha256 = "5f0c…"
    shown = "sw-AbCd"
    created = "2026-12-07T10:00:00Z"
    requests_per_minute = 60
    tokens_per_day = 200000

The server reads the file again when it changes, so a key added or removed while it runs counts
from the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import tomli_w

from engine.atomicfile import write_atomic
from engine.paths import config_dir
from engine.tomlconf import ConfigError, load_toml

PREFIX = "sw-"
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DEFAULT_RPM = 60
DEFAULT_TOKENS_PER_DAY = 200_000


def default_path() -> Path:
    return config_dir() / "serve-keys.toml"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    name: str
    sha256: str
    shown: str
    created: str
    requests_per_minute: int = DEFAULT_RPM
    tokens_per_day: int = DEFAULT_TOKENS_PER_DAY

    def table(self) -> dict:
        return {"sha256": self.sha256, "shown": self.shown, "created": self.created,
                "requests_per_minute": self.requests_per_minute, "tokens_per_day": self.tokens_per_day}


def read_keys(path: Path) -> dict[str, ApiKey]:
    """The keys in ``path`` (none when it does not exist); ConfigError naming file, line and key."""
    if not path.exists():
        return {}
    tf = load_toml(path)
    table = tf.data.get("keys", {})
    if not isinstance(table, dict):
        raise tf.error(("keys",), "must be a table of [keys.NAME] entries")
    keys = {}
    for name, entry in table.items():
        if not isinstance(entry, dict):
            raise tf.error(("keys", name), "must be a table")
        sha = entry.get("sha256")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise tf.error(("keys", name, "sha256"), "must be the key's SHA-256 (64 hex digits)")
        limits = {}
        for field in ("requests_per_minute", "tokens_per_day"):
            value = entry.get(field, DEFAULT_RPM if field == "requests_per_minute" else DEFAULT_TOKENS_PER_DAY)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise tf.error(("keys", name, field), "must be a whole number, 0 or more (0: no limit)")
            limits[field] = value
        keys[name] = ApiKey(name, sha, str(entry.get("shown", "")), str(entry.get("created", "")), **limits)
    return keys


def write_keys(path: Path, keys: dict[str, ApiKey]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # created 0600 first, so that the atomic writer keeps that mode
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    header = ("# API keys of `scenewright serve`, hashed (SHA-256): the keys themselves are shown once, when made.\n"
              "# Manage with: scenewright serve keys add|list|remove NAME\n\n")
    write_atomic(path, header + tomli_w.dumps({"keys": {n: k.table() for n, k in sorted(keys.items())}}))


def add_key(name: str, *, requests_per_minute: int = DEFAULT_RPM, tokens_per_day: int = DEFAULT_TOKENS_PER_DAY,
            path: Path | None = None) -> tuple[str, ApiKey]:
    """A new key named ``name``: (the key, to show once, its entry). ValueError for a bad or taken name."""
    path = path or default_path()
    if not NAME.match(name):
        raise ValueError(f"{name!r}: key names use letters, digits, '.', '_' and '-' (64 at most)")
    if requests_per_minute < 0 or tokens_per_day < 0:
        raise ValueError("limits are 0 or more (0: no limit)")
    keys = read_keys(path)
    if name in keys:
        raise ValueError(f"there is a key named {name} already ({path}); remove it first to replace it")
    key = PREFIX + secrets.token_urlsafe(32)
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry = ApiKey(name, digest(key), key[:7], created, requests_per_minute, tokens_per_day)
    write_keys(path, keys | {name: entry})
    return key, entry


def remove_key(name: str, path: Path | None = None) -> bool:
    path = path or default_path()
    keys = read_keys(path)
    if name not in keys:
        return False
    del keys[name]
    write_keys(path, keys)
    return True


class KeyRing:
    """The keys of one file, read again whenever the file changes; ``check`` finds a key's entry."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_path()
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, ApiKey] = {}
        self.refresh()

    def refresh(self) -> dict[str, ApiKey]:
        """Re-read the file if it changed; a file broken meanwhile keeps the keys read before
        (the error is raised to the caller, who reports it)."""
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._keys = read_keys(self.path) if stamp is not None else {}
                self._stamp = stamp
            return self._keys

    @property
    def keys(self) -> dict[str, ApiKey]:
        try:
            return self.refresh()
        except ConfigError:
            return self._keys

    def check(self, presented: str | None) -> ApiKey | None:
        if not presented or not presented.startswith(PREFIX):
            return None
        wanted = digest(presented)
        found = None
        for entry in self.keys.values():  # every entry compared, in constant time each
            if hmac.compare_digest(entry.sha256, wanted):
                found = entry
        return found
