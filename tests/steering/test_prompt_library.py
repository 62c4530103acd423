"""The prompt library: built-ins, the user's overrides and versions, strict validation, fuzzy search."""

from __future__ import annotations

import textwrap

import pytest

from engine.paths import config_dir
from engine.steering.prompts import (
    BUILTIN_DIR,
    REQUEST_KINDS,
    PromptError,
    load_library,
    load_prompt_file,
    save_new_version,
    search_prompts,
    user_prompts_dir,
)
from engine.tomlconf import ConfigError

GOOD = textwrap.dedent("""\
    id = "noir-continue"
    title = "Noir continuation"
    kind = "continue"
    genres = ["noir", "crime"]
    version = 1
    stop = ["\\n\\n\\n"]
    template = \'\'\'
    [{{genre}}] {{title}}
    {{#anchors}}{{anchors}}
    {{/anchors}}
    {{script}}\'\'\'

    [sampling]
    temperature = 0.8
    max_tokens = 90
    """)


def write_user(name: str, text: str):
    folder = user_prompts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_builtins_cover_every_request_kind_without_errors():
    library = load_library()
    assert library.errors == []
    kinds = {p.kind for p in library.all()}
    assert kinds == set(REQUEST_KINDS)
    assert {"continue", "dialogue", "rewrite", "alternatives", "beat"} <= set(library.ids())
    assert all(p.builtin and p.version >= 1 and p.template.uses("genre") for p in library.all())
    assert library.get("alternatives").alternatives > 1
    assert library.get("rewrite").template.uses("instruction")


def test_dialogue_prompt_has_the_genre_script_context_scene_dialogue_structure():
    source = load_library().get("dialogue").template_text
    positions = [source.index(word) for word in ("[{{genre}}", "Script:", "Context:", "Scene:", "Dialogue:")]
    assert positions == sorted(positions)


def test_user_prompt_adds_to_the_library():
    write_user("noir.toml", GOOD)
    library = load_library()
    p = library.get("noir-continue")
    assert (p.version, p.builtin, p.genres, p.sampling, p.stop) == (
        1,
        False,
        ("noir", "crime"),
        {"temperature": 0.8, "max_tokens": 90},
        ("\n\n\n",),
    )
    assert library.get("continue").builtin


def test_highest_version_wins_unless_one_is_pinned():
    write_user("a.toml", GOOD)
    write_user("b.toml", GOOD.replace("version = 1", "version = 3").replace("Noir continuation", "Noir v3"))
    library = load_library()
    assert library.current("noir-continue").version == 3
    assert library.get("noir-continue", 1).title == "Noir continuation"
    write_user("a.toml", GOOD.replace("version = 1", "version = 1\npinned = true"))
    assert load_library().current("noir-continue").version == 1
    with pytest.raises(PromptError, match="no version 2"):
        load_library().get("noir-continue", 2)


def test_user_file_overrides_a_builtin_of_the_same_version():
    builtin = (BUILTIN_DIR / "continue.toml").read_text("utf-8")
    write_user("continue.toml", builtin.replace('title = "Continue from the cursor"', 'title = "Mine"'))
    assert load_library().get("continue").title == "Mine"


def test_a_broken_user_file_is_reported_and_the_rest_still_loads():
    path = write_user("broken.toml", GOOD.replace('kind = "continue"', 'kind = "poem"'))
    library = load_library()
    assert [str(e) for e in library.errors] == [
        f"{path}:3: kind: must be one of continue, dialogue, rewrite, alternatives, beat, not 'poem'"
    ]
    assert "continue" in library.ids()


def test_two_user_files_with_the_same_version_are_reported():
    write_user("a.toml", GOOD)
    second = write_user("b.toml", GOOD)
    errors = load_library().errors
    assert len(errors) == 1 and errors[0].path == second and errors[0].line == 5 and errors[0].key == "version"


@pytest.mark.parametrize(
    "change, line, key, words",
    [
        (("{{script}}'''", "{{scripts}}'''"), 11, "template", "unknown slot {{scripts}}"),
        (("[{{genre}}] {{title}}", "[{{genre}}] {{title}} {{tone}"), 8, "template", "unbalanced braces"),
        (
            ("{{#anchors}}{{anchors}}", "{{script}}\n{{#anchors}}{{anchors}}"),
            10,
            "template",
            "must come before {{script}}",
        ),
        (("temperature = 0.8", "temperature = 9"), 14, "sampling.temperature", "between 0.0 and 5.0"),
        (("max_tokens = 90", "max_tokens = 9.5"), 15, "sampling.max_tokens", "must be an integer"),
        (("max_tokens = 90", "seed = 3"), 15, "sampling.seed", "unknown sampling key"),
        (('genres = ["noir", "crime"]', 'genre = "noir"'), 4, "genre", "unknown key"),
        (("version = 1", "version = 0"), 5, "version", "1 or more"),
        (('id = "noir-continue"', 'id = "Noir Continue"'), 1, "id", "lowercase"),
        (('stop = ["\\n\\n\\n"]', 'stop = [""]'), 6, "stop", "non-empty strings"),
        (("[{{genre}}] {{title}}", "{{title}}"), 7, "template", "use {{genre}}"),
        (('kind = "continue"', 'kind = "rewrite"'), 7, "template", "must use {{selection}}"),
        (('title = "Noir continuation"\n', ""), 1, "title", "missing required key"),
        (("temperature = 0.8", "temperature = "), 14, None, "invalid TOML"),
    ],
)
def test_malformed_prompt_files_name_file_line_and_key(tmp_path, change, line, key, words):
    old, new = change
    assert old in GOOD
    path = tmp_path / "p.toml"
    path.write_text(GOOD.replace(old, new), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_prompt_file(path)
    err = info.value
    assert (err.path, err.line, err.key) == (path, line, key), str(err)
    assert words in err.message
    assert str(err).startswith(f"{path}:{line}: ")


def test_save_new_version_writes_a_new_file_and_never_overwrites():
    library = load_library()
    original = library.get("dialogue")
    edited = original.template_text.replace("Dialogue:", "Dialogue (short lines):")
    v2 = save_new_version(original, edited, library=library)
    assert (v2.id, v2.version, v2.builtin) == ("dialogue", 2, False)
    assert v2.path == config_dir() / "prompts" / "dialogue.v2.toml"
    assert load_library().current("dialogue").template_text == edited
    assert (BUILTIN_DIR / "dialogue.toml").read_text("utf-8").count("Dialogue (short lines):") == 0
    v3 = save_new_version(original, edited + "\n", library=load_library())  # from v1 again: still a new version
    assert v3.version == 3 and v2.path.exists() and v3.path != v2.path
    assert load_library().get("dialogue", 2).template_text == edited


def test_save_new_version_refuses_an_invalid_template_and_writes_nothing():
    original = load_library().get("continue")
    with pytest.raises(ConfigError) as info:
        save_new_version(original, "{{genre}}\n{{script}}\n{{selectoin}}")
    assert info.value.key == "template" and "{{selectoin}}" in info.value.message
    assert not (config_dir() / "prompts").exists() or not list((config_dir() / "prompts").iterdir())


@pytest.mark.parametrize(
    "query, first",
    [
        ("dialog", "dialogue"),
        ("rewrite selection", "rewrite"),
        ("alternativs", "alternatives"),
        ("scene from a beat", "beat"),
        ("continue", "continue"),
    ],
)
def test_fuzzy_search(query, first):
    found = search_prompts(query)
    assert found and found[0].id == first


def test_empty_search_lists_everything():
    assert [p.id for p in search_prompts("")] == [p.id for p in load_library().all()]
