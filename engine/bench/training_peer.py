"""The training benchmark's peer: ``transformers.Trainer`` + PEFT on the same LoRA, model and examples.

    python -m engine.bench.training_peer --model NAME --steps N --batch-size B --micro-batch M --lr LR

Reads the corpus of ``$SCENEWRIGHT_DATA_DIR`` as ``scenewright train --from corpus`` does, encodes it
with ``engine.training.lora.Encoded`` (same blocks), and prints one JSON object: tokens fed, the
seconds spent inside optimizer steps (a callback from each step's start to its end, as our loop
counts them), tokens/s and the process's peak memory. Run by ``scenewright bench training``.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--micro-batch", type=int, required=True)
    p.add_argument("--lr", type=float, required=True)
    args = p.parse_args()

    from engine.corpus import Corpus
    from engine.models import load_registry, resolve
    from engine.training.data import gather
    from engine.training.lora import TARGET_MODULES, Encoded, TrainConfig, load_base, require_training_stack

    torch, transformers, peft = require_training_stack()
    config = TrainConfig()
    with Corpus.open() as corpus:
        data = gather(corpus=corpus, kind="scene", balance=True)
    torch.manual_seed(config.seed)
    model, tokenizer = load_base(resolve(load_registry().get(args.model)), "cpu")
    # transformers marks a model read from GGUF as "quantized" although its weights are dequantised
    # float32 (what our loop trains too); Trainer refuses such a model, so the mark is taken off
    model.hf_quantizer = None
    model.is_quantized = False
    model = peft.get_peft_model(model, peft.LoraConfig(
        r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout, target_modules=list(TARGET_MODULES),
        task_type="CAUSAL_LM"))
    items = Encoded(tokenizer, data.train, config.block_size).items
    pad = tokenizer.pad_token_id
    fed = {"tokens": 0}

    def collate(batch):
        width = max(len(ids) for ids, _ in batch)
        fed["tokens"] += sum(len(ids) for ids, _ in batch)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        for row, (ids, mask) in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            attention[row, : len(ids)] = 1
            labels[row, : len(ids)] = torch.tensor([t if m else -100 for t, m in zip(ids, mask)])
        return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}

    timing = {"seconds": 0.0, "began": None, "steps": 0}

    class StepTimer(transformers.TrainerCallback):
        def on_step_begin(self, *_, **__):
            timing["began"] = time.perf_counter()

        def on_step_end(self, *_, **__):
            if timing["began"] is not None:
                timing["seconds"] += time.perf_counter() - timing["began"]
                timing["steps"] += 1

    with tempfile.TemporaryDirectory(prefix="scenewright-trainer-peer-") as out:
        training_args = transformers.TrainingArguments(
            output_dir=out, per_device_train_batch_size=args.micro_batch,
            gradient_accumulation_steps=max(1, args.batch_size // args.micro_batch), learning_rate=args.lr,
            max_steps=args.steps, lr_scheduler_type="cosine", warmup_steps=max(1, int(args.steps * config.warmup_fraction)),
            weight_decay=0.0, max_grad_norm=1.0, save_strategy="no", report_to=[], logging_steps=10**6,
            use_cpu=True, dataloader_num_workers=0, seed=config.seed, remove_unused_columns=False,
            disable_tqdm=True)
        trainer = transformers.Trainer(model=model, args=training_args, train_dataset=items, data_collator=collate,
                                       callbacks=[StepTimer()])
        started = time.perf_counter()
        output = trainer.train()
        whole = time.perf_counter() - started
    seconds = timing["seconds"] or whole
    print(json.dumps({
        "steps": timing["steps"] or args.steps, "tokens": fed["tokens"], "seconds": seconds,
        "tokens_per_s": fed["tokens"] / seconds if seconds else 0.0, "train_seconds_whole": whole,
        "train_loss": output.training_loss,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
