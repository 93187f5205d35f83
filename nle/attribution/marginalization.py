"""Input marginalization (Kim et al., EMNLP 2020): replace a piece by the LM-weighted expectation over its candidates.

For piece t of input x with target class y,

    p(y | x_{−t}) ≈ Σ_{c ∈ top-k} q(c | x_{−t}) p(y | x with x_t = c),   q = p_LM(· | x_{−t}) renormalised on top-k
    φ(t) = log-odds p(y | x) − log-odds p(y | x_{−t}),                  log-odds(p) = log p − log(1 − p)

The paper keeps candidates above a probability threshold; a fixed ``top_k`` keeps the batch rectangular (the
candidates carry most of the mass for a trained LM; natural log instead of log2). Batched: one LM call for all
P attributed pieces (each row with its own piece masked), then one chunked classifier pass over (P·k, T) rows.

>>> pieces = input_marginalization(clf, ids, mask, target, attributed, lm=lm, top_k=10)  # doctest: +SKIP
"""

from __future__ import annotations

import torch
from torch import Tensor

from nle.attribution.lm import TokenDistribution
from nle.attribution.model import TextClassifier
from nle.attribution.occlusion import scores


def _log_odds(p: Tensor) -> Tensor:
    p = p.clamp(1e-12, 1 - 1e-7)
    return p.log() - (-p).log1p()


def input_marginalization(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor,
                          attributed: Tensor, *, lm: TokenDistribution, top_k: int = 10, chunk_size: int = 64,
                          banned_ids: tuple[int, ...] = ()) -> Tensor:
    """φ per piece (B, T) for the pieces in ``attributed`` (B, T); 0 elsewhere. ``target`` (B, C): φ (B, T, C), C
    classes from the same forward passes."""
    b, t = attributed.bool().nonzero(as_tuple=True)  # P attributed pieces
    rows, att = input_ids[b], attention_mask[b]  # (P, T)
    at = torch.zeros_like(rows, dtype=torch.bool)
    at[torch.arange(len(b)), t] = True
    masked = torch.where(at, torch.full_like(rows, lm.mask_token_id), rows)
    with torch.no_grad():
        logits = torch.cat([lm.logits_at(masked[i:i + chunk_size], att[i:i + chunk_size], at[i:i + chunk_size])
                            for i in range(0, len(b), chunk_size)]).float() if len(b) else \
            rows.new_zeros(0, 1, dtype=torch.float32)  # (P, V)
    if banned_ids:
        logits[:, list(banned_ids)] = float("-inf")
    top, cand = logits.topk(min(top_k, logits.shape[1]), -1)  # (P, k)
    weights = top.softmax(-1)  # renormalised on the candidates
    k = cand.shape[1]
    filled = rows.repeat_interleave(k, 0)  # (P·k, T)
    filled[torch.arange(len(filled)), t.repeat_interleave(k)] = cand.flatten().to(filled.dtype)
    prob = scores(clf, filled, attention_mask, target, output="prob", chunk_size=chunk_size,
                  example=b.repeat_interleave(k))
    prob = prob.view(-1, k, *prob.shape[1:])  # (P, k[, C]): row of piece p reads example b[p]
    marginal = (weights.view(*weights.shape, *(1,) * (prob.dim() - 2)) * prob).sum(1)  # (P[, C])
    full = scores(clf, input_ids, attention_mask, target, output="prob", chunk_size=chunk_size)  # (B[, C])
    phi = _log_odds(full[b]) - _log_odds(marginal)
    return phi.new_zeros(*attributed.shape, *phi.shape[1:]).index_put((b, t), phi)
