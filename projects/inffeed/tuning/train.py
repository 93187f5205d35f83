"""``python -m projects.inffeed.tuning.train [--config FILE ...] [--seed_everything S]``: one influence-tuning run
(one method, one seed) through ``NLECLI``, recorded in ``runs/inffeed/<experiment>/seed=<s>/results.json``.

With no arguments it runs ``configs/sample.yaml``: plain fine-tuning on the built-in synthetic sample (seconds).
The method is ``model.init_args.method``; each checked-in config names its own experiment, so the shared grid
runner runs methods × seeds::

    NLE_DATA_DIR=../shared/data python -m nle.results.grid --project inffeed \\
        --module-template projects.{project}.tuning.train --seeds 0 1 2 \\
        --configs projects/inffeed/tuning/configs/hate.yaml projects/inffeed/tuning/configs/hate_influence.yaml

The record's ``method`` is the trained method (a top-level ``--method`` label must agree with it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nle.results import ResultRecord
from nle.training.cli import NLECLI, run_experiment
from projects.inffeed.tuning.datamodule import SpuriousDataModule
from projects.inffeed.tuning.module import InfluenceTuning

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
MODEL_CLASS, DATA_CLASS = InfluenceTuning, SpuriousDataModule


def main(args: Any = None) -> ResultRecord | None:
    """Parse, fit, evaluate the last checkpoint, write ``results.json``; the record (None off rank zero)."""
    cli = NLECLI(MODEL_CLASS, DATA_CLASS, project="inffeed", default_config_files=[CONFIG_DIR / "sample.yaml"],
                 args=args)
    method = cli.model.method
    if cli.config.get("method") not in (None, method):
        raise ValueError(f"--method {cli.config['method']!r} labels a run that trains model.init_args.method "
                         f"{method!r}; set only model.init_args.method")
    cli.config["method"] = method
    record = run_experiment(cli)
    if record is not None:
        m = record.metrics
        print(f"{record.experiment} seed={record.seed} ({method}): clean acc {m['clean']['accuracy']:.3f} "
              f"F1 {m['clean']['macro_f1']:.3f} | anti acc {m['anti']['accuracy']:.3f} F1 {m['anti']['macro_f1']:.3f}"
              f" | corr F1 {m['correlated']['macro_f1']:.3f} | flip {m['reliance']['flip_rate']:.3f}"
              f" gap {m['reliance']['influence_gap']:+.3f} | {record.wall_time_s:.1f}s -> {cli.run_dir}", flush=True)
    return record


if __name__ == "__main__":
    main()
