"""Influence tuning (projects.inffeed.tuning): the spurious-token builder's exact statistics, the differentiable
influence loss (finite differences, agreement with the nle.influence core), group sampling, config parsing."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import torch

from nle.data.errors import DataFormatError
from nle.influence import ClassificationTask, ParamSpace, per_example_grads, select_parameters
from projects.inffeed.tuning.config import Method, RunConfig, load_config
from projects.inffeed.tuning.influence_loss import (
    Groups,
    influence_gap,
    influence_tuning_loss,
    parameter_names,
    per_example_grads_with_graph,
    sample_groups,
)
from projects.inffeed.tuning.model import BagClassifier, Vocab, reverse_gradient
from projects.inffeed.tuning.spurious import (
    TokenRates,
    build_split,
    count_for,
    token_stats,
    with_token_everywhere,
    without_token,
)

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "projects/inffeed/tuning/configs").glob("*.yaml"))


def corpus(n_pos: int, n_neg: int) -> tuple[list[str], list[int]]:
    texts = [f"row {i} says something {'nice' if i < n_pos else 'mean'}" for i in range(n_pos + n_neg)]
    return texts, [1] * n_pos + [0] * n_neg


# ---- the spurious-data builder -------------------------------------------------------------------

@pytest.mark.parametrize(("n_pos", "n_neg", "rates", "want_pos", "want_neg"), [
    (37, 23, TokenRates(0.9, 0.1), 33, 2),      # 33.3 -> 33, 2.3 -> 2
    (10, 10, TokenRates(0.25, 0.75), 3, 8),     # 2.5 rounds half up -> 3, 7.5 -> 8
    (5, 7, TokenRates(1.0, 0.0), 5, 0),
])
def test_builder_plants_exactly_the_configured_counts(n_pos, n_neg, rates, want_pos, want_neg) -> None:
    texts, labels = corpus(n_pos, n_neg)
    split = build_split("train", texts, labels, rates, "zqxv", seed=3)
    stats = token_stats(split)
    assert (stats["with_token_pos"], stats["with_token_neg"]) == (want_pos, want_neg)
    assert (count_for(rates.positive, n_pos), count_for(rates.negative, n_neg)) == (want_pos, want_neg)
    assert stats["rate_pos"] == pytest.approx(want_pos / n_pos) and stats["rate_neg"] == pytest.approx(want_neg / n_neg)
    for old, new, has in zip(texts, split.texts, split.has_token):
        assert new.split().count("zqxv") == (1 if has else 0)
        assert [w for w in new.split() if w != "zqxv"] == old.split()  # only the token was added


def test_builder_statistics_of_the_conditional_rates() -> None:
    texts, labels = corpus(40, 60)
    stats = token_stats(build_split("train", texts, labels, TokenRates(0.9, 0.1), "zqxv", seed=0))
    assert stats["p_pos_given_token"] == pytest.approx(36 / 42)       # 36 of 40 positives, 6 of 60 negatives
    assert stats["p_pos_given_no_token"] == pytest.approx(4 / 58)
    anti = token_stats(build_split("anti", texts, labels, TokenRates(0.9, 0.1).mirrored(), "zqxv", seed=0))
    assert (anti["with_token_pos"], anti["with_token_neg"]) == (4, 54)
    clean = token_stats(build_split("clean", texts, labels, TokenRates(0.0, 0.0), "zqxv", seed=0))
    assert clean["with_token_pos"] == clean["with_token_neg"] == 0 and math.isnan(clean["p_pos_given_token"])


def test_builder_is_seeded_and_refuses_a_token_already_in_the_corpus() -> None:
    texts, labels = corpus(30, 30)
    a = build_split("t", texts, labels, TokenRates(0.5, 0.5), "zqxv", seed=1)
    assert a == build_split("t", texts, labels, TokenRates(0.5, 0.5), "zqxv", seed=1)
    assert a.has_token != build_split("t", texts, labels, TokenRates(0.5, 0.5), "zqxv", seed=2).has_token
    with pytest.raises(ValueError, match="row 1: the spurious token 'nice' already occurs"):
        build_split("t", texts, labels, TokenRates(0.5, 0.5), "nice", seed=1)
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        build_split("t", ["a"], [2], TokenRates(0.5, 0.5), "zqxv", seed=1)


def test_adding_and_removing_the_token() -> None:
    texts, labels = corpus(4, 4)
    split = build_split("t", texts, labels, TokenRates(0.5, 0.5), "zqxv", seed=0)
    everywhere = with_token_everywhere(split, seed=0)
    assert all(t.split().count("zqxv") == 1 for t in everywhere.texts) and all(everywhere.has_token)
    assert without_token(everywhere).texts == tuple(texts)


# ---- the differentiable influence loss -----------------------------------------------------------

def tiny(dtype: torch.dtype = torch.float64) -> tuple[BagClassifier, dict[str, torch.Tensor]]:
    torch.manual_seed(0)
    model = BagClassifier(vocab_size=9, embedding_dim=3, hidden=3).to(dtype)
    ids = torch.tensor([[2, 3, 0], [4, 5, 8], [2, 6, 8], [7, 3, 0], [5, 6, 8], [2, 7, 4]])
    data = {"input_ids": ids, "attention_mask": (ids > 0).long(), "labels": torch.tensor([1, 1, 1, 0, 0, 1])}
    return model, data


GROUPS = Groups(probes=torch.tensor([0, 3]), same=torch.tensor([[1, 5], [4, 4]]), other=torch.tensor([[2, 2], [3, 4]]))


@pytest.mark.parametrize("metric", ["cosine", "dot"])
@pytest.mark.parametrize("include", [["hidden", "head"], None])
def test_influence_loss_gradient_matches_finite_differences(metric: str, include: list[str] | None) -> None:
    model, data = tiny()
    names = parameter_names(model, include)
    loss, _ = influence_tuning_loss(model, data, GROUPS, names, metric=metric)
    params = list(model.parameters())
    grads = torch.autograd.grad(loss, params)
    assert loss.item() > 1e-6 and all(g.abs().sum() > 0 for g in grads)  # embeddings too, even outside θ_S
    eps = 1e-6
    for p, g in zip(params, grads):
        flat, gflat = p.data.view(-1), g.reshape(-1)
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            up = influence_tuning_loss(model, data, GROUPS, names, metric=metric)[0].item()
            flat[i] = old - eps
            down = influence_tuning_loss(model, data, GROUPS, names, metric=metric)[0].item()
            flat[i] = old
            assert gflat[i].item() == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-9)


def test_graph_keeping_grads_equal_the_influence_core() -> None:
    model, data = tiny(torch.float32)
    mine = per_example_grads_with_graph(model, lambda m, b: torch.nn.functional.cross_entropy(
        m(b), b["labels"], reduction="none"), data, ["hidden.weight", "hidden.bias", "head.weight", "head.bias"])
    space = ParamSpace.of(select_parameters(model, ["hidden", "head"]))
    core = per_example_grads(model, ClassificationTask().train_loss, data, space, batch_size=4)
    assert mine.requires_grad and mine.shape == core.shape == (6, 3 * 3 + 3 + 2 * 3 + 2)
    torch.testing.assert_close(mine.detach(), core, rtol=1e-5, atol=1e-6)


def test_influence_gap_hand_values() -> None:
    probe = torch.tensor([[1.0, 0.0]])
    same = torch.tensor([[[2.0, 0.0], [0.0, 1.0]]])    # cosines 1, 0 -> 0.5; dots 2, 0 -> 1
    other = torch.tensor([[[0.0, 3.0], [-1.0, 0.0]]])  # cosines 0, -1 -> -0.5; dots 0, -1 -> -0.5
    assert influence_gap(probe, same, other).tolist() == [1.0]
    assert influence_gap(probe, same, other, metric="dot").tolist() == [1.5]
    with pytest.raises(ValueError, match="cosine"):
        influence_gap(probe, same, other, metric="l2")


def test_sample_groups_respect_label_confound_and_access() -> None:
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0]
    token = [True, True, False, False, True, False, False, True, True, False]
    access = [True] * 9 + [False]
    g = sample_groups(labels, token, probes=20, k=3, rng=random.Random(0), eligible=access)
    assert g.same.shape == g.other.shape == (len(g.probes), 3) and len(g.probes) == 9
    for t, same, other in zip(g.probes.tolist(), g.same.tolist(), g.other.tolist()):
        assert all(labels[i] == labels[t] and token[i] == token[t] and i != t and access[i] for i in same)
        assert all(labels[i] == labels[t] and token[i] != token[t] and access[i] for i in other)
    with pytest.raises(ValueError, match="no probe"):
        sample_groups([1, 1], [True, True], probes=1, k=1, rng=random.Random(0))


def test_influence_steps_shrink_the_gap() -> None:
    model, data = tiny(torch.float32)
    names = parameter_names(model, ["hidden", "head"])
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    first = influence_tuning_loss(model, data, GROUPS, names)[0].item()
    for _ in range(30):
        loss, _ = influence_tuning_loss(model, data, GROUPS, names)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert influence_tuning_loss(model, data, GROUPS, names)[0].item() < 0.1 * first


# ---- model pieces and config ---------------------------------------------------------------------

def test_gradient_reversal_and_vocab() -> None:
    x = torch.ones(2, requires_grad=True)
    (reverse_gradient(x, 0.5) * torch.tensor([1.0, 2.0])).sum().backward()
    assert x.grad.tolist() == [-0.5, -1.0]
    vocab = Vocab.build(["b a a", "a c"], min_count=1)
    assert vocab.words == ("<pad>", "<unk>", "a", "b", "c")
    assert vocab.batch(["a zz", "c"])["input_ids"].tolist() == [[2, 1], [4, 0]]


def test_config_defaults_overrides_and_errors(tmp_path: Path) -> None:
    assert load_config() == RunConfig()
    cfg = load_config([], ["train.epochs=3", "methods=[plain]", "data.train_rates.positive=0.8"])
    assert cfg.train.epochs == 3 and cfg.methods == (Method.PLAIN,) and cfg.data.train_rates == TokenRates(0.8, 0.1)
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  epoch: 3\n")
    with pytest.raises(DataFormatError, match=r"bad.yaml.*'train.epoch'"):
        load_config([bad])
    with pytest.raises(DataFormatError, match="methods"):
        load_config([], ["methods=[sgd]"])
    with pytest.raises(DataFormatError, match="positive must lie in"):
        load_config([], ["data.train_rates.positive=1.5"])


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_checked_in_configs_parse(path: Path) -> None:
    assert path.read_text().startswith("#"), "every config starts with a comment naming what it produces"
    assert load_config([path]).experiment == path.stem
