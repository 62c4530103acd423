"""How well each model and prompt version serves the writer, from the edit log.

Per (model, prompt version):

* acceptance rate: suggestions accepted (whole, in part, or accepted and then edited) over all
  suggestions shown;
* mean normalised edit distance, BLEU and ROUGE-L of the suggestion against the final text, over
  the suggestions with a final text (recorded at a save);
* mean ratings (each over the suggestions rated on it);
* mean time to first token and generation speed over the requests.

Blind A/B comparisons: for each pair of variants (model + prompt version), the wins of each side,
the picks of neither, and the win rate of the first variant over the decided picks with its 95%
Wilson interval. Position bias is reported as the share of decided picks that went to A.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from statistics import fmean
from typing import Any, Iterable, Sequence

from .metrics import rouge_l, sentence_bleu, wilson_interval
from .records import Record


@dataclass(frozen=True)
class GroupMetrics:
    model: str
    prompt: str  # id@version, "-" when none was recorded
    suggestions: int
    accepted: int
    rejected: int
    edited: int
    acceptance_rate: float
    finals: int  # suggestions with a final text
    edit_distance: float | None
    bleu: float | None  # 0..100
    rouge_l: float | None  # 0..1
    plot: float | None
    dialogue: float | None
    tone: float | None
    rated: int
    requests: int
    ttft_ms: float | None
    tokens_per_s: float | None


@dataclass(frozen=True)
class ABResult:
    first: str  # variant: "model prompt@version"
    second: str
    first_wins: int
    second_wins: int
    neither: int
    win_rate: float | None  # first over second, decided picks only
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ABSummary:
    pairs: list[ABResult]
    decided: int
    picked_a: int  # decided picks that went to the side shown as A (position bias)


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return fmean(vals) if vals else None


def evaluate(records: Sequence[Record]) -> list[GroupMetrics]:
    """One row per (model, prompt version), ordered by model then prompt."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for r in records:
        groups.setdefault((r.model, r.prompt_ref), []).append(r)
    out = []
    for (model, prompt), rs in sorted(groups.items()):
        finals = [r for r in rs if r.accepted and r.final_text is not None]
        requests: dict[str, Record] = {}
        for r in rs:
            requests.setdefault(r.request_id, r)
        accepted = sum(r.accepted for r in rs)
        out.append(GroupMetrics(
            model=model,
            prompt=prompt,
            suggestions=len(rs),
            accepted=accepted,
            rejected=sum(r.state == "rejected" for r in rs),
            edited=sum(r.state == "edited" for r in rs),
            acceptance_rate=accepted / len(rs),
            finals=len(finals),
            edit_distance=_mean(r.edit_distance for r in finals),
            bleu=_mean(sentence_bleu(r.text, r.final_text) for r in finals),  # type: ignore[arg-type]
            rouge_l=_mean(rouge_l(r.text, r.final_text) for r in finals),  # type: ignore[arg-type]
            plot=_mean(r.plot for r in rs),
            dialogue=_mean(r.dialogue for r in rs),
            tone=_mean(r.tone for r in rs),
            rated=sum(bool(r.ratings) for r in rs),
            requests=len(requests),
            ttft_ms=_mean(r.ttft_ms for r in requests.values()),
            tokens_per_s=_mean(r.tokens_per_s for r in requests.values()),
        ))
    return out


def ab_summary(comparisons: Sequence[dict[str, Any]]) -> ABSummary:
    """Win rates per pair of variants from ``records.comparisons(log)``."""
    tallies: dict[tuple[str, str], list[int]] = {}
    decided = picked_a = 0
    for c in comparisons:
        a, b, winner = c["a"], c["b"], c["winner"]
        first, second = sorted((a, b))
        t = tallies.setdefault((first, second), [0, 0, 0])
        if winner == "none":
            t[2] += 1
            continue
        decided += 1
        picked_a += winner == "A"
        won = a if winner == "A" else b
        if a == b:  # the same variant on both sides: counts to neither side's advantage
            t[0 if winner == "A" else 1] += 1
        else:
            t[0 if won == first else 1] += 1
    pairs = []
    for (first, second), (w1, w2, none) in sorted(tallies.items()):
        n = w1 + w2
        low, high = wilson_interval(w1, n) if n else (None, None)
        pairs.append(ABResult(first, second, w1, w2, none, (w1 / n) if n else None, low, high))
    return ABSummary(pairs, decided, picked_a)


# ------------------------------------------------------------------ output
_COLUMNS = (
    ("model", "model", "{}"),
    ("prompt", "prompt", "{}"),
    ("suggestions", "n", "{}"),
    ("acceptance_rate", "accept", "{:.0%}"),
    ("edit_distance", "edit", "{:.3f}"),
    ("bleu", "BLEU", "{:.1f}"),
    ("rouge_l", "ROUGE-L", "{:.3f}"),
    ("plot", "plot", "{:.2f}"),
    ("dialogue", "dialog", "{:.2f}"),
    ("tone", "tone", "{:.2f}"),
    ("ttft_ms", "ttft ms", "{:.0f}"),
    ("tokens_per_s", "tok/s", "{:.1f}"),
)


def _cell(value: Any, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def table(rows: Sequence[GroupMetrics]) -> str:
    """A plain-text table (one line per model and prompt version)."""
    header = [title for _, title, _ in _COLUMNS]
    body = [[_cell(getattr(r, key), fmt) for key, _, fmt in _COLUMNS] for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in body)) if body else len(h) for i, h in enumerate(header)]
    out = []
    for line in [header] + body:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def ab_table(summary: ABSummary) -> str:
    if not summary.pairs:
        return ""
    lines = ["Blind A/B picks (win rate of the first variant, 95% Wilson interval):"]
    for p in summary.pairs:
        rate = "-" if p.win_rate is None else f"{p.win_rate:.0%} [{p.ci_low:.0%}, {p.ci_high:.0%}]"
        # the same model and prompt on both sides (two seeds): the tally is side A against side B
        pair = f"{p.first}  vs  {p.second}" if p.first != p.second else f"{p.first}, two samples: A vs B"
        lines.append(
            f"  {pair}: {p.first_wins}-{p.second_wins}"
            + (f" ({p.neither} neither)" if p.neither else "") + f"  {rate}"
        )
    if summary.decided:
        lines.append(f"  side shown as A picked in {summary.picked_a} of {summary.decided} decided picks")
    return "\n".join(lines) + "\n"


def to_csv(rows: Sequence[GroupMetrics], summary: ABSummary | None = None) -> str:
    """The metrics as CSV (one header row, full precision); A/B rows follow under their own header."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = list(GroupMetrics.__dataclass_fields__)
    writer.writerow(names)
    for r in rows:
        d = asdict(r)
        writer.writerow(["" if d[k] is None else d[k] for k in names])
    if summary is not None and summary.pairs:
        writer.writerow([])
        ab_names = list(ABResult.__dataclass_fields__)
        writer.writerow(ab_names)
        for p in summary.pairs:
            d = asdict(p)
            writer.writerow(["" if d[k] is None else d[k] for k in ab_names])
    return buf.getvalue()
