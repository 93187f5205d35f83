"""The record every explainer returns: scores per word piece, per word and per span, with the target explained."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor


@dataclass(frozen=True)
class Attribution:
    """Scores of one ``attribute`` call (fields a method cannot produce are ``None``).

    ``pieces`` (B, T): per word piece (gradient methods, integrated gradients, input marginalization); padding
    scores 0, special tokens score 0 under IG and marginalization (never moved) but not under plain gradients.
    ``words`` (B, W): per word: the sum of its pieces' scores, or the score of occluding the word (span methods).
    ``spans`` (B, S): per requested span: the sum over its pieces, or the score of occluding the whole span.
    ``embeddings`` (B, T, H): per embedding dimension (gradient methods: the raw gradient, x ⊙ g, or IG).
    ``target`` (B,): the class explained for each example. ``word_ids`` (B, T): the word-id map used (-1: none).
    """

    method: str
    target: Tensor
    pieces: Tensor | None = None
    words: Tensor | None = None
    spans: Tensor | None = None
    embeddings: Tensor | None = None
    word_ids: Tensor | None = None
