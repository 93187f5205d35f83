"""SOC's fast paths keep the estimator's numbers: exact hashed deduplication, activation-budget chunks, and the LSTM
LM's truncated passes (states at marked positions equal those of full passes)."""

from __future__ import annotations

import torch

from nle.attribution import ContextSampler, LSTMLanguageModel, encode_words
from nle.attribution.occlusion import chunk_bounds, scores
from nle.attribution.soc import distinct_rows, soc, soc_uniforms, unique_scores
from nle.attribution.words import word_spans
from nle.training.encoder import load_tokenizer
from tests.helpers import tiny_classifier

SENTENCES = [["you", "are", "unkindness", "itself", "today"], ["hello", "world"], ["a", "b", "c", "d"]]


def test_distinct_rows_is_exact_and_ordered_by_first_occurrence() -> None:
    rows = torch.tensor([[5, 1, 0], [2, 2, 2], [5, 1, 0], [0, 0, 0], [2, 2, 2], [5, 1, 1]])
    first, inverse = distinct_rows(rows)
    assert first.tolist() == [0, 1, 3, 5]
    assert inverse.tolist() == [0, 1, 0, 2, 1, 3]
    assert torch.equal(rows[first][inverse], rows)
    empty_first, empty_inverse = distinct_rows(torch.zeros(0, 3, dtype=torch.long))
    assert empty_first.numel() == 0 and empty_inverse.numel() == 0


def test_distinct_rows_matches_torch_unique_on_random_rows() -> None:
    g = torch.Generator().manual_seed(0)
    base = torch.randint(0, 30522, (40, 12), generator=g)
    rows = base[torch.randint(0, 40, (300,), generator=g)]  # many repeats
    first, inverse = distinct_rows(rows)
    assert len(first) == torch.unique(rows, dim=0).shape[0]
    assert torch.equal(rows[first][inverse], rows)


def test_chunk_bounds_by_rows_and_by_budget() -> None:
    assert chunk_bounds([3, 3, 3, 1, 1], width=2, chunk_size=2) == [(0, 2), (2, 4), (4, 5)]
    assert chunk_bounds([4, 4, 2, 2, 2], width=1, budget=8) == [(0, 2), (2, 5)]
    assert chunk_bounds([100, 1], width=1, budget=8) == [(0, 1), (1, 2)]  # a row wider than the budget: alone
    assert chunk_bounds([], width=1) == []


def test_lstm_truncated_context_equals_full_context_at_marked_positions() -> None:
    tok = load_tokenizer("minilm")
    batch = encode_words(tok, SENTENCES)
    torch.manual_seed(0)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=8, hidden_size=8).eval()
    positions = torch.zeros_like(batch["attention_mask"], dtype=torch.bool)
    positions[0, 2:4] = True
    positions[1, 1] = True
    positions[2, 4] = True
    with torch.no_grad():
        full = lm.context(batch["input_ids"], batch["attention_mask"])
        part = lm.context(batch["input_ids"], batch["attention_mask"], positions)
    torch.testing.assert_close(part[positions], full[positions], atol=1e-6, rtol=0)


def test_unique_scores_and_budget_chunks_equal_plain_scores() -> None:
    tok = load_tokenizer("minilm")
    clf = tiny_classifier(tok, num_labels=3)
    batch = encode_words(tok, SENTENCES)
    order = torch.tensor([2, 0, 1, 0, 2, 1, 1])
    ids, att, target = batch["input_ids"][order], batch["attention_mask"][order], torch.tensor([0, 1, 2, 1, 0, 2, 0])
    with torch.no_grad():
        every = scores(clf, ids, att, target)
        for chunk_size in (None, 1, 64):
            torch.testing.assert_close(unique_scores(clf, ids, att, target, chunk_size=chunk_size), every,
                                       atol=1e-6, rtol=0)


def test_soc_chunking_does_not_change_the_estimate() -> None:
    tok = load_tokenizer("minilm")
    clf = tiny_classifier(tok, num_labels=3)
    batch = encode_words(tok, SENTENCES)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=8, hidden_size=8).eval()
    sampler = ContextSampler(lm, banned_ids=tuple(tok.all_special_ids))
    masks = word_spans(batch["word_ids"])
    u = soc_uniforms((*masks.shape[:2], 3, batch["input_ids"].shape[1]), seed=1)
    args = (clf, batch["input_ids"], batch["attention_mask"], batch["word_ids"], masks, torch.tensor([0, 1, 2]))
    budget = soc(*args, sampler=sampler, nb_range=1, n_samples=3, uniforms=u)
    rows = soc(*args, sampler=sampler, nb_range=1, n_samples=3, uniforms=u, chunk_size=2)
    torch.testing.assert_close(budget, rows, atol=1e-6, rtol=0)
    assert not budget.requires_grad and (budget[masks.any(-1)] != 0).any()
    assert (budget[~masks.any(-1)] == 0).all()


def test_activation_budget_is_cache_sized_on_cpu_and_large_on_a_gpu() -> None:
    from nle.attribution.occlusion import (
        ACCELERATOR_ACTIVATION_BUDGET,
        ACTIVATION_BUDGET,
        activation_budget,
        chunk_bounds,
    )

    assert activation_budget(torch.device("cpu")) == ACTIVATION_BUDGET
    assert activation_budget(torch.device("cuda", 0)) == ACCELERATOR_ACTIVATION_BUDGET > ACTIVATION_BUDGET
    lengths = [30] * 1020  # about the H200 SOC benchmark's rows: 47 CPU-sized calls, one GPU-sized call
    assert len(chunk_bounds(lengths, 384, budget=ACTIVATION_BUDGET)) == 47
    assert chunk_bounds(lengths, 384, budget=ACCELERATOR_ACTIVATION_BUDGET) == [(0, 1020)]
