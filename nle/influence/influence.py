"""Influence functions (Koh & Liang 2017) with an exact, CG, LiSSA, K-FAC or EK-FAC inverse Hessian.

Sign convention (the same as TracIn and gradient similarity: positive = proponent)::

    score(z_t, z_q) = ∇m(z_q)ᵀ (H + λI)⁻¹ ∇ℓ(z_t),      H = ∇² (1/N) Σ_i ℓ(z_i)

Removing z_t from a training objective (1/N) Σ_i ℓ(z_i) + (λ/2)‖θ‖² changes the measurement by about
Δm ≈ score / N: a positive score means removing the training point would *increase* the query's loss (the point
helps), a negative one that removing it would decrease the loss (the point hurts). Koh & Liang's I_up,loss is
−score. Only the selected parameters move; λ doubles as damping for non-convex models.

The Hessian is taken over ``hessian_data`` (normally the whole training set), which is given separately from the
``train`` points being scored, so that a shard of ``train`` gives exactly its columns of the full score matrix.

Example::

    scores = influence_scores(model, task, train, query, hessian_data=train, params=["head"],
                              inverse=InverseHessian("cg", damping=1e-3))          # (N_query, N_train)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from nle.influence.grads import Data, ParamSpace, iter_grad_dots, per_example_grads
from nle.influence.hessian import damped_solve, exact_hessian
from nle.influence.ihvp import HVP, conjugate_gradient, lissa
from nle.influence.kfac import FISHERS, fit_kfac
from nle.influence.task import InfluenceTask, select_parameters

METHODS = ("exact", "cg", "lissa", "kfac", "ekfac")


@dataclass(frozen=True)
class InverseHessian:
    """How (H + λI)⁻¹ is applied: ``exact`` (dense solve), ``cg``, ``lissa``, or ``kfac`` / ``ekfac`` (H replaced by
    the K-FAC / EK-FAC Fisher of ``kfac.py``, ``fisher`` = expected | sampled | empirical; Linear and LayerNorm
    parameters only); settings are recorded with scores."""

    method: str = "cg"
    damping: float = 1e-3
    cg_max_iter: int = 100
    cg_tol: float = 1e-8
    lissa_scale: float = 10.0
    lissa_depth: int = 1000
    lissa_repeats: int = 1
    lissa_sample_batches: bool = False
    hvp_mode: str = "reverse"
    seed: int = 0
    fisher: str = "expected"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"inverse Hessian method must be one of {METHODS}, got {self.method!r}")
        if self.fisher not in FISHERS:
            raise ValueError(f"fisher must be one of {FISHERS}, got {self.fisher!r}")
        if self.damping < 0:
            raise ValueError(f"damping must be ≥ 0, got {self.damping}")

    def settings(self) -> dict[str, object]:
        return asdict(self)


def inverse_hvp(model: nn.Module, task: InfluenceTask, hessian_data: Data, space: ParamSpace, vectors: Tensor,
                inverse: InverseHessian, *, batch_size: int = 64, progress: bool = False) -> Tensor:
    """(H + λI)⁻¹ applied to each row of ``vectors`` (K, D)."""
    if inverse.method in {"kfac", "ekfac"}:
        kfac = fit_kfac(model, task, hessian_data, space, fisher=inverse.fisher, corrected=inverse.method == "ekfac",
                        batch_size=batch_size, seed=inverse.seed, progress=progress)
        return kfac.ihvp(vectors, inverse.damping)
    if inverse.method == "exact":
        return damped_solve(exact_hessian(model, task, hessian_data, space, batch_size=batch_size), vectors,
                            inverse.damping)
    hvp = HVP(model, task, hessian_data, space, batch_size=batch_size, mode=inverse.hvp_mode,
              sample_batches=inverse.method == "lissa" and inverse.lissa_sample_batches, seed=inverse.seed)
    if inverse.method == "cg":
        return conjugate_gradient(hvp, vectors, damping=inverse.damping, max_iter=inverse.cg_max_iter,
                                  tol=inverse.cg_tol)
    return lissa(hvp, vectors, damping=inverse.damping, scale=inverse.lissa_scale, depth=inverse.lissa_depth,
                 repeats=inverse.lissa_repeats)


def preconditioned_queries(model: nn.Module, task: InfluenceTask, query: Data, *, hessian_data: Data,
                           inverse: InverseHessian = InverseHessian(), params: Sequence[str] | None = None,
                           batch_size: int = 32, progress: bool = False) -> Tensor:
    """Q (N_query, D): rows (H + λI)⁻¹ ∇m(z_q), the query side of ``influence_scores`` (shared by every shard)."""
    space = ParamSpace.of(select_parameters(model, params))
    g_query = per_example_grads(model, task.measurement, query, space, batch_size=batch_size, progress=progress,
                                desc="query grads")
    return inverse_hvp(model, task, hessian_data, space, g_query, inverse, batch_size=batch_size, progress=progress)


def influence_scores(model: nn.Module, task: InfluenceTask, train: Data, query: Data, *, hessian_data: Data,
                     inverse: InverseHessian = InverseHessian(), params: Sequence[str] | None = None,
                     batch_size: int = 32, progress: bool = False, queries: Tensor | None = None) -> Tensor:
    """Influence scores (N_query, N_train): ∇m(z_q)ᵀ (H + λI)⁻¹ ∇ℓ(z_t) (positive = helpful, see module doc).

    ``queries``: the result of ``preconditioned_queries`` for the same model, query, Hessian data and settings,
    computed once (then ``query`` and ``hessian_data`` are not used).
    """
    space = ParamSpace.of(select_parameters(model, params))
    if queries is None:
        queries = preconditioned_queries(model, task, query, hessian_data=hessian_data, inverse=inverse,
                                         params=params, batch_size=batch_size, progress=progress)  # (Nq, D)
    return torch.cat(list(iter_grad_dots(model, task.train_loss, train, space, queries, batch_size=batch_size,
                                         progress=progress, desc="train grads")), dim=1)  # (Nq, Nt)
