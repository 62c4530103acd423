"""Fixtures for the editor's Pilot tests: real files in a temporary folder, the real app."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.scriptfile import ScriptFile
from tui.app import ScenewrightApp

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "night-shift.fountain"


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def open_app():
    """``open_app(path, **kwargs)``: a ScenewrightApp on the script at ``path``."""

    def make(path: Path | str, **kwargs) -> ScenewrightApp:
        script, text = ScriptFile.open(path)
        return ScenewrightApp(script, text, **kwargs)

    return make


@pytest.fixture
def script_path(tmp_path):
    """``script_path(text, name="script.fountain", raw=None)``: write a script file and return its path."""

    def make(text: str = "", name: str = "script.fountain", raw: bytes | None = None) -> Path:
        path = tmp_path / name
        path.write_bytes(raw if raw is not None else text.encode("utf-8"))
        return path

    return make


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def settle():
    """``await settle(pilot)``: let queued messages, workers (stats, save) and the messages
    they post finish."""
    return _settle


@pytest.fixture
def notifications():
    """``notifications(app)``: the messages of the notifications the app has raised
    (Textual keeps them in ``App._notifications`` even when toasts are disabled in tests)."""

    def read(app) -> list[str]:
        return [f"{n.title}: {n.message}" for n in app._notifications]

    return read


# ---------------------------------------------------------------------- the model panel
@pytest.fixture(scope="session")
def generation_engine():
    """The real default model (Gemma 3 270M from its package), loaded once for the session and
    shared by the panel tests' apps (the app does not close an engine it was given)."""
    from engine.generation import GenerationEngine
    from engine.models import load_registry

    engine = GenerationEngine(load_registry(user_path=Path("/nonexistent/models.toml")))
    events = list(engine.load())
    assert engine.loaded() == [engine.registry.default], events
    yield engine
    engine.close()


async def _wait_until(pilot, condition, what: str, tries: int = 6000) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def wait_until():
    """``await wait_until(pilot, condition, what)``: let the app run until ``condition()``
    holds (no fixed sleeps; gives up after about a minute)."""
    return _wait_until
