"""The suggestion session without Textual and without a model: a scripted backend behind the
engine's loader seam answers, the real engine, steering and edit log do the rest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.editlog import EditLog
from engine.generation import CANCELLED
from engine.models.errors import RemoteError
from engine.session import (
    Accepted,
    BlindAB,
    Picked,
    Rejected,
    RequestInputs,
    Retried,
    ScriptSteering,
    Shown,
    SuggestionSession,
    Told,
)
from engine.session.feed import Streamed
from engine.session.recording import EditRecording
from scripted_backend import Fail, scripted_engine

SCENE = "INT. KITCHEN - DAY\n\nAna slices bread.\n\nANA\nYou're late.\n\n"
END = (6, 0)


def session_for(tmp_path: Path, *replies, text: str = SCENE, **kwargs):
    path = tmp_path / "kitchen.fountain"
    path.write_text(text, encoding="utf-8")
    engine, models = scripted_engine(*replies)
    updates: list = []
    session = SuggestionSession(engine, ScriptSteering(path), on_update=updates.append, **kwargs)
    return session, models, updates, path


def decisions(updates, kind):
    return [u for u in updates if isinstance(u, kind)]


def test_a_request_is_steered_sampled_and_shown(tmp_path):
    session, models, updates, _ = session_for(tmp_path, "BEN\nThe bus broke down.\n")
    session.apply_settings(replace(session.settings, temperature=0.3, seed=11))
    session.request(SCENE, END, version=1)
    assert session.generating and len(session.queued) == 1
    session.run()
    alt = session.suggestion.shown
    assert alt.text == "BEN\nThe bus broke down.\n" and alt.reason == "eos" and alt.seed == 11
    assert alt.sampling["temperature"] == 0.3 and alt.request_seed == 11
    assert not session.generating and session.model_state == "ready"
    # the steered prompt: the built-in prompt's instructions, then the script up to the cursor
    prompt = models.prompts[0]
    assert prompt.rstrip().endswith("You're late.")
    assert "screenplay" in prompt.lower()
    [shown] = decisions(updates, Shown)
    assert shown.record.text == alt.text and shown.record.request_key == alt.request_key
    assert shown.record.context is not None and shown.record.prompt_ref is not None


def test_alternatives_retry_and_step(tmp_path):
    session, models, updates, _ = session_for(tmp_path, "One.", "Two.", "Three.")
    session.apply_settings(replace(session.settings, alternatives=2, seed=5))
    session.request(SCENE, END)
    session.run()
    suggestion = session.suggestion
    assert [a.text for a in suggestion.alternatives] == ["One.", "Two."]
    assert [a.seed for a in suggestion.alternatives] == [5, 6]
    assert session.step(1) and suggestion.current == 1
    assert session.step(1)  # past the last one: a new sample
    assert decisions(updates, Retried)[0].record.text == "Two."
    session.run()
    assert [a.text for a in suggestion.alternatives] == ["One.", "Two.", "Three."]
    assert suggestion.current == 2 and suggestion.alternatives[2].seed == 7  # its own seed
    assert session.step(-1) and suggestion.current == 1
    assert not session.step(-5)


def test_accepting_whole_and_line_by_line(tmp_path):
    session, _, updates, _ = session_for(tmp_path, "BEN\nSorry.\nBEN\nReally.")
    session.request(SCENE, END, version=3)
    session.run()
    offer = session.offer("line")
    assert offer.text == "BEN\n" and offer.at == END and offer.version == 3
    first_key = session.suggestion.key
    session.taken(offer, END, (7, 0), 4, SCENE + "BEN\n")
    assert session.suggestion is not None  # the rest stays on offer, from the end of what went in
    assert session.suggestion.cursor == (7, 0) and session.suggestion.key != first_key
    assert session.offer().text == "Sorry.\nBEN\nReally."
    whole = session.offer("whole")
    session.taken(whole, (7, 0), (9, 7), 5, SCENE + "BEN\nSorry.\nBEN\nReally.")
    assert session.suggestion is None and session.notice.startswith("Inserted 3 lines")
    parts = [(a.part, a.text) for a in decisions(updates, Accepted)]
    assert parts == [("line", "BEN\n"), ("whole", "Sorry.\nBEN\nReally.")]
    assert not decisions(updates, Rejected)


def test_dismiss_and_replace_are_rejections(tmp_path):
    session, _, updates, _ = session_for(tmp_path, "First.", "Second.")
    session.request(SCENE, END)
    session.run()
    session.request(SCENE, END)  # a new request replaces the one on show
    session.run()
    assert session.dismiss() and session.suggestion is None and session.notice == "Dismissed."
    assert [(r.record.text, r.why) for r in decisions(updates, Rejected)] == [("First.", "replaced"),
                                                                            ("Second.", "dismissed")]


def test_cancel_keeps_what_streamed(tmp_path):
    session, _, updates, _ = session_for(tmp_path, "one two three four five six seven")
    session.request(SCENE, END)
    job = session.queued.pop()

    def stop_after_two(job, step):
        if isinstance(step, Streamed) and step.text.count(" ") >= 2:
            session.cancel()

    session.run_job(job, on_step=stop_after_two)
    alt = session.suggestion.shown
    assert alt.reason == CANCELLED and alt.text.startswith("one two") and "seven" not in alt.text
    assert not session.generating
    assert decisions(updates, Shown)[0].record.reason == CANCELLED


def test_a_failing_server_keeps_the_partial_text_and_says_why(tmp_path):
    session, _, updates, _ = session_for(tmp_path, Fail(RemoteError("the server went away"), "BEN\nWait"))
    session.request(SCENE, END)
    session.run()
    assert session.error == "the server went away"
    alt = session.suggestion.shown
    assert alt.text == "BEN\nWait" and alt.reason == "failed"
    assert decisions(updates, Shown)[0].record.reason == "failed"
    assert session.model_state != "failed"  # a server failure is not for good: asking again may work


def test_blind_ab_samples_two_sides_one_after_the_other_and_records_the_pick(tmp_path):
    session, models, updates, _ = session_for(tmp_path, "Side one.", "Side two.")
    session.apply_settings(replace(session.settings, ab=BlindAB("seed"), seed=3))
    session.request(SCENE, END)
    assert len(session.queued) == 1  # the second side waits for the first to end
    session.run()
    suggestion = session.suggestion
    assert [a.label for a in suggestion.alternatives] == ["A", "B"]
    assert sorted(a.text for a in suggestion.alternatives) == ["Side one.", "Side two."]
    assert sorted(models.made[next(iter(models.made))].seeds) == [3, 4]  # the other side: another seed
    assert suggestion.alternatives[0].request_key != suggestion.alternatives[1].request_key
    assert session.blind is not None and session.can_pick and not session.allows("retry_suggestion")
    assert session.pick("B")
    [picked] = decisions(updates, Picked)
    assert picked.winner == "B" and picked.key == suggestion.blind.key
    assert session.notice.startswith("You picked B.") and "(your settings)" in session.notice
    assert session.blind is None and suggestion.current == 1


def test_blind_ab_dismissing_both_rejects_both(tmp_path):
    session, _, updates, _ = session_for(tmp_path, "Side one.", "Side two.")
    session.apply_settings(replace(session.settings, ab=BlindAB("seed")))
    session.request(SCENE, END)
    session.run()
    assert session.dismiss()
    assert decisions(updates, Picked)[0].winner is None
    assert len(decisions(updates, Rejected)) == 2


def test_a_cancelled_first_side_does_not_start_the_second(tmp_path):
    session, models, _, _ = session_for(tmp_path, "a b c d e f", "never asked")
    session.apply_settings(replace(session.settings, ab=BlindAB("seed")))
    session.request(SCENE, END)
    session.run_job(session.queued.pop(), on_step=lambda job, step: session.cancel())
    assert not session.queued and not session.generating
    assert models.replies and list(models.replies) == ["never asked"]


def test_a_rewrite_uses_the_prompt_of_its_kind_and_problems_are_told_once(tmp_path):
    session, models, updates, path = session_for(tmp_path, "Ana saws the bread.", "Again.")
    path.with_suffix(".anchors.toml").write_text("[[anchors]\nbroken", encoding="utf-8")
    session.steering.reload()
    inputs = RequestInputs("rewrite", selection_text="Ana slices bread.")
    session.request(SCENE, (2, 0), inputs=inputs)
    session.run()
    assert session.prompt_in_use().kind == "rewrite"
    assert "Ana slices bread." in models.prompts[0]
    told = decisions(updates, Told)
    assert len(told) == 1 and "anchors.toml" in told[0].problems[0]
    session.request(SCENE, (2, 0), inputs=inputs)
    session.run()
    assert len(decisions(updates, Told)) == 1  # the same problem is not told again


def test_a_prompt_named_outright_must_exist(tmp_path):
    from engine.steering import PromptError

    session, _, _, _ = session_for(tmp_path)
    with pytest.raises(PromptError):
        session.request(SCENE, END, inputs=RequestInputs(prompt="no-such-prompt"))


def test_the_recorder_writes_the_edit_log(tmp_path):
    log_path = tmp_path / "editlog.sqlite3"
    session, _, _, script = session_for(tmp_path, "BEN\nSorry.", "Nope.")
    recording = EditRecording(session.engine, script, log_path)
    recording.open()
    session.recorder = recording
    session.request(SCENE, END)
    session.run()
    session.taken(session.offer(), END, (7, 6), 2, SCENE + "BEN\nSorry.")
    session.request(SCENE + "BEN\nSorry.", (7, 6))
    session.run()
    rejected_key = session.suggestion.shown.key
    session.dismiss()
    assert recording.flush()
    recording.close()
    with EditLog.open(log_path) as log:
        rows = {row["text"]: row for row in log.db["suggestions"].rows}
    assert rows["BEN\nSorry."]["state"] == "accepted"
    assert rows["Nope."]["state"] == "rejected" and rows["Nope."]["id"] == rejected_key


def test_a_model_load_is_a_job_of_its_own(tmp_path):
    session, models, _, _ = session_for(tmp_path, warm=True)
    job = session.load_model()
    assert session.model_state == "loading" and job.loads
    session.run_job(job)
    assert session.model_state == "ready" and models.loads == 1
    assert session.prime(SCENE, END)  # warm and idle: the script is read ahead
    session.run()
    assert session.primed_at == END
    assert not session.prime(SCENE, END)  # the same script and cursor: nothing to read again
