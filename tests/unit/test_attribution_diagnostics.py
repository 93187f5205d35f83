"""Faithfulness by erasure and agreement with human rationales, against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nle.attribution import TextClassifier, encode_words
from nle.attribution.agreement import token_auprc, token_f1
from nle.attribution.faithfulness import aopc, erasure_scores, top_fraction_masks
from nle.training.encoder import load_tokenizer
from tests.helpers import tiny_classifier


def additive_model() -> TextClassifier:
    torch.manual_seed(0)
    emb = nn.Embedding(30522, 3)

    def forward(input_ids=None, inputs_embeds=None, attention_mask=None):
        x = emb(input_ids) if inputs_embeds is None else inputs_embeds
        return (x * attention_mask.unsqueeze(-1)).sum(1)

    return TextClassifier(forward, emb, pad_id=0)


def test_top_fraction_masks() -> None:
    scores = torch.tensor([[0.1, 0.9, 0.5, 0.3], [2.0, 1.0, 0.0, 0.0]])
    masks = top_fraction_masks(scores, torch.tensor([4, 2]), (0.01, 0.5, 1.0))
    assert masks[0].tolist() == [[False, True, False, False], [False, True, True, False], [True] * 4]
    assert masks[1].tolist() == [[True, False, False, False], [True, False, False, False], [True, True, False, False]]


def test_erasure_scores_by_hand() -> None:
    tok = load_tokenizer("minilm")
    clf = additive_model()
    words = ["good", "bad", "movie", "plot"]
    batch = encode_words(tok, [words])
    scores = torch.tensor([[0.0, 3.0, 1.0, 2.0]])  # ranking: bad, plot, movie, good
    comp, suff = erasure_scores(clf, batch, scores, torch.tensor([1]), fractions=(0.25, 0.5))

    def prob(ws: list[str]) -> float:
        b = encode_words(tok, [ws])
        return float(clf(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).softmax(-1)[0, 1])

    full = prob(words)
    assert comp[0].tolist() == pytest.approx([full - prob(["good", "movie", "plot"]), full - prob(["good", "movie"])],
                                             abs=1e-6)
    assert suff[0].tolist() == pytest.approx([full - prob(["bad"]), full - prob(["bad", "plot"])], abs=1e-6)
    assert aopc(comp).tolist() == pytest.approx([float(comp.mean())])


def test_agreement_metrics() -> None:
    assert token_auprc([0.9, 0.1, 0.5], [1, 0, 1]) == 1.0
    assert token_auprc([0.1, 0.9, 0.5], [1, 0, 1]) == pytest.approx((1 / 2 + 2 / 3) / 2)  # ranks 2 and 3
    assert token_f1([0.1, 0.9, 0.5, 0.0], [1.0, 0.67, 0.33, 0.0]) == 0.5  # top-2 = {1, 2}, gold = {0, 1}
    assert math.isnan(token_auprc([1.0, 2.0], [0.0, 0.33]))
    with pytest.raises(ValueError, match="2 scores for 3"):
        token_f1([1.0, 2.0], [1, 0, 0])


@pytest.fixture
def data_dir() -> str:
    import os

    root = os.environ.get("NLE_DATA_DIR")
    if not root:
        pytest.skip("NLE_DATA_DIR is not set: real-rationale checks need the shared data folder")
    return root


@pytest.mark.parametrize(("reader", "path", "n"), [
    ("nle.data.readers.hatexplain:read_hatexplain", "hatexplain/hf_format/hatexplain_validation.json", 6),
    ("nle.data.readers.movies:read_movie_rationales", "movie_rationales_zaidan2007/derived_movie_rationales.jsonl", 2),
])
def test_real_rationales_through_attribute(data_dir: str, reader: str, path: str, n: int) -> None:
    """Readers → word batch → attributions → agreement and erasure: shapes line up word for word on real posts."""
    import importlib

    from nle.attribution import attribute

    module, name = reader.split(":")
    examples = [ex for ex in getattr(importlib.import_module(module), name)(path) if ex.rationale is not None
                and any(r >= 0.5 for r in ex.rationale)][:n]
    assert len(examples) == n
    tok = load_tokenizer("minilm")
    clf = tiny_classifier(tok, num_labels=2)
    batch = encode_words(tok, [ex.tokens for ex in examples], max_length=96)
    result = attribute(clf, batch, "input_x_gradient", target=1)
    covered = (batch["word_ids"].max(1).values + 1).tolist()  # words that survive truncation
    for b, ex in enumerate(examples):
        assert covered[b] <= len(ex.tokens)
        scores, gold = result.words[b, :covered[b]].tolist(), ex.rationale[:covered[b]]
        if any(g >= 0.5 for g in gold):
            assert 0.0 < token_auprc(scores, gold) <= 1.0 and 0.0 <= token_f1(scores, gold) <= 1.0
    comp, suff = erasure_scores(clf, batch, result.words, result.target)
    assert comp.shape == suff.shape == (n, 5) and torch.isfinite(comp).all()
