"""The whole flow with the real default model, as the editor will drive it (without the TUI):
generate alternatives, record them, accept one and edit it, reject one, save, rate, then export
DPO and SFT files and run ``scenewright eval``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from engine.editlog import EditLog, EditLogWriter, InsertionTracker, model_file_hash
from engine.generation import ContextEvent, ContinueRequest, DoneEvent, ErrorEvent, GenerationEngine, StatsEvent
from engine.models import load_registry
from engine.scriptfile import ScriptFile

REPO = Path(__file__).resolve().parents[2]
SCENE = (
    "INT. LIGHTHOUSE - NIGHT\n\n"
    "The lamp turns. MARA (60s) climbs the last steps with a kettle.\n\n"
    "MARA\nStorm's early this year.\n\n"
)


def sw(*args):
    return subprocess.run([sys.executable, "-m", "tui.main", *map(str, args)], capture_output=True, text=True)


def test_generate_decide_save_export_evaluate(tmp_path):
    path = tmp_path / "lighthouse.fountain"
    path.write_text(SCENE, encoding="utf-8")
    script, text = ScriptFile.open(path)
    lines = text.split("\n")
    cursor = (len(lines) - 1, len(lines[-1]))

    engine = GenerationEngine(load_registry(user_path=Path("/nonexistent/models.toml")))
    writer = EditLogWriter()  # data_dir()/editlog.sqlite3
    try:
        request = ContinueRequest(max_tokens=20, n=2, seed=11)
        stats: dict[int, StatsEvent] = {}
        suggestions: list[tuple[str, DoneEvent]] = []
        rid = None
        for event in engine.continue_at(text, cursor, request):
            assert not isinstance(event, ErrorEvent), event.message
            if isinstance(event, ContextEvent):
                entry = engine.registry.get(event.model)
                model = engine.model(event.model)
                rid = writer.record_request(
                    script=path, script_text=text, cursor=cursor, scene="INT. LIGHTHOUSE - NIGHT", scene_index=0,
                    model=event.model, model_hash=model_file_hash(model.path), prompt=event.prompt,
                    prompt_id="continue", prompt_version=1, sampling=request.sampling(entry),
                    seed=request.seed, prompt_tokens=event.prompt_tokens,
                )
            elif isinstance(event, StatsEvent):
                stats[event.index] = event
            elif isinstance(event, DoneEvent):
                sid = writer.record_suggestion(rid, event.text, event.index, seed=event.seed,
                                               finish_reason=event.reason, stats=stats[event.index])
                suggestions.append((sid, event))
        assert rid is not None and len(suggestions) == 2
        (kept, first), (thrown, _) = suggestions

        # accept the first: insert it at the cursor and track it
        tracker = InsertionTracker(text)
        tracker.replace(cursor, cursor, first.text)
        end = tracker.location(len(SCENE) + len(first.text))
        writer.mark(kept, "accepted", inserted_at=tracker.add(kept, cursor, end))
        # the writer edits it: a new line typed at its end (the cursor is still there)
        tracker.replace(end, end, "\nMARA\nGet the lamp.")
        writer.mark(thrown, "rejected")
        writer.rate(kept, plot=4, dialogue=3, tone=4, tags=["needs more conflict"])
        # save, then record what stands where the suggestion went
        script.save(tracker.text)
        for sid, final in tracker.finals().items():
            writer.record_final(sid, final)
        writer.mark_script(path, "mine", genre="drama")
        assert writer.flush()
        assert list(writer.errors) == []
    finally:
        writer.close()
        engine.close()

    final = first.text + "\nMARA\nGet the lamp."
    assert path.read_text(encoding="utf-8") == SCENE + final
    with EditLog.open() as log:
        s = log.suggestion(kept)
        assert (s["state"], s["final_text"], s["plot"], s["tags"]) == ("edited", final, 4, ["needs more conflict"])
        assert s["edit_distance"] > 0 and s["seed"] == first.seed
        req = log.db.execute("SELECT model, prompt, ttft_ms, generated_tokens, sampling, model_hash FROM requests"
                             ).fetchone()
        assert req[0] == "gemma3-270m" and req[1].endswith(SCENE)
        assert req[2] == stats[0].ttft_ms and req[3] == stats[0].generated_tokens + stats[1].generated_tokens
        assert json.loads(req[4])["temperature"] == entry.temperature and len(req[5]) == 64
        assert log.suggestion(thrown)["state"] == "rejected"

    dpo = sw("dataset", "export", "--format", "dpo", "-o", tmp_path / "dpo", "--val-fraction", "0")
    assert dpo.returncode == 0, dpo.stderr
    [row] = [json.loads(line) for line in (tmp_path / "dpo" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert row["chosen"] == final and row["rejected"] == first.text and row["prompt"].endswith(SCENE)
    sft = sw("dataset", "export", "--format", "sft", "-o", tmp_path / "sft", "--val-fraction", "0")
    assert sft.returncode == 0, sft.stderr
    [row] = [json.loads(line) for line in (tmp_path / "sft" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert row["messages"][-1] == {"role": "assistant", "content": final}
    evaluation = sw("eval")
    assert evaluation.returncode == 0, evaluation.stderr
    assert evaluation.stdout.splitlines()[1].split()[:4] == ["gemma3-270m", "continue@1", "2", "50%"]
