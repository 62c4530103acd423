"""``scenewright bench training``: our LoRA loop against Hugging Face's ``Trainer`` on the same work.

Both sides train the same LoRA (rank, alpha, target modules of ``engine.training.lora``) on the same
model, loaded the same way (transformers reading the GGUF file), on the same examples cut to the
same blocks, with the same batch, micro batch (gradient accumulation up to the batch), learning
rate and number of optimizer steps, each in a process of its own so that peak memory is its own:

* **ours**: ``scenewright train`` (resumable checkpoints, validation, early stopping, the GGUF
  conversion: only its step time counts for tokens/s);
* **peer**: ``transformers.Trainer`` with PEFT, the loop most people would write instead, timed
  from each optimizer step's start to its end by a callback (``engine.bench.training_peer``).

The ratio ours/peer of training tokens per second is the figure to watch (target >= 0.95: the
resumability and reporting cost nothing measurable). Also recorded: each side's peak memory, and
for ours the held-out perplexity before and after (llama.cpp scoring the base alone, then base +
the converted adapter) with its bootstrap interval.

The corpus is the project's own writing (the bundled example and the benchmark's held-out scenes,
written for Scenewright), added with licence "own" to a corpus in a temporary folder: nothing
touches the user's folders. Needs the train extra.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="smollm2-135m", help="a registered local model (default smollm2-135m)")
    p.add_argument("--steps", type=int, default=8, help="optimizer steps on each side (default 8)")
    p.add_argument("--batch-size", type=int, default=8, help="examples per step (default 8)")
    p.add_argument("--micro-batch", type=int, default=2, help="examples per forward pass (default 2)")
    p.add_argument("--lr", type=float, default=5e-5, help="learning rate (default 5e-5)")
    p.add_argument("--no-peer", action="store_true", help="ours only (no Trainer run)")
    p.add_argument("--json", action="store_true", help="one JSON object")


def sources() -> list[Path]:
    return [ROOT / "examples" / "night-shift.fountain", *sorted((ROOT / "benchmarks" / "heldout").glob("*.fountain"))]


def run(args: argparse.Namespace) -> int:
    from engine.commandline import fail

    try:
        from engine.training.lora import require_training_stack

        require_training_stack()
    except Exception as exc:  # noqa: BLE001 - TrainingError says how to install
        return fail(str(exc))
    try:
        result = measure(args)
    except RuntimeError as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    ours, peer = result["ours"], result.get("peer")
    print(f"{result['model']}: {result['steps']} steps of batch {result['batch_size']} (micro {result['micro_batch']}), "
          f"lr {result['learning_rate']}, {result['train_scenes']} training scenes, {result['held_out_scenes']} held out")
    print(f"  ours     {ours['tokens_per_s']:8.1f} tokens/s   peak {ours['peak_memory_mb']:6.0f} MB")
    if peer:
        print(f"  Trainer  {peer['tokens_per_s']:8.1f} tokens/s   peak {peer['peak_memory_mb']:6.0f} MB"
              f"   -> ours/Trainer = {result['ratio_tokens_per_s']:.3f}")
    before, after = result["held_out_perplexity_before"], result["held_out_perplexity_after"]
    if before is not None and after is not None:
        ci_b, ci_a = result["held_out_perplexity_ci_before"], result["held_out_perplexity_ci_after"]
        print(f"  held-out perplexity {before:.2f} [{ci_b[0]:.2f}, {ci_b[1]:.2f}] -> {after:.2f} "
              f"[{ci_a[0]:.2f}, {ci_a[1]:.2f}]")
    return 0


def measure(args: argparse.Namespace) -> dict:
    from engine.bench.served import user_dirs

    with tempfile.TemporaryDirectory(prefix="scenewright-train-bench-") as tmp, user_dirs(Path(tmp)) as env:
        return _measure(args, env, Path(tmp))


def _measure(args: argparse.Namespace, env: dict, tmp: Path) -> dict:
    from engine.corpus import Corpus, Metadata
    from engine.bench.model_compare import HeldOut, perplexity_of

    with Corpus.open() as corpus:
        for path in sources():
            corpus.add(path, Metadata(genre="drama", licence="own", source="written for Scenewright"))
        train_units = corpus.units("scene", "train")
        val_units = corpus.units("scene", "val")
    common = ["--model", args.model, "--steps", str(args.steps), "--batch-size", str(args.batch_size),
              "--micro-batch", str(args.micro_batch), "--lr", str(args.lr)]
    scenewright = str(Path(sys.executable).with_name("scenewright"))
    ours_cmd = [scenewright, "train", "bench-adapter", "--model", args.model, "--from", "corpus",
                "--max-steps", str(args.steps), "--epochs", "100", "--batch-size", str(args.batch_size),
                "--micro-batch", str(args.micro_batch), "--lr", str(args.lr),
                "--eval-every", str(max(1, args.steps // 3)), "--patience", "100", "--output", str(tmp / "run"),
                "--json"]
    started = time.perf_counter()
    ours = _json_of(subprocess.run(ours_cmd, env=env, capture_output=True, text=True), "scenewright train")
    wall = time.perf_counter() - started
    peer = None
    if not args.no_peer:
        peer_cmd = [sys.executable, "-m", "engine.bench.training_peer", *common[:2], *common[2:]]
        peer = _json_of(subprocess.run(peer_cmd, env=env, capture_output=True, text=True, cwd=ROOT),
                        "the Trainer peer")

    held = [HeldOut(f"val#{u.id}", u.text) for u in val_units] or [HeldOut(f"train#{u.id}", u.text) for u in train_units[:3]]
    before = perplexity_of(args.model, held)
    after = perplexity_of("bench-adapter", held)
    ours_fig = {"tokens": ours["tokens"], "seconds": ours["seconds"], "tokens_per_s": ours["tokens_per_s"],
                "peak_memory_mb": ours["peak_memory_mb"], "wall_seconds_with_loading_and_conversion": wall,
                "val_loss_before": ours["val_before"], "val_loss_after": ours["val_after"]}
    return {
        "model": args.model, "steps": ours["steps"], "batch_size": args.batch_size, "micro_batch": args.micro_batch,
        "learning_rate": args.lr, "train_scenes": len(train_units), "held_out_scenes": len(val_units),
        "ours": ours_fig, "peer": peer, "peer_name": None if peer is None else "transformers.Trainer + peft",
        "ratio_tokens_per_s": (ours["tokens_per_s"] / peer["tokens_per_s"]) if peer and peer["tokens_per_s"] else None,
        "held_out_perplexity_before": before.get("perplexity"), "held_out_perplexity_after": after.get("perplexity"),
        "held_out_perplexity_ci_before": before.get("perplexity_ci"),
        "held_out_perplexity_ci_after": after.get("perplexity_ci"),
        "held_out_bits_per_byte_before": before.get("bits_per_byte"),
        "held_out_bits_per_byte_after": after.get("bits_per_byte"),
        "held_out_tokens": before.get("tokens"),
    }


def _json_of(done: subprocess.CompletedProcess, what: str) -> dict:
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n{done.stderr.strip()[-2000:]}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:  # Trainer prints its own summary first: ours is the last line
        return json.loads(done.stdout.strip().splitlines()[-1])
