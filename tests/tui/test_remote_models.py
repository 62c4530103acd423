"""Remote (OpenAI-compatible server) models in the panel: a server that cannot be reached is a
clear message and the writer keeps typing; a server that dies mid-stream leaves what it sent on
offer; the model is not marked failed for good, so the writer can retry."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from engine.generation import ContextEvent, ErrorEvent, GenerationEngine, TokenEvent
from tui.commands import ModelCommands

SCENE = """\
INT. LA ESTRELLA BAKERY - NIGHT

Flour hangs in the air.

"""


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def remote_models_toml(port: int) -> None:
    Path(os.environ["SCENEWRIGHT_CONFIG_DIR"], "models.toml").write_text(
        'default = "studio"\n\n[models.studio]\nkind = "remote"\n'
        f'base_url = "http://127.0.0.1:{port}/v1"\nserved_model = "gemma"\nconnect_timeout = 2.0\n',
        encoding="utf-8",
    )


async def test_connection_refused_is_a_message_and_typing_goes_on(open_app, script_path, settle):
    port = closed_port()
    remote_models_toml(port)
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel, editor = screen.panel, screen.editor
        editor.move_cursor(editor.document.end)
        await pilot.press("ctrl+j")
        await pilot.press(*"Rain.")  # typed while the panel tries the server
        await settle(pilot)
        status = str(panel.query_one("#suggestion-status").render())
        assert status.startswith("⚠ ") and f"127.0.0.1:{port}" in status and "connection refused" in status
        assert panel.model_state != "failed"  # not for good: the server may come up
        assert panel.suggestion is None and not panel.generating
        assert editor.text == SCENE + "Rain."


async def test_remote_model_listed_with_its_server(open_app, script_path, settle):
    port = closed_port()
    remote_models_toml(port)
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        helps = {name: help_text for _, help_text, name in ModelCommands(app.screen)._models()}
        assert helps["studio"].endswith(f"gemma at http://127.0.0.1:{port}/v1"), helps


async def test_server_dying_mid_stream_keeps_the_text(open_app, script_path, settle):
    app = open_app(script_path(SCENE), engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel = screen.panel
        end = screen.editor.document.end
        events = [
            ContextEvent("studio", SCENE, 12, len(SCENE), 0, 0),
            TokenEvent("MARISOL\n"),
            TokenEvent("We close at six."),
            ErrorEvent("the server at http://127.0.0.1:9/v1 closed the stream mid-way", "server",
                       "MARISOL\nWe close at six.", 0),
        ]
        panel.replay(SCENE, end, screen.generation, events)
        await settle(pilot)
        alt = panel.suggestion.shown
        assert alt.text == "MARISOL\nWe close at six." and alt.reason == "failed"
        assert str(panel.text_view.render()) == alt.text
        status = str(panel.query_one("#suggestion-status").render())
        assert status == "⚠ the server at http://127.0.0.1:9/v1 closed the stream mid-way"
        assert panel.model_state != "failed" and panel.can_accept
        await pilot.press("ctrl+t")  # what came is the writer's to take
        assert screen.editor.text == SCENE + "MARISOL\nWe close at six."
