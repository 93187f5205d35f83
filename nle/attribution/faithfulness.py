"""Faithfulness by erasure (DeYoung et al. 2020, ERASER; Atanasova et al. 2020): batched over examples and bins.

For the top ``q`` fraction of words by attribution, r_q (at least one word),

    comprehensiveness_q = p(y | x) − p(y | x \\ r_q)      (deleting the rationale should hurt)
    sufficiency_q       = p(y | x) − p(y | r_q)          (the rationale alone should suffice)
    AOPC_comp = mean_q comprehensiveness_q,  AOPC_suff = mean_q sufficiency_q

over the bins q ∈ ``fractions`` (ERASER: 1, 5, 10, 20, 50 %). Erased words are deleted (the sequence closes up),
special tokens are kept. All (example, bin) rows go through ``occlusion`` in one batched pass.

>>> comp, suff = erasure_scores(clf, batch, words_scores, target)  # (B, F) each  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from nle.attribution.model import TextClassifier
from nle.attribution.occlusion import occlusion
from nle.attribution.words import piece_masks

ERASER_FRACTIONS = (0.01, 0.05, 0.1, 0.2, 0.5)


def top_fraction_masks(word_scores: Tensor, n_words: Tensor, fractions: Sequence[float]) -> Tensor:
    """Word masks (B, F, W) of the ⌈q·n⌉ highest-scoring words (≥ 1 when the example has words)."""
    batch, width = word_scores.shape
    present = torch.arange(width, device=word_scores.device) < n_words.unsqueeze(1)  # (B, W)
    ranked = torch.where(present, word_scores.float(), float("-inf")).argsort(dim=1, descending=True, stable=True)
    rank = torch.empty_like(ranked).scatter_(1, ranked, torch.arange(width, device=ranked.device).expand(batch, -1))
    q = torch.tensor(list(fractions), device=word_scores.device)  # (F,)
    k = (q.unsqueeze(0) * n_words.unsqueeze(1)).ceil().clamp_min(1).long()  # (B, F)
    return (rank.unsqueeze(1) < k.unsqueeze(-1)) & present.unsqueeze(1)


def erasure_scores(clf: TextClassifier, batch: dict[str, Tensor], word_scores: Tensor, target: Tensor,
                   fractions: Sequence[float] = ERASER_FRACTIONS, chunk_size: int = 64) -> tuple[Tensor, Tensor]:
    """Comprehensiveness and sufficiency (B, F) of word attributions (B, W); needs ``batch['word_ids']``."""
    word_ids = batch["word_ids"]
    n_words = word_ids.max(1).values + 1  # (B,)
    width = word_scores.shape[1]
    top = top_fraction_masks(word_scores, n_words, fractions)  # (B, F, W)
    rest = (torch.arange(width, device=word_ids.device) < n_words.unsqueeze(1)).unsqueeze(1) & ~top
    masks = piece_masks(torch.cat([top, rest], 1), word_ids)  # (B, 2F, T)
    with torch.no_grad():
        drop = occlusion(clf, batch["input_ids"], batch["attention_mask"], masks, target, replace="delete",
                         output="prob", chunk_size=chunk_size)  # (B, 2F): p(y|x) − p(y|x with the mask deleted)
    # an empty complement (every word in the rationale) leaves x unchanged: sufficiency 0, as occlusion gives
    return drop[:, :len(fractions)], drop[:, len(fractions):]


def aopc(curve: Tensor) -> Tensor:
    """Area over the perturbation curve (B,): the mean over the bins of a (B, F) erasure curve."""
    return curve.mean(1)
