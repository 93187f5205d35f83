"""A small classifier trained from scratch, so the spurious token is learnable: word vocabulary, mean-pooled
embeddings, a tanh hidden layer and a linear output; plus the gradient-reversal adversary of the baseline.

    x = mean_{w ∈ text} E[w]          (B, E)
    h = tanh(W1 x + b1)               (B, H)   ``encode``
    logits = W2 h + b2                (B, C)   ``forward``

Example::

    vocab = Vocab.build(["good film", "bad film"], min_count=1)
    model = BagClassifier(len(vocab), embedding_dim=8, hidden=4)
    model(vocab.batch(["good film"])).shape      # torch.Size([1, 2])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from projects.inffeed.tuning.spurious import WORD

PAD, UNK = "<pad>", "<unk>"


@dataclass(frozen=True)
class Vocab:
    """Lower-cased words (``WORD``) to ids; 0 is padding, 1 is unknown."""

    words: tuple[str, ...]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words)})

    @classmethod
    def build(cls, texts: Sequence[str], *, min_count: int = 2, max_size: int = 30000) -> Vocab:
        """Words seen at least ``min_count`` times, most frequent first (ties alphabetical), at most ``max_size``."""
        counts = Counter(w for t in texts for w in WORD.findall(t.lower()))
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls((PAD, UNK, *kept[: max_size - 2]))

    def __len__(self) -> int:
        return len(self.words)

    def ids(self, text: str, max_len: int) -> list[int]:
        """Word ids of ``text`` (unknown words → 1), cut to ``max_len``; an empty text is ``[1]``."""
        return [self.index.get(w, 1) for w in WORD.findall(text.lower())][:max_len] or [1]

    def batch(self, texts: Sequence[str], max_len: int = 64) -> dict[str, Tensor]:
        """``{"input_ids": (B, T), "attention_mask": (B, T)}``, right-padded to the longest row."""
        rows = [self.ids(t, max_len) for t in texts]
        width = max(len(r) for r in rows)
        ids = torch.zeros(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
            mask[i, : len(r)] = 1
        return {"input_ids": ids, "attention_mask": mask}


class BagClassifier(nn.Module):
    """Mean of word embeddings → tanh hidden layer (``encode``) → linear output (``forward``)."""

    def __init__(self, vocab_size: int, embedding_dim: int = 64, hidden: int = 64, num_classes: int = 2):
        super().__init__()
        self.embeddings = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.hidden = nn.Linear(embedding_dim, hidden)
        self.head = nn.Linear(hidden, num_classes)

    def encode(self, batch: dict[str, Tensor]) -> Tensor:
        """(B, T) ids and mask → (B, H) hidden representation."""
        mask = batch["attention_mask"].to(self.embeddings.weight.dtype).unsqueeze(-1)  # (B, T, 1)
        summed = (self.embeddings(batch["input_ids"]) * mask).sum(1)  # (B, E)
        pooled = summed / mask.sum(1).clamp_min(1.0)  # (B, E)
        return torch.tanh(self.hidden(pooled))  # (B, H)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        return self.head(self.encode(batch))  # (B, C)


class _Reverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, scale: float) -> Tensor:
        ctx.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return -ctx.scale * grad, None


def reverse_gradient(x: Tensor, scale: float = 1.0) -> Tensor:
    """Identity forward; the backward pass multiplies the gradient by ``-scale`` (Ganin & Lempitsky 2015)."""
    return _Reverse.apply(x, scale)


class Adversary(nn.Module):
    """Predicts the confound (token present or not) from the hidden representation through gradient reversal:
    the adversary minimises its loss, the encoder (below the reversal) maximises it."""

    def __init__(self, hidden: int, width: int = 64, scale: float = 1.0):
        super().__init__()
        self.scale = scale
        self.net = nn.Sequential(nn.Linear(hidden, width), nn.Tanh(), nn.Linear(width, 2))

    def forward(self, h: Tensor) -> Tensor:
        return self.net(reverse_gradient(h, self.scale))  # (B, 2)
