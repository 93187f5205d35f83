"""Input × gradient (Shrikumar et al. 2017; Kindermans et al. 2016): x ⊙ ∂f/∂x over the word-piece embeddings.

Pieces (B, T) = Σ_h x_th ∂f/∂x_th; for a model linear in the embeddings, f = Σ_t x_t·w, this is x_t·w exactly.
"""

from __future__ import annotations

from torch import Tensor

from nle.attribution.model import TextClassifier
from nle.attribution.saliency import input_gradients


def input_x_gradient(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *,
                     output: str = "logit", create_graph: bool = False) -> tuple[Tensor, Tensor]:
    """Pieces (B, T) and raw x ⊙ ∂f/∂x (B, T, H)."""
    embeds, grad = input_gradients(clf, input_ids, attention_mask, target, output=output, create_graph=create_graph)
    raw = embeds * grad
    return raw.sum(-1) * attention_mask, raw
