"""Fine-tuning datasets from the edit log, in the exact shapes the trainers read.

Formats (one JSON object a line, only the fields named; CSV with a header):

* ``sft``               TRL conversational language modelling: ``{"messages": [{"role", "content"}, ...]}``
* ``prompt-completion`` TRL prompt-completion: ``{"prompt", "completion"}``
* ``dpo``               TRL preference: ``{"prompt", "chosen", "rejected"}``: the writer's text chosen,
                        the raw suggestion rejected, only where they differ
* ``kto``               TRL unpaired preference: ``{"prompt", "completion", "label": bool}``: the writer's
                        text true; a rejected suggestion, or the raw text of one the writer changed, false
* ``openai``            OpenAI chat fine-tuning: ``{"messages": [...]}`` (system, user, assistant)
* ``csv``               ``id,prompt,response``

"The writer's text" (``Record.target``) is what stood where the suggestion was inserted at the
last save, or, when the script was not saved since, the text accepted. Suggestions only shown (no
decision) carry no signal and are left out of every format.

Only scripts the writer marked as theirs or licensed are read (``Filters.exportable_only``).
Rows are de-duplicated on their content, optionally balanced by genre (each genre cut down to the
smallest one's number of suggestions), and split into train and validation by a hash of the
suggestion id, so a suggestion stays in its split from one export to the next and the rows made
from one suggestion (KTO) never straddle the split.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from engine.atomicfile import write_atomic
from engine.hashing import text_sha256

from .privacy import EXPORTABLE
from .records import Filters, Record, script_usage_counts, select_records
from .store import EditLog

FORMATS = ("sft", "prompt-completion", "dpo", "kto", "openai", "csv")

FORMAT_FIELDS: dict[str, str] = {
    "sft": 'TRL conversational language modelling: {"messages": [{"role", "content"}]}; the system message '
           "holds the prompt's stable instructions (when recorded), the user message the rest of the prompt, the "
           "assistant message the writer's text.",
    "prompt-completion": 'TRL prompt-completion: {"prompt", "completion"}; the completion is the writer\'s text.',
    "dpo": 'TRL preference: {"prompt", "chosen", "rejected"}; chosen is the writer\'s text, rejected the raw '
           "suggestion, for suggestions the writer changed.",
    "kto": 'TRL unpaired preference: {"prompt", "completion", "label"}; label true for the writer\'s text, false '
           "for a rejected suggestion or the raw text of a suggestion the writer changed.",
    "openai": 'OpenAI chat fine-tuning JSONL: {"messages": [{"role", "content"}]} (system, user, assistant).',
    "csv": "CSV with the header id,prompt,response; response is the writer's text.",
}


class ExportError(Exception):
    """Nothing to export, or the output folder cannot be written: a sentence for the writer."""


@dataclass(frozen=True)
class Row:
    group: str  # the suggestion id: split and balance unit
    fields: dict[str, Any]
    record: Record


@dataclass
class ExportResult:
    out_dir: Path
    format: str
    files: list[Path]
    train: int
    validation: int
    suggestions: int  # distinct suggestions behind the rows
    duplicates: int
    balanced_out: int
    genres: Counter = field(default_factory=Counter)
    models: Counter = field(default_factory=Counter)
    model_hashes: dict[str, set] = field(default_factory=dict)
    prompts: Counter = field(default_factory=Counter)
    scripts: int = 0
    left_out_scripts: int = 0
    card: Path | None = None


# ------------------------------------------------------------------ rows
def rows_for(records: Iterable[Record], fmt: str) -> list[Row]:
    """The rows of format ``fmt`` that the records give (see the module's doc)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    rows: list[Row] = []
    for r in records:
        target = r.target
        if fmt in ("sft", "openai"):
            if target is not None:
                rows.append(Row(r.suggestion_id, {"messages": r.messages(target)}, r))
        elif fmt == "prompt-completion":
            if target is not None:
                rows.append(Row(r.suggestion_id, {"prompt": r.prompt, "completion": target}, r))
        elif fmt == "csv":
            if target is not None:
                rows.append(Row(r.suggestion_id, {"id": r.suggestion_id, "prompt": r.prompt, "response": target}, r))
        elif fmt == "dpo":
            if target is not None and target != r.text:
                rows.append(Row(r.suggestion_id, {"prompt": r.prompt, "chosen": target, "rejected": r.text}, r))
        else:  # kto
            if target is not None:
                rows.append(Row(r.suggestion_id, {"prompt": r.prompt, "completion": target, "label": True}, r))
                if target != r.text:
                    rows.append(Row(r.suggestion_id, {"prompt": r.prompt, "completion": r.text, "label": False}, r))
            elif r.state == "rejected":
                rows.append(Row(r.suggestion_id, {"prompt": r.prompt, "completion": r.text, "label": False}, r))
    return rows


def dedupe(rows: list[Row]) -> list[Row]:
    """The first row of each distinct content (the ``id`` column aside)."""
    seen: set[str] = set()
    out = []
    for row in rows:
        key = json.dumps({k: v for k, v in row.fields.items() if k != "id"}, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _unit(group: str, salt: str = "") -> float:
    """A number in [0, 1) fixed by the id (sha256), the same on every machine and every run."""
    return int(text_sha256(salt + group)[:16], 16) / 2**64


def in_validation(suggestion_id: str, fraction: float) -> bool:
    """Whether a suggestion belongs to the validation split (hash of its id below ``fraction``)."""
    return _unit(suggestion_id) < fraction


def split(rows: list[Row], val_fraction: float) -> tuple[list[Row], list[Row]]:
    if not 0 <= val_fraction < 1:
        raise ValueError(f"the validation fraction must be at least 0 and below 1, not {val_fraction}")
    train = [r for r in rows if not in_validation(r.group, val_fraction)]
    val = [r for r in rows if in_validation(r.group, val_fraction)]
    return train, val


def genre_of(record: Record) -> str:
    return (record.genre or "").strip().lower() or "unknown"


def balance_by_genre(rows: list[Row]) -> list[Row]:
    """Keep, in each genre, as many suggestions as the smallest genre has (chosen by hash, so the
    same ones every time); rows keep their order."""
    groups: dict[str, set[str]] = {}
    for row in rows:
        groups.setdefault(genre_of(row.record), set()).add(row.group)
    if len(groups) < 2:
        return rows
    keep_n = min(len(g) for g in groups.values())
    keep: set[str] = set()
    for ids in groups.values():
        keep.update(sorted(ids, key=lambda g: _unit(g, "balance:"))[:keep_n])
    return [r for r in rows if r.group in keep]


# ------------------------------------------------------------------ writing
def _jsonl(rows: list[Row]) -> str:
    return "".join(json.dumps(r.fields, ensure_ascii=False) + "\n" for r in rows)


def _csv(rows: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "prompt", "response"])
    for r in rows:
        writer.writerow([r.fields["id"], r.fields["prompt"], r.fields["response"]])
    return buf.getvalue()


def _write(path: Path, text: str) -> None:
    write_atomic(path, text)


def export(
    log: EditLog,
    out_dir: str | Path,
    fmt: str,
    filters: Filters | None = None,
    *,
    val_fraction: float = 0.1,
    balance_genre: bool = False,
) -> ExportResult:
    """Write ``train`` (and ``validation`` when it has rows) files and a ``README.md`` card in ``out_dir``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not 0 <= val_fraction < 1:
        raise ExportError(f"--val-fraction {val_fraction}: must be at least 0 and below 1")
    out_dir = Path(out_dir)
    filters = replace(filters or Filters(), exportable_only=True)
    records = select_records(log, filters)
    usage = script_usage_counts(log)
    left_out = sum(n for u, n in usage.items() if u not in EXPORTABLE)
    rows = rows_for(records, fmt)
    unique = dedupe(rows)
    balanced = balance_by_genre(unique) if balance_genre else unique
    if not balanced:
        hint = ""
        if not usage:
            hint = "; the edit log is empty (suggestions are recorded as you use the model panel)"
        elif not sum(usage.get(u, 0) for u in EXPORTABLE):
            hint = (f"; no script in the log is marked as yours or licensed ({left_out} left out): "
                    "scenewright log mark --script FILE --mine")
        elif not records:
            hint = "; no suggestion matches the filters"
        else:
            hint = f"; {len(records)} suggestions matched but none has what the {fmt} format needs"
        raise ExportError(f"nothing to export{hint}")
    train, val = split(balanced, val_fraction)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: exists and is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        ext = "csv" if fmt == "csv" else "jsonl"
        render = _csv if fmt == "csv" else _jsonl
        files = []
        for name, part in (("train", train), ("validation", val)):
            path = out_dir / f"{name}.{ext}"
            if part:
                _write(path, render(part))
                files.append(path)
            elif path.exists():
                path.unlink()  # a stale split from an earlier export
        used = {r.group: r.record for r in balanced}
        result = ExportResult(
            out_dir=out_dir, format=fmt, files=files, train=len(train), validation=len(val),
            suggestions=len(used), duplicates=len(rows) - len(unique), balanced_out=len(unique) - len(balanced),
            genres=Counter(genre_of(r) for r in used.values()),
            models=Counter(r.model for r in used.values()),
            prompts=Counter(r.prompt_ref for r in used.values()),
            scripts=len({r.script for r in used.values()}),
            left_out_scripts=left_out,
        )
        for r in used.values():
            result.model_hashes.setdefault(r.model, set()).add(r.model_hash or "")
        card = out_dir / "README.md"
        _write(card, dataset_card(result, filters, val_fraction, balance_genre))
        result.card = card
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write the dataset ({exc.strerror or exc})") from None
    return result


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def dataset_card(result: ExportResult, filters: Filters, val_fraction: float, balance_genre: bool) -> str:
    """The README.md written beside the files: Hugging Face card metadata, counts, sources, licence."""
    lines = ["---", "license: other", "license_name: writer-owned-or-licensed", "task_categories:",
             "- text-generation", "tags:", "- screenplay", "- fountain", "- scenewright", "configs:",
             "- config_name: default", "  data_files:"]
    for path in result.files:
        split_name = path.stem
        lines += [f"  - split: {split_name}", f"    path: {_yaml_str(path.name)}"]
    lines += ["---", "", f"# Scenewright edit-log dataset ({result.format})", ""]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines += [f"Exported by `scenewright dataset export --format {result.format}` on {stamp}.", ""]
    lines += ["## Files", "", "| split | file | rows |", "| --- | --- | ---: |"]
    counts = {"train": result.train, "validation": result.validation}
    for path in result.files:
        lines.append(f"| {path.stem} | {path.name} | {counts[path.stem]} |")
    lines += ["", f"Format: {FORMAT_FIELDS[result.format]}", ""]
    lines += ["## Contents", ""]
    lines.append(f"- {result.suggestions} suggestions from {result.scripts} script(s)")
    lines.append(f"- duplicates removed: {result.duplicates}")
    if balance_genre:
        lines.append(f"- balanced by genre: {result.balanced_out} row(s) left out so that each genre counts "
                     "as many suggestions as the smallest")
    lines.append(f"- validation split: suggestions whose sha256(id) falls below {val_fraction:g} "
                 "(the same suggestions on every export)")
    lines.append("- genres: " + _counted(result.genres))
    models = []
    for name, n in sorted(result.models.items(), key=lambda kv: (-kv[1], kv[0])):
        hashes = sorted(h[:12] for h in result.model_hashes.get(name, ()) if h)
        models.append(f"{name} ({n}" + (f"; weights sha256 {', '.join(hashes)}" if hashes else "") + ")")
    lines.append("- models: " + ", ".join(models))
    lines.append("- prompt versions: " + _counted(result.prompts))
    described = filters.describe()
    lines.append("- filters: " + ("; ".join(described) if described else "none"))
    lines += ["", "## Licence", ""]
    lines.append(
        "Only scripts the writer marked as their own or licensed (`scenewright log mark --script FILE "
        "--mine` or `--licensed`) are included. "
        + (f"{result.left_out_scripts} other script(s) in the log (unmarked or marked not the writer's) were "
           "left out. " if result.left_out_scripts else "")
        + "The texts belong to the writer or their licensors; the prompts contain excerpts of the scripts and "
        "the model's suggestions. Keep the dataset private unless the writer agrees otherwise."
    )
    lines.append("")
    return "\n".join(lines)


def _counted(counter: Counter) -> str:
    if not counter:
        return "none"
    return ", ".join(f"{k} ({v})" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
