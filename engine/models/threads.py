"""Choosing llama.cpp thread counts by measuring them on this machine, once per model and machine.

On small virtual machines more threads can be much slower: on a 2-vCPU machine a 166-token
prompt took 0.7 s with one thread and 6.3 s with two. So ``threads = "auto"`` in models.toml
means: time a short prompt batch (``n_threads_batch``) and a few single-token decodes
(``n_threads``) for each candidate count, keep the fastest, and remember the answer in
``cache_dir()/threads.json`` keyed by the model file and the machine (CPU count and model,
llama-cpp-python version, GPU layers). Explicit numbers in models.toml skip the measurement.

The whole calibration is bounded: candidates are 1, 2, 4, ... up to the CPUs this process may
use, a candidate that is clearly slower than the best is measured once only, and the search
stops when more threads stop helping.
"""

from __future__ import annotations

import json
import os
import platform
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from engine.atomicfile import write_atomic
from engine.hashing import key_sha256
from engine.paths import cache_dir

CACHE_VERSION = 1
PROMPT_BATCH = 32  # tokens per prompt-evaluation sample
DECODES = 4  # single-token decodes per generation sample
SAMPLE_LIMIT_S = 0.25  # a sample slower than this is stopped (llama.cpp abort callback) and loses
PREFER_FEWER = 1.15  # more threads must be at least 15% faster to be chosen
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ThreadChoice:
    n_threads: int  # generation (one token per decode)
    n_threads_batch: int  # prompt evaluation (batches)
    measured: bool  # False when models.toml gave the numbers
    prompt_ms_per_token: dict[int, float] | None = None  # candidate -> best time measured
    decode_ms_per_token: dict[int, float] | None = None
    calibration_ms: float = 0.0
    load_average: float = 0.0  # the machine's 1-minute load when measured (a busy machine skews the result)


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def current_load() -> float:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def measured_on_a_busy_machine(choice: ThreadChoice) -> bool:
    """True when the cached measurement was taken under load that has since gone away."""
    busy = choice.load_average > 0.5 * available_cpus()
    return busy and current_load() < choice.load_average / 2


def candidates(cpus: int | None = None) -> list[int]:
    cpus = cpus or available_cpus()
    out, n = [], 1
    while n < cpus:
        out.append(n)
        n *= 2
    out.append(cpus)
    return sorted(set(out))


def llama_cpp_version() -> str:
    """The installed llama-cpp-python's version, read from its metadata (no import of llama.cpp)."""
    from importlib import metadata

    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_key(model_path: Path, gpu_layers: int) -> str:
    st = model_path.stat()
    parts = [
        str(CACHE_VERSION),
        str(model_path.resolve()),
        str(st.st_size),
        str(st.st_mtime_ns),
        str(available_cpus()),
        cpu_model(),
        platform.machine(),
        llama_cpp_version(),
        str(gpu_layers),
    ]
    return key_sha256(parts)[:32]


def cache_file() -> Path:
    return cache_dir() / "threads.json"


def cached_choice(key: str) -> ThreadChoice | None:
    try:
        data = json.loads(cache_file().read_text("utf-8")).get(key)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return ThreadChoice(
            int(data["n_threads"]),
            int(data["n_threads_batch"]),
            True,
            {int(k): float(v) for k, v in (data.get("prompt_ms_per_token") or {}).items()},
            {int(k): float(v) for k, v in (data.get("decode_ms_per_token") or {}).items()},
            float(data.get("calibration_ms", 0.0)),
            float(data.get("load_average", 0.0)),
        )
    except (KeyError, TypeError, ValueError):
        return None


def store_choice(key: str, choice: ThreadChoice, model_path: Path) -> None:
    with _LOCK:
        try:
            data = json.loads(cache_file().read_text("utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        record = asdict(choice)
        record.pop("measured", None)
        record["model"] = str(model_path)
        record["cpus"] = available_cpus()
        record["cpu_model"] = cpu_model()
        record["when"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        data[key] = record
        target = cache_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, json.dumps(data, indent=1))


def calibrate(model, cancelled=lambda: False) -> ThreadChoice:
    """Measure thread counts on a loaded ``LocalModel`` (its KV cache is cleared afterwards)."""
    llm = model.llm
    started = time.perf_counter()
    load_average = current_load()
    text = "INT. KITCHEN - NIGHT\n\nThe kettle screams. MARA lifts it off the stove.\n\n" * 8
    tokens = model.tokenize(text, add_bos=True)[: PROMPT_BATCH + DECODES + 1]
    batch, singles = tokens[:PROMPT_BATCH], tokens[PROMPT_BATCH:]

    def time_batch(n: int) -> float:
        model.set_threads(1, n)
        llm.reset()
        with model.time_limit(SAMPLE_LIMIT_S) as limited:
            t = time.perf_counter()
            llm.eval(batch)
        return _per_token(t, len(batch), limited)

    def time_decode(n: int) -> float:
        model.set_threads(n, 1)
        llm.reset()
        llm.eval(batch[:4])
        with model.time_limit(SAMPLE_LIMIT_S) as limited:
            t = time.perf_counter()
            for token in singles:
                llm.eval([token])
        return _per_token(t, len(singles), limited)

    try:
        prompt = _search(time_batch, cancelled)
        decode = _search(time_decode, cancelled)
    finally:
        llm.reset()
    choice = ThreadChoice(
        load_average=load_average,
        n_threads=_pick(decode),
        n_threads_batch=_pick(prompt),
        measured=True,
        prompt_ms_per_token=prompt,
        decode_ms_per_token=decode,
        calibration_ms=(time.perf_counter() - started) * 1000,
    )
    model.set_threads(choice.n_threads, choice.n_threads_batch)
    return choice


def _per_token(t0: float, n: int, limited) -> float:
    if limited.hit:  # stopped by the time limit: slower than the limit allows
        return float("inf")
    return (time.perf_counter() - t0) * 1000 / n


def _pick(results: dict[int, float]) -> int:
    """The fewest threads within ``PREFER_FEWER`` of the fastest (fewer threads leave the editor a core)."""
    best = min(results.values())
    return min(n for n, ms in results.items() if ms <= best * PREFER_FEWER)


def _search(measure, cancelled) -> dict[int, float]:
    """Best time per candidate; stop when more threads are clearly worse, or on cancel."""
    results: dict[int, float] = {}
    measure(1)  # warm-up: the first decodes pay for page faults and graph allocation
    worse = 0
    for n in candidates():
        if cancelled():
            break
        first = measure(n)
        best = min(results.values()) if results else first
        samples = [first]
        if first < best * 1.5:  # close to the best so far: measure again to beat the noise
            samples.append(measure(n))
        results[n] = min(samples)
        if results[n] > min(results.values()) * 1.1:
            worse += 1
            if worse >= 2:
                break
        else:
            worse = 0
    finite = {n: ms for n, ms in results.items() if ms != float("inf")}
    return finite or {1: 0.0}


def choose_threads(entry, model, path: Path, gpu_layers: int, cancelled=lambda: False, force: bool = False) -> ThreadChoice:
    """Thread counts for ``entry``: explicit numbers from models.toml, else the cached or a new measurement."""
    fixed_gen = entry.threads if entry.threads != "auto" else None
    fixed_batch = entry.threads_batch if entry.threads_batch != "auto" else None
    if fixed_gen is not None and fixed_batch is not None:
        model.set_threads(fixed_gen, fixed_batch)
        return ThreadChoice(fixed_gen, fixed_batch, measured=False)
    key = machine_key(path, gpu_layers)
    choice = None if force else cached_choice(key)
    if choice is not None and measured_on_a_busy_machine(choice):
        choice = None  # measured while other work held the CPUs: measure again now that it is quieter
    if choice is None:
        choice = calibrate(model, cancelled)
        if not cancelled():
            store_choice(key, choice, path)
    n_threads = fixed_gen if fixed_gen is not None else choice.n_threads
    n_batch = fixed_batch if fixed_batch is not None else choice.n_threads_batch
    model.set_threads(n_threads, n_batch)
    return replace(choice, n_threads=n_threads, n_threads_batch=n_batch)
