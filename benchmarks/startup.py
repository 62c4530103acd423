"""Start-up of the editor on a big script, and typing while the model loads.

Target (product brief): from ``scenewright BIG.fountain`` to an editor ready for typing in
under 1 s on a 2-core machine. The named peer is a plain Textual ``TextArea`` app loading the
same file. Each figure comes from a fresh Python process, timed from its start (imports
included), headless (``App.run_test``), 100x30 cells.

    python benchmarks/startup.py [FILE]              # start-up: Scenewright vs plain TextArea
    python benchmarks/startup.py [FILE] --latency    # per-key latency while starting, warm_model on/off

FILE defaults to the generated 4,600-line script (``engine.bench.sample.generate_script``).

*Start-up* is the time to the first screen (the app mounted and laid out) and then to the
first key applied to the document and refreshed. *Latency* types a key every 0.25 s from
0.6 s after the app starts (posted as the terminal driver posts keys, so a slow key does not
delay the next one being sent) and reports, for each, how long until it is in the document.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()  # as early as possible: the process start, near enough

REPO = Path(__file__).resolve().parents[1]
KEYS = 20


async def _wait_for(condition, limit: float = 10.0) -> bool:
    import asyncio

    end = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > end:
            return False
        await asyncio.sleep(0.001)
    return True


def _make_app(kind: str, path: str, warm: bool):
    if kind == "plain":
        from textual.app import App
        from textual.widgets import TextArea

        text = Path(path).read_text(encoding="utf-8")

        class PlainApp(App):
            def compose(self):
                yield TextArea(text, soft_wrap=True)

            def on_mount(self) -> None:
                self.query_one(TextArea).focus()

        app = PlainApp()
        return app, lambda: app.query_one(TextArea)
    from engine.scriptfile import ScriptFile
    from tui.app import ScenewrightApp
    from tui.themes import load_catalog

    script, text = ScriptFile.open(path)
    app = ScenewrightApp(script, text, catalog=load_catalog(), warm_model=warm)
    return app, lambda: app.editor_screen.editor


async def _startup(kind: str, path: str, warm: bool) -> dict:
    import asyncio

    from textual import events

    app, editor = _make_app(kind, path, warm)
    async with app.run_test(size=(100, 30)):
        t_screen = time.perf_counter()
        area = editor()
        before = area.document[0]
        app.post_message(events.Key("x", "x"))
        applied = await _wait_for(lambda: area.document[0] != before)
        shown = asyncio.Event()
        area.call_after_refresh(shown.set)  # the refresh that shows it (not pilot.pause(): that
        await shown.wait()                  # waits for the whole process to idle, model threads too)
        t_key = time.perf_counter()
        if not applied:
            raise SystemExit("the key never reached the script (a dialog in the way?)")
    return {"first_screen_ms": round(1000 * (t_screen - T0)), "first_key_ms": round(1000 * (t_key - T0))}


async def _latency(path: str, warm: bool) -> dict:
    import asyncio

    from textual import events

    start = time.perf_counter()
    app, editor = _make_app("scenewright", path, warm)
    out = []
    async with app.run_test(size=(100, 30)):
        area = editor()
        for i in range(KEYS):
            due = start + 0.6 + 0.25 * i
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            length = len(area.document[0])
            sent = time.perf_counter()
            app.post_message(events.Key("x", "x"))
            ok = await _wait_for(lambda: len(area.document[0]) > length)
            out.append(round(1000 * (time.perf_counter() - sent)) if ok else None)
        model = app.editor_screen.panel.model_state
    return {"warm_model": warm, "model": model, "key_ms": out,
            "max_ms": max((v for v in out if v is not None), default=None)}


def _child(mode: str, kind: str, path: str, warm: bool) -> None:
    import asyncio

    result = asyncio.run(_latency(path, warm) if mode == "latency" else _startup(kind, path, warm))
    print(json.dumps(result))


def _run(mode: str, kind: str, path: str, warm: bool) -> dict:
    env = dict(os.environ)
    scratch = tempfile.mkdtemp(prefix="sw-startup-")
    for name in ("CONFIG", "DATA", "CACHE"):
        env.setdefault(f"SCENEWRIGHT_{name}_DIR", os.path.join(scratch, name.lower()))
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, kind, path, "1" if warm else "0"],
        env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} {kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2], argv[3], argv[4] == "1")
        return 0
    latency = "--latency" in argv
    files = [a for a in argv if not a.startswith("--")]
    if files:
        path = files[0]
    else:
        from engine.bench.sample import generate_script

        handle = tempfile.NamedTemporaryFile("w", suffix=".fountain", delete=False, encoding="utf-8")
        handle.write(generate_script())
        handle.close()
        path = handle.name
    lines = Path(path).read_text(encoding="utf-8").count("\n") + 1
    print(f"{path}: {lines} lines, {os.cpu_count()} CPUs")
    if latency:
        for warm in (False, True):
            print(json.dumps(_run("latency", "scenewright", path, warm)))
        return 0
    ours = _run("startup", "scenewright", path, True)  # as `scenewright FILE` starts: warm_model on
    peer = _run("startup", "plain", path, False)
    print(json.dumps({"scenewright": ours, "plain_textarea": peer}))
    ratio = ours["first_key_ms"] / max(1, peer["first_key_ms"])
    print(f"scenewright: first screen {ours['first_screen_ms']} ms, first key {ours['first_key_ms']} ms")
    print(f"plain TextArea: first screen {peer['first_screen_ms']} ms, first key {peer['first_key_ms']} ms")
    print(f"ratio (first key) {ratio:.2f}x; target: first key under 1000 ms: "
          f"{'met' if ours['first_key_ms'] < 1000 else 'missed'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
