"""Assertions shared by several test files."""

from __future__ import annotations

from nle.types import Example


def check_span_invariants(ex: Example) -> None:
    """Tokens and spans slice the text exactly; span offsets are those of their first and last words."""
    assert len(ex.tokens) == len(ex.token_offsets)
    for tok, (s, e) in zip(ex.tokens, ex.token_offsets):
        assert ex.text[s:e] == tok
    for sp in ex.spans:
        assert ex.text[sp.char_start:sp.char_end] == sp.text
        assert (sp.char_start, sp.char_end) == (ex.token_offsets[sp.start][0], ex.token_offsets[sp.end - 1][1])
