"""The sharded runner (python -m nle.influence.run): shards joined equal the unsharded scores (exactly when shard
and batch boundaries agree), scores do not depend on the batch size, metadata names checkpoints, data and
settings, and --launch runs shards as processes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import yaml

from nle.influence.run import RunConfig, launch, load_data, main, save_data, shard_stem
from nle.influence.storage import data_hash, load_scores, sha256_file
from nle.training.encoder import TINY_OVERRIDES
from nle.training.module import NLEModule

MODEL = {"class_path": "nle.training.module.NLEModule",
         "init_args": {"pretrained": False, "encoder_overrides": dict(TINY_OVERRIDES), "num_labels": 3,
                       "dropout": 0.0}}


def batch(n: int, seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 1000, (n, 8), generator=g)
    mask = torch.ones(n, 8, dtype=torch.long)
    for i in range(n):
        mask[i, 3 + i % 5:] = 0
    return {"input_ids": ids * mask, "attention_mask": mask, "labels": torch.randint(0, 3, (n,), generator=g)}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run")
    torch.manual_seed(0)
    model = NLEModule(**MODEL["init_args"]).eval()
    train = batch(12, 0)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for step in range(2):
        opt.zero_grad()
        F.cross_entropy(model(train), train["labels"]).backward()
        opt.step()
        torch.save(model.state_dict(), root / f"c{step}.pt")
    save_data(root / "data.safetensors", {"train": train, "query": batch(3, 1)})
    return root


def write_config(root: Path, name: str, **over: object) -> Path:
    cfg = {"model": MODEL, "checkpoints": ["c0.pt", "c1.pt"], "data": "data.safetensors", "estimator": "tracin",
           "params": ["head", "encoder.encoder.layer.1"], "out": f"out/{name}", "learning_rates": [0.5, 0.5],
           "batch_size": 4, **over}
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


@pytest.mark.parametrize("estimator, extra", [
    ("tracin", {}),
    ("influence", {"inverse": {"method": "ekfac", "damping": 0.01}}),
    ("influence", {"inverse": {"method": "cg", "damping": 0.1, "cg_tol": 1e-6}, "params": ["head"]}),
    ("similarity", {"similarity": "cosine"}),
])
def test_sharded_equals_unsharded(setup: Path, estimator: str, extra: dict) -> None:
    name = f"{estimator}_{extra.get('inverse', {}).get('method', '')}"
    cfg = write_config(setup, name, estimator=estimator, **extra)
    full, meta = load_scores(main(["--config", str(cfg), "--no-progress"]))
    assert full.shape == (3, 12) and np.isfinite(full).all() and np.abs(full).max() > 0
    for n in (3, 2):  # 3 shards of 4 rows fall on the batch boundaries (batch_size 4); 2 shards of 6 do not
        for i in range(n):
            main(["--config", str(cfg), "--shard", str(i), "--num-shards", str(n), "--no-progress"])
        joined, _ = load_scores(main(["--config", str(cfg), "--join", "--num-shards", str(n)]))
        if n == 3:
            assert np.array_equal(joined, full)
        else:
            np.testing.assert_allclose(joined, full, rtol=1e-5, atol=1e-6 * np.abs(full).max())
    if estimator == "influence":  # the query side prepared once, loaded by every shard: exactly the same columns
        main(["--config", str(cfg), "--prepare", "--no-progress"])
        for i in range(3):
            main(["--config", str(cfg), "--shard", str(i), "--num-shards", "3", "--no-progress"])
        assert np.array_equal(load_scores(main(["--config", str(cfg), "--join", "--num-shards", "3"]))[0], full)
        stale = write_config(setup, name, estimator=estimator, **{**extra, "inverse": {
            **extra["inverse"], "damping": 0.5}})
        with pytest.raises(ValueError, match="queries.json: field 'settings'.*--prepare"):
            main(["--config", str(stale), "--no-progress"])
    other = write_config(setup, name + "_bs", estimator=estimator, batch_size=5, **extra)
    np.testing.assert_allclose(load_scores(main(["--config", str(other), "--no-progress"]))[0], full, rtol=1e-4,
                               atol=1e-5 * np.abs(full).max())
    data = RunConfig.load(cfg)
    splits = load_data(data.data)
    assert meta["train_hash"] == data_hash(splits["train"]) and meta["query_hash"] == data_hash(splits["query"])
    assert meta["checkpoint_sha256"] == [sha256_file(setup / "c0.pt"), sha256_file(setup / "c1.pt")]
    assert meta["estimator"] == estimator and meta["settings"]["batch_size"] == 4
    if estimator == "influence":
        assert meta["settings"]["inverse"]["method"] == extra["inverse"]["method"]
    shard_meta = json.loads(Path(f"{shard_stem(data.out, 1, 3)}.json").read_text())
    assert shard_meta["extra"]["train_rows"] == [4, 8] and shard_meta["shard_index"] == 1


def test_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"model": MODEL, "checkpoints": [], "data": "d", "estimator": "tracin",
                                   "out": "o", "bogus": 1}))
    with pytest.raises(ValueError, match="bad.yaml: field 'bogus'"):
        RunConfig.load(bad)
    bad.write_text(yaml.safe_dump({"model": MODEL, "checkpoints": [], "data": "d", "estimator": "loo", "out": "o"}))
    with pytest.raises(ValueError, match="field 'estimator'"):
        RunConfig.load(bad)


@pytest.mark.slow
def test_launch_processes_then_join(setup: Path) -> None:
    cfg = write_config(setup, "launched")
    ref, _ = load_scores(main(["--config", str(write_config(setup, "inproc")), "--no-progress"]))
    got, meta = load_scores(launch(cfg, 3))
    assert np.array_equal(got, ref) and meta["extra"]["joined_from"][0].endswith("launched.shard0of3")
