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

from nle.attribution.model import TextClassifier, target_score, trim

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


def scores(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, target: Tensor, *, output: str = "logit",
           chunk_size: int = 64) -> Tensor:
    """f of every row (N,): rows sorted by length, forwarded in chunks of ``chunk_size``, each trimmed to its longest."""
    lengths = attention_mask.long().cumsum(1).argmax(1)  # last attended position
    order = torch.argsort(lengths, descending=True, stable=True)
    out = []
    for i in range(0, input_ids.shape[0], chunk_size):
        rows = order[i:i + chunk_size]
        ids, mask = trim(input_ids[rows], attention_mask[rows])
        out.append(target_score(clf(input_ids=ids, attention_mask=mask), target[rows], output))
    if not out:
        return input_ids.new_zeros(0, dtype=torch.float32)
    ranked = torch.cat(out)  # (N,) in length order
    return ranked.new_zeros(ranked.shape).index_put((order,), ranked)


def occlusion(clf: TextClassifier, input_ids: Tensor, attention_mask: Tensor, masks: Tensor, target: Tensor, *,
              replace: str = "pad", output: str = "logit", chunk_size: int = 64,
              reference: Tensor | None = None) -> Tensor:
    """φ (B, S) for piece masks (B, S, T); empty spans score 0.

    ``reference`` (B,): f(x) when the caller already has it (a training step reuses its own forward pass).
    """
    batch, n_spans = masks.shape[:2]
    if reference is None:
        reference = scores(clf, input_ids, attention_mask, target, output=output, chunk_size=chunk_size)
    b, s = masks.any(-1).nonzero(as_tuple=True)  # non-empty (example, span) pairs, R of them
    ids, mask = occlude(clf, input_ids[b], attention_mask[b], masks[b, s], replace)  # (R, T)
    phi = reference[b] - scores(clf, ids, mask, target[b], output=output, chunk_size=chunk_size)  # (R,)
    return reference.new_zeros(batch, n_spans).index_put((b, s), phi)
