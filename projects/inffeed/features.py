"""Frozen sentence features: mean-pooled last hidden states of a Hugging Face encoder, computed once and cached.

    f(x) = Σ_t m_t h_t / Σ_t m_t        h = encoder(x).last_hidden_state (T, H), m the attention mask (T,)

The cache file ``<cache_dir>/<key>.npy`` (N, H) float32 sits beside ``<key>.json`` (encoder, max_length, N, H);
the key is the sha256 of the encoder name, ``max_length`` and the texts, so a changed text or setting never reads
a stale file. Texts are encoded in length-sorted batches (less padding), in fp32 with autocast off.

Example::

    feats = cached_features(["a tweet", "another"], "minilm", 128, "runs/inffeed/features")   # (2, 384)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from nle.atomic import atomic_open, write_text_atomic
from nle.training.encoder import load_encoder, load_tokenizer
from nle.training.module import masked_mean


def feature_key(texts: Sequence[str], encoder: str, max_length: int) -> str:
    """sha256 over the encoder name, ``max_length`` and every text (NUL-separated)."""
    digest = hashlib.sha256(f"{encoder}|{max_length}|{len(texts)}".encode())
    for t in texts:
        digest.update(b"\0" + t.encode("utf-8"))
    return digest.hexdigest()


@torch.no_grad()
def encode_texts(texts: Sequence[str], encoder: str = "minilm", max_length: int = 128, batch_size: int = 64,
                 progress: bool = True) -> torch.Tensor:
    """(N, H) fp32 mean-pooled features of ``texts`` (rows in the order given)."""
    tok, enc = load_tokenizer(encoder), load_encoder(encoder).eval().float()
    ids = [tok(t, truncation=True, max_length=max_length)["input_ids"] for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
    out = torch.zeros(len(texts), enc.config.hidden_size)
    with torch.autocast("cpu", enabled=False):
        for start in tqdm(range(0, len(order), batch_size), desc="features", disable=not progress, leave=False):
            rows = order[start:start + batch_size]
            width = max(len(ids[i]) for i in rows)
            x = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)  # (B, T)
            mask = torch.zeros((len(rows), width), dtype=torch.long)  # (B, T)
            for j, i in enumerate(rows):
                x[j, : len(ids[i])] = torch.tensor(ids[i])
                mask[j, : len(ids[i])] = 1
            h = enc(input_ids=x, attention_mask=mask).last_hidden_state.float()  # (B, T, H)
            out[rows] = masked_mean(h, mask)
    return out


def cached_features(texts: Sequence[str], encoder: str, max_length: int, cache_dir: str | Path,
                    progress: bool = True) -> torch.Tensor:
    """``encode_texts`` read from / written to ``cache_dir`` (see the module doc)."""
    key = feature_key(texts, encoder, max_length)
    path = Path(cache_dir) / f"{key}.npy"
    if path.is_file():
        arr = np.load(path, allow_pickle=False)
        if arr.shape[0] != len(texts):
            raise ValueError(f"{path}: cached features have {arr.shape[0]} rows for {len(texts)} texts")
        return torch.from_numpy(arr)
    feats = encode_texts(texts, encoder, max_length, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "wb") as f:
        np.save(f, feats.numpy(), allow_pickle=False)
    meta = {"encoder": encoder, "max_length": max_length, "rows": len(texts), "dim": int(feats.shape[1]),
            "pooling": "mean"}
    write_text_atomic(path.with_suffix(".json"), json.dumps(meta, indent=2) + "\n")
    return feats
