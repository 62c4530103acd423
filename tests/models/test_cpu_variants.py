"""Choosing llama.cpp's CPU variant by running its instructions, and setting aside one that dies."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from engine.generation.request import ContinueRequest
from engine.models import cpu_probe, llama_build, load_registry, resolve
from engine.models.errors import ModelCrashed
from engine.models.process.client import ModelProcess

x86_only = pytest.mark.skipif(not cpu_probe.is_x86_64(), reason="instructions are probed by execution on x86-64 only")

ALL = ["x64", "sse42", "sandybridge", "ivybridge", "piledriver", "haswell", "skylakex", "cannonlake",
       "cascadelake", "icelake", "cooperlake", "zen4", "alderlake", "sapphirerapids"]


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A cache of its own: what these tests learn about variants stays here."""
    monkeypatch.setenv("SCENEWRIGHT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@x86_only
def test_an_instruction_the_cpu_refuses_is_caught_in_a_child():
    assert cpu_probe.run_snippet("UD2") == "SIGILL"  # always illegal: the probe's own check
    assert cpu_probe.run_snippet("SSE42") == "ok"  # every x86-64 machine since 2008


@x86_only
def test_a_vm_that_advertises_amx_but_faults_on_it_gets_the_best_variant_without_amx(tmp_path):
    for name in ALL:
        (tmp_path / f"libggml-cpu-{name}.so").write_bytes(b"")
    ok = {f: "ok" for f in cpu_probe.CPUINFO_FLAG if f != "UD2"}
    amx_faults = {"families": {**ok, "AMX_TILE": "SIGILL", "AMX_INT8": "SIGILL"}, "bad_variants": []}
    choice = cpu_probe.choose(tmp_path, None, amx_faults)
    assert choice.variant.name == "zen4"  # AVX-512 with VBMI, VNNI and BF16: all that runs
    assert "SIGILL" in choice.skipped["sapphirerapids"]
    every = {"families": ok, "bad_variants": []}
    assert cpu_probe.choose(tmp_path, None, every).variant.name == "sapphirerapids"
    no_avx512 = {"families": {**ok, **{f: "not advertised" for f in ok if f.startswith(("AVX512", "AMX"))}},
                 "bad_variants": ["alderlake"]}
    choice = cpu_probe.choose(tmp_path, None, no_avx512)
    assert choice.variant.name == "haswell" and "SIGILL" in choice.skipped["alderlake"]


def test_the_build_flags_are_llama_cpps_runtime_cpu_selection():
    flags = llama_build.cmake_args("x86_64").split()
    assert "-DGGML_BACKEND_DL=ON" in flags and "-DGGML_CPU_ALL_VARIANTS=ON" in flags and "-DGGML_NATIVE=OFF" in flags
    assert "-DGGML_BACKEND_DIR:STRING=llama_cpp/lib" in flags  # inside the wheel, not the build folder
    assert llama_build.cmake_args("aarch64") == ""  # arm64: the native build (HWCAP cannot lie)


def installed_variants() -> list[str]:
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    lib = Path(spec.origin).parent / "lib"
    return [v.name for v in cpu_probe.variants_in(lib)]


@x86_only
def test_the_installed_llama_cpp_is_the_portable_build():
    import importlib.util

    lib = Path(importlib.util.find_spec("llama_cpp").origin).parent / "lib"
    assert llama_build.check(str(lib)) is None, llama_build.check(str(lib))


@x86_only
def test_a_variant_that_dies_of_sigill_is_set_aside_and_the_next_process_uses_another(own_cache):
    if len(installed_variants()) < 2:
        pytest.skip("llama.cpp was built for one CPU")
    entry = replace(load_registry(user_path=Path("/nonexistent.toml")).get("smollm2-135m"), threads=1, threads_batch=1)
    path = str(resolve(entry))
    first = ModelProcess()
    model = first.call("open_model", entry, path, False)
    tokens = first.call("tokenize", model["handle"], "INT. HOUSE - NIGHT\n\n", True, False)
    sampling = ContinueRequest().sampling(entry)
    with pytest.raises(ModelCrashed) as crash:
        for n, _ in enumerate(first.stream("stream", model["handle"], tokens, sampling, 1, 500)):
            if n == 3:
                os.kill(first.pid, signal.SIGILL)  # as a kernel delivers it for an instruction the VM forbids
    assert crash.value.signal == "SIGILL" and crash.value.variant == first.variant
    assert f"CPU variant `{first.variant}` is set aside" in str(crash.value)
    second = ModelProcess()
    try:
        assert second.variant not in (None, first.variant)
        assert second.info["skipped"][first.variant] == "crashed with SIGILL here before"
        model = second.call("open_model", entry, path, False)  # and it runs
        assert second.call("count_tokens", model["handle"], "INT. HOUSE - NIGHT") > 2
    finally:
        second.close()
