"""Occlusion / leave-one-out of words and spans (Li et al. 2016; Zeiler & Fergus 2014), batched over spans.

    φ(p) = f(x) − f(x \\ p)

where ``x \\ p`` replaces every piece of span p by ``[PAD]`` (``replace="pad"``, attention kept: the SOC code's
occlusion), by ``[MASK]`` (``replace="mask"``), or deletes the pieces (``replace="delete"``: the sequence closes up
and is right-padded again). All non-empty (example, span) pairs go through the model in chunks of ``chunk_size``
rows, each trimmed to its longest row. Without ``torch.no_grad`` the scores are differentiable with respect to the
model's parameters: a loss on φ back-propagates through one batched forward (what the SOC/REMOTE regularisers need).

>>> phi = occlusion(clf, ids, mask, piece_masks, target)  # (B, S)  # doctest: +SKIP
"""

from __future__ import annotations

import torch
from torch import Tensor

from nle.attribution.model import TextClassifier, target_score

REPLACE = ("pad", "mask", "delete")


def occlude(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, masks: Tensor,
            replace: str = "pad") -> tuple[Tensor, Tensor]:
    """Rows (N, T) with the pieces in ``masks`` (N, T) occluded; returns (ids, attention mask)."""
    if replace == "pad":
        return torch.where(masks, torch.full_like(input_ids, clf.pad_id), input_ids), attention_mask
    if replace == "mask":
        if clf.mask_id is None:
            raise ValueError("replace='mask' needs TextClassifier.mask_id (pass the tokenizer to as_classifier)")
        return torch.where(masks, torch.full_like(input_ids, clf.mask_id), input_ids), attention_mask
    if replace == "delete":
        keep = attention_mask.bool() & ~masks  # (N, T)
        order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)  # kept pieces first, in order
        ids = torch.where(keep, input_ids, torch.full_like(input_ids, clf.pad_id)).gather(1, order)
        return ids, keep.gather(1, order).to(attention_mask.dtype)
    raise ValueError(f"replace must be one of {REPLACE}, got {replace!r}")


ACTIVATION_BUDGET = 1 << 18
"""Rows × pieces × hidden size per classifier call on a CPU when no ``chunk_size`` is given (1 MiB of fp32 per
activation: cache-sized)."""
ACCELERATOR_ACTIVATION_BUDGET = 1 << 24
"""The same on a GPU (64 MiB of fp32 per activation): small calls leave a GPU idle between kernel launches, so it
takes as many rows per call as memory comfortably allows (measured on an H200, SOC over 1,020 MiniLM rows: one call
instead of dozens)."""


def activation_budget(device: torch.device) -> int:
    """Rows × pieces × hidden size per classifier call on ``device`` (see the two budgets above)."""
    return ACTIVATION_BUDGET if device.type == "cpu" else ACCELERATOR_ACTIVATION_BUDGET


def chunk_bounds(lengths: list[int], width: int, chunk_size: int | None = None,
                 budget: int = ACTIVATION_BUDGET) -> list[tuple[int, int]]:
    """[start, end) chunks of rows sorted by decreasing ``lengths``: each holds ``chunk_size`` rows, or when that is
    ``None`` as many as keep rows × (its longest row) × ``width`` ≤ ``budget`` (at least one).

    >>> chunk_bounds([4, 4, 2, 2, 2], width=1, budget=8)
    [(0, 2), (2, 5)]
    """
    if chunk_size is not None:
        return [(i, min(i + chunk_size, len(lengths))) for i in range(0, len(lengths), chunk_size)]
    out, start = [], 0
    while start < len(lengths):
        rows = max(1, budget // max(1, lengths[start] * width))
        out.append((start, min(start + rows, len(lengths))))
        start += rows
    return out


def scores(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *, output: str = "logit",
           chunk_size: int | None = 64, example: Tensor | None = None) -> Tensor:
    """f of every row (N,): rows sorted by length, forwarded in chunks (``chunk_bounds``: ``chunk_size`` rows, or
    sized by ``activation_budget`` of the device when ``None``), each trimmed to its longest row.

    ``target`` (B, K) or (N, K): f is (N, K), K classes from one forward pass per row.
    ``example`` (N,): row i reads the attention mask and target of example ``example[i]`` (``attention_mask``
    (B, T), ``target`` (B,)), so rows derived from one example need no copies of them; ``None``: row i's own.
    """
    n = input_ids.shape[0]
    if n == 0:
        return input_ids.new_zeros(0, dtype=torch.float32)
    ex = torch.arange(n, device=input_ids.device) if example is None else example
    length = attention_mask.long().cumsum(1).argmax(1) + 1  # last attended position + 1 (1 for an empty mask)
    order = torch.argsort(length[ex], descending=True, stable=True)  # (N,)
    lengths = length[ex[order]].tolist()
    out = []
    for start, end in chunk_bounds(lengths, clf.embedding.embedding_dim, chunk_size,
                                   activation_budget(input_ids.device)):
        rows, width = order[start:end], lengths[start]
        e = ex[rows]
        out.append(target_score(clf(input_ids=input_ids[rows, :width], attention_mask=attention_mask[e, :width]),
                                target[e], output))
    ranked = torch.cat(out)  # (N,) in length order
    return ranked.new_zeros(ranked.shape).index_put((order,), ranked)


def occlusion(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, masks: Tensor, target: Tensor, *,
              replace: str = "pad", output: str = "logit", chunk_size: int = 64,
              reference: Tensor | None = None) -> Tensor:
    """φ (B, S) for piece masks (B, S, T); empty spans score 0. ``target`` (B, K): φ (B, S, K), K classes from the
    same forward passes.

    ``reference`` (B,): f(x) when the caller already has it (a training step reuses its own forward pass).
    """
    batch, n_spans = masks.shape[:2]
    if reference is None:
        reference = scores(clf, input_ids, attention_mask, target, output=output, chunk_size=chunk_size)
    b, s = masks.any(-1).nonzero(as_tuple=True)  # non-empty (example, span) pairs, R of them
    ids, mask = occlude(clf, input_ids[b], attention_mask[b], masks[b, s], replace)  # (R, T)
    phi = reference[b] - scores(clf, ids, mask, target[b], output=output, chunk_size=chunk_size)  # (R,) or (R, K)
    return reference.new_zeros(batch, n_spans, *phi.shape[1:]).index_put((b, s), phi)
