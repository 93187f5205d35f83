"""Exact Hessian of the mean training loss on a chosen (small) parameter subset, and its damped inverse.

    H = ∇²_θS (1/N) Σ_i ℓ(z_i; θ)          (D, D), built with ``torch.func.hessian`` batch by batch
    (H + λI)⁻¹ v                             by a dense solve

For D up to a few thousand (a classifier head, a last layer of a small model). Everything outside the selection
is held fixed. Used by ``influence.py`` (``method="exact"``) and as the reference for CG / LiSSA / EK-FAC.

Example::

    space = ParamSpace.of(select_parameters(model, ["head"]))
    H = exact_hessian(model, ClassificationTask(), train, space)       # (D, D)
    x = damped_solve(H, v, damping=1e-3)                               # (K, D)
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.func import hessian

from nle.influence.grads import Data, ParamSpace, functional_loss, influence_mode, iter_batches, num_examples
from nle.influence.task import InfluenceTask


def exact_hessian(model: nn.Module, task: InfluenceTask, data: Data, space: ParamSpace, *,
                  batch_size: int = 64) -> Tensor:
    """H (D, D) of the mean ``train_loss`` over ``data`` w.r.t. the parameters in ``space``."""
    f = functional_loss(model, task.train_loss, space)
    total, n = None, 0
    with influence_mode(model):
        theta = space.values(model)
        for batch in iter_batches(data, batch_size):
            h = hessian(lambda th, b=batch: f(space.unflatten(th), b).sum())(theta)  # (D, D)
            total = h if total is None else total + h
            n += num_examples(batch)
    if total is None:
        raise ValueError("exact_hessian: the data is empty")
    return total / n


def damped_solve(h: Tensor, v: Tensor, damping: float) -> Tensor:
    """(H + λI)⁻¹ v for v (D,) or (K, D), same shape out."""
    a = h + damping * torch.eye(h.shape[0], dtype=h.dtype, device=h.device)
    rhs = v.reshape(-1, h.shape[0]).T  # (D, K)
    return torch.linalg.solve(a, rhs).T.reshape(v.shape)
