"""Our TracIn equals captum's TracInCP on the same checkpoints: a tiny MLP (all layers and a layer subset) and a
tiny random BERT classifier (NLEModule, head + last encoder layer); the vmap-friendly attention equals SDPA."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.influence import TracInCP
from torch import Tensor, nn
from torch.utils.data import TensorDataset

from nle.influence import ClassificationTask, ParamSpace, per_example_grads, per_example_grads_loop, tracin_scores
from nle.influence.task import select_parameters
from nle.training.encoder import TINY_OVERRIDES
from nle.training.module import NLEModule, PositionalForward

LRS = [0.3, 0.2, 0.1]


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(5, 7)
        self.fc2 = nn.Linear(7, 3)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(F.relu(self.fc1(x)))


@dataclass(frozen=True)
class TupleTask:
    def train_loss(self, model: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        return F.cross_entropy(model(batch["x"]), batch["labels"], reduction="none")

    def measurement(self, model: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        return self.train_loss(model, batch)


def loader_with_lr(lrs: dict[str, float]):
    def load(model: nn.Module, path: str) -> float:
        model.load_state_dict(torch.load(path, weights_only=True))
        return lrs[path]
    return load


def save_checkpoints(model: nn.Module, tmp_path: Path, step: callable) -> list[str]:
    paths = []
    for i in range(len(LRS)):
        step()
        paths.append(str(tmp_path / f"c{i}.pt"))
        torch.save(model.state_dict(), paths[-1])
    return paths


@pytest.mark.parametrize("layers", [None, ["fc2"]])
def test_tracin_equals_captum_on_mlp(tmp_path: Path, layers: list[str] | None) -> None:
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(30, 5, generator=g), torch.randint(0, 3, (30,), generator=g)
    xq, yq = torch.randn(7, 5, generator=g), torch.randint(0, 3, (7,), generator=g)
    torch.manual_seed(0)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.3)

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    ckpts = save_checkpoints(model, tmp_path, step)
    ours = tracin_scores(model, TupleTask(), {"x": x, "labels": y}, {"x": xq, "labels": yq}, ckpts, LRS,
                         params=layers, batch_size=8)
    captum = TracInCP(model, TensorDataset(x, y), ckpts, checkpoints_load_func=loader_with_lr(dict(zip(ckpts, LRS))),
                      layers=layers, loss_fn=nn.CrossEntropyLoss(reduction="none"), batch_size=8)
    theirs = captum.influence((xq, yq))
    assert theirs.shape == ours.shape == (7, 30)
    assert np.corrcoef(ours.flatten().numpy(), theirs.flatten().numpy())[0, 1] >= 0.9999
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-6)


Wrapped = PositionalForward


def tiny_bert_batch(n: int, seed: int) -> dict[str, Tensor]:
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 1000, (n, 10), generator=g)
    mask = torch.ones(n, 10, dtype=torch.long)
    for i in range(n):
        mask[i, 4 + i % 6:] = 0  # varied padding
    return {"input_ids": ids * mask, "attention_mask": mask, "labels": torch.randint(0, 2, (n,), generator=g)}


def test_tracin_equals_captum_on_tiny_bert(tmp_path: Path) -> None:
    torch.manual_seed(0)
    module = NLEModule(pretrained=False, encoder_overrides=dict(TINY_OVERRIDES), num_labels=2, dropout=0.0).eval()
    train, query = tiny_bert_batch(12, 0), tiny_bert_batch(4, 1)
    opt = torch.optim.SGD(module.parameters(), lr=0.5)

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(module(train), train["labels"]).backward()
        opt.step()

    ckpts = save_checkpoints(module, tmp_path, step)
    layers = ["head", "encoder.encoder.layer.1"]
    ours = tracin_scores(module, ClassificationTask(), train, query, ckpts, LRS, params=layers, batch_size=5)
    wrapped = Wrapped(module)
    captum_ckpts = []
    for p in ckpts:  # captum loads into the wrapper: prefix the keys
        captum_ckpts.append(p + ".wrapped")
        torch.save({f"m.{k}": v for k, v in torch.load(p, weights_only=True).items()}, captum_ckpts[-1])
    captum = TracInCP(wrapped, TensorDataset(train["input_ids"], train["attention_mask"], train["labels"]),
                      captum_ckpts, checkpoints_load_func=loader_with_lr(dict(zip(captum_ckpts, LRS))),
                      layers=[f"m.{name}" for name in layers], loss_fn=nn.CrossEntropyLoss(reduction="none"),
                      batch_size=5)
    theirs = captum.influence((query["input_ids"], query["attention_mask"], query["labels"]))
    assert np.corrcoef(ours.flatten().numpy(), theirs.flatten().numpy())[0, 1] >= 0.9999
    torch.testing.assert_close(ours, theirs, rtol=1e-3, atol=1e-5)


def test_per_example_grads_equal_loop_on_tiny_bert() -> None:
    torch.manual_seed(0)
    module = NLEModule(pretrained=False, encoder_overrides=dict(TINY_OVERRIDES), num_labels=3)
    data = tiny_bert_batch(6, 2)
    data["labels"] = data["labels"] + 1
    space = ParamSpace.of(select_parameters(module))  # every parameter, embeddings included
    fast = per_example_grads(module, ClassificationTask().train_loss, data, space, batch_size=4)
    slow = per_example_grads_loop(module, ClassificationTask().train_loss, data, space)
    torch.testing.assert_close(fast, slow, rtol=1e-4, atol=1e-6)
    assert module.encoder.config._attn_implementation != "nle_vmap"  # restored


def test_hook_method_and_grad_dots_equal_loop_on_tiny_bert() -> None:
    from nle.influence import iter_grad_dots

    torch.manual_seed(0)
    module = NLEModule(pretrained=False, encoder_overrides=dict(TINY_OVERRIDES), num_labels=3)
    data = tiny_bert_batch(7, 3)
    space = ParamSpace.of(select_parameters(module, ["head", "encoder.encoder.layer.1", "encoder.encoder.layer.0.output"]))
    loss = ClassificationTask().train_loss
    slow = per_example_grads_loop(module, loss, data, space)
    hooks = per_example_grads(module, loss, data, space, batch_size=3, method="hooks")
    torch.testing.assert_close(hooks, slow, rtol=1e-4, atol=1e-6)
    q = torch.randn(2, space.numel, generator=torch.Generator().manual_seed(0))
    for method in ("hooks", "vmap"):
        dots = torch.cat(list(iter_grad_dots(module, loss, data, space, q, batch_size=3, method=method)), dim=1)
        torch.testing.assert_close(dots, q @ slow.T, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="hooks"):  # embeddings are not Linear / LayerNorm
        per_example_grads(module, loss, data, ParamSpace.of(select_parameters(module)), method="hooks")
