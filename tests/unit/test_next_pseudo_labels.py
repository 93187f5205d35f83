"""The pseudo-label report of NExT's soft-matching term, on hand-made pools."""

from __future__ import annotations

import math

import pytest
import torch

from projects.next_tacred.pseudo_labels import (
    PoolScores,
    agreement_table,
    batch_weights,
    best_rules,
    coverage_table,
    mass_report,
    rule_report,
)


def _pool() -> PoolScores:
    scores = torch.tensor([[0.9, 0.1], [0.2, 0.6], [0.05, 0.0], [0.0, 0.4]])  # 4 sentences x 2 rules
    return best_rules(scores, rule_labels=torch.tensor([0, 1]), gold=torch.tensor([0, 0, 2, 1]))


def test_best_rule_and_coverage_by_threshold() -> None:
    pool = _pool()
    assert pool.rule.tolist() == [0, 1, 0, 1] and pool.pseudo.tolist() == [0, 1, 0, 1]
    table = {r["threshold"]: r for r in coverage_table(pool, (0.0, 0.3, 0.5, 0.95))}
    assert table[0.0]["sentences"] == 4 and table[0.0]["accuracy"] == 0.5
    assert table[0.3]["sentences"] == 3 and table[0.3]["accuracy"] == pytest.approx(2 / 3)
    assert table[0.5]["sentences"] == 2 and table[0.5]["accuracy"] == 0.5
    assert table[0.95]["sentences"] == 0 and math.isnan(table[0.95]["accuracy"])


def test_one_batch_softmax_mass_and_effective_accuracy_by_hand() -> None:
    pool = _pool()
    w = batch_weights(pool, batch_size=4, passes=1, scheme="softmax", temperature=10.0)
    s = torch.tensor([0.9, 0.6, 0.05, 0.4])
    assert torch.allclose(w[0], torch.softmax(10 * s, 0))
    summary, classes = mass_report(pool, w, ["a", "b", "c"], batches_per_pass=1)
    hit = torch.tensor([1.0, 0.0, 0.0, 1.0])
    assert summary["mass_per_batch"] == pytest.approx(1.0)
    assert summary["effective_accuracy"] == pytest.approx(float((torch.softmax(10 * s, 0) * hit).sum()))
    by = {c["label"]: c for c in classes}
    assert by["c"]["mass_share"] == 0.0 and math.isnan(by["c"]["accuracy"]) and by["c"]["gold_share"] == 0.25
    assert by["a"]["mass_share"] + by["b"]["mass_share"] == pytest.approx(1.0)
    p = torch.softmax(10 * s, 0)  # gold [a, a, c, b]: the mass by the gold label of the weighted sentences
    assert by["a"]["gold_mass_share"] == pytest.approx(float(p[0] + p[1]))
    assert by["c"]["gold_mass_share"] == pytest.approx(float(p[2])) and by["c"]["gold_mass_share"] > 0


def test_linear_mass_is_the_mean_score_and_rules_are_ranked_by_mass() -> None:
    pool = _pool()
    w = batch_weights(pool, batch_size=4, passes=3, scheme="linear", temperature=10.0)
    summary, _ = mass_report(pool, w, ["a", "b", "c"], batches_per_pass=1)
    assert summary["mass_per_batch"] == pytest.approx((0.9 + 0.6 + 0.05 + 0.4) / 4)
    rules = rule_report(pool, w, ["r0", "r1"], ["a", "b", "c"], torch.tensor([0, 1]))
    assert [r["form"] for r in rules] == ["r1", "r0"]  # score mass 0.6 + 0.4 vs 0.9 + 0.05
    assert rules[0]["mass_share"] == pytest.approx(1.0 / 1.95) and rules[0]["accuracy"] == pytest.approx(0.4)
    assert rules[1]["accuracy"] == pytest.approx(0.9 / 0.95)


def test_rules_against_a_classifier_by_hand() -> None:
    pool = _pool()  # rule labels [0, 1, 0, 1], gold [0, 0, 2, 1], best scores [0.9, 0.6, 0.05, 0.4]
    table = {r["threshold"]: r for r in agreement_table(pool, torch.tensor([0, 0, 1, 1]), (0.0, 0.5, 0.95))}
    assert table[0.0] == {"threshold": 0.0, "sentences": 4, "rule_accuracy": 0.5, "classifier_accuracy": 0.75,
                          "agree": 2, "agree_accuracy": 1.0}
    assert table[0.5]["sentences"] == 2 and table[0.5]["rule_accuracy"] == 0.5
    assert table[0.5]["classifier_accuracy"] == 1.0 and table[0.5]["agree"] == 1
    assert table[0.95]["sentences"] == 0 and math.isnan(table[0.95]["classifier_accuracy"])
    assert table[0.95]["agree"] == 0 and math.isnan(table[0.95]["agree_accuracy"])
