"""What the portable llama.cpp build costs: tokens/s against a native build, same machine, same run.

    python benchmarks/cpu_variants.py --native /tmp/venv-native/bin/python [--rounds 5]

The portable build (``engine/models/llama_build.py``: GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS,
the variant chosen by ``engine.models.cpu_probe``) is the one installed in this interpreter; the
peer is a native build (``-march=native``, llama-cpp-python's default) installed in another
virtual environment, e.g.::

    python3 -m venv /tmp/venv-native
    /tmp/venv-native/bin/pip install --no-cache-dir llama-cpp-python platformdirs   # no CMAKE_ARGS: native

Each round runs the same bare llama-cpp-python loop in a fresh process of each interpreter (the
order flips every round): the default model, one thread, a ~900-token prompt evaluated from an
empty cache, then 64 greedy tokens. Reported: medians and the median of the per-round ratios
(portable / native). Also ``--variant NAME`` to measure a variant other than the chosen one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from dataclasses import replace
from pathlib import Path
from engine.models import load_registry
from engine.models.llama_backend import cpu_backend, open_llama
entry = load_registry(user_path=Path("/nonexistent.toml")).get()
path = Path(sys.argv[2])  # resolved by the parent: the peer's environment need not hold the model package
llm = open_llama(entry, path, n_threads=1, n_threads_batch=1, n_ctx=2048)
text = (Path(sys.argv[1]).read_text("utf-8"))
tokens = llm.tokenize(text.encode(), add_bos=True)[:900]
llm.eval(tokens[:32]); llm.reset()  # warm-up: page faults, graph allocation
t = time.perf_counter(); llm.eval(tokens); prompt_s = time.perf_counter() - t
n, first = 0, None
for token in llm.generate(tokens, temp=0.0, reset=False):
    now = time.perf_counter()
    if first is None:
        first = now
    n += 1
    if n >= 64:
        break
gen_s = time.perf_counter() - first
print(json.dumps({"variant": cpu_backend().get("variant"), "prompt_tps": len(tokens) / prompt_s,
                  "gen_tps": (n - 1) / gen_s}))
"""


def run(python: str, env: dict, gguf: Path) -> dict:
    done = subprocess.run([python, "-c", CHILD, str(REPO / "examples" / "night-shift.fountain"), str(gguf)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{python} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--native", required=True, metavar="PYTHON", help="an interpreter with a native llama-cpp-python")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variant", help="force this CPU variant (SCENEWRIGHT_CPU_VARIANT)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from engine.models import load_registry, resolve

    gguf = resolve(load_registry(user_path=Path("/nonexistent.toml")).get())
    env = dict(os.environ, PYTHONPATH=str(REPO))
    mine_env = dict(env, **({"SCENEWRIGHT_CPU_VARIANT": args.variant} if args.variant else {}))
    runs: dict[str, list[dict]] = {"portable": [], "native": []}
    for r in range(args.rounds):
        order = ("portable", "native") if r % 2 == 0 else ("native", "portable")
        for name in order:
            runs[name].append(run(sys.executable if name == "portable" else args.native,
                                  mine_env if name == "portable" else env, gguf))
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(
            f"{n} {runs[n][-1]['prompt_tps']:.0f}/{runs[n][-1]['gen_tps']:.1f}" for n in ("portable", "native")),
            file=sys.stderr)
    result = {"variant": runs["portable"][0]["variant"], "rounds": args.rounds}
    for key in ("prompt_tps", "gen_tps"):
        for name in runs:
            result[f"{name}_{key}"] = statistics.median(r[key] for r in runs[name])
        result[f"ratio_{key}"] = statistics.median(a[key] / b[key] for a, b in zip(runs["portable"], runs["native"]))
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"portable build, variant {result['variant']} vs native build (-march=native), default model, 1 thread, "
          f"median of {args.rounds} rounds")
    print(f"{'':22}{'portable':>10}{'native':>10}{'ratio':>8}")
    for label, key in (("prompt tokens/s", "prompt_tps"), ("generated tokens/s", "gen_tps")):
        print(f"{label:<22}{result[f'portable_{key}']:>10.1f}{result[f'native_{key}']:>10.1f}{result[f'ratio_{key}']:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
