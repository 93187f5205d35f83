"""Hierarchical (phrase-level) explanations by agglomeration (Jin et al., ICLR 2020, Sec. 4; after Singh et al. 2019).

Start from the words of one example as segments; at each round score every merge of two adjacent segments with a
span method (SOC or occlusion: one batched ``attribute`` call over all candidate merges) and keep the merge with
the largest score (``key="abs"``: the largest |φ|). W words give W − 1 rounds and a binary tree over the sentence.

>>> levels = agglomerate(model, batch, method="soc", target=1, sampler=sampler, nb_range=10)  # doctest: +SKIP
>>> levels[-1]  # the whole sentence as one phrase, with its score  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from nle.attribution.api import attribute


@dataclass(frozen=True)
class Level:
    """One round: the segments ``[(start, end), ...]`` (word spans, in order) and the score of each."""

    segments: tuple[tuple[int, int], ...]
    scores: tuple[float, ...]


def agglomerate(model: Any, batch: dict[str, Tensor], *, method: str = "soc", target: int | Tensor | None = None,
                key: str = "value", **options: Any) -> list[Level]:
    """Levels from single words to the whole sentence for a batch of one example (needs ``word_ids``)."""
    if batch["input_ids"].shape[0] != 1 or "word_ids" not in batch:
        raise ValueError("agglomerate explains one example with word_ids (encode_words of one sentence)")
    if key not in {"value", "abs"}:
        raise ValueError(f"key must be 'value' or 'abs', got {key!r}")
    n_words = int(batch["word_ids"].max()) + 1
    first = attribute(model, batch, method, target, **options)
    assert first.words is not None
    segments = [(i, i + 1) for i in range(n_words)]
    levels = [Level(tuple(segments), tuple(float(v) for v in first.words[0, :n_words]))]
    scores = list(levels[0].scores)
    while len(segments) > 1:
        merges = [(segments[i][0], segments[i + 1][1]) for i in range(len(segments) - 1)]
        phi = attribute(model, batch, method, target, spans=[merges], **options).spans
        assert phi is not None
        ranked = phi[0].abs() if key == "abs" else phi[0]
        best = int(torch.argmax(ranked))
        segments[best:best + 2] = [merges[best]]
        scores[best:best + 2] = [float(phi[0, best])]
        levels.append(Level(tuple(segments), tuple(scores)))
    return levels
