"""Interaction of two spans (REMOTE, Yao et al. 2021; the SOC paper's phrase interactions):

    φ(i, j) = φ(i ∪ j) − φ(i) − φ(j)

for any method of ``attribute``. All three terms are scored in one call (the S axis holds i, j and i ∪ j), so
span methods (occlusion, SOC) run one batched pass. For methods that score a span by summing its pieces
(gradients, integrated gradients) the interaction of disjoint spans is 0 by construction.

>>> inter = interaction(model, batch, [[(0, 1)]], [[(2, 3)]], method="occlusion", target=1)  # (B, 1)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from nle.attribution.api import as_word_masks, attribute
from nle.attribution.words import WordSpans


def interaction(model: Any, batch: dict[str, Tensor], first: WordSpans | Tensor, second: WordSpans | Tensor, *,
                method: str = "occlusion", target: int | Tensor | None = None, differentiable: bool = False,
                **options: Any) -> Tensor:
    """φ(i ∪ j) − φ(i) − φ(j) (B, S) for paired spans i = ``first[b][s]``, j = ``second[b][s]``."""
    if "word_ids" not in batch:
        raise ValueError("interaction needs batch['word_ids'] (see encode_words)")
    a, b = as_word_masks(first, batch["word_ids"]), as_word_masks(second, batch["word_ids"])
    if a is None or b is None or a.shape != b.shape:
        raise ValueError(f"first and second must pair up span for span, got {None if a is None else tuple(a.shape)} "
                         f"and {None if b is None else tuple(b.shape)}")
    n = a.shape[1]
    result = attribute(model, batch, method, target, spans=torch.cat([a, b, a | b], 1), differentiable=differentiable,
                       **options)
    assert result.spans is not None
    phi_a, phi_b, phi_ab = result.spans.split(n, dim=1)
    return phi_ab - phi_a - phi_b
