"""Saliency: the gradient of the explained score with respect to the word-piece embeddings (Simonyan et al. 2014).

For an input with embeddings x (B, T, H), ``g = ∂f(x)/∂x``; ``gradient`` scores a piece by Σ_h g_th (signed) and
``gradient_norm`` by ‖g_t‖₂ (Li et al. 2016). One forward and one backward for the whole batch (examples do not
interact in the encoder, so the gradient of Σ_b f_b is every example's own gradient). With
``create_graph=True`` the scores stay differentiable with respect to the model's parameters (for regularisers).

>>> pieces, raw = gradient(clf, ids, mask, target)  # doctest: +SKIP
"""

from __future__ import annotations

import torch
from torch import Tensor

from nle.attribution.model import TextClassifier, double_backward_safe, target_score


def input_gradients(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *,
                    output: str = "logit", create_graph: bool = False) -> tuple[Tensor, Tensor]:
    """Embeddings x (B, T, H) and ∂f/∂x (B, T, H), in fp32 (autocast off)."""
    with torch.autocast(input_ids.device.type, enabled=False), torch.enable_grad(), double_backward_safe(create_graph):
        embeds = clf.embed(input_ids)
        embeds = embeds if embeds.dtype == torch.float64 else embeds.float()
        if not create_graph or not embeds.requires_grad:
            embeds = embeds.detach().requires_grad_()
        score = target_score(clf(inputs_embeds=embeds, attention_mask=attention_mask), target, output)
        (grad,) = torch.autograd.grad(score.sum(), embeds, create_graph=create_graph)
    return embeds, grad


def gradient(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *,
             output: str = "logit", create_graph: bool = False) -> tuple[Tensor, Tensor]:
    """Pieces (B, T) = Σ_h ∂f/∂x_th, and the raw gradient (B, T, H)."""
    _, grad = input_gradients(clf, input_ids, attention_mask, target, output=output, create_graph=create_graph)
    return grad.sum(-1) * attention_mask, grad


def gradient_norm(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *,
                  output: str = "logit", create_graph: bool = False) -> tuple[Tensor, Tensor]:
    """Pieces (B, T) = ‖∂f/∂x_t‖₂, and the raw gradient (B, T, H)."""
    _, grad = input_gradients(clf, input_ids, attention_mask, target, output=output, create_graph=create_graph)
    return torch.linalg.vector_norm(grad, dim=-1) * attention_mask, grad
