"""The prompt library: TOML prompt files, built in and the writer's own, in versions.

A prompt file::

    id = "dialogue"
    title = "Dialogue for the current scene"
    kind = "dialogue"          # continue | dialogue | rewrite | alternatives | beat
    genres = ["any"]           # genre tags, for the picker
    version = 1
    description = "..."        # optional
    pinned = false             # optional: this version wins over higher ones
    alternatives = 3           # optional: how many suggestions to sample (swipes)
    stop = ["\\n\\n\\n"]         # optional stop sequences
    template = '''...'''       # slots: see engine.steering.template

    [sampling]                 # optional overrides of the model's defaults
    temperature = 0.7          # top_p top_k min_p repeat_penalty max_tokens

The built-in library is ``engine/steering/prompts/*.toml`` (shipped in the wheel); the user
library is ``config_dir()/prompts/*.toml``. A user file adds a prompt, or a version of a built-in
one (same id); for each id the pinned version wins, else the highest. ``save_new_version``
writes ``<id>.v<N>.toml`` in the user library and never overwrites a file, so that the edit log
can compare the suggestions of each (id, version).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from engine.paths import config_dir
from engine.tomlconf import ConfigError, TomlFile, load_toml, parse_toml

from .template import Template, TemplateError, parse_template
from .tomlio import write_toml_atomic

BUILTIN_DIR = Path(__file__).resolve().parent / "prompts"
REQUEST_KINDS = ("continue", "dialogue", "rewrite", "alternatives", "beat")
# slots a prompt of each kind must use
REQUIRED_SLOTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "continue": (("script", "scene"),),
    "dialogue": (("scene",),),
    "rewrite": (("selection",), ("instruction",)),
    "alternatives": (("selection",),),
    "beat": (("beat",),),
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KEYS = (
    "id",
    "title",
    "kind",
    "genres",
    "version",
    "description",
    "pinned",
    "alternatives",
    "stop",
    "template",
    "sampling",
)


class PromptError(Exception):
    """A prompt that cannot be found or saved (configuration mistakes are ``ConfigError``)."""


def _number(lo: float, hi: float, integer: bool = False):
    def check(value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            raise ValueError(f"must be {'an integer' if integer else 'a number'}")
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}, not {value}")
        return value if integer else float(value)

    return check


SAMPLING_KEYS = {
    "temperature": _number(0.0, 5.0),
    "top_p": _number(0.0, 1.0),
    "top_k": _number(0, 1 << 20, integer=True),
    "min_p": _number(0.0, 1.0),
    "repeat_penalty": _number(0.0, 5.0),
    "max_tokens": _number(1, 1 << 16, integer=True),
}


@dataclass(frozen=True)
class Prompt:
    id: str
    title: str
    kind: str
    version: int
    template: Template
    genres: tuple[str, ...] = ()
    description: str = ""
    sampling: dict[str, float | int] = field(default_factory=dict, hash=False, compare=False)
    stop: tuple[str, ...] = ()
    alternatives: int = 1
    pinned: bool = False
    path: Path | None = field(default=None, compare=False)
    builtin: bool = False

    @property
    def template_text(self) -> str:
        return self.template.source

    @property
    def ref(self) -> str:
        """``id@version``, as recorded with each suggestion."""
        return f"{self.id}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "version": self.version,
            "genres": list(self.genres),
        }
        if self.description:
            data["description"] = self.description
        if self.pinned:
            data["pinned"] = True
        if self.alternatives != 1:
            data["alternatives"] = self.alternatives
        if self.stop:
            data["stop"] = list(self.stop)
        data["template"] = self.template_text
        if self.sampling:
            data["sampling"] = dict(self.sampling)
        return data


# ---------------------------------------------------------------- validation
def _template_line(tf: TomlFile, template_line: int) -> int | None:
    """The file line of a template's ``template_line`` (1-based within the template text)."""
    key_line = tf.line_of(("template",))
    if key_line is None:
        return None
    raw = tf.text.splitlines()[key_line - 1]
    after = raw.split("=", 1)[1].strip() if "=" in raw else ""
    opens_block = after in ("'''", '"""')  # a newline right after ''' is not part of the string
    return key_line + template_line - 1 + (1 if opens_block else 0)


def prompt_from_toml(tf: TomlFile, builtin: bool = False) -> Prompt:
    """A validated prompt; ``ConfigError`` names the file, the line and the key."""
    data = tf.data
    for key in data:
        if key not in _KEYS:
            raise tf.error((key,), f"unknown key (prompt keys: {', '.join(_KEYS)})")
    for key in ("id", "title", "kind", "version", "template"):
        if key not in data:
            raise ConfigError(tf.path, f"missing required key `{key}`", 1, key)
    pid = data["id"]
    if not isinstance(pid, str) or not _ID.match(pid):
        raise tf.error(("id",), "must be 1-64 lowercase letters, digits, '_' or '-'")
    title = data["title"]
    if not isinstance(title, str) or not title.strip():
        raise tf.error(("title",), "must be a non-empty string")
    kind = data["kind"]
    if kind not in REQUEST_KINDS:
        raise tf.error(("kind",), f"must be one of {', '.join(REQUEST_KINDS)}, not {kind!r}")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise tf.error(("version",), "must be a whole number, 1 or more")
    genres = data.get("genres", [])
    if isinstance(genres, str):
        genres = [genres]
    if not isinstance(genres, list) or not all(isinstance(g, str) and g.strip() for g in genres):
        raise tf.error(("genres",), "must be a list of genre tags (strings)")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise tf.error(("description",), "must be a string")
    pinned = data.get("pinned", False)
    if not isinstance(pinned, bool):
        raise tf.error(("pinned",), "must be true or false")
    alternatives = data.get("alternatives", 1)
    if isinstance(alternatives, bool) or not isinstance(alternatives, int) or not 1 <= alternatives <= 10:
        raise tf.error(("alternatives",), "must be a whole number from 1 to 10")
    stop = data.get("stop", [])
    if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
        raise tf.error(("stop",), "must be a list of non-empty strings")
    sampling_raw = data.get("sampling", {})
    if not isinstance(sampling_raw, dict):
        raise tf.error(("sampling",), "must be a table ([sampling])")
    sampling: dict[str, float | int] = {}
    for key, value in sampling_raw.items():
        check = SAMPLING_KEYS.get(key)
        if check is None:
            raise tf.error(("sampling", key), f"unknown sampling key (known: {', '.join(SAMPLING_KEYS)})")
        try:
            sampling[key] = check(value)
        except ValueError as exc:
            raise tf.error(("sampling", key), str(exc)) from None
    source = data["template"]
    if not isinstance(source, str) or not source.strip():
        raise tf.error(("template",), "must be a non-empty string")
    try:
        template = parse_template(source)
    except TemplateError as exc:
        raise ConfigError(tf.path, exc.message, _template_line(tf, exc.line), "template") from None
    for alternatives_of in REQUIRED_SLOTS[kind]:
        if not any(template.uses(s) for s in alternatives_of):
            wanted = " or ".join("{{" + s + "}}" for s in alternatives_of)
            raise tf.error(("template",), f"a {kind} prompt must use {wanted}")
    if not template.uses("genre"):
        raise tf.error(
            ("template",),
            "every prompt carries the script's genre: use {{genre}} (it renders empty when the script has none)",
        )
    return Prompt(
        pid,
        title.strip(),
        kind,
        version,
        template,
        tuple(g.strip() for g in genres),
        description.strip(),
        sampling,
        tuple(stop),
        alternatives,
        pinned,
        tf.path,
        builtin,
    )


def load_prompt_file(path: Path | str, builtin: bool = False) -> Prompt:
    return prompt_from_toml(load_toml(path), builtin)


def parse_prompt(text: str, path: Path | str = "<prompt>") -> Prompt:
    return prompt_from_toml(parse_toml(text, path))


# ---------------------------------------------------------------- library
def user_prompts_dir() -> Path:
    return config_dir() / "prompts"


@dataclass
class PromptLibrary:
    """Every version of every prompt; ``errors`` holds the files that could not be read."""

    versions: dict[str, list[Prompt]] = field(default_factory=dict)  # id -> ascending versions
    errors: list[ConfigError] = field(default_factory=list)
    user_dir: Path | None = None

    def ids(self) -> list[str]:
        return list(self.versions)

    def current(self, prompt_id: str) -> Prompt:
        """The pinned version of ``prompt_id``, else its highest one."""
        versions = self._versions(prompt_id)
        pinned = [p for p in versions if p.pinned]
        return pinned[-1] if pinned else versions[-1]

    def get(self, prompt_id: str, version: int | None = None) -> Prompt:
        if version is None:
            return self.current(prompt_id)
        for p in self._versions(prompt_id):
            if p.version == version:
                return p
        have = ", ".join(str(p.version) for p in self._versions(prompt_id))
        raise PromptError(f"prompt {prompt_id!r} has no version {version} (versions: {have})")

    def all(self) -> list[Prompt]:
        """The current version of each prompt, in the order of request kinds, then title."""
        current = [self.current(i) for i in self.versions]
        return sorted(current, key=lambda p: (REQUEST_KINDS.index(p.kind), p.title.lower()))

    def of_kind(self, kind: str) -> list[Prompt]:
        return [p for p in self.all() if p.kind == kind]

    def search(self, query: str, limit: int = 20) -> list[Prompt]:
        """Prompts best matching ``query`` (fuzzy, on title, id, kind, genres and description)."""
        from rapidfuzz import fuzz, process, utils

        prompts = self.all()
        if not query.strip():
            return prompts[:limit]
        choices = {i: " ".join([p.title, p.id, p.kind, *p.genres, p.description]) for i, p in enumerate(prompts)}
        found = process.extract(
            query, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit, score_cutoff=50
        )
        return [prompts[key] for _, _, key in found]

    def _versions(self, prompt_id: str) -> list[Prompt]:
        try:
            return self.versions[prompt_id]
        except KeyError:
            known = ", ".join(sorted(self.versions)) or "none"
            raise PromptError(f"no prompt called {prompt_id!r} (prompts: {known})") from None

    def _add(self, prompt: Prompt) -> None:
        versions = self.versions.setdefault(prompt.id, [])
        versions[:] = [p for p in versions if p.version != prompt.version]  # a user file overrides
        versions.append(prompt)
        versions.sort(key=lambda p: p.version)


def _files(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


def load_library(user_dir: Path | None = None, builtin_dir: Path | None = None) -> PromptLibrary:
    """The built-in prompts overlaid with the user's; unreadable files are listed in ``errors``."""
    user_dir = user_prompts_dir() if user_dir is None else user_dir
    library = PromptLibrary(user_dir=user_dir)
    for folder, builtin in ((builtin_dir or BUILTIN_DIR, True), (user_dir, False)):
        seen: dict[tuple[str, int], Path] = {}
        for path in _files(folder):
            try:
                prompt = load_prompt_file(path, builtin)
            except ConfigError as exc:
                library.errors.append(exc)
                continue
            key = (prompt.id, prompt.version)
            if key in seen:
                library.errors.append(
                    ConfigError(
                        path,
                        f"prompt {prompt.id!r} version {prompt.version} is also defined in {seen[key]}; "
                        "give one of them another version",
                        _line(path, "version"),
                        "version",
                    )
                )
                continue
            seen[key] = path
            library._add(prompt)
    return library


def _line(path: Path, key: str) -> int | None:
    try:
        return load_toml(path).line_of((key,))
    except ConfigError:
        return None


def search_prompts(query: str, library: PromptLibrary | None = None, limit: int = 20) -> list[Prompt]:
    """The picker's fuzzy search over the current versions of the library's prompts."""
    return (library or load_library()).search(query, limit)


def save_new_version(
    prompt: Prompt,
    new_template: str,
    *,
    title: str | None = None,
    library: PromptLibrary | None = None,
    user_dir: Path | None = None,
) -> Prompt:
    """Write the edited prompt as a new version in the user library (never overwriting a file).

    The new version is one more than the highest known version of that id. ``ConfigError``
    (pointing at the line of the template) when the new template is invalid; nothing is written then.
    """
    library = library or load_library(user_dir)
    folder = user_dir or library.user_dir or user_prompts_dir()
    known = [p.version for p in library.versions.get(prompt.id, [])] + [prompt.version]
    version = max(known) + 1
    data = prompt.to_dict()
    data.update(version=version, template=new_template)
    data.pop("pinned", None)
    if title:
        data["title"] = title
    folder.mkdir(parents=True, exist_ok=True)
    while (folder / f"{prompt.id}.v{version}.toml").exists():
        version += 1
        data["version"] = version
    path = folder / f"{prompt.id}.v{version}.toml"
    import tomli_w

    checked = prompt_from_toml(parse_toml(tomli_w.dumps(data, multiline_strings=True), path))
    try:
        write_toml_atomic(path, data)
    except OSError as exc:
        raise PromptError(f"{path}: cannot write ({exc.strerror or exc})") from None
    library._add(checked)
    return checked


__all__ = [
    "BUILTIN_DIR",
    "Prompt",
    "PromptError",
    "PromptLibrary",
    "REQUEST_KINDS",
    "SAMPLING_KEYS",
    "load_library",
    "load_prompt_file",
    "parse_prompt",
    "prompt_from_toml",
    "save_new_version",
    "search_prompts",
    "user_prompts_dir",
]
