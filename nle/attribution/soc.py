"""Sampling and Occlusion (SOC; Jin et al., ICLR 2020), batched over spans and samples.

For a phrase p of input x, the context δ within ``nb_range`` words on either side of p is resampled K times from a
language model conditioned on the rest of x, and p is occluded (its pieces replaced by ``[PAD]``):

    φ(p) = (1/K) Σ_k [ f(x̃_k) − f(x̃_k \\ p) ],   x̃_k = x with δ ~ p_LM(δ | x_{−δ})

With ``nb_range=0`` nothing is resampled and φ(p) = f(x) − f(x \\ p): occlusion (computed by ``occlusion``, so it
is differentiable for regularisers). Batching: all R non-empty (example, span) pairs × K samples are built as one
(R·K, T) tensor, sampled by one ``ContextSampler.sample_k`` call (the LM reads each of the R masked rows once; the K
draws share it) and scored, with their occluded copies, in chunks: there is no Python loop over spans. Identical
rows (a draw that reproduces the original context, an empty context window) are scored once (``distinct_rows``).
Chunks: rows sorted by length, each chunk trimmed to its longest row and sized so that rows × pieces × hidden stays
near ``occlusion.activation_budget`` (cache-sized activations on a CPU: many rows for a small encoder, few for a large one), unless a
``chunk_size`` in rows is given. Randomness: ``uniforms`` (B, S, K, T) drive inverse-CDF sampling, so the same
uniforms give the same estimate whether spans are batched or looped; by default they come from
``torch.Generator(seed)``.

>>> phi = soc(clf, ids, mask, word_ids, word_masks, target, sampler=ContextSampler(lm), nb_range=10)  # doctest: +SKIP
"""

from __future__ import annotations

import torch
from torch import Tensor

from nle.attribution.lm import ContextSampler
from nle.attribution.model import TextClassifier
from nle.attribution.occlusion import occlude, occlusion, scores
from nle.attribution.words import dilate, piece_masks

_PRIME = (1 << 31) - 1  # hash modulus: every product of two residues fits in int64


def soc_uniforms(shape: tuple[int, int, int, int], seed: int = 0) -> Tensor:
    """Uniforms (B, S, K, T) for ``soc`` from a seeded CPU generator."""
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def distinct_rows(rows: Tensor) -> tuple[Tensor, Tensor]:
    """Exact deduplication of integer rows (N, D) ≥ 0: (index of the first of each distinct row (U,), inverse (N,)).

    ``rows[first][inverse] == rows``. Rows are hashed (h = Σ_d (r_d mod P)·w_d mod P, exact int64 arithmetic), sorted
    by hash and merged only when equal to their sorted neighbour, so a hash collision can only miss a merge, never
    merge two different rows. Linear in N·D (``torch.unique(dim=0)`` compares rows one by one).

    >>> first, inverse = distinct_rows(torch.tensor([[1, 2], [3, 4], [1, 2]]))
    >>> first.tolist(), inverse.tolist()
    ([0, 1], [0, 1, 0])
    """
    n = rows.shape[0]
    if n == 0:
        return rows.new_zeros(0, dtype=torch.long), rows.new_zeros(0, dtype=torch.long)
    weights = torch.randint(1, _PRIME, (rows.shape[1],), generator=torch.Generator().manual_seed(0)).to(rows.device)
    residues = rows.long() % _PRIME
    hashes = (residues * weights % _PRIME).sum(1)  # (N,)
    order = torch.argsort(hashes, stable=True)  # equal rows are neighbours (up to interleaved collisions)
    ranked, ranked_hash = rows[order], hashes[order]
    same = (ranked_hash[1:] == ranked_hash[:-1]) & (ranked[1:] == ranked[:-1]).all(1)  # (N−1,)
    new = torch.cat([same.new_ones(1), ~same])  # (N,) starts a new distinct row
    group = new.long().cumsum(0) - 1  # (N,) in sorted order
    first, by_first = order[new].sort()  # (U,) the earliest index of each run (stable sort), ascending
    rank = torch.empty_like(by_first).index_put_((by_first,), torch.arange(len(by_first), device=rows.device))
    return first, rank[torch.empty_like(group).index_put_((order,), group)]


def unique_scores(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *,
                  output: str = "logit", chunk_size: int | None = 64) -> Tensor:
    """``scores`` (N,) with every distinct (ids, mask, target) row forwarded once; equal rows share one score."""
    if input_ids.shape[0] == 0:
        return input_ids.new_zeros(0, dtype=torch.float32)
    key = torch.cat([input_ids, attention_mask.to(input_ids.dtype),
                     target.view(input_ids.shape[0], -1).to(input_ids.dtype)], 1)
    first, inverse = distinct_rows(key)  # (U,), (N,)
    once = scores(clf, input_ids[first], attention_mask, target, output=output, chunk_size=chunk_size,
                  example=first)  # (U,)
    return once[inverse]


def soc(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, word_ids: Tensor, word_masks: Tensor,
        target: Tensor, *, sampler: ContextSampler | None = None, nb_range: int = 10, n_samples: int = 20,
        output: str = "logit", chunk_size: int | None = None, seed: int = 0, uniforms: Tensor | None = None) -> Tensor:
    """φ (B, S) for word masks (B, S, W) of phrases; empty phrases score 0. ``target`` (B, C): φ (B, S, C), C classes
    from the same samples and forward passes.

    ``chunk_size``: rows per classifier call (``None``: sized by ``occlusion.activation_budget``). With ``nb_range > 0`` the
    estimate is computed without gradients (sampling is not differentiable).
    """
    masks = piece_masks(word_masks, word_ids)  # (B, S, T)
    if nb_range == 0:
        return occlusion(clf, input_ids, attention_mask, masks, target, replace="pad", output=output,
                         chunk_size=64 if chunk_size is None else chunk_size)
    if sampler is None:
        raise ValueError("soc with nb_range > 0 needs a ContextSampler over a language model")
    batch, n_spans, length = masks.shape
    if uniforms is None:
        uniforms = soc_uniforms((batch, n_spans, n_samples, length), seed)
    if uniforms.shape != (batch, n_spans, n_samples, length):
        raise ValueError(f"uniforms must be {(batch, n_spans, n_samples, length)}, got {tuple(uniforms.shape)}")
    window = piece_masks(dilate(word_masks, nb_range) & ~word_masks, word_ids)  # (B, S, T) context to resample
    b, s = masks.any(-1).nonzero(as_tuple=True)  # R non-empty (example, span) pairs
    k = n_samples
    with torch.no_grad():
        drawn = sampler.sample_k(input_ids[b], attention_mask[b], window[b, s],
                                 uniforms.to(input_ids.device)[b, s])  # (R, K, T)
        occluded, _ = occlude(clf, drawn, attention_mask[b].unsqueeze(1), masks[b, s].unsqueeze(1), "pad")  # (R, K, T)
        rows = torch.cat([drawn, occluded]).flatten(0, 1)  # (2·R·K, T)
        example = b.repeat_interleave(k).repeat(2)  # (2·R·K,) the example (mask, target) of every row
        # rows of one example share its mask and target: (ids, example) identifies a row
        first, inverse = distinct_rows(torch.cat([rows, example.unsqueeze(1)], 1))  # (U,), (2·R·K,)
        once = scores(clf, rows[first], attention_mask, target, output=output, chunk_size=chunk_size,
                      example=example[first])  # (U,)
        both = once[inverse].view(2, -1, k, *once.shape[1:])  # (2, R, K[, classes])
        diff = (both[0] - both[1]).mean(1)  # (R[, classes])
    return diff.new_zeros(batch, n_spans, *diff.shape[1:]).index_put((b, s), diff)
