"""InfFeed's feedback step: adjust a target's predicted label from the labels of its top-k training influencers.

For a target z_q with predicted label ŷ_q (confidence c_q = max_c p(c | x_q)) and influence scores
s_qt = ∇m(z_q)ᵀ (H + λI)⁻¹ ∇ℓ(z_t) of every training point z_t = (x_t, y_t) on the loss of the *predicted* label
(m(z_q) = CE(f(x_q), ŷ_q); the gold label of a target is never used), the rule is

    I_q    = the k training points with the largest  s_qt (proponents) | −s_qt (opponents) | |s_qt| (magnitude)
    v_q(c) = Σ_{t ∈ I_q} [y_t = c] · w_qt          w_qt = 1 (majority) or |s_qt| (weighted)
    c*     = argmax_c v_q(c)                        (ties keep ŷ_q)
    ŷ'_q   = c*  if  c_q < confidence_threshold  and  v_q(c*) / Σ_c v_q(c) ≥ agreement,   else ŷ_q

The paper states the principle (relabel the target from its influencers' labels, k and thresholds as
hyperparameters); the choice of ranking, vote and thresholds is ours and lives in the config (``FeedbackRule``).

>>> import torch
>>> scores = torch.tensor([[0.1, 0.9, 0.8, -0.2]])       # one target, four training points
>>> rule = FeedbackRule(k=2, rank_by="proponents")
>>> adjust_labels(torch.tensor([0]), torch.tensor([0.55]), scores, torch.tensor([0, 1, 1, 0]), rule, 2)
tensor([1])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

RANKINGS = ("proponents", "opponents", "magnitude")
VOTES = ("majority", "weighted")


@dataclass(frozen=True)
class FeedbackRule:
    """One feedback rule (see the module doc); ``name`` labels its results."""

    name: str = "inffeed"
    k: int = 5
    rank_by: str = "proponents"
    vote: str = "majority"
    confidence_threshold: float = 1.0
    agreement: float = 0.5

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"feedback rule {self.name!r}: k must be ≥ 1, got {self.k}")
        if self.rank_by not in RANKINGS:
            raise ValueError(f"feedback rule {self.name!r}: rank_by must be one of {RANKINGS}, got {self.rank_by!r}")
        if self.vote not in VOTES:
            raise ValueError(f"feedback rule {self.name!r}: vote must be one of {VOTES}, got {self.vote!r}")


def top_influencers(scores: Tensor, k: int, rank_by: str) -> Tensor:
    """(Nq, Nt) scores -> (Nq, min(k, Nt)) training indices, most influential first (ties: lower index first).

    >>> top_influencers(torch.tensor([[0.1, -0.9, 0.5]]), 2, "magnitude")
    tensor([[1, 2]])
    """
    if rank_by not in RANKINGS:
        raise ValueError(f"rank_by must be one of {RANKINGS}, got {rank_by!r}")
    key = {"proponents": scores, "opponents": -scores, "magnitude": scores.abs()}[rank_by]
    k = min(k, scores.shape[1])
    # stable descending sort: equal keys keep index order
    return torch.sort(key, dim=1, descending=True, stable=True).indices[:, :k]


def influencer_votes(scores: Tensor, train_labels: Tensor, rule: FeedbackRule, num_labels: int) -> Tensor:
    """(Nq, C) votes v_q(c) of the top-k influencers of each target."""
    idx = top_influencers(scores, rule.k, rule.rank_by)  # (Nq, k)
    labels = train_labels[idx]  # (Nq, k)
    weights = torch.ones_like(idx, dtype=torch.float64) if rule.vote == "majority" else \
        scores.gather(1, idx).abs().double()  # (Nq, k)
    votes = torch.zeros(scores.shape[0], num_labels, dtype=torch.float64)
    return votes.scatter_add_(1, labels, weights)


def adjust_labels(pred: Tensor, confidence: Tensor, scores: Tensor, train_labels: Tensor, rule: FeedbackRule,
                  num_labels: int) -> Tensor:
    """(Nq,) adjusted label ids ŷ' from predictions ``pred`` (Nq,), their ``confidence`` (Nq,), influence
    ``scores`` (Nq, Nt) on the predicted-label loss and the training labels (Nt,) (rule in the module doc)."""
    if scores.shape != (pred.shape[0], train_labels.shape[0]):
        raise ValueError(f"scores must be (targets, train) = ({pred.shape[0]}, {train_labels.shape[0]}), "
                         f"got {tuple(scores.shape)}")
    votes = influencer_votes(scores, train_labels, rule, num_labels)  # (Nq, C)
    best = votes.argmax(1)
    keep_tie = votes.gather(1, pred[:, None]).squeeze(1) >= votes.gather(1, best[:, None]).squeeze(1)
    winner = torch.where(keep_tie, pred, best)
    total = votes.sum(1).clamp_min(1e-300)
    share = votes.gather(1, winner[:, None]).squeeze(1) / total
    change = (confidence < rule.confidence_threshold) & (share >= rule.agreement) & (winner != pred)
    return torch.where(change, winner, pred)


def rule_grid(ks: Sequence[int], rankings: Sequence[str], thresholds: Sequence[float],
              votes: Sequence[str] = ("majority",), agreement: float = 0.5) -> list[FeedbackRule]:
    """Every combination of the given settings, named ``"<rank_by>_k<k>_c<threshold>_<vote>"``."""
    return [FeedbackRule(f"{r}_k{k}_c{c:g}_{v}", k, r, v, c, agreement)
            for r in rankings for k in ks for c in thresholds for v in votes]


def cross_fit(rules: Sequence[FeedbackRule], halves: Sequence[Tensor],
              fit_score: Callable[[FeedbackRule, Tensor], float]) -> tuple[dict[int, FeedbackRule], Tensor]:
    """Tune a rule on one half of the targets and apply it to the other (2-fold cross-fitting).

    ``halves``: two disjoint (n_h,) index tensors; ``fit_score(rule, rows) -> float`` scores a rule on rows.
    Returns ``({half: rule chosen on the other half}, (N,) index of the rule applied to each target)`` so no
    target's adjusted label depends on a threshold chosen with its own gold label.
    """
    chosen: dict[int, FeedbackRule] = {}
    n = int(sum(len(h) for h in halves))
    applied = torch.full((n,), -1, dtype=torch.long)
    for h, rows in enumerate(halves):
        other = halves[1 - h]
        best = max(range(len(rules)), key=lambda i: (fit_score(rules[i], other), -i))
        chosen[h] = rules[best]
        applied[rows] = best
    return chosen, applied
