"""``scenewright bench serve``: the HTTP service under a real load generator, against the direct path.

A ``scenewright serve`` process on 127.0.0.1 (temporary config and data folders, the default model
unless ``--model``), then:

* **wrk** (a C load generator: ``apt install wrk``) on ``GET /healthz`` and on short continuations
  (``POST /continue``, ``--tokens`` tokens, a fixed seed) at 1, 8 and 32 connections, ``--seconds``
  each: requests/s, p50 and p99 latency, non-2xx answers. A local model generates one request at a
  time (its queue holds the rest), so continuation latency grows with the connections by design.
* **overhead**: generated tokens per second of whole requests (the client's wall time, from sending
  to the last byte) through HTTP vs the path ``scenewright continue`` takes (a SuggestionSession: steering, then
  ``GenerationEngine.continue_at`` in this process), ``--tokens-overhead`` tokens, the two
  alternating over ``--rounds`` pairs on a warm cache; the ratio is the median of the pairs' ratios
  (target >= 0.95).
* **edit log exactness**: ``--exact`` continuations sent 8 at a time by an httpx client; every 200
  answer's request id must be in the edit log once, and nothing else.
* **rate limits under load**: a key of ``--rpm`` requests a minute, sent ``3 x rpm`` requests 32 at a
  time; exactly the bucket (``rpm``, plus what refills while the burst lasts) may pass.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SCRIPT = (
    "Title: The Lighthouse\n\n"
    "INT. LIGHTHOUSE - NIGHT\n\n"
    "The lamp turns. MARA (60s) climbs the last steps with a kettle.\n\n"
    "MARA\nStorm's early this year.\n\n"
    "TOMAS (30s), soaked, stands in the doorway.\n\n"
    "TOMAS\nThere's a boat on the rocks.\n\n"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="a model of models.toml (default: the default model)")
    p.add_argument("--seconds", type=int, default=5, help="seconds of wrk per figure (default 5)")
    p.add_argument("--connections", default="1,8,32", help="wrk connections (default 1,8,32)")
    p.add_argument("--tokens", type=int, default=8, help="tokens per continuation under load (default 8)")
    p.add_argument("--tokens-overhead", type=int, default=64, help="tokens per overhead request (default 64)")
    p.add_argument("--rounds", type=int, default=5, help="overhead pairs (default 5)")
    p.add_argument("--exact", type=int, default=48, help="requests of the edit-log check (default 48)")
    p.add_argument("--rpm", type=int, default=20, help="the rate-limited key's requests a minute (default 20)")
    p.add_argument("--json", action="store_true", help="one JSON object")


def run(args: argparse.Namespace) -> int:
    from engine.commandline import fail

    try:
        import fastapi  # noqa: F401
        import prometheus_client  # noqa: F401
    except ImportError as exc:
        return fail(f"the serve extra is missing ({exc.name}): pip install 'scenewright[serve]'")
    if shutil.which("wrk") is None:
        return fail("wrk is not installed (Debian/Ubuntu: apt install wrk; macOS: brew install wrk)")
    try:
        result = measure(args)
    except RuntimeError as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"model {result['model']}, {args.seconds} s of wrk per line")
    for name in ("healthz", "continue"):
        for row in result[name]:
            print(f"  {name:<9} c={row['connections']:<3} {row['requests_per_s']:9.1f} req/s   p50 "
                  f"{row['p50_ms']:8.1f} ms   p99 {row['p99_ms']:8.1f} ms   non-2xx {row['non_2xx']}")
    o = result["overhead"]
    print(f"  HTTP {o['http_tokens_per_s']:.1f} tokens/s vs direct {o['direct_tokens_per_s']:.1f} -> "
          f"http/direct = {o['ratio']:.3f} (median of {o['rounds']} pairs)")
    e = result["edit_log"]
    print(f"  edit log: {e['ok']} answered, {e['logged']} logged, {e['missing']} missing, {e['duplicated']} twice")
    r = result["rate_limit"]
    print(f"  rate limit {r['rpm']}/min: {r['passed']} of {r['sent']} passed (the bucket allows {r['allowed_min']}"
          f"..{r['allowed_max']}), {r['refused_429']} got 429")
    return 0


def measure(args: argparse.Namespace) -> dict:
    from engine.bench.served import start, user_dirs
    from engine.serve.keys import add_key

    with tempfile.TemporaryDirectory(prefix="scenewright-serve-bench-") as tmp, user_dirs(Path(tmp)):
        key, _ = add_key("bench", requests_per_minute=0, tokens_per_day=0)
        limited, _ = add_key("limited", requests_per_minute=args.rpm, tokens_per_day=0)
        served = start(Path(tmp), "--queue", "64")
        try:
            return _measure(args, served, key, limited, Path(tmp))
        finally:
            served.stop()


def _measure(args, served, key: str, limited: str, base: Path) -> dict:
    import httpx

    connections = [int(c) for c in args.connections.split(",") if c.strip()]
    body = {"text": SCRIPT, "max_tokens": args.tokens, "seed": 1, "document": "load"}
    if args.model:
        body["model"] = args.model
    model = httpx.post(f"{served.url}/continue", json=body, headers=_auth(key), timeout=300).json()["model"]
    lua = base / "continue.lua"
    lua.write_text('wrk.method = "POST"\nwrk.body = ' + _lua_string(json.dumps(body)) + "\n"
                   'wrk.headers["Content-Type"] = "application/json"\n'
                   f'wrk.headers["Authorization"] = "Bearer {key}"\n')
    result = {"model": model, "healthz": [], "continue": []}
    for c in connections:
        result["healthz"].append(_wrk(f"{served.url}/healthz", c, args.seconds))
    for c in connections:
        result["continue"].append(_wrk(f"{served.url}/continue", c, args.seconds, lua))
    result["overhead"] = _overhead(args, served, key, model)
    result["edit_log"] = _exactness(args, served, key, base)
    result["rate_limit"] = _rate_limit(args, served, limited)
    return result


def _auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        raise RuntimeError(f"wrk printed a latency I cannot read: {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _wrk(url: str, connections: int, seconds: int, script: Path | None = None) -> dict:
    cmd = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency",
           "--timeout", "120s"]
    if script is not None:
        cmd += ["-s", str(script)]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 180)
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or out.strip()}")
    pct = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", out, re.M))
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"connections": connections, "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(pct["50"]), "p99_ms": _ms(pct["99"]), "requests": int(total.group(1)) if total else None,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else None}


def _overhead(args, served, key: str, model: str) -> dict:
    import httpx

    from engine.generation import GenerationEngine
    from engine.session import GenerationSettings, SuggestionSession

    lines = SCRIPT.split("\n")
    cursor = (len(lines) - 1, len(lines[-1]))
    engine = GenerationEngine()
    body = {"text": SCRIPT, "max_tokens": args.tokens_overhead, "seed": 3, "document": "overhead", "model": model}
    session = SuggestionSession(engine)  # what `scenewright continue` runs, in this process
    session.settings = GenerationSettings(model=model, max_tokens=args.tokens_overhead, seed=3)

    def direct() -> tuple[int, float]:
        started = time.perf_counter()
        session.request(SCRIPT, cursor)  # steered, the request made, the generation started
        session.run()
        alternatives = session.suggestion.alternatives
        return sum(a.stats.generated_tokens for a in alternatives if a.stats), time.perf_counter() - started

    def http(client) -> tuple[int, float]:
        started = time.perf_counter()
        r = client.post(f"{served.url}/continue", json=body, headers=_auth(key), timeout=300)
        wall = time.perf_counter() - started
        r.raise_for_status()
        return r.json()["usage"]["generated_tokens"], wall

    try:
        with httpx.Client() as client:
            direct(), http(client)  # warm both caches (the model process of each, the prompt prefix)
            ratios, mine, theirs = [], [], []
            for i in range(max(1, args.rounds)):
                pair = (direct, lambda: http(client)) if i % 2 else (lambda: http(client), direct)
                got = {}
                for f in pair:
                    got[f is direct] = f()
                d_tok, d_wall = got[True]
                h_tok, h_wall = got[False]
                mine.append(h_tok / h_wall)
                theirs.append(d_tok / d_wall)
                ratios.append((h_tok / h_wall) / (d_tok / d_wall))
    finally:
        engine.close()
    return {"rounds": len(ratios), "tokens": args.tokens_overhead, "http_tokens_per_s": statistics.median(mine),
            "direct_tokens_per_s": statistics.median(theirs), "ratio": statistics.median(ratios), "ratios": ratios}


def _exactness(args, served, key: str, base: Path) -> dict:
    import sqlite3

    import httpx

    ids, codes = [], []
    lock = threading.Lock()
    queue = list(range(args.exact))

    def worker() -> None:
        with httpx.Client() as client:
            while True:
                with lock:
                    if not queue:
                        return
                    i = queue.pop()
                r = client.post(f"{served.url}/continue", json={"text": SCRIPT, "max_tokens": 4, "seed": i,
                                                                 "document": "exact"}, headers=_auth(key), timeout=300)
                with lock:
                    codes.append(r.status_code)
                    if r.status_code == 200:
                        ids.append(r.json()["request_id"])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sqlite3.connect(base / "data" / "editlog.sqlite3") as db:
        logged = [r for (r,) in db.execute("SELECT r.id FROM requests r JOIN scripts s ON r.script_id = s.id "
                                           "WHERE s.path = 'serve://bench/exact'")]
    return {"sent": args.exact, "ok": codes.count(200), "other": len(codes) - codes.count(200), "logged": len(logged),
            "missing": len(set(ids) - set(logged)), "unexpected": len(set(logged) - set(ids)),
            "duplicated": len(logged) - len(set(logged))}


def _rate_limit(args, served, limited: str) -> dict:
    import httpx

    sent = 3 * args.rpm
    codes = []
    lock = threading.Lock()
    remaining = [sent]

    def worker() -> None:
        with httpx.Client() as client:
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                r = client.post(f"{served.url}/continue", json={"text": SCRIPT, "max_tokens": 1, "seed": 1,
                                                                 "document": "limited"}, headers=_auth(limited),
                                timeout=300)
                with lock:
                    codes.append(r.status_code)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"rpm": args.rpm, "sent": sent, "passed": codes.count(200), "refused_429": codes.count(429),
            "other": len(codes) - codes.count(200) - codes.count(429), "seconds": elapsed,
            "allowed_min": args.rpm, "allowed_max": args.rpm + int(elapsed * args.rpm / 60)}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(p)
    sys.exit(run(p.parse_args()))
