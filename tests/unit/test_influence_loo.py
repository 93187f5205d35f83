"""Exact influence vs actual leave-one-out retraining on L2-regularised logistic regression (float64, LBFGS)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nle.influence import InverseHessian, influence_scores

N, D, LAM = 200, 10, 0.01


class LogReg(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(D, 1, dtype=torch.float64)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        return self.lin(batch["x"]).squeeze(-1)  # (B,)


@dataclass(frozen=True)
class BCETask:
    def train_loss(self, model: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        return F.binary_cross_entropy_with_logits(model(batch), batch["y"], reduction="none")

    def measurement(self, model: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        return self.train_loss(model, batch)


def fit(model: LogReg, x: Tensor, y: Tensor, weight: Tensor, rounds: int = 1) -> None:
    """argmin (1/N) Σ w_i ℓ_i + (λ/2)‖θ‖² (w_i = 0 removes point i, keeping the 1/N of the full objective)."""
    opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=200, tolerance_grad=1e-13, tolerance_change=1e-15,
                            history_size=20, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        opt.zero_grad()
        loss = (weight * F.binary_cross_entropy_with_logits(model({"x": x}), y, reduction="none")).sum() / N
        loss = loss + LAM / 2 * sum((p ** 2).sum() for p in model.parameters())
        loss.backward()
        return loss

    for _ in range(rounds):
        opt.step(closure)


def test_exact_influence_predicts_leave_one_out() -> None:
    g = torch.Generator().manual_seed(0)
    w_true = torch.randn(D, generator=g, dtype=torch.float64)
    x = torch.randn(N + 30, D, generator=g, dtype=torch.float64)
    y = torch.bernoulli(torch.sigmoid(x @ w_true), generator=g)
    train, test = {"x": x[:N], "y": y[:N]}, {"x": x[N:], "y": y[N:]}
    torch.manual_seed(0)
    model = LogReg()
    fit(model, train["x"], train["y"], torch.ones(N, dtype=torch.float64), rounds=5)
    base = model.state_dict()
    test_loss = float(BCETask().train_loss(model, test).sum())

    scores = influence_scores(model, BCETask(), train, test, hessian_data=train, batch_size=64,
                              inverse=InverseHessian("exact", damping=LAM))  # (30, N)
    predicted = (scores.sum(0) / N).numpy()  # Δ total test loss when removing each point

    removed = list(range(0, N, 2))  # 100 points
    actual = []
    for i in removed:
        model.load_state_dict(base)
        weight = torch.ones(N, dtype=torch.float64)
        weight[i] = 0.0
        fit(model, train["x"], train["y"], weight)  # warm start from the full fit
        assert float(model.lin.weight.grad.abs().max()) < 1e-7  # converged (parameter error ≲ grad / λ = 1e-5 of the effects measured)
        actual.append(float(BCETask().train_loss(model, test).sum()) - test_loss)
    r = np.corrcoef(predicted[removed], np.array(actual))[0, 1]
    assert r >= 0.9, r
    assert max(abs(a) for a in actual) > 1e-4  # removals change the test loss measurably
    # sign convention: positive score = removing the point raises the test loss
    big = np.argsort(-np.abs(predicted[removed]))[:10]
    assert (np.sign(predicted[removed][big]) == np.sign(np.array(actual)[big])).all()
