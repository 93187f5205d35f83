"""Accuracy and macro / micro / weighted F1 from one confusion matrix (numpy ``bincount``), equal to sklearn's.

Labels may be any hashable values (strings, ints). All scores are fractions in ``[0, 1]``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def confusion_matrix(
    gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence[Hashable]
) -> np.ndarray:
    """Counts ``C[i, j] = #{n : gold_n = labels[i], pred_n = labels[j]}``, shape ``(K, K)``, ``K = len(labels)``.

    Items whose gold or predicted label is not in ``labels`` are not counted.

    >>> confusion_matrix(["a", "a", "b"], ["a", "b", "b"], ["a", "b"]).tolist()
    [[1, 1], [0, 1]]
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred must be aligned: len(gold)={len(gold)} != len(pred)={len(pred)}")
    k = len(labels)
    index = {label: i for i, label in enumerate(labels)}
    if len(index) != k:
        raise ValueError(f"labels must be distinct, got {list(labels)!r}")
    g = np.fromiter((index.get(x, k) for x in gold), dtype=np.int64, count=len(gold))  # (N,), k = outside
    p = np.fromiter((index.get(x, k) for x in pred), dtype=np.int64, count=len(pred))  # (N,)
    counts = np.bincount(g * (k + 1) + p, minlength=(k + 1) ** 2).reshape(k + 1, k + 1)  # (K+1, K+1)
    return counts[:k, :k]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Elementwise ``num / den`` with 0 where ``den == 0`` (sklearn's ``zero_division=0``)."""
    out = np.zeros(num.shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def classification_scores(
    gold: Sequence[Hashable],
    pred: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
    positive: Hashable | None = None,
) -> dict[str, float]:
    """Accuracy and F1 averages over a label set, with sklearn's ``zero_division=0`` convention.

    Per class ``k`` with ``tp_k`` true positives, ``t_k`` gold items and ``p_k`` predicted items:
    ``F1_k = 2 tp_k / (t_k + p_k)`` (0 when ``t_k + p_k = 0``; equal to ``2PR/(P+R)`` otherwise).

    - ``accuracy = #{gold_n == pred_n} / N`` over all items;
    - ``macro_f1 = mean_k F1_k``;
    - ``micro_f1 = 2 sum_k tp_k / (sum_k t_k + sum_k p_k)`` (equals accuracy when ``labels`` is inferred);
    - ``weighted_f1 = sum_k t_k F1_k / sum_k t_k`` (0 when no item has a gold label in the set).

    The label set is ``labels`` when given (a class with no gold item and no prediction then scores 0 and is
    averaged in, as in sklearn), else the labels seen in ``gold`` or ``pred`` (so such a class cannot occur).
    With ``positive``, also ``precision``, ``recall`` and ``f1`` of that one class (sklearn ``average="binary"``).

    >>> s = classification_scores(["a", "a", "b", "b", "c"], ["a", "b", "b", "b", "a"])
    >>> round(s["macro_f1"], 4), s["accuracy"], round(s["weighted_f1"], 4)  # F1: a 1/2, b 4/5, c 0
    (0.4333, 0.6, 0.52)
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred must be aligned: len(gold)={len(gold)} != len(pred)={len(pred)}")
    if len(gold) == 0:
        raise ValueError("gold and pred are empty: nothing to score")
    label_set = list(labels) if labels is not None else list(dict.fromkeys([*gold, *pred]))
    if not label_set:
        raise ValueError("labels is empty: no class to average over")
    # One matrix over every label seen, so that accuracy also counts items outside `labels`.
    in_set = set(label_set)
    seen = label_set + [x for x in dict.fromkeys([*gold, *pred]) if x not in in_set]
    full = confusion_matrix(gold, pred, seen)  # (M, M)
    k = len(label_set)
    cm = full[:k, :k]  # (K, K) restricted to the label set
    tp = np.diag(cm).astype(np.float64)  # (K,)
    true = full[:k, :].sum(axis=1).astype(np.float64)  # (K,) gold items per class
    predicted = full[:, :k].sum(axis=0).astype(np.float64)  # (K,) predicted items per class
    f1 = _ratio(2 * tp, true + predicted)  # (K,)
    micro_den = true.sum() + predicted.sum()
    scores = {
        "accuracy": float(np.trace(full) / len(gold)),
        "macro_f1": float(f1.mean()),
        "micro_f1": float(2 * tp.sum() / micro_den) if micro_den > 0 else 0.0,
        "weighted_f1": float((f1 * true).sum() / true.sum()) if true.sum() > 0 else 0.0,
    }
    if positive is not None:
        i = seen.index(positive) if positive in seen else None
        tp_pos = 0 if i is None else int(full[i, i])
        t_pos = 0 if i is None else int(full[i, :].sum())
        p_pos = 0 if i is None else int(full[:, i].sum())
        scores["precision"] = tp_pos / p_pos if p_pos else 0.0
        scores["recall"] = tp_pos / t_pos if t_pos else 0.0
        scores["f1"] = 2 * tp_pos / (t_pos + p_pos) if t_pos + p_pos else 0.0
    return scores
