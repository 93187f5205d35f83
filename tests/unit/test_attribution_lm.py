"""Language models for SOC and input marginalization: shapes, context exclusion, training on a tiny corpus."""

from __future__ import annotations

import pytest
import torch
from transformers import BertConfig, BertForMaskedLM

from nle.attribution import ContextSampler, HFMaskedLM, LSTMLanguageModel, TokenDistribution, encode_words, train_lm
from nle.attribution.lm import corpus_vocabulary, mask_for_training
from nle.training.encoder import load_tokenizer

CORPUS = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "ran", "in", "the", "park"],
          ["a", "cat", "sat", "on", "a", "mat"], ["a", "dog", "ran", "in", "a", "park"]]


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("minilm")


def test_lstm_lm_shapes_and_that_it_never_sees_the_predicted_piece(tok) -> None:
    torch.manual_seed(0)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=8, hidden_size=8).eval()
    assert isinstance(lm, TokenDistribution)
    batch = encode_words(tok, CORPUS[:2] + [["hi"]])
    ids, mask = batch["input_ids"], batch["attention_mask"]
    assert lm(ids, mask).shape == (3, ids.shape[1], len(tok))
    positions = torch.zeros_like(ids, dtype=torch.bool)
    positions[0, 2] = positions[2, 1] = True
    assert lm.logits_at(ids, mask, positions).shape == (2, len(tok))
    changed = ids.clone()
    changed[0, 2] = 1234  # the piece itself: its own distribution must not move
    torch.testing.assert_close(lm(changed, mask)[0, 2], lm(ids, mask)[0, 2])
    assert not torch.allclose(lm(changed, mask)[0, 3], lm(ids, mask)[0, 3])
    padded = lm(ids, mask)[2, :3]  # a short row is unaffected by the padding after it
    torch.testing.assert_close(padded, lm(ids[2:, :3], mask[2:, :3])[0])


def test_lstm_lm_learns_a_tiny_corpus(tok) -> None:
    torch.manual_seed(0)
    batch = encode_words(tok, CORPUS)
    vocab = corpus_vocabulary([batch])
    assert len(vocab) == 12  # 10 words + [CLS], [SEP]
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=16, hidden_size=32, dropout=0.0,
                           vocab_ids=vocab)
    assert lm.out.out_features == 14  # [MASK] and [PAD] are added
    special = (tok.cls_token_id, tok.sep_token_id)
    losses = train_lm(lm, [batch], steps=120, lr=1e-2, mask_prob=0.3, special_ids=special)
    assert losses[-1] < 0.25 * losses[0]
    probe = encode_words(tok, [["the", "cat", "sat", "on", "the", "mat"]])
    positions = torch.zeros_like(probe["input_ids"], dtype=torch.bool)
    positions[0, 3] = True  # "sat" after "the cat", before "on the mat"
    masked = torch.where(positions, tok.mask_token_id, probe["input_ids"])
    with torch.no_grad():
        best = lm.logits_at(masked, probe["attention_mask"], positions).argmax(-1)
    assert tok.convert_ids_to_tokens(best.tolist()) == ["sat"]
    sampler = ContextSampler(lm, banned_ids=(0, 100, 101, 102, 103))
    u = torch.rand(probe["input_ids"].shape, generator=torch.Generator().manual_seed(0))
    drawn = sampler.sample(probe["input_ids"], probe["attention_mask"], positions, u)
    every = lm(probe["input_ids"], probe["attention_mask"])
    assert every.shape[-1] == len(tok) and every[0, 3, 2000] == float("-inf")  # outside the corpus: probability 0
    assert drawn[0, 3] == tok.convert_tokens_to_ids("sat")

    class FullOnly:  # the same LM seen through logits_at only: the sampler draws the same pieces
        mask_token_id = lm.mask_token_id
        logits_at = lm.logits_at

    window = probe["attention_mask"].bool() & (torch.arange(8) > 0) & (torch.arange(8) < 7)
    u = torch.rand(probe["input_ids"].shape, generator=torch.Generator().manual_seed(1))
    compact = sampler.sample(probe["input_ids"], probe["attention_mask"], window, u)
    full = ContextSampler(FullOnly(), banned_ids=sampler.banned_ids).sample(
        probe["input_ids"], probe["attention_mask"], window, u)
    assert torch.equal(compact, full) and torch.equal(drawn[0, :3], probe["input_ids"][0, :3])


def test_mask_for_training_masks_one_piece_at_least() -> None:
    ids = torch.tensor([[1, 5, 6, 2], [1, 7, 2, 0]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    special = torch.isin(ids, torch.tensor([1, 2]))
    masked, positions = mask_for_training(ids, mask, 9, 0.0, torch.Generator().manual_seed(0), special)
    assert positions.sum(1).tolist() == [1, 1] and not (positions & special).any()
    assert (masked[positions] == 9).all() and torch.equal(masked[~positions], ids[~positions])


def test_hugging_face_masked_lm_by_path(tmp_path, tok) -> None:
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32)
    BertForMaskedLM(config).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    lm = HFMaskedLM(str(tmp_path)).eval()
    assert lm.mask_token_id == tok.mask_token_id and isinstance(lm, TokenDistribution)
    batch = encode_words(tok, CORPUS)
    positions = torch.zeros_like(batch["input_ids"], dtype=torch.bool)
    positions[:, 2] = True
    assert lm.logits_at(batch["input_ids"], batch["attention_mask"], positions).shape == (4, len(tok))
    head = lm.head_parameters()
    assert head and all(p is not lm.model.get_input_embeddings().weight for p in head)
    frozen = lm.model.base_model.encoder.layer[0].output.dense.weight.detach().clone()
    losses = train_lm(lm, [batch], steps=3, lr=1e-2, parameters=head)
    assert len(losses) == 3 and torch.equal(frozen, lm.model.base_model.encoder.layer[0].output.dense.weight)


def test_minilm_with_a_fresh_mlm_head_learns(tok) -> None:
    """``HFMaskedLM.from_encoder('minilm')``: the offline encoder weights, a new head fitted alone."""
    from nle.training.encoder import load_encoder

    torch.manual_seed(0)
    lm = HFMaskedLM.from_encoder("minilm")
    enc = load_encoder("minilm")
    assert torch.equal(lm.model.base_model.encoder.layer[0].output.dense.weight, enc.encoder.layer[0].output.dense.weight)
    batch = encode_words(tok, CORPUS)
    losses = train_lm(lm, [batch], steps=15, lr=1e-3, parameters=lm.head_parameters(),
                      special_ids=(tok.cls_token_id, tok.sep_token_id))
    assert losses[-1] < 0.6 * losses[0]
