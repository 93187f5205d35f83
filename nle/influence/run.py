"""Sharded influence runs from a config file: score one shard of the training set, launch shards, join them.

    python -m nle.influence.run --config run.yaml                                 # all of train -> <out>.npy
    python -m nle.influence.run --config run.yaml --shard 2 --num-shards 8 [--device cuda:2]
    python -m nle.influence.run --config run.yaml --join --num-shards 8           # -> <out>.npy + <out>.json
    python -m nle.influence.run --config run.yaml --prepare       # influence: the query side once, before shards
    python -m nle.influence.run --config run.yaml --launch 4 [--devices cuda:0,cuda:1]   # 4 processes, then join

A shard is the contiguous rows ``storage.shard_range(N, i, n)`` of the training set; each shard process writes
``<out>.shard<i>of<n>.npy`` (N_query, N_shard) and its ``.json`` metadata (estimator and settings, sha256 of every
checkpoint, data hashes, rows). ``--join`` checks the shards belong together (``storage.concat_shards``) and
writes the full matrix with the hash of the whole training set. Scores of a shard are the same columns of the
unsharded matrix: every estimator scores training points one at a time against query-side quantities (query
gradients, their inverse-HVPs against the Hessian of the *whole* ``hessian`` set) that each shard recomputes
identically, or, for ``influence``, loads from ``<out>.queries.npy`` written once by ``--prepare`` (checked
against the config's checkpoints, data and settings; a stale file is an error). To spread over devices, give each shard its own ``--device`` (``--launch`` assigns ``--devices``
round-robin); across machines, run the shard commands anywhere with the same files and ``--join`` where the
shard files are gathered.

The config (YAML; relative paths are relative to the config file)::

    model: {class_path: nle.training.module.NLEModule, init_args: {encoder: minilm, num_labels: 2}}
    checkpoints: [ckpt/epoch1.pt, ckpt/epoch2.pt]   # state dicts; influence / similarity use the last one
    data: data.safetensors          # tensors "train.<key>", "query.<key>" and optionally "hessian.<key>"
    estimator: tracin               # tracin | influence | similarity
    params: [head]                  # parameter selection (null: all trainable)
    out: scores/tracin              # output stem
    # optional: task (class_path; default ClassificationTask), learning_rates (tracin), batch_size,
    # inverse (influence: InverseHessian fields), similarity (dot | cosine), projection (dim, seed, kind),
    # grad_method (auto | hooks | vmap)
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import Tensor, nn

from nle.influence.influence import InverseHessian, influence_scores, preconditioned_queries
from nle.influence.projection import RandomProjection
from nle.influence.similarity import gradient_similarity
from nle.influence.storage import (
    ScoreMetadata,
    concat_shards,
    data_hash,
    load_scores,
    save_scores,
    sha256_file,
    shard,
    shard_range,
)
from nle.influence.task import InfluenceTask
from nle.influence.tracin import load_state_dict, tracin_scores

ESTIMATORS = ("tracin", "influence", "similarity")


@dataclass(frozen=True)
class RunConfig:
    """One influence computation; see the module docstring for the YAML it is read from."""

    model: Mapping[str, Any]
    checkpoints: tuple[str, ...]
    data: str
    estimator: str
    out: str
    params: tuple[str, ...] | None = None
    task: Mapping[str, Any] = field(default_factory=lambda: {"class_path": "nle.influence.task.ClassificationTask"})
    learning_rates: float | tuple[float, ...] = 1.0
    batch_size: int = 32
    inverse: Mapping[str, Any] = field(default_factory=dict)
    similarity: str = "dot"
    projection: Mapping[str, Any] | None = None
    grad_method: str = "auto"

    @classmethod
    def load(cls, path: str | Path) -> RunConfig:
        path = Path(path)
        raw = yaml.safe_load(path.read_text())
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: line 1: field '<root>': expected a mapping, got {type(raw).__name__}")
        known = {f.name for f in fields(cls)}
        for key in raw:
            if key not in known:
                raise ValueError(f"{path}: field {key!r}: expected one of {sorted(known)}")
        for key in ("model", "checkpoints", "data", "estimator", "out"):
            if key not in raw:
                raise ValueError(f"{path}: field {key!r}: required, missing")
        if raw["estimator"] not in ESTIMATORS:
            raise ValueError(f"{path}: field 'estimator': expected one of {ESTIMATORS}, got {raw['estimator']!r}")
        here = path.parent
        raw["checkpoints"] = tuple(str(here / c) for c in raw["checkpoints"])
        raw["data"], raw["out"] = str(here / raw["data"]), str(here / raw["out"])
        if raw.get("params") is not None:
            raw["params"] = tuple(raw["params"])
        if isinstance(raw.get("learning_rates"), list):
            raw["learning_rates"] = tuple(float(x) for x in raw["learning_rates"])
        return cls(**raw)

    def settings(self) -> dict[str, Any]:
        """Everything that changes the scores (recorded with them; shards must agree on it)."""
        s: dict[str, Any] = {"model": dict(self.model), "task": dict(self.task), "params": self.params,
                             "batch_size": self.batch_size, "grad_method": self.grad_method,
                             "projection": dict(self.projection) if self.projection else None}
        if self.estimator == "tracin":
            s["learning_rates"] = self.learning_rates
        elif self.estimator == "influence":
            s["inverse"] = InverseHessian(**self.inverse).settings()
        else:
            s["similarity"] = self.similarity
        return s


def instantiate(spec: Mapping[str, Any], where: str) -> Any:
    """``{"class_path": "pkg.mod.Name", "init_args": {...}}`` -> ``Name(**init_args)`` (import, no eval)."""
    if "class_path" not in spec:
        raise ValueError(f"{where}: field 'class_path': required, missing")
    module, _, name = str(spec["class_path"]).rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as e:
        raise ValueError(f"{where}: field 'class_path': cannot import {spec['class_path']!r} ({e})") from e
    return cls(**dict(spec.get("init_args") or {}))


def load_data(path: str | Path) -> dict[str, dict[str, Tensor]]:
    """{"train": {...}, "query": {...}, ["hessian": {...}]} from a safetensors file with ``<split>.<key>`` names."""
    from safetensors.torch import load_file

    splits: dict[str, dict[str, Tensor]] = {}
    for name, t in load_file(str(path)).items():
        split, _, key = name.partition(".")
        if split not in {"train", "query", "hessian"} or not key:
            raise ValueError(f"{path}: tensor {name!r}: expected a name 'train.<key>', 'query.<key>' or "
                             f"'hessian.<key>'")
        splits.setdefault(split, {})[key] = t
    for split in ("train", "query"):
        if split not in splits:
            raise ValueError(f"{path}: no tensors named '{split}.<key>'")
    return splits


def save_data(path: str | Path, splits: Mapping[str, Mapping[str, Tensor]]) -> None:
    """Write ``splits`` as ``load_data`` reads them."""
    from safetensors.torch import save_file

    save_file({f"{s}.{k}": t.contiguous() for s, d in splits.items() for k, t in d.items()}, str(path))


def shard_stem(out: str | Path, index: int, n_shards: int) -> Path:
    return Path(f"{out}.shard{index}of{n_shards}")


def score_shard(cfg: RunConfig, index: int = 0, n_shards: int = 1, device: str = "cpu",
                progress: bool = True) -> tuple[Tensor, ScoreMetadata]:
    """Scores (N_query, N_shard) of shard ``index`` of ``n_shards`` of the training set, and their metadata."""
    splits = load_data(cfg.data)
    train, query = splits["train"], splits["query"]
    part = shard(train, index, n_shards)
    model: nn.Module = instantiate(cfg.model, "config field 'model'").to(device)
    task: InfluenceTask = instantiate(cfg.task, "config field 'task'")
    on = {k: v.to(device) for k, v in part.items()}
    q = {k: v.to(device) for k, v in query.items()}
    params = list(cfg.params) if cfg.params is not None else None
    projection = RandomProjection(**cfg.projection) if cfg.projection else None
    if cfg.estimator == "tracin":
        scores = tracin_scores(model, task, on, q, cfg.checkpoints, cfg.learning_rates, params=params,
                               batch_size=cfg.batch_size, projection=projection, method=cfg.grad_method,
                               progress=progress)
    else:
        model.load_state_dict(load_state_dict(cfg.checkpoints[-1]))
        if cfg.estimator == "influence":
            if projection is not None:
                raise ValueError("config field 'projection': not supported with estimator 'influence'")
            queries = load_queries(cfg, splits)
            if queries is None:
                queries = prepare_queries(cfg, splits, model, task, device, progress)
            scores = influence_scores(model, task, on, q, hessian_data={}, params=params, batch_size=cfg.batch_size,
                                      progress=progress, queries=queries.to(device))
        else:
            scores = gradient_similarity(model, task, on, q, kind=cfg.similarity, params=params,
                                         batch_size=cfg.batch_size, projection=projection, progress=progress)
    rows = shard_range(next(iter(train.values())).shape[0], index, n_shards)
    meta = ScoreMetadata(cfg.estimator, cfg.settings(), [sha256_file(c) for c in cfg.checkpoints], data_hash(part),
                         data_hash(query), index, n_shards,
                         {"train_rows": [rows.start, rows.stop], "device": device,
                          "hessian_hash": data_hash(splits.get("hessian", train))})
    return scores.detach().cpu(), meta


def queries_stem(cfg: RunConfig) -> Path:
    return Path(f"{cfg.out}.queries")


def _queries_meta(cfg: RunConfig, splits: Mapping[str, Mapping[str, Tensor]]) -> ScoreMetadata:
    return ScoreMetadata("influence-queries", cfg.settings(), [sha256_file(c) for c in cfg.checkpoints],
                         data_hash(splits.get("hessian", splits["train"])), data_hash(splits["query"]))


def prepare_queries(cfg: RunConfig, splits: Mapping[str, Mapping[str, Tensor]], model: nn.Module,
                    task: InfluenceTask, device: str, progress: bool) -> Tensor:
    """(H + λI)⁻¹ ∇m(z_q) (N_query, D) for an influence config (model already at the last checkpoint)."""
    hess = {k: v.to(device) for k, v in splits.get("hessian", splits["train"]).items()}
    query = {k: v.to(device) for k, v in splits["query"].items()}
    return preconditioned_queries(model, task, query, hessian_data=hess, inverse=InverseHessian(**cfg.inverse),
                                  params=list(cfg.params) if cfg.params is not None else None,
                                  batch_size=cfg.batch_size, progress=progress).cpu()


def load_queries(cfg: RunConfig, splits: Mapping[str, Mapping[str, Tensor]]) -> Tensor | None:
    """The ``--prepare`` file of ``cfg`` if there is one; an error if it was made for other inputs or settings."""
    stem = queries_stem(cfg)
    if not Path(f"{stem}.npy").exists():
        return None
    array, meta = load_scores(stem)
    want = _queries_meta(cfg, splits).to_dict()
    for key in ("settings", "checkpoint_sha256", "train_hash", "query_hash"):
        if json.loads(json.dumps(want[key])) != meta[key]:
            raise ValueError(f"{stem}.json: field {key!r} differs from this config's inputs (a stale --prepare "
                             f"file: run --prepare again)")
    return torch.from_numpy(array)


def prepare(cfg: RunConfig, device: str = "cpu", progress: bool = True) -> Path:
    """``--prepare``: compute the influence query side once and save it beside the scores; returns its stem."""
    if cfg.estimator != "influence":
        raise ValueError(f"--prepare is for estimator 'influence', the config has {cfg.estimator!r}")
    splits = load_data(cfg.data)
    model: nn.Module = instantiate(cfg.model, "config field 'model'").to(device)
    model.load_state_dict(load_state_dict(cfg.checkpoints[-1]))
    task: InfluenceTask = instantiate(cfg.task, "config field 'task'")
    save_scores(queries_stem(cfg), prepare_queries(cfg, splits, model, task, device, progress),
                _queries_meta(cfg, splits))
    return queries_stem(cfg)


def join(cfg: RunConfig, n_shards: int) -> Path:
    """Concatenate the shard files of ``cfg`` into ``<out>.npy`` / ``<out>.json`` (train hash of the full set);
    returns the stem ``<out>``."""
    stems = [shard_stem(cfg.out, i, n_shards) for i in range(n_shards)]
    scores = concat_shards(stems)
    _, first = load_scores(stems[0])
    train = load_data(cfg.data)["train"]
    meta = ScoreMetadata(first["estimator"], first["settings"], first["checkpoint_sha256"], data_hash(train),
                         first["query_hash"], 0, 1, {"joined_from": [str(s) for s in stems],
                                                     "hessian_hash": first["extra"]["hessian_hash"]})
    save_scores(cfg.out, scores, meta)
    return Path(cfg.out)


def launch(config: str | Path, n_shards: int, devices: Sequence[str] = ("cpu",)) -> Path:
    """Run the ``n_shards`` shards as parallel processes (devices round-robin), then ``join``; returns the stem.
    For ``influence`` the query side is prepared first, once (``prepare``)."""
    cfg = RunConfig.load(config)
    if cfg.estimator == "influence":
        prepare(cfg, devices[0], progress=False)
    procs = [subprocess.Popen([sys.executable, "-m", "nle.influence.run", "--config", str(config), "--shard", str(i),
                               "--num-shards", str(n_shards), "--device", devices[i % len(devices)], "--no-progress"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n_shards)]
    for i, p in enumerate(procs):
        _, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"shard {i} of {n_shards} failed (exit {p.returncode}):\n{err[-3000:]}")
    return join(cfg, n_shards)


def main(argv: Sequence[str] | None = None) -> Path:
    """The command line (module docstring); returns the stem of the score file it wrote."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--shard", type=int, default=0)
    parser.add_argument("--num-shards", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="torch device of this shard, e.g. cuda:1")
    parser.add_argument("--join", action="store_true", help="join the --num-shards shard files")
    parser.add_argument("--prepare", action="store_true",
                        help="influence: compute (H + λI)⁻¹ ∇m(z_q) once, for every shard to load")
    parser.add_argument("--launch", type=int, default=0, metavar="N", help="run N shard processes, then join")
    parser.add_argument("--devices", default="cpu", help="comma-separated devices for --launch (round-robin)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.launch:
        return launch(args.config, args.launch, args.devices.split(","))
    cfg = RunConfig.load(args.config)
    if args.join:
        return join(cfg, args.num_shards)
    if args.prepare:
        return prepare(cfg, args.device, progress=not args.no_progress)
    scores, meta = score_shard(cfg, args.shard, args.num_shards, args.device, progress=not args.no_progress)
    stem = shard_stem(cfg.out, args.shard, args.num_shards)
    save_scores(stem, scores, meta)
    if args.num_shards == 1:
        stem = join(cfg, 1)
    print(f"{stem}.npy")
    return stem


if __name__ == "__main__":
    main()
