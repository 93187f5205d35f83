"""Integrated gradients over the word-piece embedding layer (Sundararajan et al. 2017), batched over steps and examples.

    IG_t(x) = (x_t − x'_t) · ∫₀¹ ∂f(x' + α(x − x'))/∂x_t dα  ≈  (x_t − x'_t) · Σ_s w_s ∂f(x' + α_s(x − x'))/∂x_t

with the nodes α_s and weights w_s of the integration ``rule``: ``gausslegendre`` (captum's default), ``riemann_left``,
``riemann_right``, ``riemann_middle``, ``riemann_trapezoid``. Completeness: Σ_t IG_t ≈ f(x) − f(x').

Baseline x': at every attributed piece (attended, not special) the embedding of ``[PAD]`` (``baseline="pad"``,
captum's usual text baseline) or the zero vector (``baseline="zero"``); special tokens and padding keep their own
embedding, so they receive exactly 0. Equivalent to captum's ``LayerIntegratedGradients`` on the word-embedding
layer with baseline ids = input ids with attributed pieces set to ``[PAD]``.

Speed: the (example, step) pairs are sorted by example length and cut into chunks of at most ``batch_tokens``
tokens, each chunk trimmed to its own longest example (captum interpolates the whole padded batch), so each chunk
is one forward and one backward over (rows, T_chunk, H). Everything runs in fp32 with autocast off.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from nle.attribution.model import TextClassifier, double_backward_safe, target_score

RULES = ("gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid")


def approximation(rule: str, steps: int) -> tuple[Tensor, Tensor]:
    """Nodes α (steps,) in [0, 1] and weights w (steps,) with Σ w = 1 (float64)."""
    if steps < 1 or (rule == "riemann_trapezoid" and steps < 2):
        raise ValueError(f"integrated gradients: {steps} steps is too few for {rule}")
    if rule == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return torch.from_numpy((nodes + 1) / 2), torch.from_numpy(weights / 2)
    if rule == "riemann_trapezoid":
        alphas = torch.linspace(0, 1, steps, dtype=torch.float64)
        weights = torch.full((steps,), 1 / (steps - 1), dtype=torch.float64)
        weights[[0, -1]] /= 2
        return alphas, weights
    offsets = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}
    if rule not in offsets:
        raise ValueError(f"integration rule must be one of {RULES}, got {rule!r}")
    alphas = (torch.arange(steps, dtype=torch.float64) + offsets[rule]) / steps
    return alphas, torch.full((steps,), 1 / steps, dtype=torch.float64)


def baseline_embeddings(clf: TextClassifier, input_ids: Tensor, embeds: Tensor, attributed: Tensor,
                        baseline: str = "pad") -> Tensor:
    """x' (B, T, H): ``[PAD]`` or zero embeddings at attributed pieces, the input's own elsewhere."""
    if baseline == "pad":
        ref = clf.embed(torch.full_like(input_ids, clf.pad_id)).to(embeds.dtype)
    elif baseline == "zero":
        ref = torch.zeros_like(embeds)
    else:
        raise ValueError(f"baseline must be 'pad' or 'zero', got {baseline!r}")
    return torch.where(attributed.unsqueeze(-1), ref, embeds)


def _chunks(lengths: Tensor, steps: int, batch_tokens: int) -> list[tuple[Tensor, Tensor, int]]:
    """(example index, step index, chunk length) rows, longest examples first, at most ``batch_tokens`` tokens each."""
    order = torch.argsort(lengths, descending=True, stable=True).tolist()
    pairs = [(b, s) for b in order for s in range(steps)]
    out, i = [], 0
    while i < len(pairs):
        length = int(lengths[pairs[i][0]])
        rows = max(1, batch_tokens // max(length, 1))
        part = pairs[i:i + rows]
        out.append((torch.tensor([p[0] for p in part]), torch.tensor([p[1] for p in part]), length))
        i += rows
    return out


def integrated_gradients(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor,
                         attributed: Tensor, *, steps: int = 50, rule: str = "gausslegendre", baseline: str = "pad",
                         output: str = "logit", batch_tokens: int | None = None,
                         create_graph: bool = False) -> tuple[Tensor, Tensor]:
    """Pieces (B, T) = Σ_h IG_th and raw IG (B, T, H); ``attributed`` (B, T) marks the pieces moved to the baseline.

    ``batch_tokens``: the most (rows × length) tokens per forward; default 1024 on CPU (small chunks stay in cache
    and are trimmed tightly), 32768 on an accelerator. Assumes right padding (each chunk is cut after its longest
    example's last attended piece).
    """
    alphas, weights = approximation(rule, steps)
    device = input_ids.device
    if batch_tokens is None:
        batch_tokens = 1024 if device.type == "cpu" else 32768
    with torch.autocast(device.type, enabled=False), torch.enable_grad(), double_backward_safe(create_graph):
        embeds = clf.embed(input_ids)  # (B, T, H)
        embeds = embeds if embeds.dtype == torch.float64 else embeds.float()
        if not create_graph:
            embeds = embeds.detach()
        ref = baseline_embeddings(clf, input_ids, embeds, attributed.bool(), baseline)
        delta = embeds - ref  # (B, T, H)
        lengths = attention_mask.long().cumsum(1).argmax(1) + 1  # last attended position + 1
        total = torch.zeros_like(embeds)  # Σ_s w_s ∂f/∂x at the path points
        for rows, step, length in _chunks(lengths.cpu(), steps, batch_tokens):
            rows, step = rows.to(device), step.to(device)
            a = alphas.to(device, embeds.dtype)[step].view(-1, 1, 1)
            w = weights.to(device, embeds.dtype)[step].view(-1, 1, 1)
            path = ref[rows, :length] + a * delta[rows, :length]  # (R, L, H)
            if not path.requires_grad:
                path.requires_grad_()
            logits = clf(inputs_embeds=path, attention_mask=attention_mask[rows, :length])
            score = target_score(logits, target[rows], output)
            (grad,) = torch.autograd.grad(score.sum(), path, create_graph=create_graph)
            contribution = F.pad(w * grad, (0, 0, 0, embeds.shape[1] - length))  # (R, T, H)
            total = total.index_add(0, rows, contribution)
        raw = delta * total
    return raw.sum(-1), raw
