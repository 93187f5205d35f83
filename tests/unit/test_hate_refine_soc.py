"""SOC speed-ups used by the hate_refine diagnostics keep the estimator's numbers: K draws from one LM pass equal K
separate draws, and scoring each distinct row once equals scoring every row (tiny random models)."""

from __future__ import annotations

import torch

from nle.attribution import ContextSampler, LSTMLanguageModel, encode_words
from nle.attribution.occlusion import scores
from nle.attribution.soc import unique_scores
from nle.training.encoder import load_tokenizer
from tests.helpers import tiny_classifier

SENTENCES = [["you", "are", "unkindness", "itself", "today"], ["hello", "world"]]


def test_sample_k_equals_k_single_draws() -> None:
    tok = load_tokenizer("minilm")
    batch = encode_words(tok, SENTENCES)
    torch.manual_seed(0)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=8, hidden_size=8).eval()
    sampler = ContextSampler(lm, banned_ids=tuple(tok.all_special_ids), chunk_size=1)  # chunking exercised too
    positions = batch["word_ids"] >= 1  # every piece of words 1.. (both rows have some)
    u = torch.rand((2, 5, batch["input_ids"].shape[1]), generator=torch.Generator().manual_seed(3))  # (N, K, T)
    many = sampler.sample_k(batch["input_ids"], batch["attention_mask"], positions, u)  # (N, K, T)
    assert many.shape == (2, 5, batch["input_ids"].shape[1])
    for k in range(5):
        one = sampler.sample(batch["input_ids"], batch["attention_mask"], positions, u[:, k])
        assert torch.equal(many[:, k], one)
    assert torch.equal(many[~positions.unsqueeze(1).expand_as(many)],
                       batch["input_ids"].unsqueeze(1).expand_as(many)[~positions.unsqueeze(1).expand_as(many)])
    assert len({tuple(r) for r in many[0].tolist()}) > 1  # the K draws differ


def test_unique_scores_equals_scores_on_repeated_rows() -> None:
    tok = load_tokenizer("minilm")
    clf = tiny_classifier(tok, num_labels=3)
    batch = encode_words(tok, SENTENCES)
    order = torch.tensor([0, 1, 0, 0, 1, 1])  # rows repeated; the last one with another target
    ids, att = batch["input_ids"][order], batch["attention_mask"][order]
    target = torch.tensor([0, 0, 0, 0, 0, 2])
    with torch.no_grad():
        every, once = scores(clf, ids, att, target), unique_scores(clf, ids, att, target)
    torch.testing.assert_close(once, every, atol=1e-6, rtol=0)
    assert once[0] == once[2] == once[3] and once[1] == once[4] and once[4] != once[5]
