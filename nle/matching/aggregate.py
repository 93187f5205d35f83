"""Label aggregation: majority vote, and a weighted vote with rule accuracies (given, from a dev split, or by EM).

Weighted model (the "one-coin" Dawid-Skene model with C classes): rule j votes correctly with probability
``a_j`` and otherwise uniformly for one of the C - 1 wrong classes; abstentions carry no information. Then

    P(y = c | L_i) ∝ prior_c · Π_{j : L_ij != -1} ( a_j if L_ij = c else (1 - a_j) / (C - 1) )

so a vote for c adds ``w_j = log(a_j (C - 1) / (1 - a_j))`` to class c's log-score. The accuracies come from a
labelled dev split (:func:`accuracies_from_dev`, Laplace-smoothed) or are fitted without labels by EM
(:func:`fit_label_model`: E-step the posterior above, M-step a_j = the expected share of correct votes).

>>> L = np.array([[0, 0, 1], [1, -1, -1], [0, 1, -1], [-1, -1, -1]])
>>> majority_vote(L, n_classes=2).tolist()
[0, 1, -1, -1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nle.types import ABSTAIN

_EPS = 1e-3


def _votes(L: np.ndarray, n_classes: int, weights: np.ndarray | None = None) -> np.ndarray:
    """(N, C) sum of the weights of the rules voting for each class."""
    L = np.asarray(L)
    n, r = L.shape
    w = np.ones(r) if weights is None else np.asarray(weights, dtype=float)
    if L.size and (L.max() >= n_classes or L.min() < ABSTAIN):
        raise ValueError(f"label matrix holds ids outside [-1, {n_classes}): {L.min()}..{L.max()}")
    out = np.zeros((n, n_classes))
    rows, cols = np.nonzero(L != ABSTAIN)
    np.add.at(out, (rows, L[rows, cols]), w[cols])
    return out


def majority_vote(L: np.ndarray, n_classes: int) -> np.ndarray:
    """(N,) the most voted class; ABSTAIN where no rule fires or where two or more classes tie for the most votes."""
    votes = _votes(L, n_classes)
    best = votes.max(axis=1, initial=0)
    winners = (votes == best[:, None]).sum(axis=1)
    return np.where((best > 0) & (winners == 1), votes.argmax(axis=1), ABSTAIN)


@dataclass(frozen=True, eq=False)
class LabelModel:
    """Per-rule accuracies ``a`` (R,) in (0, 1) and the class prior (C,) of the one-coin model (module doc)."""

    accuracies: np.ndarray
    prior: np.ndarray

    @property
    def weights(self) -> np.ndarray:
        """(R,) the log-odds weight ``log(a_j (C - 1) / (1 - a_j))`` of each rule's vote."""
        c = len(self.prior)
        a = np.clip(self.accuracies, _EPS, 1 - _EPS)
        return np.log(a * max(c - 1, 1) / (1 - a))

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """(N, C) posterior P(y | votes); rows with no vote get the prior."""
        scores = _votes(L, len(self.prior), self.weights) + np.log(np.clip(self.prior, 1e-12, None))
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, L: np.ndarray) -> np.ndarray:
        """(N,) argmax of the posterior; ABSTAIN where no rule fires."""
        fired = (np.asarray(L) != ABSTAIN).any(axis=1)
        return np.where(fired, self.predict_proba(L).argmax(axis=1), ABSTAIN)


def accuracies_from_dev(L_dev: np.ndarray, y_dev: np.ndarray, n_classes: int, smoothing: float = 1.0) -> LabelModel:
    """Accuracies measured on a labelled dev split: (correct + s) / (votes + 2 s); prior = dev class frequencies."""
    L_dev, y_dev = np.asarray(L_dev), np.asarray(y_dev)
    fired = L_dev != ABSTAIN
    correct = (fired & (L_dev == y_dev[:, None])).sum(axis=0)
    acc = (correct + smoothing) / (fired.sum(axis=0) + 2 * smoothing)
    prior = (np.bincount(y_dev, minlength=n_classes) + smoothing) / (len(y_dev) + n_classes * smoothing)
    return LabelModel(acc, prior)


def fit_label_model(L: np.ndarray, n_classes: int, *, n_iter: int = 50, init_accuracy: float = 0.7,
                    tol: float = 1e-6) -> LabelModel:
    """Fit the one-coin model to an unlabelled (N, R) matrix by EM (module doc); deterministic.

    Only rows where some rule fires are used; the prior is re-estimated from the posteriors.
    """
    L = np.asarray(L)
    L = L[(L != ABSTAIN).any(axis=1)]
    r = L.shape[1]
    model = LabelModel(np.full(r, init_accuracy), np.full(n_classes, 1.0 / n_classes))
    if len(L) == 0:
        return model
    fired = L != ABSTAIN
    n_votes = fired.sum(axis=0)
    for _ in range(n_iter):
        q = model.predict_proba(L)  # (N, C)
        rows, cols = np.nonzero(fired)
        hit = np.zeros(r)
        np.add.at(hit, cols, q[rows, L[rows, cols]])
        acc = np.where(n_votes > 0, hit / np.maximum(n_votes, 1), init_accuracy)
        new = LabelModel(np.clip(acc, _EPS, 1 - _EPS), np.clip(q.mean(axis=0), 1e-6, None) / np.clip(
            q.mean(axis=0), 1e-6, None).sum())
        done = np.abs(new.accuracies - model.accuracies).max(initial=0) < tol
        model = new
        if done:
            break
    return model
