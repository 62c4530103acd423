"""What a fine-tune reads: corpus texts (language modelling) and edit-log decisions (SFT, DPO).

Everything here is plain Python (no torch): lists of ``Example`` that the trainer tokenises.

* Corpus units (scenes, or dialogue exchanges) of trainable scripts: the whole text is learnt.
  Train and validation follow the corpus's own split (by scene), so held-out scenes never train.
* The edit log's accepted suggestions: the prompt the model had is read, the writer's final text
  is learnt (SFT, loss on the completion only).
* The edit log's changed suggestions: (prompt, the writer's text, the raw suggestion) preference
  pairs for DPO, used when there are at least ``MIN_DPO_PAIRS``.

Edit-log rows are split into train and validation by the same hash of the suggestion id as
``scenewright dataset export``, so one suggestion stays on one side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engine.hashing import text_sha256

MIN_DPO_PAIRS = 16


@dataclass(frozen=True)
class Example:
    prompt: str  # read, not learnt ("" for corpus text)
    completion: str  # learnt
    source: str  # "corpus" or "editlog"


@dataclass(frozen=True)
class Pair:
    prompt: str
    chosen: str
    rejected: str


@dataclass(frozen=True)
class TrainingData:
    train: list[Example]
    val: list[Example]
    pairs: list[Pair]  # DPO, from the training side of the edit log
    val_pairs: list[Pair]
    described: dict[str, Any]  # counts per source, for the report

    def fingerprint(self) -> str:
        """A hash of everything trained on: a resumed run must see the same data."""
        items = (item for part in (self.train, self.val, self.pairs) for item in part)
        return text_sha256("".join(json.dumps(item.__dict__, sort_keys=True) + "\0" for item in items))[:16]


def gather(*, corpus=None, kind: str = "scene", balance: bool = True, log=None, filters=None,
           val_fraction: float = 0.1) -> TrainingData:
    """The examples of the corpus and/or the edit log (either may be None)."""
    train: list[Example] = []
    val: list[Example] = []
    pairs: list[Pair] = []
    val_pairs: list[Pair] = []
    described: dict[str, Any] = {}
    if corpus is not None:
        train_units = corpus.training_units(kind, "train", balance)
        val_units = corpus.training_units(kind, "val", False)
        train += [Example("", u.text, "corpus") for u in train_units]
        val += [Example("", u.text, "corpus") for u in val_units]
        described["corpus"] = {"kind": kind, "balanced": balance, "train": len(train_units), "val": len(val_units),
                               "genres": sorted({u.genre or "(none)" for u in train_units})}
    if log is not None:
        from engine.editlog.datasets import in_validation, rows_for
        from engine.editlog.records import Filters, select_records

        records = select_records(log, filters or Filters(exportable_only=True))
        sft = rows_for(records, "prompt-completion")
        dpo = rows_for(records, "dpo")
        n_train = n_val = 0
        for row in sft:
            ex = Example(row.fields["prompt"], row.fields["completion"], "editlog")
            if in_validation(row.group, val_fraction):
                val.append(ex)
                n_val += 1
            else:
                train.append(ex)
                n_train += 1
        for row in dpo:
            pair = Pair(row.fields["prompt"], row.fields["chosen"], row.fields["rejected"])
            (val_pairs if in_validation(row.group, val_fraction) else pairs).append(pair)
        described["editlog"] = {"sft_train": n_train, "sft_val": n_val, "dpo_pairs": len(pairs),
                                "dpo_used": len(pairs) >= MIN_DPO_PAIRS}
        if len(pairs) < MIN_DPO_PAIRS:
            pairs, val_pairs = [], []
    if train and not val:
        # nothing held out (a tiny corpus): keep every tenth example aside for early stopping
        val = train[::10]
        train = [ex for i, ex in enumerate(train) if i % 10] or val
        described["val_from_train"] = True
    return TrainingData(train, val, pairs, val_pairs, described)
