"""The edit log: every suggestion and what the writer made of it, as fine-tuning and evaluation data.

UI-free. The editor records through ``EditLogWriter`` (a background thread, so typing never waits
on SQLite); the command line reads through ``EditLog`` and ``select_records``.

    from engine.editlog import EditLogWriter, Insertion, InsertionTracker
    writer = EditLogWriter(on_error=report)                       # data_dir()/editlog.sqlite3
    rid = writer.record_request(script=path, script_text=text, cursor=(row, col), model=ctx.model,
                                prompt=ctx.prompt, prompt_id="continue", prompt_version=2,
                                sampling=sampling, seed=seed)
    sid = writer.record_suggestion(rid, done.text, done.index, seed=done.seed,
                                   finish_reason=done.reason, stats=stats_event)
    writer.mark(sid, "accepted", inserted_at=tracker.add(sid, start, end))
    writer.rate(sid, plot=4, dialogue=3, tone=5, tags=["needs more conflict"])
    for sid, final in tracker.finals().items():                   # at each save
        writer.record_final(sid, final)

Modules: ``schema`` (migrations), ``store`` (EditLog), ``ids`` (how rows, scripts, texts and model
files are named), ``privacy`` (which scripts may be exported, forgetting one), ``writer`` (EditLogWriter), ``tracking``
(InsertionTracker), ``records`` (reading back, filters), ``datasets`` (exports and the card),
``metrics`` (edit distance, BLEU, ROUGE-L, Wilson), ``evaluation`` (per model and prompt, A/B),
``perplexity`` (from a model's logits).
"""

from .records import Filters, Record, comparisons, parse_time, select_records, variant
from .schema import MIGRATIONS, SCHEMA_VERSION, STATES, USAGES
from .ids import content_hash, model_file_hash, new_id, script_key
from .store import (
    ACCEPTED_STATES,
    DiskFull,
    EditLog,
    EditLogError,
    Insertion,
    LogUnavailable,
    UnknownId,
    blind_pair,
    default_path,
    edit_distance,
    scene_at,
)
from .tracking import InsertionTracker
from .writer import EditLogWriter

__all__ = [
    "ACCEPTED_STATES",
    "DiskFull",
    "EditLog",
    "EditLogError",
    "EditLogWriter",
    "Filters",
    "Insertion",
    "InsertionTracker",
    "LogUnavailable",
    "MIGRATIONS",
    "Record",
    "SCHEMA_VERSION",
    "STATES",
    "USAGES",
    "UnknownId",
    "blind_pair",
    "comparisons",
    "content_hash",
    "default_path",
    "edit_distance",
    "model_file_hash",
    "new_id",
    "parse_time",
    "scene_at",
    "script_key",
    "select_records",
    "variant",
]
