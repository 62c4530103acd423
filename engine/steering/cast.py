"""Character tags (gender, role) that the writer gives the cast, for the dialogue analysis.

They are kept with the anchors, in ``<script>.anchors.toml``::

    [cast.MARA]
    gender = "woman"       # the writer's own words: woman, man, non-binary...
    role = "lead"          # lead, supporting, minor...

Names are the character cues as the script writes them (matched without case). Both tags are
optional; a character without a tag is counted as "untagged" in the splits.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.tomlconf import TomlFile

TAG_FIELDS = ("gender", "role")
# offered by the analysis screen's keys (any other word may be written in the file)
GENDERS = ("woman", "man", "non-binary")
ROLES = ("lead", "supporting", "minor")
UNTAGGED = "untagged"


@dataclass(frozen=True, slots=True)
class CharacterTags:
    gender: str | None = None
    role: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {k: v for k in TAG_FIELDS if (v := getattr(self, k))}

    @property
    def empty(self) -> bool:
        return not self.to_dict()


def parse_cast(tf: TomlFile) -> dict[str, CharacterTags]:
    """The ``[cast]`` table of a store file; ``ConfigError`` names file, line and key."""
    raw = tf.data.get("cast", {})
    if not isinstance(raw, dict):
        raise tf.error(("cast",), 'must be a table of characters: [cast.MARA] gender = "woman"')
    cast: dict[str, CharacterTags] = {}
    for name, tags in raw.items():
        if not isinstance(tags, dict):
            raise tf.error(("cast", name), 'must be a table such as { gender = "woman", role = "lead" }')
        values: dict[str, str | None] = {}
        for key, value in tags.items():
            if key not in TAG_FIELDS:
                raise tf.error(("cast", name, key), f"unknown tag (known: {', '.join(TAG_FIELDS)})")
            if not isinstance(value, str):
                raise tf.error(("cast", name, key), "must be a string")
            values[key] = value.strip() or None
        cast[name.strip().upper()] = CharacterTags(**values)
    return cast


def cast_to_dict(cast: dict[str, CharacterTags]) -> dict[str, dict[str, str]]:
    return {name: tags.to_dict() for name, tags in sorted(cast.items()) if not tags.empty}


def next_tag(current: str | None, choices: tuple[str, ...]) -> str | None:
    """The tag after ``current`` in ``choices``, then none again (a key that cycles)."""
    if current not in choices:
        return choices[0] if current is None else None
    i = choices.index(current) + 1
    return choices[i] if i < len(choices) else None
