"""The weights of NExT's soft-matching term over a batch's unlabelled rows."""

from __future__ import annotations

import pytest
import torch

from projects.next_tacred.model import unlabelled_weights


def test_softmax_weights_follow_the_authors_batch_softmax() -> None:
    score = torch.tensor([0.9, 0.1, 0.5, 0.0])
    keep = torch.ones(4, dtype=torch.bool)
    w = unlabelled_weights(score, keep, "softmax", 10.0)
    expected = torch.exp(10 * score) / torch.exp(10 * score).sum()
    assert torch.allclose(w, expected) and torch.isclose(w.sum(), torch.tensor(1.0))
    assert w.argmax() == 0 and w[0] / w[1] == pytest.approx(float(torch.exp(torch.tensor(8.0))), rel=1e-4)


def test_softmax_ignores_rows_below_the_floor_and_is_zero_when_none_is_kept() -> None:
    score = torch.tensor([0.9, 0.2, 0.5])
    w = unlabelled_weights(score, score > 0.3, "softmax", 10.0)
    assert w[1] == 0.0 and torch.isclose(w.sum(), torch.tensor(1.0))
    assert w[0] / w[2] == pytest.approx(float(torch.exp(torch.tensor(4.0))), rel=1e-4)
    none = unlabelled_weights(score, torch.zeros(3, dtype=torch.bool), "softmax", 10.0)
    assert torch.equal(none, torch.zeros(3))


def test_linear_weights_are_the_score_over_the_batch_size() -> None:
    score = torch.tensor([0.8, 0.4, 0.2, 0.0])
    w = unlabelled_weights(score, score > 0.3, "linear")
    assert torch.allclose(w, torch.tensor([0.2, 0.1, 0.0, 0.0]))


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="softmax' or 'linear"):
        unlabelled_weights(torch.zeros(2), torch.ones(2, dtype=torch.bool), "mean")
