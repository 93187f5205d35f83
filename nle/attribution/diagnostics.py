"""Diagnostic properties of explanations (Atanasova et al., EMNLP 2020) beyond agreement and faithfulness.

Pure functions over arrays; ``nle.attribution.diagnose`` computes the inputs from models and data.

* **Confidence indication** (§3.5): can the model's confidence be read off the explanation? For instance i with
  predicted (explained) class k and word scores ω_{i,w,c} for every class c, the saliency distance per word is
  d_{w,c} = ω_{w,k} − ω_{w,c} (c ≠ k). Features: with two classes, SD_i = Σ_w d_{w,c}; with more, the sums over
  words of the max, min and mean over c of d_{w,c} (``saliency_distance_features``). An ordinary least-squares
  fit p̂_i = β₀ + βᵀ SD_i to the confidence p_i = p(k | x_i), evaluated in sample, gives
  MAE = (1/N) Σ_i |p_i − p̂_i| (lower: the explanations indicate the confidence better). The paper fits a
  regression the same way; ``baseline_mae`` = (1/N) Σ_i |p_i − mean p| is the MAE of features that carry nothing.
* **Rationale consistency** (§3.3): models of one architecture trained with different seeds should explain an
  instance alike as far as they compute alike. For each pair of models (a, b) and instance i:
  D_act(i) = mean |h_a(i) − h_b(i)| over the activation vector and D_sal(i) = mean |ω_a(i) − ω_b(i)| over the
  instance's words; the diagnostic is Spearman's ρ(D_act, D_sal) over all (pair, instance) points.
* **Dataset consistency** (§3.4): instances that one model represents alike should be explained alike. For
  instance pairs (i, j): D_act(i, j) = mean |h(i) − h(j)|, and D_sal(i, j) the mean absolute difference of the two
  explanations as bags of words (score of a word type = sum of its occurrences' scores; the mean runs over the
  union of word types, absent types score 0). The diagnostic is Spearman's ρ(D_act, D_sal) over the pairs.

Spearman's ρ is Pearson's correlation of average ranks (ties share their mean rank); ``nan`` when either side is
constant or there are fewer than two points.

>>> spearman([1.0, 2.0, 3.0], [10.0, 20.0, 15.0])
0.5
>>> bag_distance({"a": 1.0, "b": 2.0}, {"b": 1.0, "c": 3.0})  # (|1| + |1| + |3|) / 3
1.6666666666666667
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


def average_ranks(x: ArrayLike) -> np.ndarray:
    """Ranks 1..N (N,) with ties given the mean of the ranks they span: ``[10, 20, 20]`` → ``[1, 2.5, 2.5]``."""
    a = np.asarray(x, dtype=np.float64).ravel()
    _, inverse, counts = np.unique(a, return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts + 1  # rank of the first member of each tie group
    return (first + (counts - 1) / 2)[inverse].astype(np.float64)


def spearman(x: ArrayLike, y: ArrayLike) -> float:
    """Spearman's ρ of paired values (N,) and (N,); ``nan`` for N < 2 or a constant side."""
    a, b = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"spearman: {a.shape[0]} values against {b.shape[0]}")
    if len(a) < 2:
        return float("nan")
    ra, rb = average_ranks(a) - (len(a) + 1) / 2, average_ranks(b) - (len(b) + 1) / 2
    denom = math.sqrt(float((ra * ra).sum() * (rb * rb).sum()))
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


def mean_abs_distance(a: ArrayLike, b: ArrayLike) -> float:
    """mean |a − b| of two arrays of one shape."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"mean_abs_distance: shapes {x.shape} and {y.shape} differ")
    return float(np.abs(x - y).mean()) if x.size else 0.0


def word_bag(words: Sequence[str], scores: Sequence[float]) -> dict[str, float]:
    """An explanation as a bag of words: lower-cased word type → sum of its scores.

    >>> word_bag(["The", "the", "cat"], [1.0, 0.5, 2.0])
    {'the': 1.5, 'cat': 2.0}
    """
    if len(words) != len(scores):
        raise ValueError(f"word_bag: {len(words)} words for {len(scores)} scores")
    bag: dict[str, float] = {}
    for w, s in zip(words, scores):
        bag[w.lower()] = bag.get(w.lower(), 0.0) + float(s)
    return bag


def bag_distance(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Mean absolute difference over the union of word types (absent: 0); 0 for two empty bags."""
    keys = set(a) | set(b)
    if not keys:
        return 0.0
    return sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys) / len(keys)


def instance_pairs(n: int, max_pairs: int | None = None, seed: int = 0) -> list[tuple[int, int]]:
    """All pairs i < j of n instances, or ``max_pairs`` of them drawn without replacement (seeded), sorted."""
    pairs = list(itertools.combinations(range(n), 2))
    if max_pairs is None or len(pairs) <= max_pairs:
        return pairs
    pick = np.random.default_rng(seed).choice(len(pairs), size=max_pairs, replace=False)
    return [pairs[i] for i in sorted(pick.tolist())]


def rationale_consistency(activations: Sequence[Sequence[ArrayLike]], saliency: Sequence[Sequence[ArrayLike]],
                          model_pairs: Sequence[tuple[int, int]] | None = None) -> float:
    """Spearman ρ between activation and saliency distances of model pairs on the same instances.

    ``activations[m][i]``: model m's activation vector of instance i (any shape, the same for every m);
    ``saliency[m][i]``: its word scores (W_i,). ``model_pairs``: which (a, b) to compare (default: all a < b).
    With M = 2 models and instances whose saliency distances rank like their activation distances, ρ = 1.
    """
    n_models = len(activations)
    if len(saliency) != n_models:
        raise ValueError(f"{n_models} models of activations but {len(saliency)} of saliency")
    pairs = list(itertools.combinations(range(n_models), 2)) if model_pairs is None else list(model_pairs)
    act_d, sal_d = [], []
    for a, b in pairs:
        if not (len(activations[a]) == len(activations[b]) == len(saliency[a]) == len(saliency[b])):
            raise ValueError(f"models {a} and {b} were not run on the same instances")
        for i in range(len(activations[a])):
            act_d.append(mean_abs_distance(activations[a][i], activations[b][i]))
            sal_d.append(mean_abs_distance(saliency[a][i], saliency[b][i]))
    return spearman(act_d, sal_d)


def dataset_consistency(activations: Sequence[ArrayLike], bags: Sequence[Mapping[str, float]],
                        pairs: Sequence[tuple[int, int]] | None = None) -> float:
    """Spearman ρ between activation distances and bag-of-words explanation distances of instance pairs.

    ``activations[i]`` (D,) of one model; ``bags[i]`` from ``word_bag``; ``pairs`` default: all i < j.
    """
    if len(activations) != len(bags):
        raise ValueError(f"{len(activations)} activations for {len(bags)} explanations")
    pairs = instance_pairs(len(bags)) if pairs is None else pairs
    act_d = [mean_abs_distance(activations[i], activations[j]) for i, j in pairs]
    sal_d = [bag_distance(bags[i], bags[j]) for i, j in pairs]
    return spearman(act_d, sal_d)


def saliency_distance_features(class_scores: ArrayLike, predicted: int) -> np.ndarray:
    """Saliency-distance features of one instance from its word scores per class (C, W), C ≥ 2.

    C = 2: ``[Σ_w (ω_{w,k} − ω_{w,c})]``; C > 2: ``[Σ_w max_c d_{w,c}, Σ_w min_c d_{w,c}, Σ_w mean_c d_{w,c}]``
    with d_{w,c} = ω_{w,k} − ω_{w,c} over c ≠ k.

    >>> saliency_distance_features([[1.0, 2.0], [0.5, -1.0]], predicted=0).tolist()
    [3.5]
    """
    s = np.asarray(class_scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] < 2 or not 0 <= predicted < s.shape[0]:
        raise ValueError(f"class_scores must be (C>=2, W) with 0 <= predicted < C, got {s.shape}, {predicted}")
    d = s[predicted][None, :] - np.delete(s, predicted, axis=0)  # (C-1, W)
    if s.shape[0] == 2:
        return np.array([d.sum()])
    return np.array([d.max(0).sum(), d.min(0).sum(), d.mean(0).sum()])


@dataclass(frozen=True)
class ConfidenceFit:
    """Least-squares fit of the confidence on saliency-distance features: in-sample MAE, the constant baseline's
    MAE, and the coefficients ``[β₀, β...]``."""

    mae: float
    baseline_mae: float
    coef: tuple[float, ...]


def confidence_indication(features: ArrayLike, confidence: ArrayLike) -> ConfidenceFit:
    """Fit p̂ = β₀ + βᵀ f by least squares on features (N, F) and confidences (N,); MAE in sample.

    >>> fit = confidence_indication([[0.0], [1.0], [2.0]], [0.5, 0.6, 0.7])
    >>> round(fit.mae, 12), round(fit.baseline_mae, 4)
    (0.0, 0.0667)
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(confidence, dtype=np.float64).ravel()
    x = x.reshape(len(y), -1) if x.ndim != 2 else x
    if x.shape[0] != len(y) or len(y) == 0:
        raise ValueError(f"confidence_indication: {x.shape[0]} feature rows for {len(y)} confidences")
    design = np.concatenate([np.ones((len(y), 1)), x], axis=1)  # (N, 1 + F)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    mae = float(np.abs(design @ coef - y).mean())
    return ConfidenceFit(mae=mae, baseline_mae=float(np.abs(y - y.mean()).mean()), coef=tuple(map(float, coef)))
