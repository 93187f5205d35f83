"""TracIn over checkpoints (Pruthi et al. 2020, "TracInCP").

    TracIn(z_train, z_q) = Σ_c η_c ⟨∇_θ ℓ(z_train; θ_c), ∇_θ m(z_q; θ_c)⟩

over checkpoints θ_c saved as state-dict files (loaded with ``torch.load(..., weights_only=True)``; a Lightning
``.ckpt`` is read through its ``"state_dict"`` entry) and their learning rates η_c. Positive = proponent (a
gradient step on z_train decreased the query's loss). Gradients are per-example, batched (``grads.py``), over the
selected parameters only. Checkpoint tensors stand in for the model's weights inside the computation
(``torch.func.functional_call``): the model itself is never modified.

Example::

    scores = tracin_scores(model, ClassificationTask(), train, query, ["ep1.pt", "ep2.pt"], learning_rates=[1e-3, 1e-3],
                           params=["head"])             # (N_query, N_train)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor, nn

from nle.influence.grads import (
    Data,
    ParamSpace,
    check_state,
    iter_grad_dots,
    iter_per_example_grads,
    per_example_grads,
)
from nle.influence.projection import RandomProjection
from nle.influence.task import InfluenceTask, select_parameters


def load_state_dict(path: str | Path) -> dict[str, Tensor]:
    """A model state dict from ``path`` (plain state dict, or a checkpoint with a ``state_dict`` entry)."""
    obj = torch.load(path, map_location="cpu", weights_only=True, mmap=True)  # read lazily, copied into the model
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, Tensor) for v in obj.values()):
        raise ValueError(f"{path}: expected a state dict of tensors (or a checkpoint with 'state_dict'), "
                         f"got {type(obj).__name__}")
    return obj


def tracin_scores(model: nn.Module, task: InfluenceTask, train: Data, query: Data,
                  checkpoints: Sequence[str | Path], learning_rates: float | Sequence[float] = 1.0, *,
                  params: Sequence[str] | None = None, batch_size: int = 32, chunk_size: int | None = None,
                  projection: RandomProjection | None = None, method: str = "auto", progress: bool = False) -> Tensor:
    """TracInCP scores (N_query, N_train), fp32 (float64 for a float64 model).

    Per checkpoint the query gradients are computed once and dotted with each training batch's gradients as they
    come (``grads.iter_grad_dots``: without forming them where cheaper), so the (N_train, D) gradient matrix is
    never held. ``method`` is the
    per-example gradient method (``grads.iter_per_example_grads``).
    """
    lrs = [float(learning_rates)] * len(checkpoints) if isinstance(learning_rates, int | float) else list(learning_rates)
    if len(lrs) != len(checkpoints):
        raise ValueError(f"{len(checkpoints)} checkpoints but {len(lrs)} learning rates")
    if not checkpoints:
        raise ValueError("TracIn needs at least one checkpoint")
    device = next(iter(model.parameters())).device
    space = ParamSpace.of(select_parameters(model, params))
    total: Tensor | None = None
    for path, lr in zip(checkpoints, lrs):
        state = {k: v.to(device) for k, v in load_state_dict(path).items()}  # the model itself is never changed
        check_state(model, state, str(path))
        kw = dict(batch_size=batch_size, chunk_size=chunk_size, method=method, progress=progress, state=state)
        g_query = per_example_grads(model, task.measurement, query, space, projection=projection,
                                    desc=f"query grads {Path(path).name}", **kw)  # (Nq, D), once per checkpoint
        if projection is None:  # (Nq, B) per train batch, per-example gradients formed only where cheaper
            parts = iter_grad_dots(model, task.train_loss, train, space, g_query,
                                   desc=f"train grads {Path(path).name}", **kw)
        else:
            parts = (g_query @ g.T for g in iter_per_example_grads(
                model, task.train_loss, train, space, projection=projection, desc=f"train grads {Path(path).name}",
                reuse=True, **kw))
        part = torch.cat(list(parts), dim=1)  # (Nq, Nt)
        total = lr * part if total is None else total + lr * part
    assert total is not None
    return total
