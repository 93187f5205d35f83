"""``python -m projects.inffeed.train [--config FILE ...] [--seed_everything S]``: the InfFeed protocol, recorded.

With no arguments it runs ``configs/base.yaml``: feedback and dataset extension on the built-in sample (frozen
MiniLM features + a logistic-regression head; under a minute on CPU). Every arm writes
``runs/inffeed/<experiment>/seed=<s>/<arm>/results.json``; ``python -m projects.inffeed.tables`` renders them.
The parsed ``model`` is the template every arm instantiates afresh (its ``protocol`` says which arms run); the
``trainer`` section sets each arm's fit.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from nle.results import ResultRecord
from nle.training.cli import NLECLI
from projects.inffeed.data import InfFeedData
from projects.inffeed.experiment import RunContext, run_extension, run_feedback
from projects.inffeed.model import InfFeedClassifier

CONFIG_DIR = Path(__file__).parent / "configs"
MODEL_CLASS, DATA_CLASS = InfFeedClassifier, InfFeedData


def run(cli: NLECLI) -> list[ResultRecord]:
    """Both parts of the protocol on the parsed model / data; returns every arm's record."""
    start = time.time()
    data: InfFeedData = cli.datamodule
    model: InfFeedClassifier = cli.model
    if bool(model.hparams.encoder_trainable) != data.encoder_trainable:
        raise ValueError("model.init_args.encoder_trainable and data.init_args.encoder_trainable must agree "
                         f"(got {model.hparams.encoder_trainable} and {data.encoder_trainable}); see configs/finetune.yaml")
    data.setup("fit")
    settings = model.protocol
    hparams = dict(model.hparams)
    ctx = RunContext(project=cli.project, experiment=cli.experiment, seed=cli.seed, run_dir=cli.run_dir,
                     config=cli.resolved_config(), config_files=[str(p) for p in cli.config.get("config") or []],
                     data_files=sorted(data.data_files), task=data.spec.name, dev_source=data.dev_source)
    trainer_cfg = dict(cli.config["trainer"])
    records: list[ResultRecord] = []
    if settings.feedback:
        records += run_feedback(ctx, hparams, data.train, data.dev, settings, data.batch_size, trainer_cfg,
                                model.score)
    if settings.extension:
        records += run_extension(ctx, hparams, data.train, data.dev, settings, data.batch_size, trainer_cfg,
                                 data.split_seed, model.score)
    print(f"{len(records)} arm(s) in {time.time() - start:.1f} s under {cli.run_dir}")
    for r in records:
        print(f"  {r.method:<28} " + "  ".join(f"{s}/macro_f1={m['macro_f1']:.4f}" for s, m in r.metrics.items()
                                                 if "macro_f1" in m))
    return records


def main(args: Any = None) -> list[ResultRecord]:
    cli = NLECLI(MODEL_CLASS, DATA_CLASS, project="inffeed", default_config_files=[CONFIG_DIR / "base.yaml"],
                 args=args)
    return run(cli)


if __name__ == "__main__":
    main()
