"""Gradient similarity: the single-checkpoint, identity-Hessian influence proxies.

    dot(z_t, z_q)    = ⟨∇ℓ(z_t), ∇m(z_q)⟩
    cosine(z_t, z_q) = ⟨∇ℓ(z_t), ∇m(z_q)⟩ / (‖∇ℓ(z_t)‖ ‖∇m(z_q)‖)

Positive = proponent (same convention as TracIn and ``influence.py``).

Example::

    scores = gradient_similarity(model, task, train, query, kind="cosine", params=["head"])   # (Nq, Nt)
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from nle.influence.grads import Data, ParamSpace, per_example_grads
from nle.influence.projection import RandomProjection
from nle.influence.task import InfluenceTask, select_parameters


def similarity(query_grads: Tensor, train_grads: Tensor, kind: str = "dot", eps: float = 1e-12) -> Tensor:
    """(Nq, D), (Nt, D) -> (Nq, Nt) dot products or cosines."""
    if kind == "dot":
        return query_grads @ train_grads.T
    if kind == "cosine":
        q = query_grads / query_grads.norm(dim=1, keepdim=True).clamp_min(eps)
        t = train_grads / train_grads.norm(dim=1, keepdim=True).clamp_min(eps)
        return q @ t.T
    raise ValueError(f"similarity kind must be 'dot' or 'cosine', got {kind!r}")


def gradient_similarity(model: nn.Module, task: InfluenceTask, train: Data, query: Data, *, kind: str = "dot",
                        params: Sequence[str] | None = None, batch_size: int = 32,
                        projection: RandomProjection | None = None, progress: bool = False) -> Tensor:
    """Gradient dot / cosine scores (N_query, N_train) at the model's current weights."""
    space = ParamSpace.of(select_parameters(model, params))
    kw = dict(batch_size=batch_size, projection=projection, progress=progress)
    g_train = per_example_grads(model, task.train_loss, train, space, desc="train grads", **kw)
    g_query = per_example_grads(model, task.measurement, query, space, desc="query grads", **kw)
    return similarity(g_query, g_train, kind)
