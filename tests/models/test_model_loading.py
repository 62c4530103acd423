"""Loading GGUF files: progress, and broken files that give a message instead of a crash."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from engine.generation import ErrorEvent, GenerationEngine, LoadEvent
from engine.models import ModelLoadError, load_model, load_registry, resolve, user_registry_path


def entry_for(path: Path, name: str = "broken"):
    config = user_registry_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[models.{name}]\nsource = "path:{path}"\nthreads = 1\ncontext_length = 512\n')
    return load_registry().get(name)


def gguf_header(version: int = 3, tensors: int = 2, kv: int = 1) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, kv)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is empty"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "saved web page"),
        (b"\x00\x01\x02\x03" * 64, "not a GGUF model file"),
        (b"GGUF\x03\x00", "truncated"),
        (gguf_header(version=7), "GGUF version 7"),
    ],
)
def test_not_a_model_file_is_a_clear_load_error(tmp_path, content, words):
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelLoadError) as caught:
        load_model(entry_for(path))
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_truncated_real_model_gives_llama_cpp_reason_not_a_crash(tmp_path):
    gemma = resolve(load_registry().get("gemma3-270m"))
    cut = tmp_path / "half.gguf"
    with gemma.open("rb") as src:
        cut.write_bytes(src.read(gemma.stat().st_size // 2))
    with pytest.raises(ModelLoadError) as caught:
        load_model(entry_for(cut))
    message = str(caught.value)
    assert "llama.cpp could not load" in message and str(cut) in message


def test_header_with_garbage_metadata_is_refused(tmp_path):
    path = tmp_path / "garbage.gguf"
    path.write_bytes(gguf_header(tensors=3, kv=5) + bytes(range(256)) * 40)
    with pytest.raises(ModelLoadError) as caught:
        load_model(entry_for(path))
    assert "llama.cpp could not load" in str(caught.value)


def test_engine_turns_a_broken_model_into_an_error_event(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"not a model")
    entry_for(path, "broken")
    engine = GenerationEngine()
    events = list(engine.continue_at("INT. ROOM - DAY\n\n", (2, 0), request=_request("broken")))
    assert isinstance(events[-1], ErrorEvent)
    assert events[-1].kind == "model" and "not a GGUF model file" in events[-1].message
    assert engine.loaded() == []


def test_missing_model_file_is_an_error_event(tmp_path):
    entry_for(tmp_path / "absent.gguf", "absent")
    events = list(GenerationEngine().continue_at("", (0, 0), request=_request("absent")))
    assert [type(e) for e in events] == [ErrorEvent]
    assert "does not exist" in events[0].message


def test_loading_reports_progress_from_llama_cpp_then_ready():
    engine = GenerationEngine(load_registry())
    events = list(engine.load("smollm2-135m"))
    stages = [e.stage for e in events if isinstance(e, LoadEvent)]
    assert stages[-1] == "ready"
    load_fractions = [e.fraction for e in events if isinstance(e, LoadEvent) and e.stage == "load"]
    assert len(load_fractions) >= 3 and load_fractions == sorted(load_fractions) and load_fractions[-1] == 1.0
    assert engine.loaded() == ["smollm2-135m"]
    engine.close()


def test_cancelling_a_load_stops_it():
    engine = GenerationEngine(load_registry())
    generation = engine.load("smollm2-135m")
    events = []
    for event in generation:
        events.append(event)
        if isinstance(event, LoadEvent) and event.stage == "load" and (event.fraction or 0) > 0:
            generation.cancel()
    assert events[-1].__class__.__name__ == "DoneEvent" and events[-1].reason == "cancelled"
    assert engine.loaded() == []


def _request(model: str):
    from engine.generation import ContinueRequest

    return ContinueRequest(model=model, max_tokens=4)
