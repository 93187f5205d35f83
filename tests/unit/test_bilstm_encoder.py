"""The NExT BiLSTM encoder: shapes, padding invariance, MiniLM embeddings, torch.func, attention pooling, a real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch.func import functional_call, grad, vmap
from transformers import AutoModel

from nle.training.bilstm import BiLSTMConfig, BiLSTMEncoder
from nle.training.encoder import bilstm_source, load_encoder, load_tokenizer, resolve_encoder
from nle.training.module import NLEModule

MARKERS = ("[E1]", "[/E1]", "[E2]", "[/E2]")
MINILM_VOCAB = 30522


def tiny(hidden: int = 5, layers: int = 1, vocab: int = 50, dim: int = 7) -> BiLSTMEncoder:
    torch.manual_seed(0)
    return BiLSTMEncoder(BiLSTMConfig(vocab_size=vocab, embedding_dim=dim, hidden=hidden, layers=layers)).eval()


def right_padded(seqs: list[list[int]], total: int) -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.zeros(len(seqs), total, dtype=torch.long)
    mask = torch.zeros(len(seqs), total, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    return ids, mask


SEQS = [[3, 9, 4, 11, 2], [7, 8], [5, 6, 1, 12, 13, 14, 15, 16], [20]]


def test_shapes_and_config() -> None:
    enc = tiny(hidden=5)
    ids, mask = right_padded(SEQS, 10)
    out = enc(input_ids=ids, attention_mask=mask, token_type_ids=None).last_hidden_state
    assert out.shape == (4, 10, 10) and enc.config.hidden_size == 10
    assert torch.all(out[mask == 0] == 0) and torch.all(out[mask == 1].abs().sum(-1) > 0)
    assert enc(input_ids=ids).last_hidden_state.shape == (4, 10, 10)  # no mask: every token is real


@pytest.mark.parametrize("layers", [1, 2])
def test_padding_never_changes_real_tokens(layers: int) -> None:
    enc = tiny(layers=layers)
    ids, mask = right_padded(SEQS, 12)
    batched = enc(input_ids=ids, attention_mask=mask).last_hidden_state  # (4, 12, 10)
    for i, s in enumerate(SEQS):
        alone = enc(input_ids=torch.tensor([s]), attention_mask=torch.ones(1, len(s), dtype=torch.long))
        assert torch.allclose(alone.last_hidden_state[0], batched[i, :len(s)], atol=1e-6, rtol=0), i
    # the backward direction at position 0 has read the whole sequence (the sequence is not cut short)
    other = enc(input_ids=torch.tensor([[3, 9, 4, 11, 5]])).last_hidden_state
    assert not torch.allclose(other[0, 0, 5:], batched[0, 0, 5:])


def test_left_padding_is_refused() -> None:
    with pytest.raises(ValueError, match="right-padded"):
        tiny()(input_ids=torch.tensor([[0, 4, 5]]), attention_mask=torch.tensor([[0, 1, 1]]))


@pytest.mark.parametrize("layers", [1, 2])
def test_torch_func_path_equals_packed_path(layers: int) -> None:
    enc = tiny(layers=layers)
    ids, mask = right_padded(SEQS, 9)
    x = enc.word_embeddings(ids)
    lengths = mask.sum(1)
    packed = enc._packed(x, lengths, mask)
    plain = enc._reversed_within_lengths(x, lengths, mask)
    assert torch.allclose(packed, plain, atol=1e-6, rtol=0)


def test_per_example_gradients_under_vmap_equal_a_loop() -> None:
    enc = tiny()
    head = torch.nn.Linear(10, 3)
    ids, mask = right_padded(SEQS, 9)
    labels = torch.tensor([0, 2, 1, 1])
    params = {k: v.detach() for k, v in enc.named_parameters()}

    def loss(p: dict, i: torch.Tensor, m: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = functional_call(enc, p, (), {"input_ids": i[None], "attention_mask": m[None]}).last_hidden_state
        return torch.nn.functional.cross_entropy(head(h[:, 0]), y[None])

    g = vmap(grad(loss), in_dims=(None, 0, 0, 0))(params, ids, mask, labels)
    for b in range(4):
        n = int(mask[b].sum())
        enc.zero_grad()
        out = enc(input_ids=ids[b:b + 1, :n], attention_mask=mask[b:b + 1, :n]).last_hidden_state
        torch.nn.functional.cross_entropy(head(out[:, 0]), labels[b:b + 1]).backward()
        for name, p in enc.named_parameters():
            assert torch.allclose(g[name][b], p.grad, atol=1e-5), (b, name)


def test_inputs_embeds_and_resize() -> None:
    enc = tiny(vocab=50)
    ids, mask = right_padded(SEQS, 9)
    a = enc(input_ids=ids, attention_mask=mask).last_hidden_state
    b = enc(inputs_embeds=enc.get_input_embeddings()(ids), attention_mask=mask).last_hidden_state
    assert torch.equal(a, b)
    old = enc.word_embeddings.weight.detach().clone()
    enc.resize_token_embeddings(54)
    new = enc.get_input_embeddings().weight
    assert new.shape == (54, 7) and enc.config.vocab_size == 54 and torch.equal(new[:50], old)
    assert 0 < new[50:].abs().max() < 0.2  # small random rows for the markers
    assert torch.equal(enc(input_ids=ids, attention_mask=mask).last_hidden_state, a)


def test_pretrained_embeddings_are_minilm_rows_plus_markers() -> None:
    tok = load_tokenizer("bilstm", MARKERS)
    assert len(tok) == MINILM_VOCAB + 4 and tok.convert_tokens_to_ids("[E2]") == MINILM_VOCAB + 2
    assert load_tokenizer("bilstm") is load_tokenizer("minilm")  # the same vocabulary as the embeddings
    enc = load_encoder("bilstm", vocab_size=len(tok))
    minilm = AutoModel.from_pretrained(resolve_encoder("minilm")).get_input_embeddings().weight
    emb = enc.get_input_embeddings().weight
    assert isinstance(enc, BiLSTMEncoder) and emb.shape == (MINILM_VOCAB + 4, 384) and emb.requires_grad
    assert torch.equal(emb[:MINILM_VOCAB], minilm) and enc.config.hidden_size == 300
    assert not torch.equal(emb[MINILM_VOCAB], emb[MINILM_VOCAB + 1])
    frozen = load_encoder("bilstm", overrides={"freeze_embeddings": True, "hidden": 8})
    assert not frozen.get_input_embeddings().weight.requires_grad and frozen.config.hidden_size == 16


def test_encoder_names() -> None:
    assert bilstm_source("bilstm") == "minilm" and bilstm_source("bilstm:/models/x") == "/models/x"
    assert bilstm_source("minilm") is None and bilstm_source("bert-base-uncased") is None
    assert resolve_encoder("bilstm") == resolve_encoder("minilm") == resolve_encoder("bilstm:minilm")
    with pytest.raises(ValueError, match="bilstm:<Hugging Face"):
        bilstm_source("bilstm:")
    with pytest.raises(ValueError, match="unknown keys"):
        load_encoder("bilstm", pretrained=False, overrides={"hidden_size": 32})
    enc = load_encoder("bilstm", pretrained=False, overrides={"embedding_dim": 16, "hidden": 4}, vocab_size=30526)
    assert enc.get_input_embeddings().weight.shape == (30526, 16) and enc.config.hidden_size == 8
    assert not isinstance(load_encoder("minilm", pretrained=False, overrides={"hidden_size": 32,
        "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64}), BiLSTMEncoder)


def toy_batch() -> dict[str, torch.Tensor]:
    ids, mask = right_padded([[101, 5, 6, 7, 102], [101, 8, 102], [101, 9, 10, 102], [101, 5, 11, 12, 13, 102]], 8)
    return {"input_ids": ids, "attention_mask": mask, "labels": torch.tensor([0, 1, 2, 0]),
            "pool_index": torch.tensor([[1, 2], [1, 1], [1, 2], [2, 3]])}


def test_attention_pooling_equation() -> None:
    torch.manual_seed(0)
    m = NLEModule(encoder="bilstm", pretrained=False, pooling="attention", num_labels=3,
                  encoder_overrides={"embedding_dim": 8, "hidden": 4})
    assert m.head.in_features == 8 and m.attention_query.shape == (8,)
    assert "attention_query" not in dict(NLEModule(encoder="bilstm", pretrained=False, num_labels=3,
                                                   encoder_overrides={"embedding_dim": 8}).named_parameters())
    with torch.no_grad():
        m.attention_query.copy_(torch.linspace(-1, 1, 8))
    hidden = torch.randn(2, 4, 8)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    pooled = m.pool(hidden, {"attention_mask": mask})
    for b in range(2):
        h = hidden[b, : int(mask[b].sum())]  # (L, H): only the real tokens
        alpha = torch.softmax(torch.tanh(h) @ m.attention_query, 0)
        assert torch.allclose(pooled[b], torch.tanh(alpha @ h), atol=1e-6)


def test_nle_module_with_bilstm_trains_and_reloads() -> None:
    torch.manual_seed(0)
    tok = load_tokenizer("bilstm", MARKERS)
    kwargs = {"encoder": "bilstm", "pooling": "attention", "num_labels": 3, "vocab_size": len(tok), "dropout": 0.0,
              "encoder_overrides": {"hidden": 16, "dropout": 0.0}}
    m = NLEModule(**kwargs)
    assert m.encoder.get_input_embeddings().num_embeddings == len(tok)
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=1e-2)
    batch, losses = toy_batch(), []
    for _ in range(15):
        loss = torch.nn.functional.cross_entropy(m(batch), batch["labels"])
        opt.zero_grad()
        loss.backward()
        assert all(p.grad is not None for p in m.parameters() if p.requires_grad)  # DDP: no unused parameter
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 * losses[0]
    again = NLEModule(**{**kwargs, "pretrained": False})
    again.load_state_dict(m.state_dict())  # strict: the same keys and shapes as a Lightning checkpoint holds
    m.eval()
    again.eval()
    assert torch.equal(m(batch), again(batch))


def test_next_tacred_train_with_bilstm(tmp_path: Path) -> None:
    """The real entry point on the built-in sample, MiniLM word-piece embeddings, one epoch (a few seconds)."""
    from projects.next_tacred.train import main

    record = main(["--run_root", str(tmp_path), "--experiment", "bilstm", "--model.init_args.encoder", "bilstm",
                   "--model.init_args.pooling", "entity_start", "--model.init_args.lr", "1e-3",
                   "--trainer.max_epochs", "1", "--trainer.enable_progress_bar", "false"])
    run = tmp_path / "next_tacred" / "bilstm" / "seed=1"
    res = json.loads((run / "results.json").read_text())
    assert record is not None and set(res["metrics"]) == {"dev", "test"}
    assert 0.0 <= res["metrics"]["dev"]["semeval_f1"] <= 1.0
    state = torch.load(run / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]
    assert state["encoder.word_embeddings.weight"].shape == (MINILM_VOCAB + 4, 384)
    assert state["encoder.lstm.weight_hh_l0_reverse"].shape == (600, 150) and state["head.weight"].shape == (19, 600)
