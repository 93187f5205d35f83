"""Assertions shared by several test files."""

from __future__ import annotations

from typing import Any

from nle.types import Example


def check_span_invariants(ex: Example) -> None:
    """Tokens and spans slice the text exactly; span offsets are those of their first and last words."""
    assert len(ex.tokens) == len(ex.token_offsets)
    for tok, (s, e) in zip(ex.tokens, ex.token_offsets):
        assert ex.text[s:e] == tok
    for sp in ex.spans:
        assert ex.text[sp.char_start:sp.char_end] == sp.text
        assert (sp.char_start, sp.char_end) == (ex.token_offsets[sp.start][0], ex.token_offsets[sp.end - 1][1])


def tiny_classifier(tok: Any, num_labels: int = 3, seed: int = 0) -> Any:
    """A seeded tiny random BERT classifier (``TINY_OVERRIDES``, dropout 0, eval mode) as a ``TextClassifier``."""
    import torch

    from nle.attribution import as_classifier
    from nle.training.encoder import TINY_OVERRIDES
    from nle.training.module import NLEModule

    torch.manual_seed(seed)
    return as_classifier(NLEModule(pretrained=False, encoder_overrides=TINY_OVERRIDES, num_labels=num_labels,
                                   dropout=0.0).eval(), tok)
