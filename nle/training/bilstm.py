"""``BiLSTMEncoder``: the NExT paper's relation encoder (word-piece embeddings, dropout, a bidirectional LSTM).

NExT (Wang et al. 2020) encodes a sentence with a BiLSTM and pools it with attention (Zhou et al. 2016, pooling
``"attention"`` of ``NLEModule``). Here the word-piece embeddings come from a Hugging Face model's input
embedding matrix (the offline MiniLM by default: 30,522 × 384), so the tokenizer, the entity markers and the
data pipeline are those of every other encoder. The encoder looks like a ``transformers`` model to its callers:
``encoder(input_ids=..., attention_mask=...).last_hidden_state`` is (B, T, 2h), ``encoder.config.hidden_size`` is
2h, and ``get_input_embeddings`` / ``resize_token_embeddings`` / ``inputs_embeds`` work as they do there.

Padding never changes the outputs on real tokens: each sequence runs over its own length only (inputs are
right-padded; ``attention_mask`` gives the lengths) and padded positions are zero. Normally that is a packed
sequence; under ``torch.func`` transforms (``grad``, ``vmap``), which cannot trace packing, each direction runs
on sequences reversed within their own lengths instead (the same numbers, see the tests).

Example::

    enc = BiLSTMEncoder(BiLSTMConfig(vocab_size=100, embedding_dim=8, hidden=4))
    enc(input_ids=torch.tensor([[5, 6, 0]]), attention_mask=torch.tensor([[1, 1, 0]])).last_hidden_state.shape
    # torch.Size([1, 3, 8])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from transformers.modeling_outputs import BaseModelOutput

OVERRIDE_KEYS = ("hidden", "layers", "dropout", "freeze_embeddings", "embedding_dim")
"""Keys ``overrides`` may set (``embedding_dim`` only with ``pretrained=False``)."""
NEW_ROW_STD = 0.02
"""Standard deviation of the rows added for new tokens (entity markers), as ``transformers`` initialises them."""


@dataclass(frozen=True)
class BiLSTMConfig:
    """Hyperparameters of a ``BiLSTMEncoder``; ``hidden_size`` (2 · hidden) is what a head sees per token."""

    vocab_size: int
    embedding_dim: int
    hidden: int = 150
    layers: int = 1
    dropout: float = 0.5
    freeze_embeddings: bool = False
    pad_token_id: int = 0
    source: str = ""
    """The Hugging Face name or path the embeddings and tokenizer come from ("" when random)."""

    @property
    def hidden_size(self) -> int:
        return 2 * self.hidden


class BiLSTMEncoder(nn.Module):
    """Embeddings (V, E) → dropout → BiLSTM (``layers`` deep, h per direction) → dropout: (B, T, 2h).

    ``embeddings`` (V', E), when given, initialises the first min(V, V') rows; any further rows are drawn from
    N(0, 0.02²). ``freeze_embeddings`` turns off gradients for the whole table (added rows stay as drawn).
    """

    def __init__(self, config: BiLSTMConfig, embeddings: Tensor | None = None):
        super().__init__()
        self.config = config
        self.word_embeddings = nn.Embedding(config.vocab_size, config.embedding_dim)
        if embeddings is not None:
            if embeddings.shape[1] != config.embedding_dim:
                raise ValueError(f"embeddings have dim {embeddings.shape[1]}, config says {config.embedding_dim}")
            self._set_rows(embeddings)
        self.word_embeddings.weight.requires_grad_(not config.freeze_embeddings)
        self.dropout = nn.Dropout(config.dropout)
        self.lstm = nn.LSTM(config.embedding_dim, config.hidden, num_layers=config.layers, batch_first=True,
                            bidirectional=True, dropout=config.dropout if config.layers > 1 else 0.0)

    # ---- the transformers-like surface ---------------------------------------------------------
    def get_input_embeddings(self) -> nn.Embedding:
        return self.word_embeddings

    def resize_token_embeddings(self, new_num_tokens: int, **ignored: Any) -> nn.Embedding:
        """Keep the first rows, draw new ones from N(0, 0.02²) (entity markers); returns the new table."""
        old = self.word_embeddings.weight.detach()
        self.config = replace(self.config, vocab_size=int(new_num_tokens))
        self.word_embeddings = nn.Embedding(new_num_tokens, self.config.embedding_dim,
                                            device=old.device, dtype=old.dtype)
        self._set_rows(old)
        self.word_embeddings.weight.requires_grad_(not self.config.freeze_embeddings)
        return self.word_embeddings

    def _set_rows(self, rows: Tensor) -> None:
        weight = self.word_embeddings.weight
        n = min(rows.shape[0], weight.shape[0])
        with torch.no_grad():
            weight.normal_(0.0, NEW_ROW_STD)
            weight[:n] = rows[:n].to(weight.dtype)

    def forward(self, input_ids: Tensor | None = None, attention_mask: Tensor | None = None,
                inputs_embeds: Tensor | None = None, **ignored: Any) -> BaseModelOutput:
        """``input_ids`` (B, T) or ``inputs_embeds`` (B, T, E), right-padded ``attention_mask`` (B, T)
        → ``last_hidden_state`` (B, T, 2h), zero at padded positions."""
        x = self.word_embeddings(input_ids) if inputs_embeds is None else inputs_embeds  # (B, T, E)
        if attention_mask is None:
            attention_mask = torch.ones(x.shape[:2], dtype=torch.long, device=x.device)
        x = self.dropout(x)
        lengths = attention_mask.long().sum(1).clamp_min(1)  # (B,)
        if torch._C._functorch.peek_interpreter_stack() is None:
            hidden = self._packed(x, lengths, attention_mask)
        else:
            hidden = self._reversed_within_lengths(x, lengths, attention_mask)
        return BaseModelOutput(last_hidden_state=self.dropout(hidden))

    # ---- two ways of running over each sequence's own length ------------------------------------
    def _packed(self, x: Tensor, lengths: Tensor, attention_mask: Tensor) -> Tensor:
        """(B, T, E) → (B, T, 2h) through a packed sequence (cuDNN skips the padding)."""
        positions = torch.arange(x.shape[1], device=x.device)
        if not torch.equal(attention_mask.bool(), positions[None, :] < lengths[:, None]):
            raise ValueError("BiLSTMEncoder: attention_mask must be right-padded (ones, then zeros) in every row")
        if x.is_cuda:
            self.lstm.flatten_parameters()
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        hidden, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])  # (B, T, 2h)
        return hidden

    def _reversed_within_lengths(self, x: Tensor, lengths: Tensor, attention_mask: Tensor) -> Tensor:
        """(B, T, E) → (B, T, 2h) with plain tensor ops only (``torch.func``): the backward direction reads each
        sequence reversed within its own length, rev[b, t] = L_b − 1 − t for t < L_b, so padding comes last."""
        positions = torch.arange(x.shape[1], device=x.device)[None, :]  # (1, T)
        rev = torch.where(positions < lengths[:, None], lengths[:, None] - 1 - positions, positions)  # (B, T)
        lstm = self.lstm
        for layer in range(lstm.num_layers):
            if layer > 0:
                x = nn.functional.dropout(x, lstm.dropout, self.training)
            index = rev.unsqueeze(-1).expand(-1, -1, x.shape[-1])  # (B, T, D)
            outs = []
            for suffix, inputs in (("", x), ("_reverse", x.gather(1, index))):
                weights = [getattr(lstm, f"{w}_l{layer}{suffix}") for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
                h0 = x.new_zeros(1, x.shape[0], lstm.hidden_size)
                out = torch.lstm(inputs, (h0, h0), weights, True, 1, 0.0, self.training, False, True)[0]
                outs.append(out)  # (B, T, h)
            back = outs[1].gather(1, rev.unsqueeze(-1).expand(-1, -1, outs[1].shape[-1]))
            x = torch.cat([outs[0], back], dim=-1)  # (B, T, 2h)
        return x * attention_mask.unsqueeze(-1).to(x.dtype)


def load_bilstm(path: str, *, pretrained: bool = True, overrides: Mapping[str, Any] | None = None,
                vocab_size: int | None = None) -> BiLSTMEncoder:
    """A ``BiLSTMEncoder`` whose embeddings are those of the Hugging Face model at ``path`` (a resolved path or
    hub name) when ``pretrained``, random with that model's vocabulary and width otherwise.

    ``overrides``: ``{"hidden": 150, "layers": 1, "dropout": 0.5, "freeze_embeddings": False}`` (defaults);
    ``embedding_dim`` only with ``pretrained=False``. ``vocab_size`` (tokenizer size with entity markers)
    grows or shrinks the table as ``resize_token_embeddings`` does.
    """
    from transformers import AutoConfig, AutoModel

    options = dict(overrides or {})
    unknown = sorted(set(options) - set(OVERRIDE_KEYS))
    if unknown:
        raise ValueError(f"bilstm encoder overrides: unknown keys {unknown}; expected some of {list(OVERRIDE_KEYS)}")
    if pretrained and "embedding_dim" in options:
        raise ValueError("bilstm encoder overrides: embedding_dim is fixed by the pretrained embeddings")
    hf = AutoConfig.from_pretrained(path)
    embeddings = None
    if pretrained:
        embeddings = AutoModel.from_pretrained(path).get_input_embeddings().weight.detach().clone()
    dim = embeddings.shape[1] if embeddings is not None else options.pop("embedding_dim", hf.hidden_size)
    known = {f.name for f in fields(BiLSTMConfig)}
    config = BiLSTMConfig(vocab_size=int(vocab_size or hf.vocab_size), embedding_dim=int(dim),
                          pad_token_id=int(getattr(hf, "pad_token_id", None) or 0), source=path,
                          **{k: v for k, v in options.items() if k in known})
    return BiLSTMEncoder(config, embeddings)
