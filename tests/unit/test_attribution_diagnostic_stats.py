"""Confidence indication, rationale and dataset consistency (Atanasova et al. 2020) on hand-made arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nle.attribution.diagnostics import (
    average_ranks,
    bag_distance,
    confidence_indication,
    dataset_consistency,
    instance_pairs,
    mean_abs_distance,
    rationale_consistency,
    saliency_distance_features,
    spearman,
    word_bag,
)


def test_ranks_and_spearman_by_hand() -> None:
    assert average_ranks([10, 20, 20, 5]).tolist() == [2.0, 3.5, 3.5, 1.0]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ranks x = (1, 2, 3), y = (1, 3, 2): centred (-1, 0, 1) · (-1, 1, 0) = 1, norms 2 and 2 → 0.5
    assert spearman([1.0, 2.0, 3.0], [10.0, 20.0, 15.0]) == pytest.approx(0.5)
    # ties: y ranks (1.5, 1.5, 3) centred (-0.5, -0.5, 1): (0.5 + 0 + 1) / sqrt(2 · 1.5) = 1.5 / sqrt(3)
    assert spearman([1, 2, 3], [7, 7, 9]) == pytest.approx(1.5 / math.sqrt(3))
    assert math.isnan(spearman([1, 2, 3], [5, 5, 5])) and math.isnan(spearman([1], [2]))
    with pytest.raises(ValueError, match="3 values against 2"):
        spearman([1, 2, 3], [1, 2])


def test_spearman_matches_scipy_on_random_data() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 5, 40), rng.normal(size=40)  # x has many ties
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


def test_distances_and_bags() -> None:
    assert mean_abs_distance([[1.0, 2.0]], [[0.0, 4.0]]) == 1.5
    assert word_bag(["The", "the", "cat"], [1.0, 0.5, 2.0]) == {"the": 1.5, "cat": 2.0}
    assert bag_distance({"a": 1.0, "b": 2.0}, {"b": 1.0, "c": 3.0}) == pytest.approx(5 / 3)
    assert bag_distance({}, {}) == 0.0
    with pytest.raises(ValueError, match="shapes"):
        mean_abs_distance([1.0], [1.0, 2.0])


def test_instance_pairs() -> None:
    assert instance_pairs(3) == [(0, 1), (0, 2), (1, 2)]
    sample = instance_pairs(10, max_pairs=7, seed=1)
    assert len(sample) == 7 == len(set(sample)) and sample == sorted(sample)
    assert all(0 <= i < j < 10 for i, j in sample) and sample == instance_pairs(10, max_pairs=7, seed=1)


def test_rationale_consistency_by_hand() -> None:
    # model b differs from model a by 1, 2, 3, 4 on instances 0..3 (activations); saliency differs by 0.1 k
    act_a = [np.zeros(2)] * 4
    act_b = [np.full(2, k) for k in (1.0, 2.0, 3.0, 4.0)]
    sal_a = [np.zeros(3)] * 4
    sal_b = [np.full(3, 0.1 * k) for k in (1, 2, 3, 4)]
    assert rationale_consistency([act_a, act_b], [sal_a, sal_b]) == pytest.approx(1.0)
    assert rationale_consistency([act_a, act_b], [sal_a, sal_b[::-1]]) == pytest.approx(-1.0)
    # three models: pairs (0, 1) and (0, 2) only; model c = b, so the points repeat and ρ stays 1
    assert rationale_consistency([act_a, act_b, act_b], [sal_a, sal_b, sal_b],
                                 model_pairs=[(0, 1), (0, 2)]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same instances"):
        rationale_consistency([act_a, act_b[:3]], [sal_a, sal_b])


def test_dataset_consistency_by_hand() -> None:
    acts = [np.array([0.0]), np.array([1.0]), np.array([3.0])]
    bags = [{"a": 0.0}, {"a": 2.0}, {"a": 6.0}]  # pair distances: act (1, 3, 2), bags (2, 6, 4)
    assert dataset_consistency(acts, bags) == pytest.approx(1.0)
    # bags over two word types: (0,1) |0 − 5| = 5, (0,2) mean(|0 − 0|, |0 − 1|) = 0.5, (1,2) mean(5, 1) = 3
    crossed = [{"a": 0.0}, {"a": 5.0}, {"b": 1.0}]
    # ranks act (1, 3, 2), bags (3, 1, 2): centred (−1, 1, 0) · (1, −1, 0) = −2, norms 2 · 2 → ρ = −1
    assert dataset_consistency(acts, crossed) == pytest.approx(-1.0)
    assert dataset_consistency(acts, bags, pairs=[(0, 1), (1, 2)]) == pytest.approx(1.0)


def test_saliency_distance_features() -> None:
    assert saliency_distance_features([[1.0, 2.0], [0.5, -1.0]], predicted=0).tolist() == [3.5]
    assert saliency_distance_features([[1.0, 2.0], [0.5, -1.0]], predicted=1).tolist() == [-3.5]
    # k = 0: d(c=1) = (1, 1), d(c=2) = (-2, 3); per word max (1, 3), min (-2, 1), mean (-0.5, 2)
    s = [[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]]
    assert saliency_distance_features(s, predicted=0).tolist() == [4.0, -1.0, 1.5]
    with pytest.raises(ValueError, match="C>=2"):
        saliency_distance_features([[1.0, 2.0]], predicted=0)


def test_confidence_indication_by_hand() -> None:
    exact = confidence_indication([[0.0], [1.0], [2.0], [4.0]], [0.5, 0.55, 0.6, 0.7])  # p = 0.5 + 0.05 f
    assert exact.mae == pytest.approx(0.0, abs=1e-12) and exact.coef == pytest.approx((0.5, 0.05))
    # a binary feature: the fit is the group means 0.3 and 0.7 → MAE 0.1; the constant 0.5 → MAE 0.2
    fit = confidence_indication([[0.0], [0.0], [1.0], [1.0]], [0.2, 0.4, 0.6, 0.8])
    assert fit.mae == pytest.approx(0.1) and fit.baseline_mae == pytest.approx(0.2)
    # an uninformative (constant) feature does no better than the constant
    flat = confidence_indication([[3.0]] * 4, [0.2, 0.4, 0.6, 0.8])
    assert flat.mae == pytest.approx(flat.baseline_mae) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="3 feature rows for 2"):
        confidence_indication([[0.0], [1.0], [2.0]], [0.1, 0.2])
