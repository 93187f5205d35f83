"""Agreement of word attributions with human rationales (Atanasova et al. 2020; DeYoung et al. 2020).

Both take one example's word scores and its human rationale (per word, in [0, 1]; a word is a rationale word when
its value is ≥ ``threshold``, e.g. a majority of HateXplain annotators at 0.5):

* ``token_auprc``: average precision of the ranking by score, AP = Σ_k P@k · [word k is rationale] / #rationale;
  ties are broken by position (stable sort). ``nan`` when the example has no rationale word.
* ``token_f1``: F1 of the top-k words, k = the number of rationale words (ERASER's token F1 for soft scores).

>>> token_auprc([0.9, 0.1, 0.5], [1, 0, 1]), token_f1([0.9, 0.1, 0.5], [1, 0, 0])
(1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence


def _gold(rationale: Sequence[float], threshold: float) -> list[bool]:
    return [float(r) >= threshold for r in rationale]


def _ranking(scores: Sequence[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: -float(scores[i]))


def _checked_gold(scores: Sequence[float], rationale: Sequence[float], threshold: float) -> list[bool]:
    if len(scores) != len(rationale):
        raise ValueError(f"{len(scores)} scores for {len(rationale)} rationale values")
    return _gold(rationale, threshold)


def token_auprc(scores: Sequence[float], rationale: Sequence[float], threshold: float = 0.5) -> float:
    """Average precision of the words ranked by score against the rationale words."""
    gold = _checked_gold(scores, rationale, threshold)
    total = sum(gold)
    if total == 0:
        return float("nan")
    hits, ap = 0, 0.0
    for k, i in enumerate(_ranking(scores), start=1):
        if gold[i]:
            hits += 1
            ap += hits / k
    return ap / total


def token_f1(scores: Sequence[float], rationale: Sequence[float], threshold: float = 0.5) -> float:
    """F1 of the top-k words by score, k = the number of rationale words (``nan`` without rationale words)."""
    gold = _checked_gold(scores, rationale, threshold)
    k = sum(gold)
    if k == 0:
        return float("nan")
    hits = sum(gold[i] for i in _ranking(scores)[:k])
    return hits / k  # precision = recall = F1 when |predicted| = |gold| = k
