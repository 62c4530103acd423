"""The local and the remote path on the same model, and the remote path's overhead, in one run.

    python benchmarks/remote_overhead.py [--context 1500] [--max-tokens 64] [--repeat 3] [--json]
    python benchmarks/remote_overhead.py --base-url http://127.0.0.1:8080/v1 --served-model M   # a server of yours

1. ``scenewright bench model`` on the default local model (Gemma 3 270M from its package): the
   engine against a bare llama-cpp-python loop on the same loaded model.
2. The local model is closed, then llama-cpp-python's own OpenAI-compatible server
   (``python -m llama_cpp.server``) is started on 127.0.0.1 with the same GGUF file and the thread
   counts the local run used, and ``scenewright bench model --model REMOTE`` runs against it: the
   engine's remote path against a bare ``httpx`` streaming loop sending the same request bodies to
   the same server. The issue's target: the remote path's overhead at most 5 % in tokens per second.

The two runs are sequential so that neither competes with the other for the CPU. With
``--base-url`` no server is started and the local run is skipped unless ``--local`` is given.
The user's models.toml is not touched: the remote entry goes into a temporary config folder.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ALIAS = "gemma"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--context", type=int, default=1500, metavar="N")
    parser.add_argument("--max-tokens", type=int, default=64, metavar="N")
    parser.add_argument("--repeat", type=int, default=3, metavar="R")
    parser.add_argument("--base-url", metavar="URL", help="bench this server instead of starting llama_cpp.server")
    parser.add_argument("--served-model", metavar="M", default=ALIAS)
    parser.add_argument("--endpoint", choices=("completions", "chat"), default="completions")
    parser.add_argument("--api-key-env", metavar="VAR")
    parser.add_argument("--local", action="store_true", help="with --base-url: run the local bench too")
    parser.add_argument("--json", action="store_true", help="one JSON object: {local, remote, overhead_percent}")
    parser.add_argument("--save", metavar="FILE", help="also write that JSON object to FILE")
    args = parser.parse_args()

    config = tempfile.mkdtemp(prefix="sw-bench-config-")
    os.environ["SCENEWRIGHT_CONFIG_DIR"] = config  # before the engine reads any registry
    from engine.bench.model_bench import bench
    from engine.bench.sample import generate_script
    from engine.generation import GenerationEngine
    from engine.models import load_registry, resolve
    from engine.models.user_file import add_remote_entry

    log = (lambda m: None) if args.json else (lambda m: print(m, file=sys.stderr))
    script = generate_script()
    result: dict = {"local": None, "remote": None}
    threads = (1, 1)
    if not args.base_url or args.local:
        log("local: the default model in this process")
        engine = GenerationEngine()
        try:
            result["local"] = bench(engine, script, None, args.context, args.max_tokens, args.repeat, log)
        finally:
            engine.close()
        threads = tuple(result["local"]["threads"])

    server = None
    try:
        if args.base_url:
            base_url = args.base_url
        else:
            gguf = resolve(load_registry().get())
            server, base_url = start_server(gguf, threads, Path(config), log)
        add_remote_entry("bench-remote", base_url=base_url, served_model=args.served_model,
                         endpoint=args.endpoint, api_key_env=args.api_key_env, context_length=4096)
        engine = GenerationEngine()
        try:
            result["remote"] = bench(engine, script, "bench-remote", args.context, args.max_tokens, args.repeat, log)
        finally:
            engine.close()
    finally:
        if server is not None:
            server.kill()
            server.wait(30)
    remote = result["remote"]
    result["overhead_percent"] = {
        "generation": round((1 - remote["ratio_gen_tokens_per_s"]) * 100, 2),
        "prompt": round((1 - remote["ratio_prompt_tokens_per_s"]) * 100, 2),
    }
    if args.save:
        Path(args.save).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    else:
        report(result)
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(gguf: Path, threads: tuple[int, int], folder: Path, log) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    out = (folder / "server.log").open("wb")
    log(f"remote: python -m llama_cpp.server on 127.0.0.1:{port}, threads {threads[0]}/{threads[1]}")
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.models.llama_cpp_server", "--model", str(gguf), "--model_alias", ALIAS,
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
         "--n_threads", str(threads[0]), "--n_threads_batch", str(threads[1]), "--interrupt_requests", "False"],
        stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"llama_cpp.server exited ({process.returncode}); see {folder / 'server.log'}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    process.kill()
    raise SystemExit(f"llama_cpp.server did not answer within 180 s; see {folder / 'server.log'}")


def report(result: dict) -> None:
    rows = [("prompt tokens/s", "prompt_tokens_per_s"), ("generated tokens/s", "gen_tokens_per_s"),
            ("TTFT cold (ms)", "ttft_cold_ms"), ("TTFT warm (ms)", "ttft_warm_ms")]
    local, remote = result["local"], result["remote"]
    heads = (["local engine", "local bare"] if local else []) + ["remote engine", "remote bare"]
    print(f"prompt ~{remote['engine']['prompt_tokens']} tokens, {remote['max_tokens']} generated, "
          f"median of {remote['repeat']}; remote: {remote['server']}")
    print(f"{'':22}" + "".join(f"{h:>15}" for h in heads))
    for label, key in rows:
        values = ([local["engine"][key], local["bare"][key]] if local else []) + [remote["engine"][key], remote["bare"][key]]
        print(f"{label:<22}" + "".join(f"{v:>15.1f}" for v in values))
    cancels = ([("local", local)] if local else []) + [("remote", remote)]
    print("cancel -> stream ended: " + ", ".join(
        f"{name} {r['cancel_during_prompt_ms']:.1f} ms" if r["cancel_during_prompt_ms"] is not None else f"{name} -"
        for name, r in cancels))
    for name, r in (([("local", local)] if local else []) + [("remote", remote)]):
        print(f"{name} engine/bare (median of back-to-back runs): prompt {r['ratio_prompt_tokens_per_s']:.3f}, "
              f"generation {r['ratio_gen_tokens_per_s']:.3f}")
    o = result["overhead_percent"]
    ok = o["generation"] <= 5
    print(f"remote path overhead vs bare httpx: generation {o['generation']:+.1f} %, prompt {o['prompt']:+.1f} % "
          f"({'ok' if ok else 'MISS'}: target <= 5 % in tokens per second)")


if __name__ == "__main__":
    raise SystemExit(main())
