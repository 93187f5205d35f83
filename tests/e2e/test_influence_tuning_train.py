"""End to end: ``python -m projects.inffeed.tuning.train`` on the built-in sample, and (slow) on TweetEval hate."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nle.results import load_results
from projects.inffeed.tuning.tables import main as tables_main
from projects.inffeed.tuning.train import CONFIG_DIR, main


def test_sample_run_writes_one_record_per_method(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = main(["--config", str(CONFIG_DIR / "sample.yaml"), "--run_root", str(tmp_path / "inffeed" / "tuning")])
    assert [r.method for r in records] == ["plain", "adversarial", "influence"]
    loaded = {r.method: r for r in load_results(tmp_path)}
    assert set(loaded) == {"plain", "adversarial", "influence"}
    for rec in loaded.values():
        assert rec.project == "inffeed" and rec.experiment == "tuning_sample" and rec.seed == 0
        assert set(rec.metrics) == {"correlated", "anti", "clean", "reliance", "train"}
        assert rec.extra["token_stats"]["train"]["with_token_pos"] == 270  # 90% of 300 positives
        assert rec.extra["token_stats"]["clean"]["with_token_pos"] == 0
    plain = loaded["plain"].metrics
    # The shortcut is learned: the anti-correlated split is far below the correlated one, adding the token flips.
    assert plain["correlated"]["macro_f1"] > 0.75 and plain["anti"]["macro_f1"] < 0.45
    assert plain["reliance"]["flip_rate"] > 0.5
    # Both de-confounding methods rely less on the token than plain fine-tuning.
    assert loaded["influence"].metric("reliance", "flip_rate") < plain["reliance"]["flip_rate"] - 0.1
    assert loaded["adversarial"].metric("reliance", "flip_rate") < plain["reliance"]["flip_rate"] - 0.1
    assert loaded["influence"].extra["influence_updates"] > 0
    capsys.readouterr()
    assert tables_main(["--runs", str(tmp_path), "--format", "md"]) == 0
    table = capsys.readouterr().out
    assert "Built-in synthetic sample" in table and "(n=1)" in table


def test_same_seed_same_numbers(tmp_path: Path) -> None:
    args = ["--method", "influence", "--set", "train.epochs=2"]
    a = main([*args, "--run_root", str(tmp_path / "a")])[0]
    b = main([*args, "--run_root", str(tmp_path / "b")])[0]
    assert a.metrics == b.metrics and a.config_hash == b.config_hash


@pytest.mark.slow
def test_tweeteval_hate_small(tmp_path: Path) -> None:
    if not os.environ.get("NLE_DATA_DIR"):
        pytest.skip("NLE_DATA_DIR is not set: needs $NLE_DATA_DIR/tweeteval/datasets/hate")
    rec = main(["--config", str(CONFIG_DIR / "hate.yaml"), "--seed", "0", "--method", "plain",
                "--set", "data.train_limit=2000", "--set", "train.epochs=2", "--run_root", str(tmp_path)])[0]
    stats = rec.extra["token_stats"]["train"]
    assert stats["n"] == 2000 and stats["with_token_pos"] == int(0.9 * stats["n_pos"] + 0.5)
    assert rec.extra["token_stats"]["anti"]["rate_neg"] == pytest.approx(0.9, abs=1e-3)
    assert any(p.endswith("hate/train_text.txt") for p in rec.data_files)
    assert rec.metric("correlated", "macro_f1") > rec.metric("anti", "macro_f1")
