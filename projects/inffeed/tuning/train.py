"""``python -m projects.inffeed.tuning.train``: train and score every (method, seed) of a config; one
``results.json`` per run under ``<run_root>/<experiment>/<method>/seed=<s>/``.

With no arguments it runs the three methods on the built-in synthetic sample (seconds). Real runs::

    NLE_DATA_DIR=../shared/data python -m projects.inffeed.tuning.train \
        --config projects/inffeed/tuning/configs/hate.yaml --seed 0 --seed 1 --seed 2

Options: ``--config FILE`` (repeatable, merged left to right over the defaults of ``config.py``),
``--set dotted.key=value`` (repeatable), ``--method`` / ``--seed`` (repeatable; replace the config's lists),
``--run_root`` (default ``runs/inffeed/tuning``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from nle.results import ResultRecord, stamp, write_results
from projects.inffeed.tuning.config import Method, RunConfig, load_config, to_dict
from projects.inffeed.tuning.data import SpuriousData, build_data
from projects.inffeed.tuning.evaluate import reliance, split_scores
from projects.inffeed.tuning.loop import fit, measured_gap
from projects.inffeed.tuning.model import Vocab
from projects.inffeed.tuning.spurious import token_stats

PROJECT = "inffeed"
CONFIG_DIR = Path(__file__).resolve().parent / "configs"


def parse_args(args: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m projects.inffeed.tuning.train", description=__doc__.split("\n")[0])
    p.add_argument("--config", action="append", default=[], help="YAML file(s) over the defaults")
    p.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE")
    p.add_argument("--method", action="append", choices=[m.value for m in Method])
    p.add_argument("--seed", action="append", type=int)
    p.add_argument("--run_root", default="runs/inffeed/tuning")
    return p.parse_args(args)


def run_one(cfg: RunConfig, data: SpuriousData, vocab: Vocab, method: Method, seed: int, run_root: Path,
            config_files: list[str]) -> ResultRecord:
    """Train one (method, seed), score it, write and return its record."""
    start = time.perf_counter()
    result = fit(method, data, vocab, cfg, seed=seed)
    metrics = {name: split_scores(result.model, vocab, split, cfg.data.max_len)
               for name, split in data.eval_splits().items()}
    metrics["reliance"] = reliance(result.model, vocab, data.clean, data.anti, seed=cfg.data.seed + 5,
                                   max_len=cfg.data.max_len)
    metrics["reliance"]["influence_gap"] = measured_gap(result.model, data, vocab, cfg, seed=seed)
    metrics["train"] = {"final_task_loss": result.log["task_loss"][-1]}
    wall = time.perf_counter() - start
    config = {**to_dict(cfg), "method": method.value, "seed": seed}
    run_dir = run_root / cfg.experiment / method.value / f"seed={seed}"
    record = ResultRecord(
        project=PROJECT, experiment=f"tuning_{cfg.experiment}", method=method.value, seed=seed, metrics=metrics,
        config_files=config_files, config=config, devices=1, accelerator="cpu", num_nodes=1,
        precision="32-true", wall_time_s=wall, run_dir=str(run_dir),
        extra={"seconds": result.seconds, "token_stats": {n: token_stats(s) for n, s in
                                                          [("train", data.train), *data.eval_splits().items()]},
               "vocab_size": len(vocab), "influence_updates": len(result.log["inf_loss"]),
               "influence_gap_log": result.log["inf_gap"][:: max(1, len(result.log["inf_gap"]) // 50)],
               "torch_threads": torch.get_num_threads()},
        **stamp(config, data_files=data.files, ignore=("seed",)),
    )
    write_results(record, run_dir / "results.json")
    return record


def main(args: Sequence[str] | None = None) -> list[ResultRecord]:
    ns = parse_args(args)
    cfg = load_config(ns.config, ns.overrides)
    methods = [Method(m) for m in ns.method] if ns.method else list(cfg.methods)
    seeds = ns.seed if ns.seed else list(cfg.seeds)
    data = build_data(cfg.data)
    vocab = Vocab.build(data.train.texts, min_count=cfg.data.min_count)
    records = []
    for seed in seeds:
        for method in methods:
            rec = run_one(cfg, data, vocab, method, seed, Path(ns.run_root), list(ns.config))
            m = rec.metrics
            print(f"{method.value:12s} seed={seed} clean acc {m['clean']['accuracy']:.3f} F1 {m['clean']['macro_f1']:.3f}"
                  f" | anti acc {m['anti']['accuracy']:.3f} F1 {m['anti']['macro_f1']:.3f}"
                  f" | corr F1 {m['correlated']['macro_f1']:.3f} | flip {m['reliance']['flip_rate']:.3f}"
                  f" gap {m['reliance']['influence_gap']:+.3f} | {rec.wall_time_s:.1f}s", flush=True)
            records.append(rec)
    return records


if __name__ == "__main__":
    main()
