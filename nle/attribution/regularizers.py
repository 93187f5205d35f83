"""Explanation regularisers (SOC regularisation, Kennedy et al. 2020; REMOTE, Yao et al. 2021), in fp32.

    suppression:  R = α Σ_{(b, s) marked} φ_bs²              (drive attributions of e.g. identity terms to 0)
    target:       R = α Σ_{(b, s) marked} (φ_bs − τ_bs)²     (drive them toward an annotated value τ)

``reduction="sum"`` is the papers' sum over the marked spans of the batch; ``"mean"`` divides by their count.
``explanation_penalty`` computes φ differentiably (occlusion by default: one extra batched forward over the
marked spans only, reusing the training step's own logits for f(x)) and returns R, ready to add to the task loss.

>>> logits = clf(input_ids=ids, attention_mask=mask)  # doctest: +SKIP
>>> loss = F.cross_entropy(logits, y) + explanation_penalty(clf, batch, spans, target=1, weight=0.1, logits=logits)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from nle.attribution.api import as_word_masks, attribute
from nle.attribution.model import as_classifier, resolve_target, target_score
from nle.attribution.occlusion import occlusion
from nle.attribution.words import WordSpans, piece_masks


def _reduce(values: Tensor, marked: Tensor, reduction: str) -> Tensor:
    total = (values * marked).sum()
    if reduction == "sum":
        return total
    if reduction == "mean":
        return total / marked.sum().clamp_min(1)
    raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")


def suppression_loss(scores: Tensor, marked: Tensor, *, weight: float = 1.0, reduction: str = "sum") -> Tensor:
    """α Σ φ² over marked entries; ``scores`` and ``marked`` are (B, S) (or any equal shape)."""
    with torch.autocast(scores.device.type, enabled=False):
        return weight * _reduce(scores.float() ** 2, marked.float(), reduction)


def target_loss(scores: Tensor, targets: Tensor, marked: Tensor, *, weight: float = 1.0,
                reduction: str = "sum") -> Tensor:
    """α Σ (φ − τ)² over marked entries."""
    with torch.autocast(scores.device.type, enabled=False):
        return weight * _reduce((scores.float() - targets.float()) ** 2, marked.float(), reduction)


def explanation_penalty(model: Any, batch: dict[str, Tensor], spans: WordSpans | Tensor, *,
                        target: int | Tensor | None, weight: float = 1.0, toward: Tensor | None = None,
                        method: str = "occlusion", logits: Tensor | None = None, reduction: str = "sum",
                        **options: Any) -> Tensor:
    """The regulariser on the attributions of ``spans`` (word spans or masks (B, S, W); empty spans are ignored).

    ``toward`` (B, S): target attributions (else suppression to 0). ``logits`` (B, C): the step's own forward
    output, reused as f(x) by occlusion. Gradients flow to the model's parameters.
    """
    clf = as_classifier(model)
    masks = as_word_masks(spans, batch["word_ids"])
    assert masks is not None
    marked = masks.any(-1)  # (B, S)
    with torch.autocast(batch["input_ids"].device.type, enabled=False):
        if method == "occlusion":
            tgt = resolve_target(clf, batch, target)
            output = options.pop("output", "logit")
            reference = target_score(logits, tgt, output) if logits is not None else None
            phi = occlusion(clf, batch["input_ids"], batch["attention_mask"], piece_masks(masks, batch["word_ids"]),
                            tgt, output=output, reference=reference, **options)
        else:
            result = attribute(clf, batch, method, target, spans=masks, differentiable=True, **options)
            assert result.spans is not None
            phi = result.spans
    if toward is None:
        return suppression_loss(phi, marked, weight=weight, reduction=reduction)
    return target_loss(phi, toward, marked, weight=weight, reduction=reduction)
