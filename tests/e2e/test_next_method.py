"""NExT's objective and its baselines through the real entry point, on the built-in sample with a tiny encoder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nle.training.callbacks import SimulatedInterruption
from projects.next_tacred import pseudo_labels
from projects.next_tacred.train import main
from tests.e2e.conftest import SMOKE, read_json

NEXT = ["--model.init_args.method", "next", "--data.init_args.train_subset", "explained+unlabelled",
        "--model.init_args.tune_other", "true", "--model.init_args.matcher_pretrain_steps", "3",
        "--model.init_args.matcher_hidden", "8", "--trainer.log_every_n_steps", "1",
        "--data.init_args.labelled_batch_size", "4"]
EPOCHS = ["--trainer.max_steps", "-1", "--trainer.max_epochs", "2", "--trainer.limit_train_batches", "3"]


def _columns(run: Path) -> set[str]:
    with open(run / "metrics.csv") as f:
        return set(next(csv.reader(f)))


def test_next_trains_with_every_loss_term_and_records_the_rules(run_root: Path) -> None:
    record = main(["--config", SMOKE, *NEXT, "--run_root", str(run_root), "--experiment", "next"])
    run = run_root / "next_tacred" / "next" / "seed=1"
    extra = read_json(run / "results.json")["extra"]
    assert extra["rules"]["n_rules"] == 18 and extra["rules"]["n_explained"] == 18
    assert extra["rules"]["hard_precision"] == 1.0  # the sample's rules are its templates
    assert extra["rules"]["n_unlabelled"] > 0 and extra["n_explanations"] == 18
    assert "other_entropy_threshold" in extra and "matcher_pretrain_loss" in extra
    assert {"train/l_find", "train/l_sim", "train/soft_confidence", "train/pseudo_label_accuracy"} <= _columns(run)
    assert record is not None and 0.0 <= record.metrics["dev"]["semeval_f1"] <= 1.0
    report = pseudo_labels.main(["--run", str(run), "--passes", "2"])
    assert report["pool_size"] == extra["rules"]["n_unlabelled"] and report["matcher"] == "learned"
    assert report["mass_per_batch"] == pytest.approx(1.0)  # softmax weighting: weights sum to 1 per batch
    assert (run / "analysis" / "pseudo_labels_learned.md").exists()
    versus = pseudo_labels.main(["--run", str(run), "--passes", "2", "--classifier", str(run)])["classifier"]
    by_t = {r["threshold"]: r for r in versus["agreement"]}
    covered = {r["threshold"]: r["sentences"] for r in report["coverage"]}
    assert all(by_t[t]["sentences"] == n and by_t[t]["agree"] <= n for t, n in covered.items())
    assert 0.0 <= versus["pool_accuracy"] <= 1.0
    assert "right where they agree" in (run / "analysis" / "pseudo_labels_learned.md").read_text()


def test_exact_matcher_and_self_training_run(run_root: Path) -> None:
    main(["--config", SMOKE, *NEXT, "--model.init_args.matcher", "exact", "--model.init_args.unlabelled_weighting",
          "linear", "--run_root", str(run_root),
          "--experiment", "exact"])
    cols = _columns(run_root / "next_tacred" / "exact" / "seed=1")
    assert "train/soft_confidence" in cols and "train/l_find" not in cols  # no matcher losses without a matcher
    main(["--config", SMOKE, "--model.init_args.method", "self_training", "--model.init_args.warmup_epochs", "0",
          "--model.init_args.self_training_threshold", "0.0", "--data.init_args.train_subset", "explained+unlabelled",
          "--trainer.log_every_n_steps", "1",
          "--run_root", str(run_root), "--experiment", "self"])
    assert "train/pseudo_kept" in _columns(run_root / "next_tacred" / "self" / "seed=1")


def test_oracle_pseudo_labels_train_towards_the_hidden_gold(run_root: Path) -> None:
    main(["--config", SMOKE, *NEXT, "--model.init_args.oracle_pseudo_labels",
          "true", "--run_root", str(run_root), "--experiment", "oracle"])
    with open(run_root / "next_tacred" / "oracle" / "seed=1" / "metrics.csv") as f:
        accuracy = [float(r["train/pseudo_label_accuracy"]) for r in csv.DictReader(f)
                    if r.get("train/pseudo_label_accuracy")]
    assert accuracy and all(a == pytest.approx(1.0) for a in accuracy)


def test_next_without_unlabelled_pool_is_refused(run_root: Path) -> None:
    with pytest.raises(ValueError, match="explained\\+unlabelled"):
        main(["--config", SMOKE, "--model.init_args.method", "next", "--run_root", str(run_root)])


def test_interrupted_next_run_resumes_to_the_same_metrics(run_root: Path) -> None:
    main(["--config", SMOKE, *NEXT, *EPOCHS, "--run_root", str(run_root), "--experiment", "straight"])
    straight = read_json(run_root / "next_tacred" / "straight" / "seed=1" / "results.json")
    args = ["--config", SMOKE, *NEXT, *EPOCHS, "--run_root", str(run_root), "--experiment", "interrupted"]
    with pytest.raises(SimulatedInterruption):
        main([*args, "--trainer.callbacks+=nle.training.callbacks.InterruptAt", "--trainer.callbacks.epoch=1"])
    main([*args, "--ckpt_path", "last"])
    resumed = read_json(run_root / "next_tacred" / "interrupted" / "seed=1" / "results.json")
    assert resumed["extra"]["global_step"] == straight["extra"]["global_step"]
    assert "matcher_pretrain_loss" not in resumed["extra"]  # the matcher's pretraining is not redone on resume
    for split in ("dev", "test"):
        for name, value in straight["metrics"][split].items():
            assert resumed["metrics"][split][name] == pytest.approx(value, abs=1e-9), (split, name)
