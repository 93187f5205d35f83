"""Re-annotation selection of InfFeed's dataset extension, the gold / extension split, and the simulated annotator."""

from __future__ import annotations

import pytest
import torch

from projects.inffeed.extension import reannotate, select_reannotation, selection_report, split_gold_extension

INFL = torch.tensor([0.3, -0.2, 0.0, -0.5, -0.2, 0.1])


def test_split_is_a_seeded_partition() -> None:
    gold, ext = split_gold_extension(100, 0.3, seed=5)
    assert len(ext) == 30 and len(gold) == 70
    assert sorted(torch.cat([gold, ext]).tolist()) == list(range(100))
    assert torch.equal(ext, split_gold_extension(100, 0.3, seed=5)[1])
    assert not torch.equal(ext, split_gold_extension(100, 0.3, seed=6)[1])
    with pytest.raises(ValueError, match="extension_fraction"):
        split_gold_extension(10, 1.0, 0)


def test_harmful_is_strictly_negative_influence() -> None:
    assert select_reannotation(INFL, "harmful").tolist() == [1, 3, 4]   # 0.0 is not harmful


def test_ranked_takes_the_most_harmful_first() -> None:
    assert select_reannotation(INFL, "ranked", budget=1).tolist() == [3]          # -0.5
    assert select_reannotation(INFL, "ranked", budget=2).tolist() == [1, 3]       # tie -0.2: lower index first
    assert select_reannotation(INFL, "ranked", budget=4).tolist() == [1, 2, 3, 4]
    assert select_reannotation(INFL, "ranked", budget=0).tolist() == []


def test_random_all_none() -> None:
    a = select_reannotation(INFL, "random", budget=3, seed=1)
    assert len(set(a.tolist())) == 3 and torch.equal(a, select_reannotation(INFL, "random", budget=3, seed=1))
    assert select_reannotation(INFL, "all").tolist() == list(range(6))
    assert select_reannotation(INFL, "none").tolist() == []
    with pytest.raises(ValueError, match="budget"):
        select_reannotation(INFL, "random")
    with pytest.raises(ValueError, match="budget"):
        select_reannotation(INFL, "ranked", budget=7)
    with pytest.raises(ValueError, match="strategy"):
        select_reannotation(INFL, "oracle", budget=1)


def test_reannotate_uses_gold_at_chosen_rows_and_copies() -> None:
    silver, gold = torch.tensor([1, 1, 0, 2]), torch.tensor([0, 1, 1, 2])
    out = reannotate(silver, gold, torch.tensor([0, 2]))
    assert out.tolist() == [0, 1, 1, 2] and silver.tolist() == [1, 1, 0, 2]


def test_selection_report() -> None:
    silver, gold = torch.tensor([0, 1, 1, 0]), torch.tensor([0, 0, 1, 1])   # rows 1 and 3 are wrong
    rep = selection_report(silver, gold, torch.tensor([1, 2]))
    assert rep == {"n_chosen": 2, "n_wrong_chosen": 1, "precision": 0.5, "recall": 0.5, "silver_error_rate": 0.5}
    assert selection_report(silver, gold, torch.zeros(0, dtype=torch.long))["precision"] == 0.0
