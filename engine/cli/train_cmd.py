"""``scenewright train NAME [--model BASE] [--from corpus,editlog] ...``: a LoRA adapter, registered as a model."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from engine.cli.common import fail
from engine.cli.corpus_cmd import add_corpus_argument


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="fine-tune a LoRA adapter on the corpus and/or the edit log; it becomes a model",
        description="Train a LoRA adapter for a local model on the corpus's trainable scenes and/or the edit log "
        "(SFT on the writer's texts; DPO from changed suggestions when there are enough), then convert it to GGUF "
        "and add it to your models.toml as NAME (base + adapter). Killed or stopped with Ctrl+C, the same command "
        "resumes from the last checkpoint. Needs the train extra: pip install 'scenewright[train]'.",
    )
    p.add_argument("name", help="the new model's name in models.toml (e.g. my-voice)")
    p.add_argument("--model", metavar="BASE", help="the local model to adapt (default: the default model)")
    p.add_argument("--from", dest="sources", default="corpus,editlog", metavar="SOURCES",
                   help="corpus, editlog or both (default: corpus,editlog; a source with nothing in it is skipped)")
    p.add_argument("--kind", choices=("scene", "exchange"), default="scene",
                   help="corpus units: whole scenes, or dialogue exchanges only (default: scene)")
    p.add_argument("--no-balance", action="store_true", help="do not cut each genre to the smallest genre's size")
    p.add_argument("--batch-size", type=int, default=8, help="examples per step (default 8; the seed: 8-16)")
    p.add_argument("--micro-batch", type=int, default=2, help="examples per forward pass (memory; default 2)")
    p.add_argument("--lr", type=float, default=5e-5, help="learning rate (default 5e-5; the seed: 1e-5..5e-5)")
    p.add_argument("--epochs", type=int, default=3, help="epochs (default 3; the seed: 3-5)")
    p.add_argument("--max-steps", type=int, help="stop after N steps (a short run)")
    p.add_argument("--block-size", type=int, default=256, help="tokens per example at most (default 256)")
    p.add_argument("--rank", type=int, default=8, help="LoRA rank (default 8)")
    p.add_argument("--alpha", type=int, default=16, help="LoRA alpha (default 16)")
    p.add_argument("--eval-every", type=int, default=50, help="steps between validation losses (default 50)")
    p.add_argument("--patience", type=int, default=2, help="evaluations without improvement before stopping")
    p.add_argument("--save-every", type=int, default=10, help="steps between checkpoints (default 10)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="auto: the GPU when torch sees one (default)")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--output", metavar="DIR", help="the run's folder (default: adapters/NAME in the data folder)")
    p.add_argument("--no-register", action="store_true", help="do not add NAME to models.toml")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    add_corpus_argument(p)
    p.add_argument("--db", metavar="PATH", help="the edit log file (default: editlog.sqlite3 in the data folder)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.models import ModelError, load_registry, resolve
    from engine.models.registry import _NAME
    from engine.paths import data_dir
    from engine.tomlconf import ConfigError
    from engine.training.data import gather

    sources = {s.strip() for s in args.sources.split(",") if s.strip()}
    if not sources or sources - {"corpus", "editlog"}:
        return fail(f"--from {args.sources!r}: corpus, editlog or corpus,editlog")
    if not _NAME.match(args.name):
        return fail(f"{args.name!r}: model names use letters, digits, '.', '_' and '-'")
    try:
        from engine.training.lora import TrainConfig, TrainingError, require_training_stack

        require_training_stack()
    except Exception as exc:  # noqa: BLE001 - TrainingError: how to install
        return fail(str(exc))
    try:
        registry = load_registry()
        entry = registry.get(args.model)
        if entry.is_remote:
            return fail(f"{entry.name} is served by {entry.base_url}: train an adapter for a local GGUF model")
        if entry.adapter is not None:
            return fail(f"{entry.name} is already an adapter (of {entry.base}): train from its base, --model {entry.base}")
        if args.name in registry.models and registry.models[args.name].adapter is None:
            return fail(f"{args.name} is a model of models.toml already (not an adapter): choose another name")
        gguf = resolve(entry)
    except (ModelError, ConfigError) as exc:
        return fail(str(exc))

    corpus = log = None
    try:
        if "corpus" in sources:
            from engine.cli.corpus_cmd import open_corpus

            corpus = open_corpus(args)
        if "editlog" in sources:
            from engine.editlog import EditLog

            log = EditLog.open(args.db)
        data = gather(corpus=corpus, kind=args.kind, balance=not args.no_balance, log=log)
    except Exception as exc:  # noqa: BLE001 - CorpusError / EditLogError name the file
        return fail(str(exc))
    finally:
        for store in (corpus, log):
            if store is not None:
                store.close()

    config = TrainConfig(batch_size=args.batch_size, micro_batch=min(args.micro_batch, args.batch_size),
                         learning_rate=args.lr, epochs=args.epochs, max_steps=args.max_steps,
                         block_size=args.block_size, rank=args.rank, alpha=args.alpha, eval_every=args.eval_every,
                         patience=args.patience, save_every=args.save_every, device=args.device, threads=args.threads)
    out_dir = Path(args.output).expanduser() if args.output else data_dir() / "adapters" / args.name
    print(f"training {args.name}: {entry.name} + LoRA r={config.rank} on {_described(data.described)}; "
          f"{len(data.train)} examples, {len(data.val)} held out -> {out_dir}", file=sys.stderr)

    stop = {"asked": False}

    def on_signal(signum, frame):  # Ctrl+C: finish the step, checkpoint, stop
        if stop["asked"]:
            raise KeyboardInterrupt
        stop["asked"] = True
        print("\nstopping after this step (Ctrl+C again to stop now)...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_signal)
    bar = _Bar()
    try:
        from engine.training.lora import train

        result = train(gguf, data, out_dir, config, progress=bar.update, should_stop=lambda: stop["asked"])
    except TrainingError as exc:
        bar.close()
        return fail(str(exc))
    finally:
        signal.signal(signal.SIGINT, previous)
    bar.close()

    from engine.training.convert import to_gguf

    try:
        adapter_file = to_gguf(result.adapter_dir, out_dir / "base", out_dir / f"{args.name}.gguf")
    except TrainingError as exc:
        return fail(f"{exc}\nThe PEFT adapter is in {result.adapter_dir}.")
    registered = None
    if not args.no_register:
        from engine.models.user_file import add_adapter_entry

        try:
            written = add_adapter_entry(args.name, base=entry.name, adapter=adapter_file.resolve(),
                                        description=f"{entry.name} + LoRA trained by scenewright train")
            registered = str(written.path)
        except (ValueError, ConfigError) as exc:
            return fail(f"the adapter is {adapter_file}, but models.toml was not changed: {exc}")
    report = result.as_dict() | {"adapter_gguf": str(adapter_file), "registered_in": registered,
                                 "data": data.described}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    before = f"{result.val_before:.3f}" if result.val_before is not None else "-"
    after = f"{result.val_after:.3f}" if result.val_after is not None else "-"
    print(f"{args.name}: {result.steps} steps, {result.tokens} tokens in {result.seconds:.0f} s "
          f"({result.tokens_per_s:.0f} tokens/s on {result.device}), peak memory {result.peak_memory_mb:.0f} MB")
    print(f"validation loss {before} -> {after}{' (stopped early)' if result.stopped_early else ''}")
    if result.dpo:
        print(f"DPO on {result.dpo['pairs']} pairs: held-out preference accuracy "
              f"{result.dpo['accuracy_before']} -> {result.dpo['accuracy_after']} (kept: {result.dpo['kept']})")
    print(f"adapter: {adapter_file}")
    if registered:
        print(f"added [models.{args.name}] to {registered}: use it with --model {args.name}, in the editor's model "
              f"list, or compare it blind: scenewright eval compare --model {entry.name} --model {args.name}")
    return 0


def _described(described: dict) -> str:
    parts = []
    if "corpus" in described:
        c = described["corpus"]
        parts.append(f"corpus {c['kind']}s ({', '.join(c['genres']) or 'no genre'})")
    if "editlog" in described:
        e = described["editlog"]
        dpo = f", {e['dpo_pairs']} DPO pairs" if e["dpo_used"] else ""
        parts.append(f"edit log ({e['sft_train']} accepted{dpo})")
    return " and ".join(parts) or "nothing"


class _Bar:
    """A tqdm bar (tqdm comes with huggingface-hub) with loss, validation loss and tokens/s."""

    def __init__(self):
        self.bar = None
        self.phase = None

    def update(self, p) -> None:
        from tqdm import tqdm

        if self.bar is None or self.phase != p.phase:
            self.close()
            self.bar = tqdm(total=p.total, initial=p.step - 1, desc=p.phase.upper(), unit="step", file=sys.stderr)
            self.phase = p.phase
        post = {"epoch": p.epoch, "loss": f"{p.loss:.3f}", "tok/s": f"{p.tokens_per_s:.0f}"}
        if p.val_loss is not None:
            post["val"] = f"{p.val_loss:.3f}"
        if p.best_val is not None:
            post["best"] = f"{p.best_val:.3f}"
        self.bar.set_postfix(post, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
