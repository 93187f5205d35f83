"""Gathering variable-length per-process predictions, so metrics are computed once on the whole split."""

from __future__ import annotations

import pytorch_lightning as pl
import torch


def gather_varlen(module: pl.LightningModule, t: torch.Tensor) -> torch.Tensor:
    """Concatenate ``t`` (N_rank, ...) from every process into (sum N_rank, ...), in rank order.

    ``all_gather`` needs equal shapes, so each rank pads to the largest N first and the padding is cut after.
    """
    if module.trainer is None or module.trainer.world_size == 1:
        return t
    n = torch.tensor([t.shape[0]], device=t.device)
    sizes = module.all_gather(n).view(-1).tolist()  # (W,)
    pad = t.new_zeros((max(sizes) - t.shape[0], *t.shape[1:]))
    gathered = module.all_gather(torch.cat([t, pad]))  # (W, max N, ...)
    return torch.cat([gathered[r, : sizes[r]] for r in range(len(sizes))])


def dedupe_by_index(index: torch.Tensor, *rows: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Keep the first row of each example index and sort by index.

    A distributed sampler pads the last batch by repeating examples; this removes the repeats so every
    example is scored exactly once.
    """
    order = torch.argsort(index, stable=True)
    index = index[order]
    keep = torch.ones_like(index, dtype=torch.bool)
    keep[1:] = index[1:] != index[:-1]
    return (index[keep], *(r[order][keep] for r in rows))
