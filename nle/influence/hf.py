"""Make Hugging Face transformers usable under ``torch.func.vmap`` (per-example gradients).

Recent ``transformers`` versions build attention masks with data-dependent shortcuts (``padding_mask.all()``
decides whether the mask can be skipped), which ``vmap`` cannot trace. ``vmap_friendly(model)`` switches every
``PreTrainedModel`` inside ``model`` to a registered attention implementation, ``"nle_vmap"``: plain
softmax(QKᵀ·s + mask)·V with the mask always materialised, and restores the previous implementation on exit.
The result equals SDPA attention up to float rounding; models that are not ``transformers`` models are untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from torch import Tensor, nn

NAME = "nle_vmap"
_registered = False


def _plain_attention(module: nn.Module, query: Tensor, key: Tensor, value: Tensor, attention_mask: Tensor | None,
                     scaling: float | None = None, dropout: float = 0.0, **kwargs: Any) -> tuple[Tensor, Tensor]:
    """query (B, H, Tq, D), key/value (B, Hkv, Tk, D) -> output (B, Tq, H, D), weights (B, H, Tq, Tk)."""
    if key.shape[1] != query.shape[1]:  # grouped-query attention
        key = key.repeat_interleave(query.shape[1] // key.shape[1], dim=1)
        value = value.repeat_interleave(query.shape[1] // value.shape[1], dim=1)
    scale = query.shape[-1] ** -0.5 if scaling is None else scaling
    scores = torch.matmul(query, key.transpose(-1, -2)) * scale  # (B, H, Tq, Tk)
    if attention_mask is not None:
        if attention_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attention_mask, torch.finfo(scores.dtype).min)
        else:
            scores = scores + attention_mask
    probs = torch.softmax(scores.float(), dim=-1).to(query.dtype)
    probs = nn.functional.dropout(probs, p=dropout, training=module.training)
    out = torch.matmul(probs, value).transpose(1, 2).contiguous()  # (B, Tq, H, D)
    return out, probs


def _mask_without_shortcuts(*args: Any, **kwargs: Any) -> Tensor | None:
    from transformers.masking_utils import sdpa_mask

    kwargs["allow_is_bidirectional_skip"] = False
    kwargs["allow_is_causal_skip"] = False
    return sdpa_mask(*args, **kwargs)


def register() -> None:
    """Register ``"nle_vmap"`` with ``transformers`` (idempotent)."""
    global _registered
    if _registered:
        return
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    AttentionInterface.register(NAME, _plain_attention)
    AttentionMaskInterface.register(NAME, _mask_without_shortcuts)
    _registered = True


@contextlib.contextmanager
def vmap_friendly(model: nn.Module) -> Iterator[nn.Module]:
    """Within the block, every ``transformers`` model inside ``model`` uses the ``"nle_vmap"`` attention."""
    try:
        from transformers import PreTrainedModel
    except ImportError:  # pragma: no cover - transformers is a dependency
        yield model
        return
    hf = [m for m in model.modules() if isinstance(m, PreTrainedModel)]
    hf = [m for m in hf if not any(m is not o and any(m is s for s in o.modules()) for o in hf)]  # outermost only
    if not hf:
        yield model
        return
    register()
    previous = [m.config._attn_implementation for m in hf]
    for m in hf:
        m.set_attn_implementation(NAME)
    try:
        yield model
    finally:
        for m, impl in zip(hf, previous):
            m.set_attn_implementation(impl)
