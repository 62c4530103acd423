"""LoRA fine-tuning of a registered GGUF model, on the CPU or on a GPU that torch sees.

The path, each step a well-kept library:

1. transformers reads the GGUF file itself (``from_pretrained(folder, gguf_file=name)``),
   dequantised to float32 (bfloat16 on a GPU): llama-architecture models (SmolLM2) and Gemma 3.
2. PEFT wraps the attention and MLP projections with LoRA matrices; only those train.
3. The loop is ours, because it must be resumable after a kill and report what a writer needs:
   AdamW, linear warm-up then cosine decay, gradient accumulation up to the batch size, loss on
   the completion only for edit-log examples, validation loss every ``eval_every`` steps and at
   each epoch's end, early stopping after ``patience`` evaluations without improvement (the best
   adapter is kept), then DPO (reference = the base, i.e. the adapter switched off) when the edit
   log holds enough preference pairs.
4. ``checkpoint.pt`` (adapter, optimizer, scheduler, position, history, random state) is
   written atomically every ``save_every`` steps: ``scenewright train`` run again with the same
   output folder resumes where the killed run stopped, on the same data (a fingerprint checks it).
5. ``engine.training.convert`` turns the best adapter into a GGUF LoRA for llama.cpp.

torch, transformers and peft come from the ``train`` extra (``pip install 'scenewright[train]'``);
nothing else in Scenewright imports them.
"""

from __future__ import annotations

import json
import math
import random
import resource
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from .data import Example, Pair, TrainingData
from .errors import TrainingError  # noqa: F401  (imported from here by the CLI)

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class TrainConfig:
    batch_size: int = 8  # examples per optimizer step (the seed: 8-16)
    micro_batch: int = 2  # examples per forward pass (memory); gradients accumulate up to batch_size
    learning_rate: float = 5e-5  # the seed: 1e-5 .. 5e-5
    epochs: int = 3  # the seed: 3-5
    max_steps: int | None = None  # stop after this many optimizer steps (a short run)
    block_size: int = 256  # tokens per example at most
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    warmup_fraction: float = 0.05
    eval_every: int = 50  # steps between validation losses (and at each epoch's end)
    patience: int = 2  # evaluations without improvement before stopping
    save_every: int = 10  # steps between checkpoints
    dpo_beta: float = 0.1
    dpo_epochs: int = 1
    seed: int = 0
    device: str = "auto"  # "auto" (cuda when torch sees one), "cpu", "cuda"
    threads: int | None = None  # torch's CPU threads (default: torch's own choice)

    def check(self) -> None:
        if not 1 <= self.micro_batch <= self.batch_size:
            raise TrainingError(f"micro batch {self.micro_batch}: from 1 to the batch size ({self.batch_size})")
        if not 0 < self.learning_rate < 1:
            raise TrainingError(f"learning rate {self.learning_rate}: between 0 and 1 (the seed uses 1e-5 to 5e-5)")
        if self.epochs < 1 or self.block_size < 16 or self.rank < 1:
            raise TrainingError("epochs, rank must be at least 1 and the block size at least 16 tokens")


@dataclass
class Progress:
    phase: str  # "sft" or "dpo"
    step: int
    total: int
    epoch: int
    loss: float
    tokens_per_s: float
    val_loss: float | None = None
    best_val: float | None = None
    note: str = ""


@dataclass
class TrainResult:
    adapter_dir: Path  # the best adapter (PEFT format)
    steps: int
    tokens: int
    seconds: float
    tokens_per_s: float
    peak_memory_mb: float
    val_before: float | None
    val_after: float | None
    best_val: float | None
    stopped_early: bool
    resumed_from: int | None
    device: str
    history: list[dict[str, Any]] = field(default_factory=list)
    dpo: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["adapter_dir"] = str(self.adapter_dir)
        return d


def require_training_stack():
    """(torch, transformers, peft), or TrainingError saying how to install them."""
    import warnings

    # transformers' and peft's deprecation notes and "no config next to the GGUF" are not the writer's concern
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(transformers|peft)\.")
    warnings.filterwarnings("ignore", message=r"Could not find a config file", category=UserWarning)
    missing = []
    mods = []
    for name in ("torch", "transformers", "peft"):
        try:
            mods.append(__import__(name))
        except ImportError:
            missing.append(name)
    if missing:
        raise TrainingError(
            f"training needs {', '.join(missing)}, which are not installed: pip install 'scenewright[train]' "
            "(about 1 GB: torch for the CPU, transformers, peft). Writing never needs them."
        )
    return tuple(mods)


def load_base(gguf_path: Path, device: str):
    """(model, tokenizer) from a GGUF file, dequantised; TrainingError when transformers cannot read it."""
    torch, transformers, _ = require_training_stack()
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        model = transformers.AutoModelForCausalLM.from_pretrained(
            str(gguf_path.parent), gguf_file=gguf_path.name, dtype=dtype)
    except (ValueError, KeyError, NotImplementedError, OSError) as exc:
        raise TrainingError(f"{gguf_path.name}: transformers cannot load this GGUF file for training ({exc}). "
                            "Trainable: llama-architecture models (SmolLM2) and Gemma 3; see the README.") from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model.to(device), tokenizer


def pick_device(choice: str) -> str:
    torch, _, _ = require_training_stack()
    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if choice == "cuda" and not torch.cuda.is_available():
        raise TrainingError("--device cuda: torch sees no GPU here (torch.cuda.is_available() is False)")
    return choice


class Encoded:
    """Token ids and label masks of examples, cut to the block size (prompts lose their start)."""

    def __init__(self, tokenizer, examples: list[Example], block_size: int):
        self.items: list[tuple[list[int], list[int]]] = []
        bos = [tokenizer.bos_token_id] if getattr(tokenizer, "add_bos_token", False) and tokenizer.bos_token_id is not None else []
        eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
        for ex in examples:
            completion = tokenizer(ex.completion, add_special_tokens=False).input_ids + eos
            prompt = tokenizer(ex.prompt, add_special_tokens=False).input_ids if ex.prompt else []
            if not prompt:
                ids = bos + completion
                for start in range(0, len(ids), block_size):
                    chunk = ids[start : start + block_size]
                    if len(chunk) >= 2:
                        self.items.append((chunk, [1] * len(chunk)))
                continue
            completion = completion[: block_size // 2] if len(completion) > block_size // 2 else completion
            room = block_size - len(completion) - len(bos)
            prompt = prompt[-room:] if room > 0 else []
            ids = bos + prompt + completion
            self.items.append((ids, [0] * (len(bos) + len(prompt)) + [1] * len(completion)))

    def __len__(self) -> int:
        return len(self.items)

    def tokens(self) -> int:
        return sum(len(ids) for ids, _ in self.items)


def _batch(torch, items, pad_id: int, device: str):
    width = max(len(ids) for ids, _ in items)
    input_ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    labels = torch.full((len(items), width), -100, dtype=torch.long)
    for row, (ids, mask) in enumerate(items):
        n = len(ids)
        input_ids[row, :n] = torch.tensor(ids)
        attention[row, :n] = 1
        labels[row, :n] = torch.tensor([t if m else -100 for t, m in zip(ids, mask)])
    return input_ids.to(device), attention.to(device), labels.to(device)


def _loss_sums(torch, model, items, pad_id: int, device: str):
    """(sum of token negative log-likelihoods, number of tokens learnt) of a micro batch."""
    input_ids, attention, labels = _batch(torch, items, pad_id, device)
    logits = model(input_ids=input_ids, attention_mask=attention).logits[:, :-1].float()
    target = labels[:, 1:]
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1),
                                            ignore_index=-100, reduction="sum")
    return nll, int((target != -100).sum())


def validation_loss(model, encoded: Encoded, pad_id: int, device: str, micro_batch: int) -> float | None:
    torch, _, _ = require_training_stack()
    if not len(encoded):
        return None
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(encoded), micro_batch):
            nll, n = _loss_sums(torch, model, encoded.items[start : start + micro_batch], pad_id, device)
            total += float(nll)
            count += n
    if was_training:
        model.train()
    return total / count if count else None


def _save_atomic(torch, obj, path: Path) -> None:
    """``torch.save`` through the project's atomic writer: a kill leaves the last whole checkpoint."""
    import io

    from engine.atomicfile import write_atomic

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    write_atomic(path, buffer.getvalue())


def _peak_memory_mb(torch, device: str) -> float:
    if device == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def train(
    gguf_path: Path,
    data: TrainingData,
    out_dir: Path,
    config: TrainConfig = TrainConfig(),
    *,
    progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train (or resume) a LoRA adapter into ``out_dir``; the best one is ``out_dir/adapter``."""
    config.check()
    torch, _, peft = require_training_stack()
    if not data.train:
        raise TrainingError("nothing to train on: add trainable scripts (`scenewright corpus add FILE --licence own`) "
                            "or accept suggestions in the editor, so that the edit log has writer's texts")
    progress = progress or (lambda p: None)
    should_stop = should_stop or (lambda: False)
    device = pick_device(config.device)
    if config.threads:
        torch.set_num_threads(config.threads)
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = out_dir / "checkpoint.pt"
    fingerprint = data.fingerprint()
    settings = {"model": str(gguf_path), "data": fingerprint} | {
        k: v for k, v in asdict(config).items() if k not in ("device", "threads", "max_steps", "save_every")}

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    model, tokenizer = load_base(gguf_path, device)
    lora = peft.LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                           target_modules=list(TARGET_MODULES), task_type="CAUSAL_LM")
    model = peft.get_peft_model(model, lora)
    pad_id = tokenizer.pad_token_id
    train_set = Encoded(tokenizer, data.train, config.block_size)
    val_set = Encoded(tokenizer, data.val, config.block_size)
    accumulate = max(1, config.batch_size // config.micro_batch)
    steps_per_epoch = max(1, math.ceil(len(train_set) / config.batch_size))
    total = steps_per_epoch * config.epochs
    if config.max_steps:
        total = min(total, config.max_steps)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
    warmup = max(1, int(total * config.warmup_fraction))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    state = {"step": 0, "tokens": 0, "seconds": 0.0, "best_val": None, "bad_evals": 0, "val_before": None,
             "history": [], "stopped_early": False, "done": False}
    resumed_from = None
    if ckpt_path.exists():
        saved = torch.load(ckpt_path, map_location=device, weights_only=False)
        if saved.get("settings") != settings:
            changed = sorted(k for k in settings if saved.get("settings", {}).get(k) != settings[k])
            raise TrainingError(f"{out_dir} holds a run with other settings or data ({', '.join(changed)}): "
                                "give another --output, or delete the folder to start over")
        peft.set_peft_model_state_dict(model, saved["adapter"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["rng"])
        state = saved["state"]
        resumed_from = state["step"]
    best_dir = out_dir / "adapter"

    def save_best() -> None:
        model.save_pretrained(best_dir)

    def checkpoint() -> None:
        _save_atomic(torch, {"settings": settings, "adapter": peft.get_peft_model_state_dict(model),
                             "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                             "rng": torch.get_rng_state(), "state": state}, ckpt_path)

    def evaluate(epoch: int) -> float | None:
        val = validation_loss(model, val_set, pad_id, device, config.micro_batch)
        if val is None:
            return None
        state["history"].append({"step": state["step"], "epoch": epoch, "val_loss": val})
        if state["best_val"] is None or val < state["best_val"] - 1e-4:
            state["best_val"] = val
            state["bad_evals"] = 0
            save_best()
        else:
            state["bad_evals"] += 1
        return val

    if state["val_before"] is None:
        state["val_before"] = validation_loss(model, val_set, pad_id, device, config.micro_batch)
        if state["val_before"] is not None:
            state["best_val"] = state["val_before"]
            save_best()  # the untrained adapter (B = 0): "no better than the base" is kept if nothing beats it
    model.train()
    val_loss = None
    while not state["done"] and state["step"] < total:
        epoch = state["step"] // steps_per_epoch
        order = list(range(len(train_set)))
        random.Random(config.seed * 1000 + epoch).shuffle(order)
        in_epoch = state["step"] % steps_per_epoch
        begin = time.perf_counter()
        items = [train_set.items[i] for i in order[in_epoch * config.batch_size : (in_epoch + 1) * config.batch_size]]
        learnt = sum(sum(mask) for _, mask in items) or 1
        loss_value = 0.0
        for k in range(0, len(items), config.micro_batch):
            nll, _ = _loss_sums(torch, model, items[k : k + config.micro_batch], pad_id, device)
            loss = nll / learnt
            loss.backward()
            loss_value += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        elapsed = time.perf_counter() - begin
        state["step"] += 1
        state["tokens"] += sum(len(ids) for ids, _ in items)
        state["seconds"] += elapsed
        end_of_epoch = state["step"] % steps_per_epoch == 0 or state["step"] == total
        val_loss = None
        if end_of_epoch or state["step"] % config.eval_every == 0:
            val_loss = evaluate(epoch)
            if state["bad_evals"] >= config.patience:
                state["stopped_early"] = True
                state["done"] = True
        state["history"].append({"step": state["step"], "epoch": epoch, "loss": loss_value})
        tps = sum(len(ids) for ids, _ in items) / elapsed if elapsed > 0 else 0.0
        progress(Progress("sft", state["step"], total, epoch + 1, loss_value, tps, val_loss, state["best_val"]))
        if state["step"] % config.save_every == 0 or end_of_epoch or state["done"] or state["step"] == total:
            checkpoint()
        if should_stop():
            checkpoint()
            raise TrainingError(f"stopped at step {state['step']} of {total}; run the same command again to resume")
    if state["best_val"] is None:  # no validation data: the last adapter is the one
        save_best()

    dpo_report = None
    if data.pairs and not state.get("dpo_done"):
        dpo_report = _dpo(torch, peft, model, tokenizer, data, config, device, best_dir, progress)
        state["dpo_done"] = True
        state["dpo"] = dpo_report
        checkpoint()
    dpo_report = dpo_report or state.get("dpo")
    if best_dir.exists():
        peft.set_peft_model_state_dict(model, _load_adapter(best_dir))
    val_after = validation_loss(model, val_set, pad_id, device, config.micro_batch)
    from .convert import write_base_config

    write_base_config(model, out_dir / "base")  # what llama.cpp's converter reads (config only)
    seconds = state["seconds"]
    result = TrainResult(best_dir, state["step"], state["tokens"], seconds,
                         state["tokens"] / seconds if seconds else 0.0, _peak_memory_mb(torch, device),
                         state["val_before"], val_after, state["best_val"], state["stopped_early"], resumed_from,
                         device, state["history"], dpo_report)
    from engine.atomicfile import write_atomic

    write_atomic(out_dir / "train.json", json.dumps(result.as_dict(), indent=2) + "\n")
    return result


def _load_adapter(adapter_dir: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(adapter_dir / "adapter_model.safetensors"))


def _dpo(torch, peft, model, tokenizer, data: TrainingData, config: TrainConfig, device: str, best_dir: Path,
         progress: Callable[[Progress], None]) -> dict[str, Any]:
    """Direct preference optimisation on (writer's text, raw suggestion) pairs; the reference model
    is the base (the adapter disabled). The adapter is kept when the held-out preference margin
    improves."""
    if best_dir.exists():
        peft.set_peft_model_state_dict(model, _load_adapter(best_dir))
    pad_id = tokenizer.pad_token_id

    def encode(pairs: list[Pair]):
        chosen = Encoded(tokenizer, [Example(p.prompt, p.chosen, "editlog") for p in pairs], config.block_size)
        rejected = Encoded(tokenizer, [Example(p.prompt, p.rejected, "editlog") for p in pairs], config.block_size)
        return list(zip(chosen.items, rejected.items))

    def logp(items) -> Any:
        input_ids, attention, labels = _batch(torch, items, pad_id, device)
        logits = model(input_ids=input_ids, attention_mask=attention).logits[:, :-1].float()
        target = labels[:, 1:]
        mask = target != -100
        picked = torch.gather(logits.log_softmax(-1), 2, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        return (picked * mask).sum(-1)

    def margins(pairs_enc) -> tuple[Any, Any]:
        items = [c for c, _ in pairs_enc] + [r for _, r in pairs_enc]
        policy = logp(items)
        with torch.no_grad(), model.disable_adapter():
            ref = logp(items)
        n = len(pairs_enc)
        return (policy[:n] - ref[:n]) - (policy[n:] - ref[n:]), policy

    def held_out_accuracy(pairs_enc) -> float | None:
        if not pairs_enc:
            return None
        model.eval()
        with torch.no_grad():
            m, _ = margins(pairs_enc)
        model.train()
        return float((m > 0).float().mean())

    train_pairs = encode(data.pairs)
    val_pairs = encode(data.val_pairs)
    before = held_out_accuracy(val_pairs)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate)
    steps = max(1, math.ceil(len(train_pairs) / config.micro_batch)) * config.dpo_epochs
    step = 0
    model.train()
    for epoch in range(config.dpo_epochs):
        for k in range(0, len(train_pairs), config.micro_batch):
            begin = time.perf_counter()
            chunk = train_pairs[k : k + config.micro_batch]
            m, _ = margins(chunk)
            loss = -torch.nn.functional.logsigmoid(config.dpo_beta * m).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            tokens = sum(len(c[0]) + len(r[0]) for c, r in chunk)
            progress(Progress("dpo", step, steps, epoch + 1, float(loss.detach()), tokens / (time.perf_counter() - begin)))
    after = held_out_accuracy(val_pairs)
    kept = before is None or after is None or after >= before
    if kept:
        model.save_pretrained(best_dir)
    return {"pairs": len(train_pairs), "held_out_pairs": len(val_pairs), "accuracy_before": before,
            "accuracy_after": after, "kept": kept, "steps": step}
