"""Hessian-vector products and iterative inverse-HVPs (conjugate gradient, LiSSA).

``HVP`` computes H v for the Hessian of the mean training loss (the same H as ``hessian.exact_hessian``) without
forming H: by double backward (``mode="reverse"``: the VJP of ∇ℓ, exact because H is symmetric) or
forward-over-reverse (``mode="forward"``: ``torch.func.jvp`` of ∇ℓ). Vectors come as rows V (K, D) and are
processed together with ``vmap``. With ``sample_batches=True`` a call with ``step=j`` uses only the j-th batch of a
seeded permutation (the stochastic HVPs LiSSA was designed for); otherwise all of the data.

* CG solves (H + λI) x = v, for every row at once; needs H + λI positive definite (convex loss, or λ large enough).
* LiSSA (Agarwal et al. 2017, as used by Koh & Liang 2017): h_0 = v, h_j = v + (I − (H + λI)/s) h_{j−1},
  (H + λI)⁻¹ v ≈ h_J / s; converges when the scale s exceeds the largest eigenvalue of H + λI; ``repeats``
  independent recursions are averaged.

Example::

    hvp = HVP(model, task, train, space)
    x = conjugate_gradient(hvp, query_grads, damping=1e-3)            # (K, D) ≈ (H + λI)⁻¹ query_grads
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import grad, jvp, vjp, vmap

from nle.influence.grads import Data, ParamSpace, functional_loss, influence_mode, iter_batches, num_examples
from nle.influence.task import InfluenceTask

HVPFn = Callable[[Tensor, int], Tensor]
"""``hvp(V (K, D), step) -> H V (K, D)``."""


class HVP:
    """H·v for the mean ``train_loss`` over ``data`` (H w.r.t. the parameters in ``space``)."""

    def __init__(self, model: nn.Module, task: InfluenceTask, data: Data, space: ParamSpace, *, batch_size: int = 64,
                 mode: str = "reverse", sample_batches: bool = False, seed: int = 0):
        if mode not in {"reverse", "forward"}:
            raise ValueError(f"HVP mode must be 'reverse' or 'forward', got {mode!r}")
        self.model, self.space, self.mode = model, space, mode
        self.f = functional_loss(model, task.train_loss, space)
        self.batches = list(iter_batches(data, batch_size))
        self.sizes = [num_examples(b) for b in self.batches]
        self.n = sum(self.sizes)
        self.sample_batches = sample_batches
        self.order = torch.randperm(len(self.batches), generator=torch.Generator().manual_seed(seed)).tolist()

    def _batch_hvp(self, theta: Tensor, vs: Tensor, batch: dict) -> Tensor:
        def g(th: Tensor) -> Tensor:
            return self.f(self.space.unflatten(th), batch).sum()

        if self.mode == "reverse":
            _, pullback = vjp(grad(g), theta)
            return vmap(lambda v: pullback(v)[0])(vs)
        return vmap(lambda v: jvp(grad(g), (theta,), (v,))[1])(vs)

    def __call__(self, v: Tensor, step: int = 0) -> Tensor:
        vs = v.reshape(-1, self.space.numel)  # (K, D)
        with influence_mode(self.model):
            theta = self.space.values(self.model).to(vs.dtype)
            if self.sample_batches:
                i = self.order[step % len(self.order)]
                out = self._batch_hvp(theta, vs, self.batches[i]) / self.sizes[i]
            else:
                out = sum(self._batch_hvp(theta, vs, b) for b in self.batches) / self.n
        return out.reshape(v.shape)


def conjugate_gradient(hvp: HVPFn, v: Tensor, *, damping: float = 0.0, max_iter: int = 100,
                       tol: float = 1e-10) -> Tensor:
    """x ≈ (H + λI)⁻¹ v for each row of v (K, D) (or a single (D,)); stops when every residual ≤ tol·‖v‖."""
    b = v.reshape(-1, v.shape[-1])
    x = torch.zeros_like(b)
    r, p = b.clone(), b.clone()
    rs = (r * r).sum(1)  # (K,)
    stop = tol ** 2 * rs.clamp_min(torch.finfo(b.dtype).tiny)
    for it in range(max_iter):
        ap = hvp(p, it) + damping * p
        denom = (p * ap).sum(1)
        alpha = torch.where(denom > 0, rs / denom.where(denom > 0, torch.ones_like(denom)), torch.zeros_like(denom))
        x = x + alpha[:, None] * p
        r = r - alpha[:, None] * ap
        rs_new = (r * r).sum(1)
        if bool((rs_new <= stop).all()):
            break
        beta = torch.where(rs > 0, rs_new / rs.where(rs > 0, torch.ones_like(rs)), torch.zeros_like(rs))
        p = r + beta[:, None] * p
        rs = rs_new
    return x.reshape(v.shape)


def lissa(hvp: HVPFn, v: Tensor, *, damping: float = 0.0, scale: float = 10.0, depth: int = 1000,
          repeats: int = 1) -> Tensor:
    """x ≈ (H + λI)⁻¹ v by the LiSSA recursion (rows of v processed together); ``scale`` > λ_max(H + λI)."""
    estimates = []
    for r in range(repeats):
        h = v.clone()
        for j in range(depth):
            h = v + h - (hvp(h, r * depth + j) + damping * h) / scale
            if not bool(torch.isfinite(h).all()):
                raise FloatingPointError(f"LiSSA diverged at step {j}: increase scale (now {scale}) or damping")
        estimates.append(h / scale)
    return torch.stack(estimates).mean(0)
