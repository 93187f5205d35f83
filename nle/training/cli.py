"""``NLECLI`` (LightningCLI) and ``run_experiment``: the one training entry point every project uses.

``python -m projects.<p>.train [--config FILE ...] [--seed_everything S] [--ckpt_path last]`` parses the typed
signatures of the model, the data module and the Trainer (YAML configs, ``class_path`` to swap components), then:

1. fits, keeping the best checkpoint on the first dev metric and ``last.ckpt``;
2. evaluates the best checkpoint on dev, and on test when a test split exists;
3. leaves in ``<run_root>/<project>/<experiment>/seed=<s>/``: ``config.yaml`` (resolved), ``metrics.csv``,
   ``tb/`` (TensorBoard), ``checkpoints/``, ``predictions/<split>.jsonl`` and ``results.json`` (atomic).

``--ckpt_path last`` continues an interrupted run from its ``last.ckpt`` (model, optimiser, scheduler, loops and
RNG states), to the same final metrics as an uninterrupted run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import yaml
from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.cli import LightningArgumentParser, LightningCLI
from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger

from nle.results import ResultRecord, config_hash, git_info, package_versions, sha256_file, utc_now, write_results
from nle.training.callbacks import Throughput


class NLECLI(LightningCLI):
    """LightningCLI with the nle run layout, linked label spaces and provenance. Never runs a subcommand itself."""

    def __init__(self, model_class: type[pl.LightningModule], datamodule_class: type[pl.LightningDataModule], *,
                 project: str, default_config_files: Sequence[str | Path] = (), args: Any = None,
                 parse_only: bool = False, **kwargs: Any):
        self.project, self.parse_only = project, parse_only
        parser_kwargs = {"default_config_files": [str(p) for p in default_config_files]}
        parser_kwargs.update(kwargs.pop("parser_kwargs", {}))
        super().__init__(
            model_class, datamodule_class, run=False, args=args, seed_everything_default=1,
            save_config_kwargs={"overwrite": True}, parser_kwargs=parser_kwargs,
            trainer_defaults={"use_distributed_sampler": False},  # ShardSampler shards by rank itself
            subclass_mode_model=True, subclass_mode_data=True, **kwargs,
        )

    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        parser.add_argument("--experiment", type=str | None, default=None,
                            help="Run name: runs/<project>/<experiment>/seed=<s>/ (default: the last --config's stem).")
        parser.add_argument("--method", type=str | None, default=None, help="Method label for tables (default: experiment).")
        parser.add_argument("--run_root", type=str, default="runs", help="Folder holding every run.")
        parser.add_argument("--ckpt_path", type=str | None, default=None,
                            help="'last' resumes this run from its last checkpoint; or a checkpoint path.")
        parser.add_argument("--test", type=bool, default=True, help="Evaluate the best checkpoint on test if present.")
        parser.link_arguments("data.num_labels", "model.init_args.num_labels", apply_on="instantiate")
        parser.link_arguments("data.labels", "model.init_args.labels", apply_on="instantiate")
        parser.link_arguments("data.vocab_size", "model.init_args.vocab_size", apply_on="instantiate")
        parser.link_arguments("model.init_args.encoder", "data.init_args.encoder")

    def instantiate_classes(self) -> None:
        if not self.parse_only:  # parse_only: check a config without loading weights or data (tests)
            super().instantiate_classes()

    # ---- run layout --------------------------------------------------------------------------
    @property
    def experiment(self) -> str:
        if self.config.get("experiment"):
            return str(self.config["experiment"])
        configs = self.config.get("config") or []
        return Path(str(configs[-1])).stem if configs else "default"

    @property
    def seed(self) -> int:
        return int(self.config["seed_everything"])

    @property
    def run_dir(self) -> Path:
        return Path(self.config["run_root"]) / self.project / self.experiment / f"seed={self.seed}"

    def instantiate_trainer(self, **kwargs: Any) -> pl.Trainer:
        run_dir = self.run_dir
        model = self._get(self.config_init, "model")
        user_callbacks = self._get(self.config_init, "trainer", default={}).get("callbacks") or []
        checkpoint = ModelCheckpoint(
            dirpath=run_dir / "checkpoints", filename="best-{epoch}-{step}", monitor=model.monitor,
            mode=model.monitor_mode, save_top_k=1, save_last=True,
        )
        kwargs.setdefault("default_root_dir", str(run_dir))
        kwargs.setdefault("logger", [CSVLogger(run_dir, name="", version=""),
                                     TensorBoardLogger(run_dir, name="tb", version="", default_hp_metric=False)])
        kwargs["callbacks"] = [*list(user_callbacks), checkpoint, Throughput()]
        return super().instantiate_trainer(**kwargs)

    def resolved_config(self) -> dict[str, Any]:
        return yaml.safe_load(self.parser.dump(self.config, skip_none=False, skip_link_targets=False))


def run_experiment(cli: NLECLI) -> ResultRecord | None:
    """Fit, evaluate the best checkpoint on dev (and test), write predictions and ``results.json``.

    Returns the record on the global-zero process (``None`` on the others).
    """
    start = time.time()
    trainer, model, data = cli.trainer, cli.model, cli.datamodule
    trainer.fit(model, datamodule=data, ckpt_path=cli.config["ckpt_path"])
    best = trainer.checkpoint_callback.best_model_path if trainer.checkpoint_callback else ""
    model.prediction_dir = cli.run_dir / "predictions"
    trainer.validate(model, datamodule=data, ckpt_path=best or None, verbose=False)
    if cli.config["test"] and data.has_split("test"):
        trainer.test(model, datamodule=data, ckpt_path=best or None, verbose=False)
    if not trainer.is_global_zero:
        return None
    config = cli.resolved_config()
    hashed = {k: v for k, v in config.items() if k not in {"ckpt_path", "config", "run_root"}}
    sha, dirty = git_info()
    record = ResultRecord(
        project=cli.project, experiment=cli.experiment, method=cli.config.get("method") or cli.experiment,
        seed=cli.seed, metrics=dict(model.split_metrics), config_hash=config_hash(hashed),
        config_files=[str(p) for p in cli.config.get("config") or []], config=config,
        git_sha=sha, git_dirty=dirty,
        data_files={p: sha256_file(p) for p in sorted(getattr(data, "data_files", ()))},
        versions=package_versions(), devices=trainer.world_size,
        accelerator=type(trainer.accelerator).__name__.replace("Accelerator", "").lower(),
        num_nodes=trainer.num_nodes, precision=str(trainer.precision), wall_time_s=round(time.time() - start, 3),
        created=utc_now(), run_dir=str(cli.run_dir),
        extra={"best_checkpoint": best, "epochs": trainer.current_epoch, "global_step": trainer.global_step,
               "resumed_from": cli.config["ckpt_path"], **getattr(model, "extra_results", {})},
    )
    write_results(record, cli.run_dir / "results.json")
    return record


def train_main(model_class: type[pl.LightningModule], datamodule_class: type[pl.LightningDataModule], *,
               project: str, default_config_files: Sequence[str | Path] = (), args: Any = None) -> ResultRecord | None:
    """The body of every ``projects/<p>/train.py``: parse, fit, evaluate, record."""
    cli = NLECLI(model_class, datamodule_class, project=project, default_config_files=default_config_files, args=args)
    record = run_experiment(cli)
    if record is not None:
        print(f"results: {cli.run_dir / 'results.json'}")
        for split, metrics in record.metrics.items():
            print(f"  {split}: " + ", ".join(f"{k}={v:.4f}" for k, v in metrics.items()))
    return record
