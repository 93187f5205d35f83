"""Sampling and Occlusion (SOC; Jin et al., ICLR 2020), batched over spans and samples.

For a phrase p of input x, the context δ within ``nb_range`` words on either side of p is resampled K times from a
language model conditioned on the rest of x, and p is occluded (its pieces replaced by ``[PAD]``):

    φ(p) = (1/K) Σ_k [ f(x̃_k) − f(x̃_k \\ p) ],   x̃_k = x with δ ~ p_LM(δ | x_{−δ})

With ``nb_range=0`` nothing is resampled and φ(p) = f(x) − f(x \\ p): occlusion (computed by ``occlusion``, so it
is differentiable for regularisers). Batching: all R non-empty (example, span) pairs × K samples are built as one
(R·K, T) tensor, sampled by one ``ContextSampler.sample_k`` call (the LM reads each of the R masked rows once; the K
draws share it) and scored, with their occluded copies, in chunks: there is no Python loop over spans. Identical
rows (a draw that reproduces the original context, an empty context window) are scored once. Randomness: ``uniforms`` (B, S, K, T) drive inverse-CDF sampling, so the same uniforms
give the same estimate whether spans are batched or looped; by default they come from ``torch.Generator(seed)``.

>>> phi = soc(clf, ids, mask, word_ids, word_masks, target, sampler=ContextSampler(lm), nb_range=10)  # doctest: +SKIP
"""

from __future__ import annotations

import torch
from torch import Tensor

from nle.attribution.lm import ContextSampler
from nle.attribution.model import TextClassifier
from nle.attribution.occlusion import occlude, occlusion, scores
from nle.attribution.words import dilate, piece_masks


def soc_uniforms(shape: tuple[int, int, int, int], seed: int = 0) -> Tensor:
    """Uniforms (B, S, K, T) for ``soc`` from a seeded CPU generator."""
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def unique_scores(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *,
                  output: str = "logit", chunk_size: int = 64) -> Tensor:
    """``scores`` (N,) with every distinct (ids, mask, target) row forwarded once; equal rows share one score."""
    key = torch.cat([input_ids, attention_mask.to(input_ids.dtype), target.view(-1, 1).to(input_ids.dtype)], 1)
    distinct, inverse = torch.unique(key, dim=0, return_inverse=True)  # (U, 2T+1), (N,)
    if distinct.shape[0] == key.shape[0]:
        return scores(clf, input_ids, attention_mask, target, output=output, chunk_size=chunk_size)
    length = input_ids.shape[1]
    once = scores(clf, distinct[:, :length], distinct[:, length:2 * length].to(attention_mask.dtype),
                  distinct[:, -1].to(target.dtype), output=output, chunk_size=chunk_size)  # (U,)
    return once[inverse]


def soc(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, word_ids: Tensor, word_masks: Tensor,
        target: Tensor, *, sampler: ContextSampler | None = None, nb_range: int = 10, n_samples: int = 20,
        output: str = "logit", chunk_size: int = 64, seed: int = 0, uniforms: Tensor | None = None) -> Tensor:
    """φ (B, S) for word masks (B, S, W) of phrases; empty phrases score 0."""
    masks = piece_masks(word_masks, word_ids)  # (B, S, T)
    if nb_range == 0:
        return occlusion(clf, input_ids, attention_mask, masks, target, replace="pad", output=output,
                         chunk_size=chunk_size)
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
    drawn = sampler.sample_k(input_ids[b], attention_mask[b], window[b, s],
                             uniforms[b, s].to(input_ids.device)).flatten(0, 1)  # (R·K, T)
    att = attention_mask[b].repeat_interleave(k, 0)
    phrase = masks[b, s].repeat_interleave(k, 0)
    occluded, _ = occlude(clf, drawn, att, phrase, "pad")
    tgt = target[b].repeat_interleave(k, 0)
    both = unique_scores(clf, torch.cat([drawn, occluded]), torch.cat([att, att]), torch.cat([tgt, tgt]),
                         output=output, chunk_size=chunk_size)  # (2·R·K,)
    diff = (both[: len(tgt)] - both[len(tgt):]).view(-1, k).mean(1)  # (R,)
    return diff.new_zeros(batch, n_spans).index_put((b, s), diff)
