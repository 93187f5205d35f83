"""nle.influence core: per-example gradients equal a loop, HVPs and inverse-HVPs equal the dense Hessian,
scores are invariant to batch size and sharding, storage round-trips with metadata and refuses mismatched shards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nle.influence import (
    HVP,
    ClassificationTask,
    InfluenceTask,
    InverseHessian,
    ParamSpace,
    RandomProjection,
    ScoreMetadata,
    concat_shards,
    conjugate_gradient,
    damped_solve,
    data_hash,
    exact_hessian,
    gradient_similarity,
    influence_scores,
    lissa,
    load_scores,
    per_example_grads,
    per_example_grads_loop,
    save_scores,
    select_parameters,
    sha256_file,
    shard,
    shard_range,
    similarity,
    tracin_scores,
)


class MLP(nn.Module):
    def __init__(self, d_in: int = 6, hidden: int = 8, classes: int = 3):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        return self.fc2(torch.tanh(self.fc1(batch["x"])))  # (B, C)


@dataclass(frozen=True)
class XYTask:
    def train_loss(self, model: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        return F.cross_entropy(model(batch), batch["labels"], reduction="none")

    def measurement(self, model: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        return self.train_loss(model, batch)


def data(n: int, seed: int = 0) -> dict[str, Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {"x": torch.randn(n, 6, generator=g), "labels": torch.randint(0, 3, (n,), generator=g)}


@pytest.fixture
def model() -> MLP:
    torch.manual_seed(0)
    return MLP()


@pytest.fixture
def checkpoints(tmp_path: Path, model: MLP) -> list[Path]:
    train = data(40)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    paths = []
    for step in range(3):
        loss = F.cross_entropy(model(train), train["labels"])
        opt.zero_grad()
        loss.backward()
        opt.step()
        paths.append(tmp_path / f"step{step}.pt")
        torch.save(model.state_dict(), paths[-1])
    return paths


def test_task_contract_and_selection(model: MLP) -> None:
    assert isinstance(XYTask(), InfluenceTask) and isinstance(ClassificationTask(), InfluenceTask)
    assert list(select_parameters(model, ["fc2"])) == ["fc2.weight", "fc2.bias"]
    assert list(select_parameters(model, ["fc2.bias", "fc1"])) == ["fc1.weight", "fc1.bias", "fc2.bias"]
    assert len(select_parameters(model)) == 4
    with pytest.raises(KeyError, match="fc3.*fc1"):
        select_parameters(model, ["fc3"])
    space = ParamSpace.of(select_parameters(model))
    assert space.numel == 6 * 8 + 8 + 8 * 3 + 3
    flat = space.values(model)
    assert torch.equal(space.unflatten(flat)["fc2.bias"], model.fc2.bias.detach())


@pytest.mark.parametrize("params", [None, ["fc2"]])
def test_per_example_grads_equal_loop(model: MLP, params: list[str] | None) -> None:
    space = ParamSpace.of(select_parameters(model, params))
    d = data(13)
    fast = per_example_grads(model, XYTask().train_loss, d, space, batch_size=5, chunk_size=2)
    slow = per_example_grads_loop(model, XYTask().train_loss, d, space)
    assert fast.shape == (13, space.numel) and fast.dtype == torch.float32
    torch.testing.assert_close(fast, slow, rtol=1e-5, atol=1e-6)
    # the gradient of the mean loss is the mean of the per-example gradients
    named = dict(model.named_parameters())
    total = torch.autograd.grad(XYTask().train_loss(model, d).mean(), [named[n] for n in space.names])
    torch.testing.assert_close(fast.mean(0), torch.cat([g.reshape(-1) for g in total]), rtol=1e-5, atol=1e-6)


def test_per_example_grads_fp32_under_bf16_autocast_and_half_model(model: MLP) -> None:
    space = ParamSpace.of(select_parameters(model))
    d = data(6)
    ref = per_example_grads(model, XYTask().train_loss, d, space)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under = per_example_grads(model, XYTask().train_loss, d, space)
    torch.testing.assert_close(under, ref)  # autocast is switched off inside
    half = MLP().to(torch.bfloat16)
    half.load_state_dict(model.state_dict())
    g = per_example_grads(half, XYTask().train_loss, d, space)
    assert g.dtype == torch.float32 and (g - ref).abs().max() < 0.05  # bf16 weights, fp32 arithmetic


def test_model_mode_is_restored(model: MLP) -> None:
    model.train()
    per_example_grads(model, XYTask().train_loss, data(3), ParamSpace.of(select_parameters(model)))
    assert model.training and model.fc1.training


def test_projection_preserves_inner_products_on_average() -> None:
    g = torch.randn(4, 3000, generator=torch.Generator().manual_seed(1))
    exact = g @ g.T
    for kind in ("gaussian", "countsketch"):
        proj = RandomProjection(dim=2000, seed=3, kind=kind)
        p = proj(g)
        assert p.shape == (4, 2000)
        torch.testing.assert_close(proj(g), p)  # deterministic
        rel = ((p @ p.T) - exact).abs().max() / exact.diagonal().mean()
        assert rel < 0.15, (kind, rel)
    with pytest.raises(ValueError, match="kind"):
        RandomProjection(8, kind="fourier")


def test_hvp_and_inverse_hvp_agree_with_dense_hessian(model: MLP) -> None:
    model = model.double()
    d = {"x": data(30)["x"].double(), "labels": data(30)["labels"]}
    space = ParamSpace.of(select_parameters(model, ["fc2"]))
    h = exact_hessian(model, XYTask(), d, space, batch_size=7)  # (27, 27)
    assert h.shape == (27, 27) and torch.allclose(h, h.T, atol=1e-10)
    v = torch.randn(3, space.numel, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for mode in ("reverse", "forward"):
        hvp = HVP(model, XYTask(), d, space, batch_size=11, mode=mode)
        torch.testing.assert_close(hvp(v), v @ h, rtol=1e-9, atol=1e-10)
    # fc2 of a softmax classifier: H is PSD (rank-deficient along the softmax shift), damping makes it PD
    damping = 0.05
    exact = damped_solve(h, v, damping)
    torch.testing.assert_close(exact @ (h + damping * torch.eye(27, dtype=h.dtype)), v, rtol=1e-8, atol=1e-9)
    hvp = HVP(model, XYTask(), d, space, batch_size=30)
    torch.testing.assert_close(conjugate_gradient(hvp, v, damping=damping, max_iter=200, tol=1e-12), exact,
                               rtol=1e-7, atol=1e-8)
    # LiSSA converges like (1 - λ_min/s)^depth: a larger damping keeps the test short
    damping = 0.5
    scale = float(torch.linalg.eigvalsh(h).max()) + damping + 0.1
    torch.testing.assert_close(lissa(hvp, v, damping=damping, scale=scale, depth=150), damped_solve(h, v, damping),
                               rtol=1e-6, atol=1e-7)


def test_influence_methods_agree_and_shard(model: MLP) -> None:
    train, query = data(24), data(5, seed=1)
    kw = dict(hessian_data=train, params=["fc2"], batch_size=5)
    exact = influence_scores(model, XYTask(), train, query, inverse=InverseHessian("exact", damping=0.05), **kw)
    cg = influence_scores(model, XYTask(), train, query, inverse=InverseHessian("cg", damping=0.05, cg_tol=1e-10),
                          **kw)
    assert exact.shape == (5, 24)
    torch.testing.assert_close(cg, exact, rtol=1e-4, atol=1e-5)
    parts = [influence_scores(model, XYTask(), shard(train, i, 3), query,
                              inverse=InverseHessian("exact", damping=0.05), **kw) for i in range(3)]
    torch.testing.assert_close(torch.cat(parts, dim=1), exact, rtol=1e-6, atol=1e-7)


def test_similarity_dot_and_cosine(model: MLP) -> None:
    train, query = data(9), data(4, seed=2)
    dot = gradient_similarity(model, XYTask(), train, query, kind="dot")
    cos = gradient_similarity(model, XYTask(), train, query, kind="cosine")
    space = ParamSpace.of(select_parameters(model))
    gq = per_example_grads_loop(model, XYTask().measurement, query, space)
    gt = per_example_grads_loop(model, XYTask().train_loss, train, space)
    torch.testing.assert_close(dot, gq @ gt.T, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(cos, F.cosine_similarity(gq[:, None], gt[None], dim=-1), rtol=1e-5, atol=1e-6)
    assert cos.abs().max() <= 1 + 1e-6
    with pytest.raises(ValueError, match="cosine"):
        similarity(gq, gt, kind="l2")


def test_tracin_invariant_to_batch_size_and_sharding(model: MLP, checkpoints: list[Path], tmp_path: Path) -> None:
    train, query = data(40), data(6, seed=3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ref = tracin_scores(model, XYTask(), train, query, checkpoints, [0.5, 0.5, 0.25], batch_size=64)
    for bs in (1, 7):
        torch.testing.assert_close(tracin_scores(model, XYTask(), train, query, checkpoints, [0.5, 0.5, 0.25],
                                                 batch_size=bs), ref, rtol=1e-5, atol=1e-6)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # weights restored
    hashes = [sha256_file(p) for p in checkpoints]
    stems = []
    for i in range(3):
        part = tracin_scores(model, XYTask(), shard(train, i, 3), query, checkpoints, [0.5, 0.5, 0.25], batch_size=4)
        meta = ScoreMetadata("tracin", {"lr": [0.5, 0.5, 0.25]}, hashes, data_hash(shard(train, i, 3)),
                             data_hash(query), shard_index=i, n_shards=3)
        stems.append(tmp_path / f"tracin.shard{i}")
        save_scores(stems[-1], part, meta)
    full = concat_shards(list(reversed(stems)))  # order of the files does not matter
    np.testing.assert_allclose(full, ref.numpy(), rtol=1e-5, atol=1e-6)
    # by hand: the sum over checkpoints of lr * <grad train, grad query>
    space = ParamSpace.of(select_parameters(model))
    manual = torch.zeros(6, 40)
    for path, lr in zip(checkpoints, [0.5, 0.5, 0.25]):
        model.load_state_dict(torch.load(path, weights_only=True))
        manual += lr * per_example_grads_loop(model, XYTask().train_loss, query, space) @ \
            per_example_grads_loop(model, XYTask().train_loss, train, space).T
    torch.testing.assert_close(ref, manual, rtol=1e-5, atol=1e-6)


def test_storage_round_trip_and_errors(tmp_path: Path) -> None:
    assert list(shard_range(10, 0, 3)) == [0, 1, 2] and list(shard_range(10, 2, 3)) == [6, 7, 8, 9]
    with pytest.raises(ValueError, match="shard index"):
        shard_range(10, 3, 3)
    d = data(5)
    assert data_hash(d) == data_hash(dict(reversed(list(d.items()))))
    assert data_hash(d) != data_hash({**d, "labels": d["labels"] + 1})
    meta = ScoreMetadata("cg", {"damping": 0.1}, ["ab" * 32], "t", "q")
    npy, js = save_scores(tmp_path / "s", torch.ones(2, 3), meta)
    arr, m = load_scores(tmp_path / "s")
    assert arr.shape == (2, 3) and m["estimator"] == "cg" and m["settings"] == {"damping": 0.1}
    assert m["shape"] == [2, 3] and not list(tmp_path.glob("*.tmp"))
    assert json.loads(js.read_text())["checkpoint_sha256"] == ["ab" * 32]
    save_scores(tmp_path / "o", torch.ones(2, 1), ScoreMetadata("cg", {"damping": 0.2}, [], "t", "q", 1, 2))
    save_scores(tmp_path / "z", torch.ones(2, 1), ScoreMetadata("cg", {"damping": 0.1}, ["ab" * 32], "t", "q", 1, 2))
    save_scores(tmp_path / "a", torch.ones(2, 1), ScoreMetadata("cg", {"damping": 0.1}, [], "t", "q", 0, 2))
    with pytest.raises(ValueError, match="o.json.*settings"):
        concat_shards([tmp_path / "a", tmp_path / "o"])
    with pytest.raises(ValueError, match="n_shards"):
        concat_shards([tmp_path / "s", tmp_path / "z"])
    js.write_text(js.read_text().replace('"shape": [\n    2,\n    3\n  ]', '"shape": [2, 4]'))
    with pytest.raises(ValueError, match="s.json.*shape"):
        load_scores(tmp_path / "s")
