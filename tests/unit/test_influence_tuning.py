"""Influence tuning (projects.inffeed.tuning): the spurious-token builder's exact statistics, the differentiable
influence loss (finite differences, agreement with the nle.influence core), group sampling, the data module, the
influence-update schedule of the LightningModule, and the checked-in configs (NLECLI parsing, grid names)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
import yaml

from nle.influence import ClassificationTask, ParamSpace, per_example_grads, select_parameters
from nle.results.grid import experiment_name, plan_grid
from nle.training.cli import NLECLI
from projects.inffeed.tuning.config import DataConfig, InfluenceConfig
from projects.inffeed.tuning.data import build_data
from projects.inffeed.tuning.datamodule import SpuriousDataModule
from projects.inffeed.tuning.influence_loss import (
    Groups,
    influence_gap,
    influence_tuning_loss,
    parameter_names,
    per_example_grads_with_graph,
    sample_groups,
)
from projects.inffeed.tuning.model import BagClassifier, Vocab, reverse_gradient
from projects.inffeed.tuning.module import InfluenceTuning
from projects.inffeed.tuning.spurious import (
    TokenRates,
    build_split,
    count_for,
    token_stats,
    with_token_everywhere,
    without_token,
)

CONFIG_DIR = Path(__file__).resolve().parents[2] / "projects/inffeed/tuning/configs"
CONFIGS = sorted(CONFIG_DIR.glob("*.yaml"))


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


# ---- the data module and the schedule of the LightningModule ----------------------------------------

def test_data_module_defaults_batches_and_orders() -> None:
    dm = SpuriousDataModule(sample_train=40, sample_eval=20, batch_size=16)
    assert dm.config == DataConfig(sample_train=40, sample_eval=20)  # the module's defaults are DataConfig's
    assert dm.data == build_data(dm.config) and dm.num_labels == 2 and dm.labels == ["not hate", "hate"]
    assert dm.vocab_size == len(Vocab.build(dm.data.train.texts, min_count=2)) and not dm.has_split("test")
    torch.manual_seed(5)
    batches = list(dm.train_dataloader())
    assert [len(b["labels"]) for b in batches] == [16, 16, 8]
    order = torch.cat([b["labels"] for b in batches])
    torch.manual_seed(5)
    assert order.tolist() == [dm.data.train.labels[i] for i in torch.randperm(40).tolist()]  # a global randperm
    first = batches[0]
    assert set(first) == {"input_ids", "attention_mask", "labels", "confound", "access"}
    assert first["input_ids"].shape == first["attention_mask"].shape == (16, dm.train_tensors["input_ids"].shape[1])


@pytest.mark.parametrize(("method", "every", "steps", "want"), [
    # 2 epochs x 3 batches = 6 task updates; rounds after updates 2 and 4 (6 - 6 = 0 is not > every / 2 = 1)
    ("influence", 2, 3, 6),
    # every 4: a round after update 4 only (6 - 4 = 2 > 2 is false): none
    ("influence", 4, 1, 0),
    # every 1: rounds after updates 1..5 (6 - 5 = 1 > 0.5), not after 6
    ("influence", 1, 2, 10),
    ("plain", 2, 3, 0),
    ("adversarial", 2, 3, 0),
])
def test_influence_updates_follow_the_schedule(method: str, every: int, steps: int, want: int) -> None:
    pl.seed_everything(0)
    dm = SpuriousDataModule(sample_train=40, sample_eval=20, batch_size=16)
    module = InfluenceTuning(method=method, embedding_dim=8, hidden=8, vocab_size=dm.vocab_size,
                             influence=InfluenceConfig(every=every, steps=steps, probes=2, k=2, eval_probes=4))
    before = {k: v.clone() for k, v in module.adversary.state_dict().items()}
    trainer = pl.Trainer(max_epochs=2, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, num_sanity_val_steps=0, accelerator="cpu")
    trainer.fit(module, datamodule=dm)
    assert module.extra_results["task_updates"] == 6 and module.extra_results["influence_updates"] == want
    assert trainer.global_step == 6 + want  # Lightning counts the steps of both optimizers
    assert set(module.split_metrics) == {"correlated", "anti", "clean", "reliance", "train"}
    assert math.isfinite(module.split_metrics["reliance"]["influence_gap"])
    moved = any(not torch.equal(v, module.adversary.state_dict()[k]) for k, v in before.items())
    assert moved == (method == "adversarial")  # only the adversarial method trains the adversary


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        InfluenceTuning(method="sgd", vocab_size=5)


# ---- the checked-in configs: NLECLI parses them, the grid names their runs ------------------------------

def parse(*args: str) -> NLECLI:
    return NLECLI(InfluenceTuning, SpuriousDataModule, project="inffeed", args=list(args), parse_only=True,
                  default_config_files=[CONFIG_DIR / "sample.yaml"])


def test_overrides_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    cfg = parse("--model.init_args.influence.lr", "0.03", "--data.init_args.train_rates.positive", "0.8",
                "--trainer.max_epochs", "3").config
    assert cfg.model.init_args.influence.lr == 0.03 and cfg.model.init_args.influence.every == 5
    assert (cfg.data.init_args.train_rates.positive, cfg.data.init_args.train_rates.negative) == (0.8, 0.1)
    assert cfg.trainer.max_epochs == 3 and cfg.model.init_args.method == "plain"
    for bad, where in [(["--model.init_args.method", "sgd"], "method"),
                       (["--model.init_args.influence.epoch", "3"], "'epoch' is not accepted")]:
        with pytest.raises(SystemExit):
            parse(*bad)
        assert where in capsys.readouterr().err
    with pytest.raises(ValueError, match="positive must lie in"):  # checked when the data module is built
        NLECLI(InfluenceTuning, SpuriousDataModule, project="inffeed", default_config_files=[CONFIG_DIR / "sample.yaml"],
               args=["--data.init_args.train_rates.positive", "1.5"])


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_checked_in_configs_parse(path: Path) -> None:
    assert path.read_text().startswith("#"), "every config starts with a comment naming what it produces"
    cli = parse("--config", str(path))
    method = cli.config.model.init_args.method
    assert cli.experiment == experiment_name(path) and cli.experiment.startswith("tuning_")
    assert cli.experiment.endswith(method) or cli.experiment == "tuning_hate_strong" and method == "influence"


def test_hate_configs_differ_only_in_method_and_schedule() -> None:
    base = parse("--config", str(CONFIG_DIR / "hate.yaml")).resolved_config()
    for name, method, influence in [("hate_adversarial", "adversarial", None), ("hate_influence", "influence", None),
                                    ("hate_strong", "influence", {"every": 5, "steps": 5, "lr": 0.02})]:
        cfg = parse("--config", str(CONFIG_DIR / f"{name}.yaml")).resolved_config()
        assert cfg["model"]["init_args"].pop("method") == method and cfg.pop("experiment") == f"tuning_{name}"
        want = yaml.safe_load(yaml.safe_dump(base))
        want["model"]["init_args"].pop("method"), want.pop("experiment")
        want["model"]["init_args"]["influence"].update(influence or {})
        assert {k: v for k, v in cfg.items() if k != "config"} == {k: v for k, v in want.items() if k != "config"}


def test_grid_runs_land_where_the_cli_writes(tmp_path: Path) -> None:
    names = ["hate", "hate_adversarial", "hate_influence", "hate_strong"]
    plan = plan_grid("inffeed", [str(CONFIG_DIR / f"{n}.yaml") for n in names], [0, 2], tmp_path,
                     module_template="projects.{project}.tuning.train", python="py")
    assert len(plan) == 8 and plan[0].command[:3] == ("py", "-m", "projects.inffeed.tuning.train")
    for run in plan:
        cli = parse("--config", run.config, "--seed_everything", str(run.seed), "--run_root", str(tmp_path))
        assert cli.run_dir == run.run_dir
