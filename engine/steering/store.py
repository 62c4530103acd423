"""The anchors store: ``<script>.anchors.toml`` beside the ``.fountain`` file, so it travels with it.

    format = 1

    [settings]
    genre = "Drama"            # overrides the title page's Genre: (optional)
    tone = "Quiet, warm"       # overrides the title page's Tone: (optional)
    prompt = "dialogue"        # the prompt last chosen for this script
    prompt_version = 2         # optional: pin that version of it
    examples = ["3"]           # scenes used as few-shot examples (numbers or headings), besides
                               # the scenes holding an [[example]] note
    examples_file = "style.fountain"   # another script whose [[example]] scenes (or all scenes) are examples
    scan_chars = 2000          # how far back trigger keys are looked for
    anchor_budget = 400        # tokens the anchors may take in a prompt
    examples_budget = 600      # tokens the examples may take in a prompt

    [[anchors]]
    id = "beat-emmas-breakthrough"
    kind = "beat"              # character | beat | world | style
    text = "Emma realises the villain's motives are rooted in betrayal."
    scope = "scene:12"         # script | section:TITLE | scene:NUMBER-OR-HEADING
    keys = ["Emma"]            # optional trigger keys; none = constant
    priority = 10
    enabled = true

    [cast.MARA]                # tags for the dialogue analysis (engine/steering/cast.py)
    gender = "woman"
    role = "lead"

The file is human-readable TOML written atomically (temp file, fsync, rename). A malformed
store is never overwritten: ``AnchorStore.load`` keeps the error (file:line: key) in ``error``
and refuses to save until the file is fixed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

from engine.tomlconf import ConfigError, TomlFile, load_toml

from .anchors import (
    DEFAULT_ANCHOR_BUDGET,
    DEFAULT_SCAN_CHARS,
    Anchor,
    AnchorError,
    anchor_from_dict,
)
from .cast import CharacterTags, cast_to_dict, parse_cast
from .examples import DEFAULT_EXAMPLES_BUDGET
from .tomlio import item_error, write_toml_atomic

FORMAT = 1
SUFFIX = ".anchors.toml"


class StoreError(Exception):
    """A store operation that cannot be done (the message is for the writer)."""


@dataclass(frozen=True)
class StoreSettings:
    genre: str | None = None
    tone: str | None = None
    prompt: str | None = None
    prompt_version: int | None = None
    examples: tuple[str, ...] = ()
    examples_file: str | None = None
    scan_chars: int = DEFAULT_SCAN_CHARS
    anchor_budget: int = DEFAULT_ANCHOR_BUDGET
    examples_budget: int = DEFAULT_EXAMPLES_BUDGET

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or value == f.default:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def _opt_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value.strip()


def _int_between(lo: int, hi: int):
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be an integer")
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return value

    return check


def _string_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise ValueError("must be a list of scene numbers or headings")
    return tuple(str(v).strip() for v in value if str(v).strip())


_SETTINGS = {
    "genre": _opt_string,
    "tone": _opt_string,
    "prompt": _opt_string,
    "prompt_version": _int_between(1, 1_000_000),
    "examples": _string_list,
    "examples_file": _opt_string,
    "scan_chars": _int_between(50, 1_000_000),
    "anchor_budget": _int_between(0, 1 << 20),
    "examples_budget": _int_between(0, 1 << 20),
}


def store_path(script_path: Path | str) -> Path:
    """``night-shift.fountain`` -> ``night-shift.anchors.toml`` in the same folder."""
    script_path = Path(script_path)
    return script_path.with_name(script_path.stem + SUFFIX)


def validate_settings(values: dict[str, Any]) -> StoreSettings:
    """Settings from plain values (None = the default); ``ValueError`` names the setting."""
    checked: dict[str, Any] = {}
    for key, value in values.items():
        check = _SETTINGS.get(key)
        if check is None:
            raise ValueError(f"{key}: unknown setting (known: {', '.join(_SETTINGS)})")
        if value is None:
            continue
        try:
            checked[key] = check(value)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
        if checked[key] == "":
            del checked[key]
    return StoreSettings(**checked)


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    settings: tuple[str, ...]  # setting names taken from the file


def parse_store_file(tf: TomlFile) -> tuple[list[Anchor], StoreSettings]:
    """Validate a parsed store or export file; ``ConfigError`` names file, line and key."""
    data = tf.data
    for key in data:
        if key not in ("format", "settings", "anchors", "cast"):
            raise tf.error((key,), "unknown top-level key (expected format, [settings], [[anchors]] and [cast])")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise tf.error(("format",), f"this Scenewright reads anchors format {FORMAT}, not {fmt!r}")
    settings_raw = data.get("settings", {})
    if not isinstance(settings_raw, dict):
        raise tf.error(("settings",), "must be a table ([settings])")
    values: dict[str, Any] = {}
    for key, value in settings_raw.items():
        check = _SETTINGS.get(key)
        if check is None:
            raise tf.error(("settings", key), f"unknown setting (known: {', '.join(_SETTINGS)})")
        try:
            values[key] = check(value)
        except ValueError as exc:
            raise tf.error(("settings", key), str(exc)) from None
        if values[key] == "":
            values[key] = None
    settings = StoreSettings(**values)
    raw = data.get("anchors", [])
    if not isinstance(raw, list):
        raise tf.error(("anchors",), "must be an array of tables ([[anchors]])")
    anchors: list[Anchor] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise item_error(tf, "anchors", index, None, "must be a table ([[anchors]])")
        try:
            anchor = anchor_from_dict(item)
        except AnchorError as exc:
            raise item_error(tf, "anchors", index, exc.field, exc.message) from None
        if anchor.id in seen:
            raise item_error(
                tf, "anchors", index, "id", f"the id {anchor.id!r} is already used by anchor {seen[anchor.id] + 1}"
            )
        seen[anchor.id] = index
        anchors.append(anchor)
    return anchors, settings


@dataclass
class AnchorStore:
    """The anchors and settings of one script. Edit in memory, then ``save()``."""

    path: Path
    anchors: list[Anchor] = field(default_factory=list)
    settings: StoreSettings = StoreSettings()
    error: ConfigError | None = None  # the file exists but is malformed; it is left untouched
    cast: dict[str, CharacterTags] = field(default_factory=dict)  # NAME -> tags (dialogue analysis)
    _snapshots: int = field(default=0, repr=False, compare=False)  # see ``saver``
    _written: int = field(default=0, repr=False, compare=False)
    _write_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    # ------------------------------------------------------------ disk
    @classmethod
    def for_script(cls, script_path: Path | str) -> "AnchorStore":
        """The store beside ``script_path``; never raises for a malformed file (see ``error``)."""
        return cls.load(store_path(script_path))

    @classmethod
    def load(cls, path: Path | str) -> "AnchorStore":
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            tf = load_toml(path)
            anchors, settings = parse_store_file(tf)
            cast = parse_cast(tf)
        except ConfigError as exc:
            return cls(path, error=exc)
        return cls(path, anchors, settings, cast=cast)

    @property
    def writable(self) -> bool:
        return self.error is None

    def save(self) -> None:
        """Write the store atomically; ``StoreError`` when the file on disk is malformed."""
        self.saver()()

    def saver(self) -> Callable[[], None]:
        """The store as it is now, and a function that writes it (for a thread: the snapshot is
        taken here, on the caller's thread). Writes are serialised, and one made after a newer
        snapshot was written is skipped, so saves finishing out of order never go back in time.
        ``StoreError`` (raised by the function) when the file on disk is malformed."""
        if self.error is not None:
            error = StoreError(f"{self.error}; fix or move {self.path} first (it was left as it is)")

            def refuse() -> None:
                raise error

            return refuse
        data = self.to_dict()
        self._snapshots += 1
        number = self._snapshots

        def write() -> None:
            with self._write_lock:
                if number < self._written:
                    return
                try:
                    write_toml_atomic(self.path, data)
                except OSError as exc:
                    raise StoreError(f"{self.path}: cannot write ({exc.strerror or exc})") from None
                self._written = number

        return write

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT}
        settings = self.settings.to_dict()
        if settings:
            data["settings"] = settings
        data["anchors"] = [a.to_dict() for a in self.anchors]
        cast = cast_to_dict(self.cast)
        if cast:
            data["cast"] = cast
        return data

    # ------------------------------------------------------------ character tags
    def tags(self, name: str) -> CharacterTags:
        return self.cast.get(name.strip().upper(), CharacterTags())

    def set_tags(self, name: str, tags: CharacterTags) -> None:
        key = name.strip().upper()
        if tags.empty:
            self.cast.pop(key, None)
        else:
            self.cast[key] = tags

    # ------------------------------------------------------------ anchors
    def get(self, anchor_id: str) -> Anchor | None:
        for anchor in self.anchors:
            if anchor.id == anchor_id:
                return anchor
        return None

    def ids(self) -> list[str]:
        return [a.id for a in self.anchors]

    def add(self, anchor: Anchor) -> None:
        if self.get(anchor.id) is not None:
            raise StoreError(f"an anchor with the id {anchor.id!r} already exists")
        self.anchors.append(anchor)

    def put(self, anchor: Anchor) -> bool:
        """Replace the anchor with the same id in place, or append it; True when it was new."""
        for i, old in enumerate(self.anchors):
            if old.id == anchor.id:
                self.anchors[i] = anchor
                return False
        self.anchors.append(anchor)
        return True

    def remove(self, anchor_id: str) -> Anchor:
        for i, old in enumerate(self.anchors):
            if old.id == anchor_id:
                return self.anchors.pop(i)
        raise StoreError(f"no anchor with the id {anchor_id!r} (ids: {', '.join(self.ids()) or 'none'})")

    def set_enabled(self, anchor_id: str, enabled: bool) -> Anchor:
        anchor = self.get(anchor_id)
        if anchor is None:
            raise StoreError(f"no anchor with the id {anchor_id!r}")
        new = replace(anchor, enabled=enabled)
        self.put(new)
        return new

    def move(self, anchor_id: str, position: int) -> None:
        """Change the order of definition (the tie-breaker after priority)."""
        anchor = self.remove(anchor_id)
        self.anchors.insert(max(0, min(position, len(self.anchors))), anchor)

    def update_settings(self, **changes: Any) -> None:
        """Change settings (validated; ``ValueError`` names the setting); call ``save()`` after."""
        self.settings = validate_settings({**self.settings.to_dict(), **changes})

    def remember_prompt(self, prompt_id: str | None, version: int | None = None) -> None:
        """The prompt the writer picked for this script (``version`` pins it); call ``save()`` after."""
        self.update_settings(prompt=prompt_id, prompt_version=version)

    # ------------------------------------------------------------ exchange
    def export(self, path: Path | str) -> Path:
        """Write the anchors and settings to a TOML file (the store's own format)."""
        path = Path(path)
        try:
            write_toml_atomic(path, self.to_dict())
        except OSError as exc:
            raise StoreError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return path

    def import_file(self, path: Path | str) -> ImportResult:
        """Merge a TOML file by id (same id: replaced; new: appended) and take its settings.

        ``ConfigError`` (file:line: key) when the file is malformed; nothing changes then.
        """
        tf = load_toml(path)
        anchors, settings = parse_store_file(tf)
        self.cast.update(parse_cast(tf))
        added, updated = [], []
        for anchor in anchors:
            (added if self.put(anchor) else updated).append(anchor.id)
        given = tf.data.get("settings", {})
        if given:
            self.settings = replace(self.settings, **{k: getattr(settings, k) for k in given})
        return ImportResult(tuple(added), tuple(updated), tuple(given))


__all__ = [
    "AnchorStore",
    "ImportResult",
    "StoreError",
    "StoreSettings",
    "parse_store_file",
    "store_path",
    "validate_settings",
]
