"""Helpers for the edit-log tests (imported as ``logdata``): real script files, a real log."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.editlog import EditLog

SCENE = "INT. DINER - NIGHT\n\nMARISOL wipes the counter. The door chimes.\n\n"


@dataclass
class Stats:
    """What engine.generation.StatsEvent carries that the log reads."""

    ttft_ms: float
    tokens_per_s: float
    prompt_tokens: int
    generated_tokens: int


@dataclass
class Built:
    log: EditLog
    scripts: dict[str, Path]
    ids: dict[str, str] = field(default_factory=dict)  # label -> suggestion id


def write_script(folder: Path, name: str, text: str = SCENE) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def suggest(
    log: EditLog,
    script: Path,
    text: str,
    *,
    model: str = "gemma3-270m",
    prompt_version: int = 1,
    prompt_id: str = "continue",
    state: str | None = None,
    accepted_text: str | None = None,
    final: str | None = None,
    ratings: dict | None = None,
    when: str = "2026-01-10T12:00:00.000Z",
    prompt: str | None = None,
    system_chars: int = 0,
    ttft_ms: float | None = None,
) -> str:
    """One request with one suggestion, decided as told; returns the suggestion id."""
    body = script.read_text(encoding="utf-8")
    rid = log.record_request(
        script=script, script_text=body, cursor=(4, 0), model=model, model_hash="ab" * 32,
        prompt=prompt if prompt is not None else "Continue the screenplay.\n\n" + body,
        system_chars=system_chars, prompt_id=prompt_id, prompt_version=prompt_version,
        sampling={"temperature": 0.4, "top_p": 0.9}, seed=7, scene="INT. DINER - NIGHT", scene_index=0,
        ttft_ms=ttft_ms, created_at=when,
    )
    sid = log.record_suggestion(rid, text, 0, seed=7, finish_reason="stop", created_at=when)
    if state in ("accepted", "accepted_part"):
        log.mark(sid, state, accepted_text, inserted_at=(len(body), len(body) + len(accepted_text or text), 4, 5))
        if final is not None:
            log.record_final(sid, final)
    elif state is not None:
        log.mark(sid, state)
    if ratings:
        log.rate(sid, **ratings)
    return sid


def build(tmp_path: Path) -> Built:
    """Four scripts (mine/drama, licensed/thriller, not mine/comedy, unmarked) and suggestions of each kind."""
    folder = tmp_path / "scripts"
    folder.mkdir()
    scripts = {name: write_script(folder, f"{name}.fountain") for name in ("mine", "licensed", "other", "unmarked")}
    log = EditLog.open(tmp_path / "log.sqlite3")
    log.mark_script(scripts["mine"], "mine", genre="drama")
    log.mark_script(scripts["licensed"], "licensed", genre="Thriller")
    log.mark_script(scripts["other"], "not_mine", genre="comedy")
    b = Built(log, scripts)
    mine, lic = scripts["mine"], scripts["licensed"]
    b.ids["whole"] = suggest(log, mine, "She locks the door.", state="accepted", final="She locks the door.",
                             ratings={"plot": 4, "dialogue": 4, "tone": 5}, when="2026-01-05T09:00:00.000Z")
    b.ids["edited"] = suggest(log, mine, "He orders coffee, black.", state="accepted",
                              final="He orders tea.", ratings={"plot": 2, "dialogue": 3},
                              when="2026-01-20T09:00:00.000Z", system_chars=len("Continue the screenplay.\n\n"))
    b.ids["part"] = suggest(log, mine, "The lights flicker. Rain hammers the glass.", state="accepted_part",
                            accepted_text="The lights flicker.", model="smollm2-135m",
                            when="2026-02-02T09:00:00.000Z")
    b.ids["rejected"] = suggest(log, mine, "A spaceship lands outside.", state="rejected", prompt_version=2,
                                ratings={"plot": 1, "tone": 1, "tags": ["off tone"]}, when="2026-02-10T09:00:00.000Z")
    b.ids["shown"] = suggest(log, mine, "Nothing happens.", when="2026-02-11T09:00:00.000Z")
    b.ids["licensed"] = suggest(log, lic, "DETECTIVE RUIZ enters.", state="accepted",
                                final="DETECTIVE RUIZ enters, soaked.", prompt_version=2,
                                when="2026-03-01T09:00:00.000Z")
    b.ids["other"] = suggest(log, scripts["other"], "A pie hits the wall.", state="accepted",
                             final="A pie hits the wall.", when="2026-01-07T09:00:00.000Z")
    b.ids["unmarked"] = suggest(log, scripts["unmarked"], "Quiet.", state="accepted", final="Quiet!",
                                when="2026-01-08T09:00:00.000Z")
    return b
