"""The model process dies mid-stream; the editor does not.

Two ways in: Pilot (the app in this process, with a model process of its own), and a real
terminal (``scenewright FILE`` in a pseudo-terminal, its screen read with pyte, keys typed as
bytes), where the model process is found among the editor's children and sent a real signal.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyte
import pytest
from message_recorder import Recorder
from test_suggestion_panel import SCENE, burst

from engine.generation import GenerationEngine
from engine.models import load_registry
from tui.messages import TokensStreamed
from engine.session import GenerationSettings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_engine():
    """An engine of its own: these tests kill its model process."""
    engine = GenerationEngine(load_registry(user_path=Path("/nonexistent/models.toml")))
    yield engine
    engine.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
async def test_the_editor_survives_its_model_process(open_app, script_path, own_engine, settle, wait_until, sig):
    path = script_path(SCENE)
    recorder = Recorder()
    app = open_app(path, engine=own_engine)
    async with app.run_test(size=(140, 36), message_hook=recorder) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel, editor = screen.panel, screen.editor
        editor.move_cursor(editor.document.end)
        panel.apply_settings(GenerationSettings(model="smollm2-135m", max_tokens=300, seed=4))
        await pilot.pause()
        burst(app, "", "ctrl+j")
        await wait_until(pilot, lambda: len(recorder.of(TokensStreamed)) >= 2, "the first tokens")
        pid = own_engine.model("smollm2-135m").pid
        os.kill(pid, sig)
        burst(app, "Rain on the roof.")  # typed while the model process dies
        name = signal.Signals(sig).name
        await wait_until(pilot, lambda: panel.error and name in panel.error, "the crash report")
        last = lambda: editor.document[editor.document.line_count - 1]  # noqa: E731
        await wait_until(pilot, lambda: last() == "Rain on the roof.", "every typed key")
        status = str(panel.query_one("#suggestion-status").render())
        assert f"died of {name}" in status and "llama.cpp's last lines" in status
        alt = panel.suggestion.shown
        assert alt.text and alt.text == recorder.of(TokensStreamed)[-1].text  # what came stays on offer
        assert panel.model_state == "crashed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text(encoding="utf-8").endswith("Rain on the roof.")
        # the next request starts a new model process
        burst(app, "", "ctrl+j")
        await wait_until(pilot, lambda: panel.suggestion is not None and panel.suggestion.shown.finished
                         and panel.suggestion.shown.reason not in ("failed", None), "a new suggestion", tries=12000)
        assert own_engine.model("smollm2-135m").pid != pid
        assert panel.error is None and panel.model_state == "ready"


# ------------------------------------------------------------------------------ a real terminal
class Terminal:
    """``scenewright FILE`` in a pseudo-terminal; ``text()`` is what a writer would see."""

    def __init__(self, args: list[str], env: dict[str, str], size=(150, 40)):
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        import fcntl
        import struct
        import termios

        pid, fd = pty.fork()
        if pid == 0:  # the child: the editor, on a terminal of ``size`` from its first frame
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
            os.execve(sys.executable, [sys.executable, "-m", "tui.main", *args], env)
        self.pid, self.fd = pid, fd
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if ready:
                    data = os.read(self.fd, 65536)
                    if not data:
                        return
                    with self.lock:
                        self.stream.feed(data)
            except OSError:
                return

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.screen.display)

    def type(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait_for(self, predicate, what: str, timeout: float = 120.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"gave up waiting for {what}; the screen:\n{self.text()}")

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def model_processes(parent: int) -> dict[int, int]:
    """The editor's model processes: pid -> resident memory (kB)."""
    found = {}
    for task in Path(f"/proc/{parent}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
                status = Path(f"/proc/{child}/status").read_text()
            except OSError:
                continue
            if b"engine.models.process.worker" in cmdline:
                rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
                found[child] = rss
    return found


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_in_a_real_terminal_a_dead_model_process_loses_nothing(tmp_path, sig):
    script = tmp_path / "bakery.fountain"
    script.write_text(SCENE, encoding="utf-8")
    config = Path(os.environ["SCENEWRIGHT_CONFIG_DIR"])
    (config / "models.toml").write_text('default = "smollm2-135m"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST") and k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", PYTHONPATH=str(REPO))
    terminal = Terminal([str(script)], env)
    try:
        terminal.wait_for(lambda: "Ready" in terminal.text(), "the model to be ready")
        terminal.type(b"\x1b[1;5F")  # ctrl+end: the end of the script
        terminal.type(b"\n")  # ctrl+j: ask for a continuation
        terminal.wait_for(lambda: "Writing" in terminal.text(), "the stream to start")
        workers = terminal.wait_for(lambda: model_processes(terminal.pid), "the model process")
        model_pid = max(workers, key=workers.get)
        os.kill(model_pid, sig)
        terminal.type("Rain on the roof.".encode())
        name = signal.Signals(sig).name
        def shown() -> str:  # the panel's column (right of its border), its rows joined
            rows = [line.rsplit("▏", 1)[-1] for line in terminal.text().split("\n") if "▏" in line]
            return " ".join(" ".join(rows).split())

        terminal.wait_for(lambda: f"died of {name}" in shown(), "the crash report on screen")
        terminal.wait_for(lambda: "Rain on the roof." in terminal.text(), "the typed text on screen")
        terminal.type(b"\x13")  # ctrl+s
        terminal.wait_for(lambda: script.read_text(encoding="utf-8").endswith("Rain on the roof."), "the save")
        assert os.waitpid(terminal.pid, os.WNOHANG) == (0, 0)  # the editor is still running
        terminal.type(b"\n")  # ask again: a new model process
        terminal.wait_for(lambda: "Done" in terminal.text(), "the next suggestion")
        assert model_pid not in model_processes(terminal.pid)
    finally:
        terminal.close()


async def test_a_gguf_that_makes_llama_cpp_abort_leaves_the_editor_running(open_app, script_path, settle, wait_until,
                                                                           tmp_path):
    """The default model's file trips a GGML_ASSERT while the editor reads it ahead (SIGABRT)."""
    from crafted_gguf import abort_on_load

    from engine.models import resolve

    bad = abort_on_load(resolve(load_registry().get("smollm2-135m")), tmp_path / "duplicate-token.gguf")
    config = Path(os.environ["SCENEWRIGHT_CONFIG_DIR"]) / "models.toml"
    config.write_text(f'default = "broken"\n\n[models.broken]\nsource = "path:{bad}"\nprompt_format = "raw"\n'
                      'threads = 1\nthreads_batch = 1\n', encoding="utf-8")
    path = script_path(SCENE)
    app = open_app(path, warm_model=True)  # its own engine, reading models.toml, warm as the command's editor
    async with app.run_test(size=(140, 36)) as pilot:
        panel, editor = app.editor_screen.panel, app.editor_screen.editor
        await wait_until(pilot, lambda: panel.error and "SIGABRT" in panel.error, "the warm load to fail", tries=12000)
        assert "GGML_ASSERT(id_to_token.size() == token_to_id.size()) failed" in panel.error
        assert panel.model_state == "crashed"
        editor.move_cursor(editor.document.end)
        burst(app, "Rain on the roof.")
        last = lambda: editor.document[editor.document.line_count - 1]  # noqa: E731
        await wait_until(pilot, lambda: last() == "Rain on the roof.", "every typed key")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text(encoding="utf-8").endswith("Rain on the roof.")
