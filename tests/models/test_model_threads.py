"""Thread counts: measured once per model file and machine, cached, overridden by models.toml."""

from __future__ import annotations

import json

from engine.models import load_model, load_registry, user_registry_path
from engine.models.threads import available_cpus, cache_file, candidates, cpu_model


def test_candidates_cover_one_to_all_cpus():
    assert candidates(1) == [1]
    assert candidates(2) == [1, 2]
    assert candidates(12) == [1, 2, 4, 8, 12]
    assert candidates()[-1] == available_cpus()


def test_auto_threads_are_measured_once_and_cached_per_model_and_machine(model):
    choice = model.thread_choice
    assert choice.measured
    assert choice.n_threads in candidates() and choice.n_threads_batch in candidates()
    assert model.threads == (choice.n_threads, choice.n_threads_batch)
    data = json.loads(cache_file().read_text())
    records = [r for r in data.values() if r["model"] == str(model.path)]
    assert len(records) == 1
    record = records[0]
    assert record["cpus"] == available_cpus() and record["cpu_model"] == cpu_model()
    assert record["n_threads"] == choice.n_threads and record["n_threads_batch"] == choice.n_threads_batch
    assert set(map(int, record["prompt_ms_per_token"])) <= set(candidates())

    # A second load of the same file on the same machine reuses the measurement.
    again = load_model(model.entry)
    try:
        assert again.thread_choice.prompt_ms_per_token == choice.prompt_ms_per_token
        assert again.threads == model.threads
    finally:
        again.close()
    assert len(json.loads(cache_file().read_text())) == len(data)


def test_numbers_in_models_toml_win_over_calibration():
    config = user_registry_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[models.smollm2-135m]\nthreads = 1\nthreads_batch = 1\n")
    entry = load_registry().get("smollm2-135m")
    model = load_model(entry)
    try:
        assert model.threads == (1, 1)
        assert model.thread_choice.measured is False
    finally:
        model.close()
