"""models.toml: the bundled registry, the user's overrides, and errors that name file, line and key."""

from __future__ import annotations


import pytest

from engine.models import UnknownModel, load_registry
from engine.paths import bundled
from engine.tomlconf import ConfigError
from model_helpers import write_user


def test_bundled_registry_has_both_packaged_models_and_a_default():
    registry = load_registry()
    assert set(registry.names()) >= {"gemma3-270m", "smollm2-135m"}
    default = registry.get()
    assert default.name == registry.default == "gemma3-270m"
    assert default.source.kind == "package"
    assert default.temperature == 0.4 and default.top_p == 0.9
    assert registry.get("smollm2-135m").source.kind == "package-file"
    assert registry.files == (bundled("models.toml"),)


def test_user_file_overrides_single_keys_and_adds_models(tmp_path):
    gguf = tmp_path / "mine.gguf"
    path = write_user(
        'default = "mine"\n'
        "\n"
        "[models.gemma3-270m]\n"
        "threads = 1\n"
        "temperature = 0.7\n"
        "\n"
        "[models.mine]\n"
        f'source = "path:{gguf.name}"\n'
        'prompt_format = "chat"\n'
        'stop = ["\\n\\n\\n"]\n'
    )
    registry = load_registry()
    assert registry.files[-1] == path
    assert registry.default == "mine"
    gemma = registry.get("gemma3-270m")
    assert gemma.threads == 1 and gemma.temperature == 0.7
    assert gemma.top_p == 0.9  # untouched keys keep the bundled values
    assert gemma.source.kind == "package"
    mine = registry.get("mine")
    assert mine.source.path == path.parent / gguf.name  # relative to the folder of the file that names it
    assert mine.prompt_format == "chat" and mine.stop == ("\n\n\n",)


@pytest.mark.parametrize(
    "text, line, key, words",
    [
        ("[models.gemma3-270m]\nthreads = \"many\"\n", 2, "models.gemma3-270m.threads", '"auto" or an integer'),
        ("[models.gemma3-270m]\n\ntemperature = 9\n", 3, "models.gemma3-270m.temperature", "between"),
        ("[models.gemma3-270m]\ntop_p = \"high\"\n", 2, "models.gemma3-270m.top_p", "must be a number"),
        ("[models.gemma3-270m]\ncolour = 1\n", 2, "models.gemma3-270m.colour", "unknown key"),
        ("[models.new]\ncontext_length = 2048\n", 1, "models.new", "missing required key `source`"),
        ("[models.new]\nsource = \"ftp:x\"\n", 2, "models.new.source", "package:DIST"),
        ("[models.new]\nsource = \"hf:just-a-name:file.gguf\"\n", 2, "models.new.source", "OWNER/REPO"),
        ("[models.new]\nsource = \"path:x.gguf\"\nsha256 = \"abc\"\n", 3, "models.new.sha256", "64 hexadecimal"),
        ("[models.new]\nsource = \"path:x.gguf\"\nstop = \"END\"\n", 3, "models.new.stop", "list of non-empty strings"),
        ("[models.new]\nsource = \"path:x.gguf\"\nprompt_format = \"alpaca\"\n", 3, "models.new.prompt_format", "'raw'"),
        ("\n\ndefault = \"nope\"\n", 3, "default", "no model called 'nope'"),
        ("volume = 11\n", 1, "volume", "unknown top-level key"),
    ],
)
def test_mistakes_name_file_line_and_key(text, line, key, words):
    path = write_user(text)
    with pytest.raises(ConfigError) as caught:
        load_registry()
    err = caught.value
    assert err.path == path
    assert err.line == line, str(err)
    assert err.key == key, str(err)
    assert words in err.message, str(err)
    assert str(err).startswith(f"{path}:{line}: {key}: ")


def test_invalid_toml_syntax_names_the_line():
    path = write_user('[models.gemma3-270m]\nthreads = 1\ntemperature = = 2\n')
    with pytest.raises(ConfigError) as caught:
        load_registry()
    assert caught.value.path == path and caught.value.line == 3
    assert "invalid TOML" in str(caught.value)


def test_unknown_model_name_lists_the_known_ones():
    registry = load_registry()
    with pytest.raises(UnknownModel) as caught:
        registry.get("gpt-17")
    assert "gpt-17" in str(caught.value) and "gemma3-270m" in str(caught.value)


def test_changing_the_source_of_a_bundled_model_drops_its_checksum(tmp_path):
    write_user(f'[models.gemma3-270m]\nsource = "path:{tmp_path / "other.gguf"}"\n')
    gemma = load_registry().get("gemma3-270m")
    assert gemma.source.kind == "path" and gemma.sha256 is None
    assert load_registry(user_path=tmp_path / "absent.toml").get("gemma3-270m").sha256
