"""Choosing the default model by measurement: perplexity and well-formed continuations.

    python benchmarks/default_model.py [--seeds 4] [--max-tokens 120] [--json]

For each packaged model (Gemma 3 270M, SmolLM2 135M Instruct; SmolLM2 also through its chat
template) on the held-out scenes in ``benchmarks/heldout/*.fountain`` (original text written for
this benchmark, never seen by the models' trainers):

1. **Perplexity from the logits**: the scene is evaluated once with ``logits_all=True``; token
   ``i`` is scored with the log-softmax of the logits at position ``i - 1``. Reported per token
   (not comparable across tokenizers: Gemma's vocabulary is 262k tokens, SmolLM2's 49k), per
   word and in bits per UTF-8 byte (comparable).
2. **Cross-check with llama-cpp-python's ``echo=True`` log-probabilities**, and the same figure
   recomputed from our logits with the row for token ``i`` taken at position ``i`` instead of
   ``i - 1``. When a model adds no BOS token (SmolLM2), ``Llama._create_completion`` pairs the
   first prompt token with the logits row 0, i.e. every token with the prediction made *after*
   reading it, so echo's perplexity is that of the off-by-one pairing; with a BOS (Gemma) the
   rows line up and both agree.
3. **Well-formed continuations**: the first half of each scene (cut at a paragraph) is continued
   through the engine with each model's registry settings, for several seeds, with the repetition
   guard off. A continuation counts when it does not loop (the engine's ``RepetitionGuard``
   finds no loop in it) and parses as well-formed Fountain (``engine.fountain.parse``): it has
   screenplay elements, every character cue is followed by dialogue or a parenthetical (the last,
   cut-off paragraph excepted), and it has no chat or Markdown artefacts ("NAME: line"
   transcripts, bullets, "**", code fences, "Sure, here is...").
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from engine.editlog.perplexity import token_logprobs
from engine.bench.criteria import first_half, loops, well_formed  # noqa: E402
from engine.bench.quality import held_out_scenes  # noqa: E402
from engine.fountain import Kind, parse  # noqa: E402
from engine.generation import (  # noqa: E402
    ContinueRequest,
    DoneEvent,
    ErrorEvent,
    GenerationEngine,
    StatsEvent,
)
from engine.models import load_registry, resolve  # noqa: E402
from engine.models.llama_backend import open_llama  # noqa: E402
from engine.models.registry import Registry  # noqa: E402

ECHO_TOKENS = 64  # tokens per scene cross-checked against echo=True


def scenes() -> dict[str, str]:
    return {name: text for name, (text, _genre) in held_out_scenes().items()}


# ------------------------------------------------------------------ perplexity
# token_logprobs lives in engine/editlog/perplexity.py (also used by `scenewright eval perplexity`)
def perplexity(entry, texts: dict[str, str]) -> dict:
    path = resolve(entry)
    llm = open_llama(entry, path, n_threads=1, n_threads_batch=1, logits_all=True, n_ctx=1024)
    bos = bool(llm._model.add_bos_token())
    per_scene = {}
    sums = {k: 0.0 for k in ("nll", "tokens", "bytes", "words", "echo", "echo_n", "aligned", "shifted")}
    for name, text in texts.items():
        tokens = llm.tokenize(text.encode("utf-8"), add_bos=True)
        n = len(tokens)
        llm.reset()
        llm.eval(tokens)
        scores = np.asarray(llm.scores[:n])
        ids = np.asarray(tokens)
        # ours: token i (i >= 1) scored by the logits after reading tokens[:i], i.e. row i - 1
        nll = -token_logprobs(scores, np.arange(n - 1), ids[1:])
        scored_text = llm.detokenize(tokens[1:]).decode("utf-8", "replace")
        n_bytes, n_words = len(scored_text.encode("utf-8")), len(scored_text.split())

        # llama-cpp-python's echo logprobs, on the first ECHO_TOKENS tokens of the scene only: its
        # echo path sorts the whole vocabulary in Python for every token (minutes for Gemma's 262k).
        head_tokens = tokens[:ECHO_TOKENS]
        head = llm.detokenize(head_tokens[1:] if bos else head_tokens).decode("utf-8", "replace")
        out = llm.create_completion(head, max_tokens=1, echo=True, logprobs=1, temperature=0.0)
        echo_tokens = llm.tokenize(head.encode("utf-8"), add_bos=True)  # what create_completion evaluated
        prompt_count = len(echo_tokens) - 1 if bos else len(echo_tokens)
        echo = out["choices"][0]["logprobs"]["token_logprobs"][:prompt_count]
        offset = 1 if bos else 0
        scored = [k for k, lp in enumerate(echo) if lp is not None]
        positions = np.asarray([offset + k for k in scored])  # index into echo_tokens of each scored token
        echo_vals = np.asarray([echo[k] for k in scored], dtype=np.float64)
        llm.reset()
        llm.eval(echo_tokens)
        head_scores = np.asarray(llm.scores[: len(echo_tokens)])
        head_ids = np.asarray(echo_tokens)
        aligned = -token_logprobs(head_scores, positions - 1, head_ids[positions])  # correct pairing
        shifted = -token_logprobs(head_scores, positions - offset, head_ids[positions])  # echo's pairing
        per_scene[name] = {
            "tokens": int(len(nll)),
            "ppl_token": math.exp(nll.mean()),
            "ppl_word": math.exp(nll.sum() / max(1, n_words)),
            "bits_per_byte": float(nll.sum() / math.log(2) / max(1, n_bytes)),
            "ppl_echo": math.exp(-echo_vals.mean()),
            "ppl_same_tokens_as_echo": math.exp(aligned.mean()),
            "ppl_echo_pairing_from_logits": math.exp(shifted.mean()),
        }
        sums["nll"] += float(nll.sum())
        sums["tokens"] += len(nll)
        sums["bytes"] += n_bytes
        sums["words"] += n_words
        sums["echo"] += -float(echo_vals.sum())
        sums["echo_n"] += len(echo_vals)
        sums["aligned"] += float(aligned.sum())
        sums["shifted"] += float(shifted.sum())
    vocab = llm.n_vocab()
    llm.close()
    return {
        "adds_bos": bos,
        "vocab": vocab,
        "tokens": int(sums["tokens"]),
        "ppl_token": math.exp(sums["nll"] / sums["tokens"]),
        "ppl_word": math.exp(sums["nll"] / sums["words"]),
        "bits_per_byte": sums["nll"] / math.log(2) / sums["bytes"],
        "ppl_echo": math.exp(sums["echo"] / sums["echo_n"]),
        "ppl_same_tokens_as_echo": math.exp(sums["aligned"] / sums["echo_n"]),
        "ppl_echo_pairing_from_logits": math.exp(sums["shifted"] / sums["echo_n"]),
        "scenes": per_scene,
    }


# ------------------------------------------------------------------ continuations
def continuations(entry, texts: dict[str, str], seeds: int, max_tokens: int) -> dict:
    registry = Registry({entry.name: entry}, entry.name)
    engine = GenerationEngine(registry)
    rows = []
    for name, text in texts.items():
        prefix = first_half(text)
        lines = prefix.split("\n")
        for seed in range(1, seeds + 1):
            request = ContinueRequest(max_tokens=max_tokens, seed=seed, repetition_guard=False)
            events = list(engine.continue_at(prefix, (len(lines) - 1, len(lines[-1])), request))
            errors = [e for e in events if isinstance(e, ErrorEvent)]
            if errors:
                raise SystemExit(errors[0].message)
            done = [e for e in events if isinstance(e, DoneEvent)][0]
            stats = [e for e in events if isinstance(e, StatsEvent)][0]
            looped = loops(done.text)
            formed, why = well_formed(prefix, done.text, cut_off=done.reason == "length")
            rows.append({
                "scene": name, "seed": seed, "reason": done.reason, "tokens": stats.generated_tokens,
                "loops": looped, "well_formed": formed, "why": why if not formed else ("loops" if looped else ""),
                "has_dialogue": any(e.kind is Kind.DIALOGUE for e in parse(prefix + done.text).elements
                                    if e.line >= prefix.count("\n")),
                "text": done.text,
            })
    engine.close()
    ok = [r for r in rows if r["well_formed"] and not r["loops"]]
    return {
        "runs": len(rows),
        "good": len(ok),
        "share_good": len(ok) / len(rows),
        "share_loops": sum(r["loops"] for r in rows) / len(rows),
        "share_well_formed": sum(r["well_formed"] for r in rows) / len(rows),
        "share_with_dialogue": sum(r["has_dialogue"] for r in rows) / len(rows),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=120)
    parser.add_argument("--json", action="store_true", help="print every figure (and every continuation) as JSON")
    parser.add_argument("--show", action="store_true", help="print each continuation")
    parser.add_argument("--no-perplexity", action="store_true", help="only the continuations (perplexity takes minutes)")
    args = parser.parse_args(argv)
    registry = load_registry()
    candidates = {
        "gemma3-270m": registry.get("gemma3-270m"),
        "smollm2-135m": registry.get("smollm2-135m"),
        "smollm2-135m (chat)": replace(registry.get("smollm2-135m"), prompt_format="chat"),
    }
    texts = scenes()
    results = {}
    for label, entry in candidates.items():
        print(f"{label}: perplexity...", file=sys.stderr)
        ppl = perplexity(entry, texts) if "(chat)" not in label and not args.no_perplexity else None
        print(f"{label}: continuations...", file=sys.stderr)
        results[label] = {"perplexity": ppl, "continuations": continuations(entry, texts, args.seeds, args.max_tokens)}
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"held-out scenes: {len(texts)} ({', '.join(texts)}); {args.seeds} seeds x {args.max_tokens} tokens")
    print(f"{'model':<22}{'ppl/token':>10}{'ppl/word':>10}{'bits/byte':>10}{'echo':>10}{'ours*':>10}{'echo-pair':>10}"
          f"{'good':>7}{'loops':>7}{'formed':>7}{'dialog':>7}")
    for label, r in results.items():
        p, c = r["perplexity"], r["continuations"]
        if p:
            ppl = (f"{p['ppl_token']:>10.1f}{p['ppl_word']:>10.1f}{p['bits_per_byte']:>10.3f}{p['ppl_echo']:>10.1f}"
                   f"{p['ppl_same_tokens_as_echo']:>10.1f}{p['ppl_echo_pairing_from_logits']:>10.1f}")
        else:
            ppl = f"{'(not measured)' if args.no_perplexity else '(same weights as above)':>60}"
        print(f"{label:<22}{ppl}{c['share_good']:>7.0%}{c['share_loops']:>7.0%}{c['share_well_formed']:>7.0%}"
              f"{c['share_with_dialogue']:>7.0%}")
    print("ours* = our perplexity on exactly the tokens echo scores; echo-pair = the same tokens scored with "
          "echo's row pairing, from our logits")
    if args.show:
        for label, r in results.items():
            for row in r["continuations"]["rows"]:
                print(f"\n--- {label} {row['scene']} seed {row['seed']} ({row['reason']}, "
                      f"{'loops' if row['loops'] else 'no loop'}, {'well-formed' if row['well_formed'] else row['why']})")
                print(row["text"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
