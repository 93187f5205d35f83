"""TracIn over checkpoints (Pruthi et al. 2020, "TracInCP").

    TracIn(z_train, z_q) = Σ_c η_c ⟨∇_θ ℓ(z_train; θ_c), ∇_θ m(z_q; θ_c)⟩

over checkpoints θ_c saved as state-dict files (loaded with ``torch.load(..., weights_only=True)``; a Lightning
``.ckpt`` is read through its ``"state_dict"`` entry) and their learning rates η_c. Positive = proponent (a
gradient step on z_train decreased the query's loss). Gradients are per-example, batched (``grads.py``), over the
selected parameters only. The model's own weights are restored when the function returns.

Example::

    scores = tracin_scores(model, ClassificationTask(), train, query, ["ep1.pt", "ep2.pt"], learning_rates=[1e-3, 1e-3],
                           params=["head"])             # (N_query, N_train)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor, nn

from nle.influence.grads import Data, ParamSpace, per_example_grads
from nle.influence.projection import RandomProjection
from nle.influence.task import InfluenceTask, select_parameters


def load_state_dict(path: str | Path) -> dict[str, Tensor]:
    """A model state dict from ``path`` (plain state dict, or a checkpoint with a ``state_dict`` entry)."""
    obj = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, Tensor) for v in obj.values()):
        raise ValueError(f"{path}: expected a state dict of tensors (or a checkpoint with 'state_dict'), "
                         f"got {type(obj).__name__}")
    return obj


def tracin_scores(model: nn.Module, task: InfluenceTask, train: Data, query: Data,
                  checkpoints: Sequence[str | Path], learning_rates: float | Sequence[float] = 1.0, *,
                  params: Sequence[str] | None = None, batch_size: int = 32, chunk_size: int | None = None,
                  projection: RandomProjection | None = None, progress: bool = False) -> Tensor:
    """TracInCP scores (N_query, N_train), fp32 (float64 for a float64 model)."""
    lrs = [float(learning_rates)] * len(checkpoints) if isinstance(learning_rates, int | float) else list(learning_rates)
    if len(lrs) != len(checkpoints):
        raise ValueError(f"{len(checkpoints)} checkpoints but {len(lrs)} learning rates")
    if not checkpoints:
        raise ValueError("TracIn needs at least one checkpoint")
    original = copy.deepcopy(model.state_dict())
    total: Tensor | None = None
    try:
        for path, lr in zip(checkpoints, lrs):
            model.load_state_dict(load_state_dict(path))
            space = ParamSpace.of(select_parameters(model, params))
            kw = dict(batch_size=batch_size, chunk_size=chunk_size, projection=projection, progress=progress)
            g_train = per_example_grads(model, task.train_loss, train, space, desc=f"train grads {Path(path).name}", **kw)
            g_query = per_example_grads(model, task.measurement, query, space, desc=f"query grads {Path(path).name}", **kw)
            part = lr * (g_query @ g_train.T)  # (Nq, Nt)
            total = part if total is None else total + part
    finally:
        model.load_state_dict(original)
    assert total is not None
    return total
