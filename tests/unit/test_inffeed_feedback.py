"""InfFeed's feedback rule on hand-made influence matrices whose answers are worked out in the comments."""

from __future__ import annotations

import pytest
import torch

from projects.inffeed.feedback import (
    FeedbackRule,
    adjust_labels,
    cross_fit,
    influencer_votes,
    rule_grid,
    top_influencers,
)

# one target, five training points with labels 0, 1, 1, 0, 2
SCORES = torch.tensor([[0.1, 0.9, 0.8, -0.2, -0.7]])
LABELS = torch.tensor([0, 1, 1, 0, 2])


def adjust(pred: int, conf: float, rule: FeedbackRule, scores: torch.Tensor = SCORES,
           labels: torch.Tensor = LABELS) -> int:
    return int(adjust_labels(torch.tensor([pred]), torch.tensor([conf]), scores, labels, rule, 3)[0])


def test_top_influencers_rankings() -> None:
    assert top_influencers(SCORES, 2, "proponents").tolist() == [[1, 2]]     # 0.9, 0.8
    assert top_influencers(SCORES, 2, "opponents").tolist() == [[4, 3]]      # -0.7, -0.2
    assert top_influencers(SCORES, 3, "magnitude").tolist() == [[1, 2, 4]]   # |0.9|, |0.8|, |-0.7|
    assert top_influencers(SCORES, 99, "proponents").shape == (1, 5)         # k is capped at N_train


def test_top_influencers_ties_keep_index_order() -> None:
    assert top_influencers(torch.tensor([[1.0, 1.0, 0.0, 1.0]]), 2, "proponents").tolist() == [[0, 1]]


def test_top1_proponent_relabels_low_confidence_only() -> None:
    rule = FeedbackRule(k=1, rank_by="proponents", confidence_threshold=0.6)
    assert adjust(0, 0.5, rule) == 1      # top proponent (0.9) has label 1, confidence 0.5 < 0.6
    assert adjust(0, 0.7, rule) == 0      # confident prediction: kept
    assert adjust(1, 0.5, rule) == 1      # influencer agrees: nothing to change


def test_majority_and_agreement() -> None:
    # top-3 proponents: labels 1, 1, 0 -> label 1 with share 2/3
    assert adjust(0, 0.5, FeedbackRule(k=3, rank_by="proponents")) == 1
    assert adjust(0, 0.5, FeedbackRule(k=3, rank_by="proponents", agreement=0.7)) == 0   # 2/3 < 0.7


def test_ties_keep_the_prediction_else_lowest_label() -> None:
    # top-2 opponents: labels 2 and 0, one vote each
    assert adjust(0, 0.5, FeedbackRule(k=2, rank_by="opponents")) == 0   # prediction among the tied labels
    assert adjust(1, 0.5, FeedbackRule(k=2, rank_by="opponents")) == 0   # tie 0 / 2 without 1: lowest id, share 1/2


def test_weighted_vote_differs_from_majority() -> None:
    scores, labels = torch.tensor([[0.3, 0.3, 0.3, 1.0]]), torch.tensor([0, 0, 0, 1])
    # majority: label 0 has 3 votes of 4; weighted: label 1 has 1.0 against 0.9 (share 1/1.9 ≈ 0.53)
    assert adjust(0, 0.5, FeedbackRule(k=4, vote="majority"), scores, labels) == 0
    assert adjust(0, 0.5, FeedbackRule(k=4, vote="weighted"), scores, labels) == 1
    votes = influencer_votes(scores, labels, FeedbackRule(k=4, vote="weighted"), 2)
    assert votes[0].tolist() == pytest.approx([0.9, 1.0])


def test_batched_targets_are_independent() -> None:
    scores = torch.tensor([[0.9, 0.1], [0.1, 0.9], [0.9, 0.1]])
    out = adjust_labels(torch.tensor([1, 0, 1]), torch.tensor([0.5, 0.5, 0.95]), scores, torch.tensor([0, 1]),
                        FeedbackRule(k=1, confidence_threshold=0.9), 2)
    assert out.tolist() == [0, 1, 1]   # third target is confident


def test_bad_inputs_fail_loudly() -> None:
    with pytest.raises(ValueError, match="rank_by"):
        FeedbackRule(rank_by="largest")
    with pytest.raises(ValueError, match="k must be"):
        FeedbackRule(k=0)
    with pytest.raises(ValueError, match="scores must be"):
        adjust_labels(torch.tensor([0]), torch.tensor([0.5]), SCORES, LABELS[:4], FeedbackRule(), 3)


def test_rule_grid_names_and_size() -> None:
    grid = rule_grid([1, 5], ["proponents", "magnitude"], [0.6, 1.0])
    assert len(grid) == 8
    assert grid[0] == FeedbackRule("proponents_k1_c0.6_majority", 1, "proponents", "majority", 0.6, 0.5)


def test_cross_fit_tunes_each_half_on_the_other() -> None:
    keep, top1 = FeedbackRule("keep", confidence_threshold=0.0), FeedbackRule("top1", k=1)
    halves = [torch.tensor([0, 1]), torch.tensor([2, 3])]

    def score(rule: FeedbackRule, rows: torch.Tensor) -> float:  # "top1" wins on rows {0, 1} only
        return 1.0 if (rule.name == "top1") == (int(rows[0]) == 0) else 0.0

    chosen, applied = cross_fit([keep, top1], halves, score)
    assert chosen == {0: keep, 1: top1}          # half 0 is tuned on rows {2, 3}, half 1 on rows {0, 1}
    assert applied.tolist() == [0, 0, 1, 1]
