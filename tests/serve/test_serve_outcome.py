"""One request of the service without HTTP: its session's outcome on a scripted model (what the
routes answer and record), for the cases that turn on the engine's events: a cancel on the last
alternative before any text, a failure before any text, the seed a row keeps."""

from __future__ import annotations

import sys

from engine.editlog import EditLog
from engine.generation import DoneEvent
from engine.models.errors import RemoteError
from engine.serve.suggest import Ask, Outcome, prepare, record
from scripted_backend import Fail, scripted_engine

SCRIPT = "INT. LIGHTHOUSE - NIGHT\n\nMara climbs the stairs.\n\n"


def run(outcome: Outcome, cancel_after_first: bool = False) -> None:
    for event in outcome.generation:
        outcome.see(event)
        if cancel_after_first and isinstance(event, DoneEvent):
            outcome.generation.cancel()
    outcome.ended()


def prepared_for(engine, **ask):
    prepared = prepare(Ask("continue", SCRIPT, **ask))
    prepared.entry = engine.registry.get(prepared.request.model)
    return prepared


def test_a_cancel_before_the_last_alternatives_first_token_is_a_cancel():
    engine, _ = scripted_engine("One two three.", "never written")
    outcome = Outcome(engine, prepared_for(engine, n=2))
    run(outcome, cancel_after_first=True)
    assert outcome.texts == ["One two three."]  # the empty cancelled one is not on offer
    assert outcome.cancelled  # but the request was cancelled: 499, nothing recorded


def test_a_failure_before_any_text_keeps_what_the_model_read():
    engine, _ = scripted_engine(Fail(RemoteError("the server went away")))
    outcome = Outcome(engine, prepared_for(engine))
    run(outcome)
    assert outcome.error == "the server went away" and outcome.error_kind
    assert outcome.texts == [] and not outcome.cancelled
    assert outcome.prompt_tokens > 0 and outcome.model == prepared_for(engine).entry.name


def test_the_request_row_keeps_the_seed_it_ran_with(tmp_path):
    engine, _ = scripted_engine("Mara stops.", "She listens.")
    with EditLog.open(tmp_path / "log.sqlite3") as log:
        for seed in (None, 7):
            prepared = prepared_for(engine, seed=seed, document="seeds")
            outcome = Outcome(engine, prepared)
            run(outcome)
            request_id, [sid] = record(log, "writer", prepared, outcome, engine)
            row = log.db["requests"].get(request_id)
            assert row["seed"] == (seed if seed is not None else outcome.seeds[0])
            assert log.suggestion(sid)["script"] == "serve://writer/seeds"


def test_continue_on_the_command_line_after_a_loop_restarts(tmp_path, monkeypatch, capsys):
    """The repetition guard throws a looping first attempt away: stdout has the new attempt whole."""
    import engine.generation as generation
    from tui.main import main

    engine, _ = scripted_engine("Ana ran " * 40, "BEN\nThe bus broke down.\n")
    monkeypatch.setattr(generation, "GenerationEngine", lambda *a, **k: engine)
    script = tmp_path / "loop.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["scenewright", "continue", str(script), "--seed", "1"])
    assert main() in (0, None)
    out, err = capsys.readouterr()
    assert out.endswith("\nBEN\nThe bus broke down.\n")
    assert "began to repeat itself" in err
