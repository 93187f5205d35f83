"""The extension pipeline finds wrong labels: on two Gaussian blobs with 10% of training labels flipped, the
negative-influence points (influence on a clean dev set, exact inverse Hessian over the Lightning-trained head)
include every flipped one, and the most harmful ones are mostly flipped, far above the 10% base rate."""

from __future__ import annotations

import torch

from projects.inffeed.experiment import fit, influence
from projects.inffeed.extension import select_reannotation, selection_report
from projects.inffeed.settings import InfFeedSettings


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 2, generator=g) + torch.stack([2.0 * y - 1.0, torch.zeros(n)], 1) * 1.5  # (N, 2)
    return x, y


def test_negative_influence_points_are_mostly_flipped_labels() -> None:
    x, gold = blobs(200, 0)
    flipped = torch.arange(0, 200, 10)  # 20 of 200
    noisy = gold.clone()
    noisy[flipped] = 1 - noisy[flipped]
    dx, dy = blobs(200, 1)
    train = {"features": x, "labels": noisy, "index": torch.arange(200)}
    dev = {"features": dx, "labels": dy, "index": torch.arange(200)}
    hparams = {"feature_dim": 2, "num_labels": 2, "lr": 0.05, "l2": 1e-3}
    model = fit(hparams, train, 32, {"max_epochs": 40, "accelerator": "cpu", "devices": 1}, seed=1)
    scores = influence(model, train, dev, InfFeedSettings())  # (200 dev, 200 train)
    assert scores.shape == (200, 200)
    harmful = select_reannotation(scores.sum(0), "harmful")
    report = selection_report(noisy, gold, harmful)
    assert abs(report["silver_error_rate"] - 0.1) < 1e-6
    # every flipped label has negative influence, at more than twice the base rate of wrong labels among the chosen
    assert report["recall"] >= 0.95 and report["precision"] >= 0.2, report
    ranked = selection_report(noisy, gold, select_reannotation(scores.sum(0), "ranked", budget=20))
    assert ranked["precision"] >= 0.7, ranked    # the 20 most harmful points are mostly the 20 flipped ones
