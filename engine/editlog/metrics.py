"""Text-similarity and proportion measures for the evaluation.

* ``edit_distance``: character-level Levenshtein distance / the longer length (rapidfuzz), the
  measure of the Dramatron study (0: kept as is, 1: nothing kept).
* ``sentence_bleu``: BLEU of one hypothesis against one reference, up to 4-grams, on a 0..100
  scale, computed as sacreBLEU's ``sentence_bleu`` does with its defaults: the ``13a``
  tokenizer (mteval-v13a, as WMT), smoothing ``exp`` (Chen & Cherry 2014 method 3, NIST) and
  effective order. Written here (40 lines) rather than adding sacrebleu and its five
  dependencies (lxml, portalocker, regex, tabulate, colorama); the tests pin it to hand-computed
  values.
* ``rouge_l``: ROUGE-L F1 (Lin 2004: longest common subsequence of words, F-measure with
  beta = 1, as Google's ``rouge-score`` reports it) on lower-cased alphanumeric words; the LCS
  itself is rapidfuzz's ``LCSseq``.
* ``wilson_interval``: the Wilson score interval of a proportion (A/B win rates).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from rapidfuzz.distance import LCSseq

from .store import edit_distance

__all__ = ["edit_distance", "rouge_l", "sentence_bleu", "tokenize_13a", "wilson_interval", "words"]

_13A = (
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
)
_WORD = re.compile(r"[^\W_]+")


def tokenize_13a(text: str) -> list[str]:
    """mteval-v13a tokenization (punctuation split off, numbers kept whole)."""
    line = text.rstrip().replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    for pattern, repl in _13A:
        line = pattern.sub(repl, line)
    return line.split()


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def sentence_bleu(hypothesis: str, reference: str, max_order: int = 4) -> float:
    """Smoothed sentence-level BLEU (0..100) of ``hypothesis`` against ``reference``."""
    hyp, ref = tokenize_13a(hypothesis), tokenize_13a(reference)
    correct = [sum((_ngrams(hyp, n) & _ngrams(ref, n)).values()) for n in range(1, max_order + 1)]
    total = [max(0, len(hyp) - n + 1) for n in range(1, max_order + 1)]
    if not any(correct):
        return 0.0
    brevity = 1.0 if len(hyp) >= len(ref) else (math.exp(1 - len(ref) / len(hyp)) if hyp else 0.0)
    precisions: list[float] = []
    smooth = 1.0
    for n in range(max_order):
        if total[n] == 0:  # effective order: the hypothesis has no n-grams this long
            break
        if correct[n] == 0:
            smooth *= 2
            precisions.append(100.0 / (smooth * total[n]))
        else:
            precisions.append(100.0 * correct[n] / total[n])
    return brevity * math.exp(sum(math.log(p) for p in precisions) / len(precisions))


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
