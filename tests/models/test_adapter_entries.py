"""models.toml entries that name a base and a LoRA adapter (what `scenewright train` registers)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.models import ModelError, load_registry
from engine.tomlconf import ConfigError
from model_helpers import write_user


def test_an_adapter_entry_inherits_its_base_and_overrides_keys():
    path = write_user('[models.voice]\nbase = "smollm2-135m"\nadapter = "adapters/voice.gguf"\ntemperature = 0.7\n'
                      'lora_scale = 0.5\n')
    registry = load_registry()
    voice, base = registry.get("voice"), registry.get("smollm2-135m")
    assert voice.source == base.source and voice.context_length == base.context_length
    assert voice.temperature == 0.7 and voice.lora_scale == 0.5
    assert voice.adapter == path.parent / "adapters" / "voice.gguf"  # relative to the file
    assert voice.origin == path and "adapter" in voice.where()


@pytest.mark.parametrize(
    "text, line, key, words",
    [
        ('[models.v]\nbase = "nope"\nadapter = "a.gguf"\n', 2, "models.v.base", "no model called 'nope'"),
        ('[models.v]\nadapter = "a.gguf"\n', 2, "models.v.adapter", "`base` is missing"),
        ('[models.v]\nbase = "smollm2-135m"\n', 2, "models.v.base", "`adapter` is missing"),
        ('[models.v]\nbase = "smollm2-135m"\nadapter = "a.gguf"\nsource = "path:x.gguf"\n', 4, "models.v.source",
         "takes its weights from its base"),
        ('[models.r]\nkind = "remote"\nbase_url = "http://127.0.0.1:1"\nserved_model = "m"\n'
         '[models.v]\nbase = "r"\nadapter = "a.gguf"\n', 6, "models.v.base", "remote model"),
        ('[models.v]\nbase = "smollm2-135m"\nadapter = "a.gguf"\nlora_scale = 9\n', 4, "models.v.lora_scale", "between"),
    ],
)
def test_adapter_mistakes_name_file_line_and_key(text, line, key, words):
    path = write_user(text)
    with pytest.raises(ConfigError) as caught:
        load_registry()
    err = caught.value
    assert (err.path, err.line, err.key) == (path, line, key), str(err)
    assert words in err.message, str(err)


def test_a_missing_adapter_file_is_a_clear_load_error():
    from engine.models import resolve
    from engine.models.llama_backend import open_llama

    write_user('[models.v]\nbase = "smollm2-135m"\nadapter = "gone.gguf"\n')
    entry = load_registry().get("v")
    with pytest.raises(ModelError, match=r"its adapter .*gone.gguf is not there .*\[models.v\] adapter"):
        open_llama(entry, resolve(entry))


def test_writing_never_imports_the_training_stack():
    code = ("import sys, engine.cli.train_cmd, engine.cli.corpus_cmd, engine.training.data, tui.app\n"
            "from engine.cli import build_parser; build_parser()\n"
            "heavy = [m for m in ('torch', 'transformers', 'peft') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
