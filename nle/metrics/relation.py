"""Relation-extraction scores equal to the official scorers of SemEval-2010 Task 8 and TACRED.

Both functions take aligned label sequences ``gold[i]``, ``pred[i]`` (one label per example, same length) and
return fractions in ``[0, 1]``; the official scripts print the same numbers in percent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

SEMEVAL_OTHER: str = "Other"
SEMEVAL_RELATIONS: tuple[str, ...] = (
    "Cause-Effect",
    "Component-Whole",
    "Content-Container",
    "Entity-Destination",
    "Entity-Origin",
    "Instrument-Agency",
    "Member-Collection",
    "Message-Topic",
    "Product-Producer",
)
"""The 9 undirected SemEval-2010 Task 8 relations (``Other`` excluded)."""

SEMEVAL_LABELS: frozenset[str] = frozenset(
    [SEMEVAL_OTHER] + [f"{r}({a},{b})" for r in SEMEVAL_RELATIONS for a, b in (("e1", "e2"), ("e2", "e1"))]
)
"""The 19 directed labels the official scorer accepts (2 x 9 relations + ``Other``)."""


def _check_aligned(gold: Sequence[str], pred: Sequence[str]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred must be aligned: len(gold)={len(gold)} != len(pred)={len(pred)}")
    if len(gold) == 0:
        raise ValueError("gold and pred are empty: nothing to score")


def _undirected(label: str) -> str:
    """``"Cause-Effect(e2,e1)" -> "Cause-Effect"``; ``"Other" -> "Other"``."""
    return label.split("(", 1)[0]


def _macro_over_gold_relations(
    correct: Counter[str], proposed: Counter[str], answer: Counter[str]
) -> tuple[float, float, float]:
    """Macro P, R, F1 in percent over the relations present in gold, ``Other`` excluded (the scorer's ``evaluate``).

    Per relation ``r``: ``P = 100 c_r / p_r`` (0 when ``p_r = 0``), ``R = 100 c_r / a_r``,
    ``F1 = 2 P R / (P + R)`` (0 when ``P + R = 0``); each macro score is the plain mean over the gold relations.
    Arithmetic is done in percent and in the scorer's order so that the floats agree bit for bit.
    """
    relations = sorted(r for r in answer if r != SEMEVAL_OTHER)
    if not relations:
        raise ValueError("gold holds no relation other than 'Other': the official macro average is undefined")
    sum_p = sum_r = sum_f = 0.0
    for r in relations:
        p = 0.0 if proposed[r] == 0 else 100.0 * correct[r] / proposed[r]
        rec = 100.0 * correct[r] / answer[r]
        f = 0.0 if p + rec == 0 else 2 * p * rec / (p + rec)
        sum_p, sum_r, sum_f = sum_p + p, sum_r + rec, sum_f + f
    n = len(relations)
    return sum_p / n, sum_r / n, sum_f / n


def semeval2010_official(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """The official SemEval-2010 Task 8 score: macro F1 over relations, (9+1)-way, direction taken into account.

    Reproduces ``semeval2010_task8_scorer-v1.2.pl`` (score (iii)), with every example predicted (coverage 100%).
    For each relation ``r`` (direction stripped) that occurs in ``gold``, ``Other`` excluded:

    - ``c_r`` = #examples with ``pred == gold`` (same relation *and* direction) and gold relation ``r``;
    - ``p_r`` = #predictions of relation ``r`` in either direction: a right relation with the wrong direction
      counts in ``p_r`` (the scorer's ``xDIRx`` column) but not in ``c_r``;
    - ``a_r`` = #gold examples of relation ``r`` (both directions);
    - ``P_r = c_r / p_r`` (0 if ``p_r = 0``), ``R_r = c_r / a_r``, ``F1_r = 2 P_r R_r / (P_r + R_r)`` (0 if 0).

    ``f1 = mean_r F1_r`` (mean of per-relation F1, not F1 of the macro P and R), likewise ``precision`` and
    ``recall``. The mean runs over the relations present in gold only (the scorer divides by the number of
    distinct gold labels minus ``Other``), so a relation absent from gold is not averaged in, and predictions of
    it count nowhere (as if they were ``Other``). The scorer prints ``f"{100 * f1:.2f}%"``; this function
    returns the unrounded fraction.

    Other keys: ``f1_undirected`` (score (ii), macro F1 with the direction stripped from both sides),
    ``micro_precision`` / ``micro_recall`` / ``micro_f1`` (score (iii) micro-averaged over the gold relations),
    ``accuracy_18plus1`` (exact-label accuracy over the 19 directed labels, score (i)).

    Args:
        gold, pred: aligned label strings, each one of the 19 ``SEMEVAL_LABELS`` such as
            ``"Cause-Effect(e1,e2)"`` or ``"Other"``.

    Raises:
        ValueError: unequal lengths, empty input, a label outside ``SEMEVAL_LABELS`` (the scorer rejects the
            line), or a gold set with only ``Other``.

    >>> gold = ["Cause-Effect(e1,e2)", "Cause-Effect(e1,e2)", "Other"]
    >>> pred = ["Cause-Effect(e1,e2)", "Cause-Effect(e2,e1)", "Other"]
    >>> round(semeval2010_official(gold, pred)["f1"], 4)  # P = 1/2, R = 1/2
    0.5
    """
    _check_aligned(gold, pred)
    for name, seq in (("gold", gold), ("pred", pred)):
        for i, label in enumerate(seq):
            if label not in SEMEVAL_LABELS:
                raise ValueError(f"{name}[{i}]: expected one of the 19 SemEval-2010 Task 8 labels, got {label!r}")

    answer: Counter[str] = Counter(_undirected(g) for g in gold)
    proposed: Counter[str] = Counter(_undirected(p) for p in pred)  # either direction, xDIRx included
    correct_dir: Counter[str] = Counter(_undirected(g) for g, p in zip(gold, pred) if g == p)
    correct_undir: Counter[str] = Counter(
        _undirected(g) for g, p in zip(gold, pred) if _undirected(g) == _undirected(p)
    )

    precision, recall, f1 = _macro_over_gold_relations(correct_dir, proposed, answer)
    _, _, f1_undirected = _macro_over_gold_relations(correct_undir, proposed, answer)

    relations = [r for r in answer if r != SEMEVAL_OTHER]
    micro_c = sum(correct_dir[r] for r in relations)
    micro_p = sum(proposed[r] for r in relations)
    micro_a = sum(answer[r] for r in relations)
    micro_prec = 0.0 if micro_p == 0 else 100.0 * micro_c / micro_p  # percent, as the scorer
    micro_rec = 100.0 * micro_c / micro_a
    micro_f1 = 0.0 if micro_prec + micro_rec == 0 else 2.0 * micro_prec * micro_rec / (micro_prec + micro_rec)
    exact = sum(g == p for g, p in zip(gold, pred))
    return {
        "f1": f1 / 100.0,
        "precision": precision / 100.0,
        "recall": recall / 100.0,
        "f1_undirected": f1_undirected / 100.0,
        "micro_precision": micro_prec / 100.0,
        "micro_recall": micro_rec / 100.0,
        "micro_f1": micro_f1 / 100.0,
        "accuracy_18plus1": exact / len(gold),
    }


def tacred_f1(gold: Sequence[str], pred: Sequence[str], negative_label: str = "no_relation") -> dict[str, float]:
    """Micro precision / recall / F1 over the non-negative relations, as TACRED's official ``scorer.py``.

    ``correct = #{i : pred_i == gold_i != NA}``, ``precision = correct / #{i : pred_i != NA}``,
    ``recall = correct / #{i : gold_i != NA}``, ``f1 = 2 P R / (P + R)``. Empty denominators follow the official
    script: precision is **1.0** when nothing is predicted as a relation, recall is 0.0 when gold has no relation,
    F1 is 0.0 when ``P + R = 0``. No division by zero can occur. The script prints these in percent.

    >>> tacred_f1(["per:title", "no_relation", "org:founded"], ["per:title", "per:age", "no_relation"])["f1"]
    0.5
    """
    _check_aligned(gold, pred)
    correct = sum(g == p and g != negative_label for g, p in zip(gold, pred))
    guessed = sum(p != negative_label for p in pred)
    actual = sum(g != negative_label for g in gold)
    precision = 1.0 if guessed == 0 else correct / guessed
    recall = 0.0 if actual == 0 else correct / actual
    f1 = 0.0 if precision + recall == 0 else 2.0 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}
