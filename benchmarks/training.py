"""A short LoRA run on a self-written corpus: training tokens/s, peak memory, held-out perplexity.

    .venv/bin/python benchmarks/training.py [--model smollm2-135m] [--steps 30] [--json]

The corpus is the project's own writing (the bundled example script and the benchmark's held-out
scenes, written for Scenewright), added with licence "own" to a corpus in a temporary folder;
training reads its train split, and the perplexity before and after (llama.cpp, the base alone vs
base + the converted GGUF adapter) is measured on its validation split, never trained on. Peak
memory is the training process's maximum resident set. Nothing touches the user's folders.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="scenewright-train-bench-") as tmp:
        env = dict(os.environ, SCENEWRIGHT_DATA_DIR=f"{tmp}/data", SCENEWRIGHT_CONFIG_DIR=f"{tmp}/config")
        os.environ.update({k: env[k] for k in ("SCENEWRIGHT_DATA_DIR", "SCENEWRIGHT_CONFIG_DIR")})
        from engine.corpus import Corpus, Metadata

        sources = [ROOT / "examples" / "night-shift.fountain", *sorted((ROOT / "benchmarks" / "heldout").glob("*.fountain"))]
        with Corpus.open() as corpus:
            for path in sources:
                corpus.add(path, Metadata(genre="drama", licence="own", source="written for Scenewright"))
            train_units = corpus.units("scene", "train")
            val_units = corpus.units("scene", "val")
        cmd = [str(Path(sys.executable).with_name("scenewright")), "train", "bench-adapter", "--model", args.model,
               "--from", "corpus", "--max-steps", str(args.steps), "--epochs", "100", "--batch-size",
               str(args.batch_size), "--lr", str(args.lr), "--eval-every", str(max(1, args.steps // 3)),
               "--patience", "100", "--json"]
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        report = json.loads(done.stdout)

        from engine.editlog.model_compare import HeldOut, perplexity_of

        held = [HeldOut(f"val#{u.id}", u.text) for u in val_units] or [HeldOut(f"train#{u.id}", u.text) for u in train_units[:3]]
        before = perplexity_of(args.model, held)
        after = perplexity_of("bench-adapter", held)
    result = {
        "model": args.model, "steps": report["steps"], "batch_size": args.batch_size, "learning_rate": args.lr,
        "train_scenes": len(train_units), "held_out_scenes": len(val_units),
        "training_tokens": report["tokens"], "training_seconds": report["seconds"],
        "training_tokens_per_s": report["tokens_per_s"], "peak_memory_mb": report["peak_memory_mb"],
        "wall_seconds_with_loading_and_conversion": wall,
        "val_loss_before": report["val_before"], "val_loss_after": report["val_after"],
        "held_out_perplexity_before": before.get("perplexity"), "held_out_perplexity_after": after.get("perplexity"),
        "held_out_perplexity_ci_before": before.get("perplexity_ci"),
        "held_out_perplexity_ci_after": after.get("perplexity_ci"),
        "held_out_bits_per_byte_before": before.get("bits_per_byte"),
        "held_out_bits_per_byte_after": after.get("bits_per_byte"),
        "held_out_tokens": before.get("tokens"),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<42} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
