"""Word-piece ↔ word bookkeeping: the word-id map, word aggregation and span masks.

A batch that is explained at word level carries ``word_ids`` (B, T): for every word piece the index of the word it
belongs to (the tokenizer's ``word_ids()``), ``-1`` for special tokens ([CLS], [SEP]) and padding. Spans are word
masks (B, S, W) (True: the word belongs to span ``s``), so that a span may be any set of words (the union of two
phrases for interactions). Empty spans are allowed (padding of the S axis) and score 0.

>>> ids = torch.tensor([[-1, 0, 0, 1, -1]])  # [CLS] un ##kind words [SEP]
>>> aggregate_words(torch.tensor([[9., 1., 2., 3., 9.]]), ids)
tensor([[3., 3.]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

WordSpans = Sequence[Sequence[tuple[int, int]]]
"""Per example, a list of word spans ``(start, end)`` with ``end`` exclusive."""


def encode_words(tokenizer: Any, sentences: Sequence[Sequence[str]], max_length: int | None = None) -> dict[str, Tensor]:
    """Tokenize pre-split words; the batch has ``input_ids``, ``attention_mask`` (B, T) and ``word_ids`` (B, T).

    Padding is on the right to the longest sequence; ``word_ids`` is ``-1`` at special tokens and padding.
    """
    enc = tokenizer([list(s) for s in sentences], is_split_into_words=True, padding=True, truncation=max_length is not None,
                    max_length=max_length, return_tensors="pt")
    rows = [[-1 if w is None else w for w in enc.word_ids(i)] for i in range(len(sentences))]
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
            "word_ids": torch.tensor(rows, dtype=torch.long)}


def count_words(word_ids: Tensor) -> int:
    """W: the number of word slots of the batch (the largest word id + 1)."""
    return int(word_ids.max().clamp_min(-1)) + 1


def aggregate_words(piece_scores: Tensor, word_ids: Tensor, n_words: int | None = None) -> Tensor:
    """Sum piece scores (B, T) into word scores (B, W): ``words[b, w] = Σ_{t: word_ids[b, t] = w} pieces[b, t]``
    ((B, T, K) into (B, W, K)).

    Special tokens and padding (``-1``) are dropped; words absent from an example score 0. Differentiable.
    """
    n_words = count_words(word_ids) if n_words is None else n_words
    if piece_scores.dim() == 3:  # (B, T, K): K score columns, each summed the same way
        return torch.stack([aggregate_words(piece_scores[..., k], word_ids, n_words)
                            for k in range(piece_scores.shape[-1])], -1)
    keep = word_ids >= 0
    index = torch.where(keep, word_ids, n_words)  # (B, T): dropped pieces go to an extra slot
    out = piece_scores.new_zeros(piece_scores.shape[0], n_words + 1)
    out = out.scatter_add(1, index, torch.where(keep, piece_scores, torch.zeros_like(piece_scores)))
    return out[:, :n_words]


def span_masks(spans: WordSpans, n_words: int) -> Tensor:
    """Word masks (B, S, W) of word spans; examples with fewer spans are padded with empty masks."""
    n_spans = max((len(s) for s in spans), default=0)
    out = torch.zeros(len(spans), n_spans, n_words, dtype=torch.bool)
    for b, row in enumerate(spans):
        for s, (start, end) in enumerate(row):
            if not (0 <= start < end <= n_words):
                raise ValueError(f"span {s} of example {b}: [{start}, {end}) outside the {n_words} words")
            out[b, s, start:end] = True
    return out


def word_spans(word_ids: Tensor) -> Tensor:
    """Every word as its own span: masks (B, W, W), empty for word slots an example lacks."""
    n_words = count_words(word_ids)
    present = torch.zeros(word_ids.shape[0], n_words + 1, dtype=torch.bool, device=word_ids.device)
    present.scatter_(1, torch.where(word_ids >= 0, word_ids, n_words), True)
    eye = torch.eye(n_words, dtype=torch.bool, device=word_ids.device)
    return eye.unsqueeze(0) & present[:, :n_words].unsqueeze(1)  # (B, W, W)


def piece_masks(word_masks: Tensor, word_ids: Tensor) -> Tensor:
    """Word masks (B, S, W) → piece masks (B, S, T): a piece is in a span when its word is."""
    n_spans, n_words = word_masks.shape[1], word_masks.shape[2]
    index = word_ids.clamp_min(0).clamp_max(max(n_words - 1, 0))  # (B, T)
    picked = word_masks.gather(2, index.unsqueeze(1).expand(-1, n_spans, -1)) if n_words else \
        torch.zeros(word_masks.shape[0], n_spans, word_ids.shape[1], dtype=torch.bool, device=word_ids.device)
    return picked & (word_ids >= 0).unsqueeze(1)


def dilate(word_masks: Tensor, radius: int) -> Tensor:
    """The words within ``radius`` words of a span (B, S, W), the span included (a 1-D max-pool)."""
    if radius <= 0:
        return word_masks
    x = word_masks.float().flatten(0, 1).unsqueeze(1)  # (B·S, 1, W)
    y = torch.nn.functional.max_pool1d(x, 2 * radius + 1, stride=1, padding=radius)
    return y.squeeze(1).view_as(word_masks) > 0


def span_sums(piece_scores: Tensor, masks: Tensor) -> Tensor:
    """Scores of spans as sums of their pieces: (B, T) with piece masks (B, S, T) → (B, S) ((B, T, K) → (B, S, K))."""
    if piece_scores.dim() == 3:
        return torch.einsum("btk,bst->bsk", piece_scores, masks.to(piece_scores.dtype))
    return torch.einsum("bt,bst->bs", piece_scores, masks.to(piece_scores.dtype))
