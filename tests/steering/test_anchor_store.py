"""The anchors store beside the script: round trips, merging imports, malformed files left alone."""

from __future__ import annotations

import os
import tomllib

import pytest

from engine.steering.anchors import Anchor, anchor_from_dict
from engine.steering.store import AnchorStore, StoreError, StoreSettings, store_path
from engine.tomlconf import ConfigError


def make(aid, **fields):
    return anchor_from_dict(
        {"id": aid, "kind": fields.pop("kind", "beat"), "text": fields.pop("text", "A beat."), **fields}
    )


def test_store_lives_beside_the_script(tmp_path):
    assert store_path(tmp_path / "night-shift.fountain") == tmp_path / "night-shift.anchors.toml"
    assert store_path(tmp_path / "draft.v2.fountain") == tmp_path / "draft.v2.anchors.toml"


def test_saved_store_survives_a_restart(script):
    store = AnchorStore.for_script(script)
    assert store.anchors == [] and store.error is None and not store.path.exists()
    store.add(
        make(
            "b1",
            text="Emma's breakthrough: the villain's motives are rooted in betrayal.",
            scope="scene:3",
            keys=["Emma", "villain"],
            priority=4,
        )
    )
    store.add(make("c1", kind="character", text="Marisol feeds people to keep them close.", enabled=False))
    store.update_settings(genre="Drama", tone="Tender", examples=["1"])
    store.save()
    assert not [p for p in script.parent.iterdir() if p.name.endswith(".tmp")]

    again = AnchorStore.for_script(script)
    assert again.anchors == store.anchors
    assert again.settings == StoreSettings(genre="Drama", tone="Tender", examples=("1",))
    data = tomllib.loads(store.path.read_text("utf-8"))  # plain, readable TOML
    assert data["anchors"][0] == {
        "id": "b1",
        "kind": "beat",
        "text": "Emma's breakthrough: the villain's motives are rooted in betrayal.",
        "scope": "scene:3",
        "keys": ["Emma", "villain"],
        "priority": 4,
        "enabled": True,
    }


def test_edit_operations(script):
    store = AnchorStore.for_script(script)
    for aid in ("a", "b", "c"):
        store.add(make(aid))
    with pytest.raises(StoreError, match="already exists"):
        store.add(make("a"))
    store.set_enabled("b", False)
    store.move("c", 0)
    assert [(a.id, a.enabled) for a in store.anchors] == [("c", True), ("a", True), ("b", False)]
    store.remove("a")
    with pytest.raises(StoreError, match="no anchor with the id 'a'"):
        store.remove("a")
    assert store.put(make("b", text="Changed.")) is False
    assert store.get("b").text == "Changed." and store.ids() == ["c", "b"]


def test_export_import_round_trip(script, tmp_path):
    store = AnchorStore.for_script(script)
    store.add(make("b1", scope="section:ACT TWO", keys=["Teo"], priority=-2))
    store.add(make("w1", kind="world", text='Quotes "inside", a backslash \\ and a\nsecond line.'))
    store.update_settings(genre="Drama", anchor_budget=123)
    exported = store.export(tmp_path / "out.toml")

    other_script = tmp_path / "other.fountain"
    other_script.write_text("INT. ROOM - DAY\n", "utf-8")
    other = AnchorStore.for_script(other_script)
    result = other.import_file(exported)
    assert result.added == ("b1", "w1") and result.updated == ()
    assert set(result.settings) == {"genre", "anchor_budget"}
    other.save()
    reloaded = AnchorStore.for_script(other_script)
    assert reloaded.anchors == store.anchors and reloaded.settings == store.settings
    # export of the re-imported store is the same file, byte for byte
    assert reloaded.export(tmp_path / "again.toml").read_bytes() == exported.read_bytes()


def test_import_merges_by_id(script, tmp_path):
    store = AnchorStore.for_script(script)
    store.add(make("keep", text="Kept."))
    store.add(make("change", text="Old text."))
    incoming = tmp_path / "in.toml"
    incoming.write_text(
        '[[anchors]]\nid = "change"\nkind = "beat"\ntext = "New text."\n\n'
        '[[anchors]]\nid = "new"\nkind = "style"\ntext = "Short lines."\n',
        "utf-8",
    )
    result = store.import_file(incoming)
    assert (result.added, result.updated, result.settings) == (("new",), ("change",), ())
    assert [(a.id, a.text) for a in store.anchors] == [
        ("keep", "Kept."),
        ("change", "New text."),
        ("new", "Short lines."),
    ]


@pytest.mark.parametrize(
    "text, line, key, words",
    [
        (
            '[[anchors]]\nid = "a"\nkind = "beat"\ntext = "x"\n\n[[anchors]]\nid = "b"\nkind = "plot"\ntext = "y"\n',
            8,
            "anchors[2].kind",
            "must be one of character, beat, world, style",
        ),
        (
            '[[anchors]]\nid = "a"\nkind = "beat"\ntext = "x"\n\n[[anchors]]\nid = "a"\nkind = "beat"\ntext = "y"\n',
            7,
            "anchors[2].id",
            "already used by anchor 1",
        ),
        (
            '[[anchors]]\nid = "a"\nkind = "beat"\ntext = "x"\nscope = "chapter:2"\n',
            5,
            "anchors[1].scope",
            "scope kind must be",
        ),
        ('[[anchors]]\nid = "a"\nkind = "beat"\n', 1, "anchors[1].text", "missing"),
        ('[settings]\ngenre = "Noir"\nscan_chars = "lots"\n', 3, "settings.scan_chars", "must be an integer"),
        ('[settings]\nmood = "dark"\n', 2, "settings.mood", "unknown setting"),
        ("format = 2\n", 1, "format", "format 1"),
        ('[[anchors]]\nid = "a"\nkind = "beat"\ntext = "x\n', 4, None, "invalid TOML"),
    ],
)
def test_malformed_store_is_reported_and_left_as_it_is(script, text, line, key, words):
    path = store_path(script)
    path.write_text(text, "utf-8")
    before = path.read_bytes(), os.stat(path).st_mtime_ns
    store = AnchorStore.for_script(script)  # never raises
    err = store.error
    assert isinstance(err, ConfigError)
    assert (err.path, err.line, err.key) == (path, line, key)
    assert words in err.message
    assert str(err).startswith(f"{path}:{line}: ")
    store.anchors.append(make("new"))
    with pytest.raises(StoreError, match="left as it is"):
        store.save()
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_malformed_import_changes_nothing(script, tmp_path):
    store = AnchorStore.for_script(script)
    store.add(make("a"))
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[anchors]]\nid = "b"\nkind = "beat"\ntext = "ok"\n\n'
        '[[anchors]]\nid = "c"\nkind = "beat"\npriority = "high"\ntext = "x"\n',
        "utf-8",
    )
    with pytest.raises(ConfigError) as info:
        store.import_file(bad)
    assert (info.value.line, info.value.key) == (9, "anchors[2].priority")
    assert store.ids() == ["a"]


def test_settings_are_validated():
    from engine.steering.store import validate_settings

    with pytest.raises(ValueError, match="anchor_budget: must be between"):
        validate_settings({"anchor_budget": -1})
    assert validate_settings({"genre": "  Noir ", "tone": None}).genre == "Noir"


def test_remembered_prompt(script):
    store = AnchorStore.for_script(script)
    store.remember_prompt("dialogue")
    store.save()
    assert AnchorStore.for_script(script).settings.prompt == "dialogue"


def test_saves_finishing_out_of_order_never_go_back_in_time(tmp_path):
    """The TUI writes the store from threads; a snapshot older than one already written is skipped."""
    store = AnchorStore.for_script(tmp_path / "s.fountain")
    store.add(Anchor("one", "beat", "First."))
    older = store.saver()
    store.add(Anchor("two", "beat", "Second."))
    newer = store.saver()
    newer()
    older()  # finished last, but it holds the older state
    assert [a.id for a in AnchorStore.for_script(tmp_path / "s.fountain").anchors] == ["one", "two"]
