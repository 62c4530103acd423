"""Text-similarity and proportion measures for the evaluation.

* ``edit_distance``: character-level Levenshtein distance / the longer length (rapidfuzz), the
  measure of the Dramatron study (0: kept as is, 1: nothing kept).
* ``sentence_bleu``: sacreBLEU's sentence BLEU (0..100) of one hypothesis against one
  reference, with its defaults: the ``13a`` tokenizer (mteval-v13a, as WMT), smoothing ``exp``
  (Chen & Cherry 2014 method 3, NIST) and effective order, so the figures compare with papers.
  sacrebleu is imported on first use (about 0.1 s; only ``scenewright eval`` needs it).
* ``rouge_l``: ROUGE-L F1 (Lin 2004: longest common subsequence of words, F-measure with
  beta = 1, as Google's ``rouge-score`` reports it) on lower-cased alphanumeric words; the LCS
  itself is rapidfuzz's ``LCSseq``.
* ``wilson_interval``: the Wilson score interval of a proportion (A/B win rates).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from rapidfuzz.distance import LCSseq

from .store import edit_distance

__all__ = ["edit_distance", "rouge_l", "sentence_bleu", "tokenize_13a", "wilson_interval", "words"]

_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _bleu():
    from sacrebleu.metrics import BLEU

    return BLEU(effective_order=True)


def tokenize_13a(text: str) -> list[str]:
    """mteval-v13a tokenization (punctuation split off, numbers kept whole), as sacreBLEU does it."""
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    return Tokenizer13a()(text.rstrip()).split()


def sentence_bleu(hypothesis: str, reference: str) -> float:
    """Smoothed sentence-level BLEU (0..100) of ``hypothesis`` against ``reference`` (sacreBLEU)."""
    return float(_bleu().sentence_score(hypothesis, [reference]).score)


def words(text: str) -> list[str]:
    """Lower-cased runs of letters and digits (rouge-score's tokenization, for any script)."""
    return _WORD.findall(text.lower())


def rouge_l(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 (0..1): LCS of words; precision over the hypothesis, recall over the reference."""
    hyp, ref = words(hypothesis), words(reference)
    if not hyp or not ref:
        return 0.0
    lcs = LCSseq.similarity(hyp, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(hyp), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def wilson_interval(successes: int, trials: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of ``successes / trials``; (0, 1) with no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)
