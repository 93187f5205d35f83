"""Rule analysis on a label matrix: coverage, overlap, conflict, faults and empirical accuracy (snorkel's LFAnalysis).

For rule j over N examples (``L`` the N x R matrix, ABSTAIN = -1):

* coverage_j  = |{i : L[i, j] != -1}| / N
* overlap_j   = |{i : L[i, j] != -1 and some other rule labels i}| / N
* conflict_j  = |{i : L[i, j] != -1 and some other rule gives i a different label}| / N
* accuracy_j  = correct_j / (correct_j + incorrect_j) over the examples it labels (``None`` if it labels none)

Overall: coverage = share of examples with at least one label, overlap = with at least two, conflict = with two
different labels.

>>> L = np.array([[0, -1], [0, 1], [-1, -1]])
>>> a = analyse(L, gold=np.array([0, 1, 0]), names=("a", "b"))
>>> a.rules[0].coverage, a.rules[0].conflict, a.rules[1].accuracy, a.coverage
(0.6666666666666666, 0.3333333333333333, 1.0, 0.6666666666666666)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nle.types import ABSTAIN


@dataclass(frozen=True)
class RuleStats:
    name: str
    labels: tuple[int, ...]  # the distinct labels the rule emits
    coverage: float
    overlap: float
    conflict: float
    faults: int
    correct: int | None
    incorrect: int | None
    accuracy: float | None


@dataclass(frozen=True)
class Analysis:
    rules: tuple[RuleStats, ...]
    n_examples: int
    coverage: float
    overlap: float
    conflict: float
    accuracy: float | None  # of all (example, rule) votes on the labelled split

    def to_markdown(self) -> str:
        """One row per rule plus a total row; accuracy and counts are blank without gold labels."""
        def f(x: float | None) -> str:
            return "" if x is None else f"{x:.3f}"

        rows = ["| rule | labels | coverage | overlap | conflict | faults | correct | incorrect | accuracy |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in self.rules:
            rows.append(f"| {r.name} | {','.join(map(str, r.labels))} | {f(r.coverage)} | {f(r.overlap)} | "
                        f"{f(r.conflict)} | {r.faults} | {'' if r.correct is None else r.correct} | "
                        f"{'' if r.incorrect is None else r.incorrect} | {f(r.accuracy)} |")
        rows.append(f"| **all** ({self.n_examples} examples) | | {f(self.coverage)} | {f(self.overlap)} | "
                    f"{f(self.conflict)} | {sum(r.faults for r in self.rules)} | | | {f(self.accuracy)} |")
        return "\n".join(rows)


def analyse(labels: np.ndarray, gold: np.ndarray | None = None, names: Sequence[str] | None = None,
            faults: np.ndarray | None = None) -> Analysis:
    """Statistics of an (N, R) label matrix; ``gold`` (N,) label ids (ABSTAIN-free) enables accuracy.

    ``faults`` is (R,) fault counts (``LabelMatrix.faults``), zeros when not given.
    """
    L = np.asarray(labels)
    n, r = L.shape
    names = tuple(names) if names is not None else tuple(f"rule{j}" for j in range(r))
    fired = L != ABSTAIN
    n_fired = fired.sum(axis=1)
    # a second, different label on the same example: compare each vote with the row's min and max vote
    lo = np.where(fired, L, np.iinfo(np.int64).max).min(axis=1, initial=np.iinfo(np.int64).max)
    hi = np.where(fired, L, np.iinfo(np.int64).min).max(axis=1, initial=np.iinfo(np.int64).min)
    other_diff = fired & ((L != lo[:, None]) | (L != hi[:, None]))
    row_conflict = (n_fired >= 2) & (lo != hi)
    faults = np.zeros(r, dtype=np.int64) if faults is None else np.asarray(faults)
    stats = []
    for j in range(r):
        correct = incorrect = acc = None
        if gold is not None:
            correct = int((fired[:, j] & (L[:, j] == gold)).sum())
            incorrect = int(fired[:, j].sum()) - correct
            acc = correct / (correct + incorrect) if correct + incorrect else None
        stats.append(RuleStats(
            name=names[j], labels=tuple(int(x) for x in np.unique(L[fired[:, j], j])),
            coverage=float(fired[:, j].mean()) if n else 0.0,
            overlap=float((fired[:, j] & (n_fired >= 2)).mean()) if n else 0.0,
            conflict=float(other_diff[:, j].mean()) if n else 0.0,
            faults=int(faults[j]), correct=correct, incorrect=incorrect, accuracy=acc))
    total_acc = None
    if gold is not None and fired.any():
        total_acc = float((L[fired] == np.broadcast_to(np.asarray(gold)[:, None], L.shape)[fired]).mean())
    return Analysis(tuple(stats), n, float((n_fired >= 1).mean()) if n else 0.0,
                    float((n_fired >= 2).mean()) if n else 0.0, float(row_conflict.mean()) if n else 0.0, total_acc)
