"""Word aggregation, span masks, occlusion, SOC, input marginalization and interactions, with known answers."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nle.attribution import (
    ContextSampler,
    LSTMLanguageModel,
    TextClassifier,
    aggregate_words,
    as_classifier,
    attribute,
    encode_words,
    interaction,
    piece_masks,
    span_masks,
    word_spans,
)
from nle.attribution.occlusion import occlude
from nle.attribution.soc import soc, soc_uniforms
from nle.attribution.words import dilate
from nle.training.encoder import TINY_OVERRIDES, load_tokenizer
from nle.training.module import NLEModule

SENTENCES = [["you", "are", "unkindness", "itself", "today"], ["hello", "world"], ["a", "b", "c", "d"]]
SPECIAL = (0, 100, 101, 102, 103)


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("minilm")


@pytest.fixture(scope="module")
def clf(tok) -> TextClassifier:
    torch.manual_seed(0)
    return as_classifier(NLEModule(pretrained=False, encoder_overrides=TINY_OVERRIDES, num_labels=3,
                                   dropout=0.0).eval(), tok)


def additive_model() -> TextClassifier:
    """f(ids) = Σ_t m_t v[id_t]: every piece adds its own value, whatever its context."""
    torch.manual_seed(0)
    emb = nn.Embedding(30522, 3)

    def forward(input_ids=None, inputs_embeds=None, attention_mask=None):
        x = emb(input_ids) if inputs_embeds is None else inputs_embeds
        return (x * attention_mask.unsqueeze(-1)).sum(1)

    return TextClassifier(forward, emb, pad_id=0, mask_id=103)


def test_word_aggregation_on_a_hand_made_map() -> None:
    word_ids = torch.tensor([[-1, 0, 0, 1, 2, 2, 2, -1], [-1, 0, 1, -1, -1, -1, -1, -1]])
    pieces = torch.tensor([[9.0, 1, 2, 3, 4, 5, 6, 9], [9.0, 7, 8, 9, 9, 9, 9, 9]])
    assert aggregate_words(pieces, word_ids).tolist() == [[3, 3, 15], [7, 8, 0]]
    masks = span_masks([[(0, 2), (2, 3)], [(1, 2)]], 3)
    assert masks.tolist() == [[[True, True, False], [False, False, True]], [[False, True, False], [False] * 3]]
    assert piece_masks(masks, word_ids)[0, 0].tolist() == [False, True, True, True, False, False, False, False]
    assert word_spans(word_ids)[1].tolist() == [[True, False, False], [False, True, False], [False, False, False]]
    assert dilate(span_masks([[(2, 3)]], 6), 2)[0, 0].tolist() == [True, True, True, True, True, False]
    with pytest.raises(ValueError, match="outside"):
        span_masks([[(2, 5)]], 3)


def test_encode_words_maps_pieces_to_words(tok) -> None:
    batch = encode_words(tok, [["unkindness", "!"]])
    assert batch["word_ids"][0].tolist() == [-1, 0, 0, 0, 1, -1]


def test_occlusion_replacements() -> None:
    clf = TextClassifier(lambda **k: None, nn.Embedding(9, 2), pad_id=0, mask_id=4)
    ids, att = torch.tensor([[1, 5, 6, 7, 2, 0]]), torch.tensor([[1, 1, 1, 1, 1, 0]])
    hide = torch.tensor([[False, False, True, True, False, False]])
    assert occlude(clf, ids, att, hide, "pad")[0].tolist() == [[1, 5, 0, 0, 2, 0]]
    assert occlude(clf, ids, att, hide, "mask")[0].tolist() == [[1, 5, 4, 4, 2, 0]]
    out, mask = occlude(clf, ids, att, hide, "delete")
    assert out.tolist() == [[1, 5, 2, 0, 0, 0]] and mask.tolist() == [[1, 1, 1, 0, 0, 0]]


def test_occlusion_of_an_additive_model_is_each_words_value(tok) -> None:
    clf = additive_model()
    batch = encode_words(tok, SENTENCES)
    values = clf.embed(batch["input_ids"]).detach()[..., 1] - clf.embed(torch.tensor(0)).detach()[1]
    expected = aggregate_words(values * (batch["word_ids"] >= 0), batch["word_ids"])
    for replace in ("pad", "delete"):
        got = attribute(clf, batch, "occlusion", target=1, replace=replace).words
        want = expected if replace == "pad" else aggregate_words(values + clf.embed(torch.tensor(0)).detach()[1],
                                                                 batch["word_ids"])
        torch.testing.assert_close(got, want)


def test_soc_with_nb_range_zero_is_occlusion(clf, tok) -> None:
    batch = encode_words(tok, SENTENCES)
    spans = [[(0, 2), (3, 5)], [(1, 2)], [(0, 4)]]
    occ = attribute(clf, batch, "occlusion", target=2, spans=spans, replace="pad")
    zero = attribute(clf, batch, "soc", target=2, spans=spans, nb_range=0)
    torch.testing.assert_close(zero.spans, occ.spans, atol=0, rtol=0)
    assert zero.spans[1, 1] == 0  # padding span


def test_soc_on_an_additive_model_is_occlusion_whatever_the_samples(tok) -> None:
    clf = additive_model()
    batch = encode_words(tok, SENTENCES)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=8, hidden_size=8).eval()
    sampled = attribute(clf, batch, "soc", target=0, nb_range=2, n_samples=4, sampler=ContextSampler(lm, SPECIAL))
    torch.testing.assert_close(sampled.words, attribute(clf, batch, "occlusion", target=0).words)


def test_soc_batched_equals_a_per_span_loop_with_the_same_uniforms(clf, tok) -> None:
    batch = encode_words(tok, SENTENCES)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=8, hidden_size=8).eval()
    sampler = ContextSampler(lm, SPECIAL)
    masks = word_spans(batch["word_ids"])  # (B, W, W)
    target = torch.tensor([0, 1, 2])
    u = soc_uniforms((*masks.shape[:2], 3, batch["input_ids"].shape[1]), seed=7)
    args = dict(sampler=sampler, nb_range=1, n_samples=3)
    with torch.no_grad():
        batched = soc(clf, batch["input_ids"], batch["attention_mask"], batch["word_ids"], masks, target,
                      uniforms=u, **args)
        for b in range(3):
            for s in range(masks.shape[1]):
                one = soc(clf, batch["input_ids"][b:b + 1], batch["attention_mask"][b:b + 1],
                          batch["word_ids"][b:b + 1], masks[b:b + 1, s:s + 1], target[b:b + 1],
                          uniforms=u[b:b + 1, s:s + 1], **args)
                assert abs(float(one) - float(batched[b, s])) < 1e-6
        other = soc(clf, batch["input_ids"], batch["attention_mask"], batch["word_ids"], masks, target, seed=8, **args)
    assert not torch.allclose(other, batched)  # the samples matter on a non-additive model


@pytest.mark.parametrize("method", ["occlusion", "soc", "marginalization"])
def test_several_targets_equal_one_call_per_class(clf, tok, method: str) -> None:
    """A (B, K) target explains K classes from one set of perturbed forward passes; each column equals the call
    for that class alone (same samples: SOC's uniforms come from the same seed), for words and spans."""
    batch = encode_words(tok, SENTENCES)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=8, hidden_size=8).eval()
    options = {"occlusion": {}, "soc": {"sampler": ContextSampler(lm, SPECIAL), "nb_range": 1, "n_samples": 3},
               "marginalization": {"lm": lm, "top_k": 4, "banned_ids": SPECIAL}}[method]
    classes = torch.tensor([[0, 1, 2], [2, 0, 1], [1, 1, 0]])  # (B, K), a class may repeat
    spans = [[(0, 2), (3, 5)], [(1, 2)], [(0, 1), (1, 3)]]
    for kw in ({}, {"spans": spans}):
        several = attribute(clf, batch, method, target=classes, **options, **kw)
        got = several.spans if kw else several.words
        assert got.shape[-1] == 3 and got.abs().sum() > 0
        for k in range(3):
            one = attribute(clf, batch, method, target=classes[:, k], **options, **kw)
            assert torch.allclose(got[..., k], one.spans if kw else one.words, atol=1e-5), (method, kw, k)
    with pytest.raises(ValueError, match="entries for a batch"):
        attribute(clf, batch, "integrated_gradients", target=classes, steps=4)


def test_context_sampler_draws_only_marked_positions() -> None:
    class Peaked:
        mask_token_id = 3

        def logits_at(self, ids, mask, positions):
            out = torch.full((int(positions.sum()), 6), -30.0)
            out[:, 5] = 0.0
            out[:, 4] = math.log(3.0)  # p(4) = 0.75, p(5) = 0.25
            return out

    ids = torch.tensor([[1, 2, 2, 2], [1, 2, 2, 0]])
    positions = torch.tensor([[False, True, True, False], [False, False, True, False]])
    u = torch.tensor([[0.0, 0.5, 0.9, 0.0], [0.0, 0.0, 0.1, 0.0]])
    drawn = ContextSampler(Peaked()).sample(ids, torch.ones_like(ids), positions, u)
    assert drawn.tolist() == [[1, 4, 5, 2], [1, 2, 4, 0]]


def test_marginalization_with_a_one_candidate_lm_is_replacement(tok) -> None:
    clf = additive_model()
    batch = encode_words(tok, [["hello", "world"]])

    class OneWord:
        mask_token_id = 103

        def logits_at(self, ids, mask, positions):
            out = torch.zeros(int(positions.sum()), 30522)
            out[:, 2000] = 100.0
            return out

    got = attribute(clf, batch, "marginalization", target=1, lm=OneWord(), top_k=3).pieces
    ids = batch["input_ids"]
    for t in (1, 2):
        replaced = ids.clone()
        replaced[0, t] = 2000
        p, q = (clf(input_ids=x, attention_mask=batch["attention_mask"]).softmax(-1)[0, 1] for x in (ids, replaced))
        want = math.log(p / (1 - p)) - math.log(q / (1 - q))
        assert abs(float(got[0, t]) - want) < 1e-4
    assert got[0, 0] == 0 and got[0, 3] == 0


def test_interaction_of_an_additive_model_is_zero_and_of_bert_is_not(clf, tok) -> None:
    batch = encode_words(tok, SENTENCES)
    first, second = [[(0, 1)], [(0, 1)], [(0, 1)]], [[(2, 3)], [(1, 2)], [(3, 4)]]
    flat = interaction(additive_model(), batch, first, second, target=0)
    assert flat.shape == (3, 1) and flat.abs().max() < 1e-5
    occ = attribute(clf, batch, "occlusion", target=0, spans=[[(0, 1), (2, 3), (0, 3)]] * 3).spans
    inter = interaction(clf, batch, first, second, target=0)
    assert abs(float(inter[0, 0]) - float(occ[0, 2] - occ[0, 0] - occ[0, 1])) > 0  # union [0, 3) ≠ {0, 2}
    union = attribute(clf, batch, "occlusion", target=0, spans=span_masks(first, 5) | span_masks(second, 5)).spans
    single = attribute(clf, batch, "occlusion", target=0, spans=torch.cat([span_masks(first, 5),
                                                                          span_masks(second, 5)], 1)).spans
    torch.testing.assert_close(inter[:, 0], union[:, 0] - single[:, 0] - single[:, 1])
    assert inter.abs().max() > 1e-6
    summed = interaction(clf, batch, first, second, method="input_x_gradient", target=0)
    assert summed.abs().max() < 1e-6  # additive scores: no interaction by construction


def test_agglomeration_merges_the_best_adjacent_pair(tok) -> None:
    from nle.attribution.hierarchy import agglomerate

    clf = additive_model()
    batch = encode_words(tok, [["you", "are", "kind", "today"]])
    levels = agglomerate(clf, batch, method="occlusion", target=1)
    words = attribute(clf, batch, "occlusion", target=1).words[0].tolist()
    assert levels[0].segments == ((0, 1), (1, 2), (2, 3), (3, 4)) and levels[0].scores == pytest.approx(words)
    pairs = [words[i] + words[i + 1] for i in range(3)]  # additive: a merge scores the sum of its words
    best = max(range(3), key=lambda i: pairs[i])
    assert levels[1].segments[best] == (best, best + 2) and levels[1].scores[best] == pytest.approx(pairs[best])
    assert len(levels) == 4 and levels[-1].segments == ((0, 4),)
    assert levels[-1].scores[0] == pytest.approx(sum(words), abs=1e-5)
    with pytest.raises(ValueError, match="one example"):
        agglomerate(clf, encode_words(tok, [["a"], ["b"]]), method="occlusion")
