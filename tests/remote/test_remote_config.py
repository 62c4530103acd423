"""Remote entries in models.toml, `scenewright models add`, the token estimate, and a server that is not there."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from engine.cli import main as cli_main
from engine.generation import ContinueRequest, ErrorEvent, GenerationEngine
from engine.models import load_registry, locate, user_registry_path
from engine.models.remote import estimate_tokens
from engine.tomlconf import ConfigError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "night-shift.fountain"


def write_user(text: str) -> Path:
    path = user_registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_remote_entry_is_validated_and_normalised():
    write_user('[models.box]\nkind = "remote"\nbase_url = "http://gpu-box:8080/"\nserved_model = "qwen"\n'
               'endpoint = "chat"\napi_key_env = "BOX_KEY"\ncontext_length = 8192\ntemperature = 0.7\n')
    entry = load_registry().get("box")
    assert entry.is_remote and entry.source is None
    assert entry.base_url == "http://gpu-box:8080/v1"  # "/v1" added when no path is given
    assert entry.prompt_format == "chat" and entry.endpoint == "chat"
    assert (entry.api_key_env, entry.context_length, entry.temperature, entry.top_p) == ("BOX_KEY", 8192, 0.7, 0.9)
    info = locate(entry)
    assert info.present and "gpu-box" in info.status


@pytest.mark.parametrize(
    "body, line, key, words",
    [
        ('kind = "remote"\nserved_model = "m"\n', 1, "models.box", "missing required key `base_url`"),
        ('kind = "remote"\nbase_url = "ftp://x"\nserved_model = "m"\n', 3, "models.box.base_url", "http://"),
        ('kind = "remote"\nbase_url = "http://u:pw@x/v1"\nserved_model = "m"\n', 3, "models.box.base_url", "credentials"),
        ('kind = "remote"\nbase_url = "http://x/v1"\nserved_model = "m"\nendpoint = "embeddings"\n', 5,
         "models.box.endpoint", "'completions'"),
        ('kind = "remote"\nbase_url = "http://x/v1"\nserved_model = "m"\nthreads = 4\n', 5,
         "models.box.threads", "not used by remote models"),
        ('kind = "remote"\nbase_url = "http://x/v1"\nserved_model = "m"\nendpoint = "chat"\nprompt_format = "raw"\n', 6,
         "models.box.prompt_format", "follows its endpoint"),
        ('kind = "cloud"\n', 2, "models.box.kind", "'local'"),
        ('source = "path:x.gguf"\nbase_url = "http://x/v1"\n', 3, "models.box.base_url", "only for remote models"),
    ],
)
def test_remote_mistakes_name_file_line_and_key(body, line, key, words):
    path = write_user("[models.box]\n" + body)
    with pytest.raises(ConfigError) as caught:
        load_registry()
    err = caught.value
    assert (err.path, err.line, err.key) == (path, line, key), str(err)
    assert words in err.message, str(err)


def test_a_key_written_into_models_toml_is_refused_and_never_repeated():
    secret = "sk-live-0123456789abcdef"
    write_user(f'[models.box]\nkind = "remote"\nbase_url = "http://x/v1"\nserved_model = "m"\napi_key = "{secret}"\n')
    with pytest.raises(ConfigError) as caught:
        load_registry()
    assert caught.value.line == 5 and "api_key_env" in str(caught.value) and secret not in str(caught.value)
    write_user(f'[models.box]\nkind = "remote"\nbase_url = "http://x/v1"\nserved_model = "m"\napi_key_env = "{secret}"\n')
    with pytest.raises(ConfigError) as caught:
        load_registry()
    assert caught.value.key == "models.box.api_key_env" and "NAME of an environment variable" in str(caught.value)
    assert secret not in str(caught.value)


def test_models_add_writes_the_entry_and_keeps_the_others(capsys, monkeypatch):
    monkeypatch.delenv("STUDIO_KEY", raising=False)
    path = write_user('# mine\n[models.gemma3-270m]\nthreads = 1\n\n[models.other]\nkind = "remote"\n'
                      'base_url = "http://a/v1"\nserved_model = "x"\n')
    code = cli_main(["models", "add", "studio", "--base-url", "http://127.0.0.1:8080/v1", "--served-model",
                     "gemma-3-27b", "--endpoint", "chat", "--api-key-env", "STUDIO_KEY", "--default"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "now the default" in captured.out and "STUDIO_KEY is not set" in captured.err
    data = tomllib.loads(path.read_text())
    assert data["default"] == "studio"
    assert data["models"]["gemma3-270m"] == {"threads": 1}
    assert data["models"]["other"]["served_model"] == "x"
    assert data["models"]["studio"] == {"kind": "remote", "base_url": "http://127.0.0.1:8080/v1",
                                        "served_model": "gemma-3-27b", "endpoint": "chat", "api_key_env": "STUDIO_KEY"}
    assert path.with_name("models.toml.bak").read_text().startswith("# mine")
    registry = load_registry()
    assert registry.default == "studio" and registry.get("gemma3-270m").threads == 1
    # listed with the others, as remote
    assert cli_main(["models", "list", "--json"]) == 0
    import json

    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["studio"]["kind"] == "remote" and rows["studio"]["default"] is True
    assert rows["gemma3-270m"]["kind"] == "local"


def test_models_add_refuses_bad_input_without_writing():
    path = write_user('[models.gemma3-270m]\nthreads = 1\n')
    before = path.read_text()
    assert cli_main(["models", "add", "x", "--base-url", "gopher://x", "--served-model", "m"]) == 1
    assert cli_main(["models", "add", "x", "--base-url", "http://x/v1", "--served-model", "m",
                     "--api-key-env", "sk-123-not-a-name"]) == 1
    assert path.read_text() == before


def test_the_token_estimate_never_undercounts_the_real_tokenizer():
    """The estimate used for servers without a tokenize endpoint stays above Gemma's real count."""
    from engine.models import load_registry as registry_of, resolve
    from engine.steering.tokens import open_vocab

    path = resolve(registry_of(user_path=Path("/nonexistent.toml")).get())
    vocab = open_vocab(path)
    samples = [EXAMPLE.read_text(encoding="utf-8"), "ZOË (V.O.)\nJosé — ¿qué pasa?\n", "1234567890 " * 20,
               "夜のシーン。東京。" * 10, "INT. HOUSE - NIGHT\n\n" * 30]
    for text in samples:
        real = len(vocab.tokenize(text, add_bos=True))
        assert estimate_tokens(text) >= real, text[:40]


def test_connection_refused_is_a_clear_message(monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("SW_REFUSED_KEY", "sw-secret-never-shown")
    write_user(f'default = "gone"\n[models.gone]\nkind = "remote"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
               'served_model = "m"\napi_key_env = "SW_REFUSED_KEY"\nconnect_timeout = 2\n')
    engine = GenerationEngine()
    events = list(engine.continue_at("INT. HOUSE - NIGHT\n\n", (2, 0), ContinueRequest(max_tokens=4)))
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    assert len(errors) == 1 and errors[0].kind == "server"
    assert "connection refused" in errors[0].message and f"127.0.0.1:{port}" in errors[0].message
    assert "sw-secret-never-shown" not in errors[0].message


ADD_STUDIO = ["models", "add", "studio", "--base-url", "http://127.0.0.1:8080/v1", "--served-model", "gemma-3-27b"]


def test_models_add_keeps_the_writers_comments(capsys):
    original = ('# my models: the small one for the train, the studio box at work\n'
                'default = "gemma3-270m"   # the train\n\n'
                '# one thread: the laptop runs hot\n[models.gemma3-270m]\nthreads = 1  # really\n\n'
                '# the old box\n[models.old]\nkind = "remote"\nbase_url = "http://a/v1"\nserved_model = "x"\n')
    path = write_user(original)
    assert cli_main(ADD_STUDIO + ["--default"]) == 0
    captured = capsys.readouterr()
    assert "not kept" not in captured.err and f"the previous file is at {path}.bak" in captured.out
    text = path.read_text()
    # every line of the old file is still there, in order; only the default's value changed
    assert text.startswith(original.replace('default = "gemma3-270m"   # the train',
                                            'default = "studio"   # the train'))
    assert text.endswith('\n\n[models.studio]\nkind = "remote"\nbase_url = "http://127.0.0.1:8080/v1"\n'
                         'served_model = "gemma-3-27b"\nendpoint = "completions"\n')
    assert path.with_name("models.toml.bak").read_text() == original
    registry = load_registry()
    assert registry.default == "studio" and registry.get("gemma3-270m").threads == 1


def test_models_add_replaces_an_entry_in_place_and_adds_a_default_line(capsys):
    original = ('# mine\n[models.studio]\nkind = "remote"\nbase_url = "http://old:8080/v1"\nserved_model = "old"\n'
                'api_key_env = "OLD_KEY"\n\n# the laptop\n[models.gemma3-270m]\nthreads = 1\n')
    path = write_user(original)
    assert cli_main(ADD_STUDIO + ["--endpoint", "chat", "--default"]) == 0
    assert "not kept" not in capsys.readouterr().err
    assert path.read_text() == (
        'default = "studio"\n\n# mine\n[models.studio]\nkind = "remote"\nbase_url = "http://127.0.0.1:8080/v1"\n'
        'served_model = "gemma-3-27b"\nendpoint = "chat"\n\n# the laptop\n[models.gemma3-270m]\nthreads = 1\n')
    entry = load_registry().get("studio")
    assert (entry.served_model, entry.endpoint, entry.api_key_env) == ("gemma-3-27b", "chat", None)


def test_models_add_keeps_windows_line_endings():
    path = user_registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'# mine\r\n[models.gemma3-270m]\r\nthreads = 1\r\n')
    assert cli_main(ADD_STUDIO) == 0
    raw = path.read_bytes()
    assert raw.startswith(b'# mine\r\n[models.gemma3-270m]\r\nthreads = 1\r\n\r\n[models.studio]\r\n')
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert load_registry().get("studio").is_remote


def test_models_add_says_plainly_when_comments_cannot_be_kept(capsys):
    # dotted keys: the text edit cannot replace this entry, so the file is rewritten from its data
    original = '# mine\nmodels.studio.kind = "remote"\nmodels.studio.base_url = "http://old/v1"\n' \
               'models.studio.served_model = "old"\n'
    path = write_user(original)
    assert cli_main(ADD_STUDIO) == 0
    err = capsys.readouterr().err
    assert f"comments in models.toml are not kept (the file had to be rewritten); the old file is at {path}.bak" in err
    assert path.with_name("models.toml.bak").read_text() == original
    assert tomllib.loads(path.read_text())["models"]["studio"]["served_model"] == "gemma-3-27b"


def test_models_add_into_a_new_file(capsys):
    path = user_registry_path()
    assert not path.exists()
    assert cli_main(ADD_STUDIO + ["--default"]) == 0
    out = capsys.readouterr().out
    assert "now the default" in out and "previous file" not in out
    assert tomllib.loads(path.read_text()) == {"default": "studio", "models": {"studio": {
        "kind": "remote", "base_url": "http://127.0.0.1:8080/v1", "served_model": "gemma-3-27b",
        "endpoint": "completions"}}}
    assert not path.with_name("models.toml.bak").exists()


def test_prompt_for_a_remote_model_counts_without_a_server(capsys):
    """`scenewright prompt --model REMOTE` (and the context view, the anchors budget) count with
    the server's tokenizer; with no server there, with the conservative estimate."""
    import json

    write_user('[models.gone]\nkind = "remote"\nbase_url = "http://127.0.0.1:9/v1"\nserved_model = "m"\n'
               "context_length = 2048\n")
    assert cli_main(["prompt", str(EXAMPLE), "--line", "40", "--model", "gone", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "gone" and data["fits"]
    # the estimate, counted section by section: never fewer than the whole prompt's estimate
    assert data["tokens"] >= estimate_tokens(data["prompt"]) - len(data["sections"])


def test_perplexity_of_a_remote_model_says_why_not(capsys):
    write_user('[models.gone]\nkind = "remote"\nbase_url = "http://127.0.0.1:9/v1"\nserved_model = "m"\n')
    assert cli_main(["eval", "perplexity", "--model", "gone", str(EXAMPLE)]) == 1
    err = capsys.readouterr().err
    assert "log-probability of every token" in err and "local entry" in err
