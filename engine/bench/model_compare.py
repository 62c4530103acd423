"""``scenewright eval compare``: two or more models (a base and its adapter, say) on held-out text.

Held-out means never trained on: the corpus's validation scenes (``split = 'val'``; training
reads only ``train``), the edit log's validation split (the same hash as training and dataset
export), or files the writer names. For each model:

* **perplexity** and **bits per byte** of the held-out texts (the edit log's after the prompt
  the model had), with a 95% bootstrap interval over texts;
* each held-out scene cut after its first half and continued through the engine as the editor
  asks (prompt library, anchors, the model's own sampling, ``--seeds`` seeds): **BLEU**,
  **ROUGE-L** and normalised **edit distance** (rapidfuzz's Levenshtein) against the scene's real
  second half (cut to the continuation's number of words, so that a short continuation is not
  punished for stopping), each a mean with a 95% bootstrap interval; and the suggestion-quality
  **criteria** (``engine.bench.criteria``: well-formed, loop-free, cast only, holds dialogue, stays
  in the scene) as pass rates with Wilson intervals;
* **acceptance** in the edit log (the suggestions the model made that the writer kept), with its
  Wilson interval.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from statistics import fmean
from typing import Any, Callable, Sequence

from engine.editlog.metrics import rouge_l, sentence_bleu, wilson_interval

BOOTSTRAP = 1000
CRITERIA = ("well_formed", "loop_free", "cast_only", "has_dialogue", "stays_in_scene")


@dataclass(frozen=True)
class HeldOut:
    name: str
    text: str
    context: str = ""  # read before the text, not scored (an edit-log prompt)
    genre: str = ""
    is_scene: bool = True  # a scene: also continued from its first half


def bootstrap_mean(values: Sequence[float], seed: int = 0) -> tuple[float, float, float] | None:
    """(mean, 2.5th percentile, 97.5th percentile) of resampled means."""
    if not values:
        return None
    rng = random.Random(seed)
    n = len(values)
    means = sorted(fmean(rng.choices(values, k=n)) for _ in range(BOOTSTRAP))
    return fmean(values), means[int(0.025 * BOOTSTRAP)], means[int(0.975 * BOOTSTRAP) - 1]


def bootstrap_ratio(num: Sequence[float], den: Sequence[float], seed: int = 0) -> tuple[float, float] | None:
    """2.5th and 97.5th percentiles of sum(num)/sum(den) over texts resampled with replacement."""
    if not num:
        return None
    rng = random.Random(seed)
    idx = range(len(num))
    ratios = []
    for _ in range(BOOTSTRAP):
        pick = rng.choices(idx, k=len(num))
        d = sum(den[i] for i in pick)
        ratios.append(sum(num[i] for i in pick) / d if d else 0.0)
    ratios.sort()
    return ratios[int(0.025 * BOOTSTRAP)], ratios[int(0.975 * BOOTSTRAP) - 1]


def edit_distance(hypothesis: str, reference: str) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_distance(hypothesis, reference)


def reference_like(reference: str, hypothesis: str) -> str:
    """The reference's first words, as many as the hypothesis has (lines kept)."""
    want = max(1, len(hypothesis.split()))
    out, count = [], 0
    for line in reference.split("\n"):
        words = line.split()
        if count + len(words) > want:
            out.append(" ".join(words[: want - count]))
            break
        out.append(line)
        count += len(words)
    return "\n".join(out).strip()


def perplexity_of(model: str, texts: Sequence[HeldOut], window: int = 512, threads: int = 1,
                  registry: Any = None) -> dict[str, Any]:
    import math

    from engine.editlog.perplexity import PerplexityScorer, combine

    with PerplexityScorer(model, window=window, threads=threads, registry=registry) as scorer:
        scores = [scorer.score(t.text, t.context, t.name) for t in texts]
    scores = [s for s in scores if s.tokens]
    if not scores:
        return {"texts": 0}
    total = combine(scores)
    nll = [s.nll for s in scores]
    toks = [s.tokens for s in scores]
    byts = [s.bytes for s in scores]
    per_token = bootstrap_ratio(nll, toks)
    per_byte = bootstrap_ratio(nll, byts)
    return {
        "texts": len(scores), "tokens": total.tokens, "perplexity": total.perplexity,
        "perplexity_ci": [math.exp(per_token[0]), math.exp(per_token[1])] if per_token else None,
        "bits_per_byte": total.bits_per_byte,
        "bits_per_byte_ci": [per_byte[0] / math.log(2), per_byte[1] / math.log(2)] if per_byte else None,
    }


def continuations_of(engine, model: str, scenes: Sequence[HeldOut], seeds: int, max_tokens: int,
                     prompt: str = "continue", progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    from .criteria import first_half, shown_text
    from .quality import one_run

    bleu, rouge, dist = [], [], []
    passes = {c: 0 for c in CRITERIA}
    runs = 0
    for scene in scenes:
        prefix = first_half(scene.text)
        rest = scene.text[len(prefix):]
        if not rest.strip():
            continue
        for seed in range(1, seeds + 1):
            run = one_run(engine, model, prompt, "shaped", scene.name, scene.text, scene.genre, seed, max_tokens)
            shown = shown_text(run.text).strip()
            reference = reference_like(rest, shown)
            bleu.append(sentence_bleu(shown, reference))
            rouge.append(rouge_l(shown, reference))
            dist.append(edit_distance(shown, reference))
            for c in CRITERIA:
                passes[c] += bool(getattr(run, c))
            runs += 1
            if progress:
                progress(f"{model}: {scene.name} seed {seed}")
    out: dict[str, Any] = {"runs": runs}
    for name, values in (("bleu", bleu), ("rouge_l", rouge), ("edit_distance", dist)):
        b = bootstrap_mean(values)
        out[name] = b[0] if b else None
        out[f"{name}_ci"] = [b[1], b[2]] if b else None
    for c in CRITERIA:
        out[c] = passes[c] / runs if runs else None
        out[f"{c}_ci"] = list(wilson_interval(passes[c], runs)) if runs else None
    return out


def acceptance_of(model: str, records: Sequence[Any]) -> dict[str, Any]:
    mine = [r for r in records if r.model == model]
    accepted = sum(r.accepted for r in mine)
    return {"suggestions": len(mine), "accepted": accepted,
            "rate": accepted / len(mine) if mine else None,
            "rate_ci": list(wilson_interval(accepted, len(mine))) if mine else None}


def compare(models: Sequence[str], held_out: Sequence[HeldOut], *, records: Sequence[Any] = (), seeds: int = 2,
            max_tokens: int = 120, window: int = 512, threads: int = 1, generate: bool = True,
            progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    from engine.generation import GenerationEngine

    scenes = [h for h in held_out if h.is_scene]
    out: dict[str, Any] = {"held_out": {"texts": len(held_out), "scenes": len(scenes)}, "seeds": seeds,
                           "max_tokens": max_tokens, "models": {}}
    engine = GenerationEngine() if generate and scenes else None
    try:
        for model in models:
            if progress:
                progress(f"{model}: perplexity of {len(held_out)} held-out texts")
            row: dict[str, Any] = {"perplexity": perplexity_of(model, held_out, window, threads)}
            if engine is not None:
                row["continuations"] = continuations_of(engine, model, scenes, seeds, max_tokens, progress=progress)
            row["acceptance"] = acceptance_of(model, records)
            out["models"][model] = row
    finally:
        if engine is not None:
            engine.close()
    return out


def _fmt(value: Any, ci: Any, places: int, pct: bool = False) -> str:
    if value is None:
        return "-"
    if pct:
        return f"{value:.0%} [{ci[0]:.0%}, {ci[1]:.0%}]" if ci else f"{value:.0%}"
    return f"{value:.{places}f} [{ci[0]:.{places}f}, {ci[1]:.{places}f}]" if ci else f"{value:.{places}f}"


def table(result: dict[str, Any]) -> str:
    models = list(result["models"])
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, pick: Callable[[dict], str]) -> None:
        rows.append((label, [pick(result["models"][m]) for m in models]))

    add("perplexity / token", lambda r: _fmt(r["perplexity"].get("perplexity"), r["perplexity"].get("perplexity_ci"), 2))
    add("bits / byte", lambda r: _fmt(r["perplexity"].get("bits_per_byte"), r["perplexity"].get("bits_per_byte_ci"), 3))
    if any("continuations" in r for r in result["models"].values()):
        for key, label, places in (("bleu", "BLEU (0-100)", 1), ("rouge_l", "ROUGE-L", 3),
                                   ("edit_distance", "edit distance", 3)):
            add(label, lambda r, key=key, places=places: _fmt(r.get("continuations", {}).get(key),
                                                              r.get("continuations", {}).get(f"{key}_ci"), places))
        for c in CRITERIA:
            add(c.replace("_", " "), lambda r, c=c: _fmt(r.get("continuations", {}).get(c),
                                                         r.get("continuations", {}).get(f"{c}_ci"), 0, pct=True))
    add("acceptance (edit log)", lambda r: (_fmt(r["acceptance"]["rate"], r["acceptance"]["rate_ci"], 0, pct=True)
                                            + f" of {r['acceptance']['suggestions']}") if r["acceptance"]["suggestions"]
        else "-")
    width = max(len(label) for label, _ in rows)
    cols = [max(len(m), *(len(vals[i]) for _, vals in rows)) for i, m in enumerate(models)]
    lines = [" " * width + "  " + "  ".join(f"{m:<{cols[i]}}" for i, m in enumerate(models))]
    for label, vals in rows:
        lines.append(f"{label:<{width}}  " + "  ".join(f"{v:<{cols[i]}}" for i, v in enumerate(vals)))
    h = result["held_out"]
    generated = any("continuations" in r for r in result["models"].values())
    continued = (f"{h['scenes']} scenes continued x {result['seeds']} seeds, {result['max_tokens']} tokens"
                 if generated else "no continuations")
    lines.append(f"({h['texts']} held-out texts, {continued}; 95% intervals)")
    return "\n".join(lines) + "\n"
