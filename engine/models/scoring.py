"""Scoring text with a loaded ``Llama``, in the model process: each token's negative
log-likelihood over a sliding window (``engine.editlog.perplexity.PerplexityScorer`` asks the
model process for these, ``op_token_nll``)."""

from __future__ import annotations

from typing import Any

import numpy as np


def token_logprobs(scores: np.ndarray, rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``log_softmax(scores[row])[target]`` for each (row, target), in float64, 32 rows at a time."""
    out = np.empty(len(rows), dtype=np.float64)
    for start in range(0, len(rows), 32):
        block = scores[rows[start : start + 32]].astype(np.float64)
        peak = block.max(axis=1, keepdims=True)
        lse = peak[:, 0] + np.log(np.exp(block - peak).sum(axis=1))
        out[start : start + 32] = block[np.arange(len(block)), targets[start : start + 32]] - lse
    return out



class LlamaScorer:
    """The model-process side of ``PerplexityScorer``: the ``Llama`` and the sliding window."""

    def __init__(self, entry: Any, path: Any, window: int, threads: int):
        from engine.models.llama_backend import open_llama

        self.window = window
        self.llm = open_llama(entry, path, n_threads=threads, n_threads_batch=threads, logits_all=True, n_ctx=window)
        self.adds_bos = bool(self.llm._model.add_bos_token())

    def tokenize(self, text: str, add_bos: bool) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos)

    def tokens_for(self, text: str, context: str = "") -> tuple[list[int], int]:
        """The token ids, and the index of the first one to score."""
        if context:
            head = self.tokenize(context, True)
            tail = self.tokenize(text, False)
            return head + tail, max(1, len(head))
        return self.tokenize(text, True), 1

    def token_nll(self, text: str, context: str, stride: int) -> tuple[list[int], np.ndarray, np.ndarray]:
        tokens, first = self.tokens_for(text, context)
        n = len(tokens)
        bos = tokens[0] if self.adds_bos and tokens else None
        positions_out: list[np.ndarray] = []
        nll_out: list[np.ndarray] = []
        ids = np.asarray(tokens)
        pos = first
        llm = self.llm
        while pos < n:
            end = min(n, self.window) if pos + stride <= self.window else min(n, pos + stride)
            begin = max(0, end - self.window)
            window = list(tokens[begin:end])
            if begin > 0 and bos is not None:
                window[0] = bos  # a model trained with BOS reads garbage without it (Gemma)
            llm.reset()
            llm.eval(window)
            scores = np.asarray(llm.scores[: end - begin])
            positions = np.arange(pos, end)
            positions_out.append(positions)
            nll_out.append(-token_logprobs(scores, positions - 1 - begin, ids[positions]))
            pos = end
        if not positions_out:
            return tokens, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        return tokens, np.concatenate(positions_out), np.concatenate(nll_out)

    def detokenize(self, tokens: list[int]) -> str:
        return self.llm.detokenize(list(tokens)).decode("utf-8", "replace")

    def echo_logprobs(self, text: str) -> list[float | None]:
        out = self.llm.create_completion(text, max_tokens=1, echo=True, logprobs=1, temperature=0.0)
        return out["choices"][0]["logprobs"]["token_logprobs"]

    def close(self) -> None:
        try:
            self.llm.close()
        except Exception:  # noqa: BLE001
            pass
