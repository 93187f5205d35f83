"""The optimiser every NLEModule uses: AdamW (no decay on biases and norms), linear warm-up then linear decay."""

from __future__ import annotations

import torch
from torch import nn

NO_DECAY = ("bias", "LayerNorm.weight", "layer_norm", "norm.weight")


def build_optimizer(model: nn.Module, *, lr: float, weight_decay: float, warmup_ratio: float, total_steps: int
                    ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW over ``model``'s trainable parameters and a per-step LambdaLR schedule.

    lr(step) = lr · (step + 1) / (warmup + 1) for step < warmup, then lr · (total − step) / (total − warmup).
    """
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in named if not any(k in n for k in NO_DECAY)], "weight_decay": weight_decay},
        {"params": [p for n, p in named if any(k in n for k in NO_DECAY)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=lr)
    total = max(1, int(total_steps))
    warmup = int(warmup_ratio * total)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))

    return opt, torch.optim.lr_scheduler.LambdaLR(opt, schedule)
