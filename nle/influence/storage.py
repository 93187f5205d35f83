"""Shards of a training set, and score matrices saved as ``.npy`` with a JSON of metadata (no pickle).

A score file ``<stem>.npy`` (N_query, N_train_shard) sits beside ``<stem>.json``: the estimator and its settings,
the sha256 of every model checkpoint, a hash of the training and query data, and the shard. Both are written to a
temporary name and renamed (atomic on POSIX). ``concat_shards`` checks that the shards belong together and joins
them along the training axis, so ``n`` processes or devices can each score ``shard(train, i, n)``.

Example::

    part = tracin_scores(model, task, shard(train, i, 3), query, ckpts)
    save_scores(out / f"tracin.shard{i}", part, ScoreMetadata("tracin", {...}, ckpt_hashes, data_hash(train),
                data_hash(query), i, 3))
    full = concat_shards([out / f"tracin.shard{i}" for i in range(3)])          # (N_query, N_train)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from nle.atomic import atomic_open
from nle.influence.grads import num_examples
from nle.influence.task import Batch


def shard_range(n: int, index: int, n_shards: int) -> range:
    """Rows of shard ``index`` of ``n_shards`` contiguous, near-equal shards of ``n`` rows."""
    if not 0 <= index < n_shards:
        raise ValueError(f"shard index must be in [0, {n_shards}), got {index}")
    return range(index * n // n_shards, (index + 1) * n // n_shards)


def shard(data: Batch, index: int, n_shards: int) -> dict[str, Tensor]:
    """Shard ``index`` of ``n_shards`` of a mapping of (N, ...) tensors (rows ``shard_range``)."""
    rows = shard_range(num_examples(data), index, n_shards)
    return {k: v[rows.start:rows.stop] for k, v in data.items()}


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_hash(data: Batch) -> str:
    """sha256 over the keys, dtypes, shapes and bytes of a mapping of tensors (order of keys ignored)."""
    digest = hashlib.sha256()
    for key in sorted(data):
        t = data[key].detach().cpu().contiguous()
        digest.update(f"{key}|{t.dtype}|{tuple(t.shape)}|".encode())
        digest.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return digest.hexdigest()


@dataclass(frozen=True)
class ScoreMetadata:
    estimator: str
    settings: Mapping[str, Any]
    checkpoint_sha256: Sequence[str]
    train_hash: str
    query_hash: str
    shard_index: int = 0
    n_shards: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["checkpoint_sha256"] = list(self.checkpoint_sha256)
        return d


def _atomic_write(path: Path, write: Any) -> None:
    with atomic_open(path, "wb") as f:
        write(f)


def save_scores(stem: str | Path, scores: Tensor | np.ndarray, meta: ScoreMetadata) -> tuple[Path, Path]:
    """Write ``<stem>.npy`` and ``<stem>.json`` atomically; returns both paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    array = scores.detach().cpu().numpy() if isinstance(scores, Tensor) else np.asarray(scores)
    npy, meta_path = stem.with_name(stem.name + ".npy"), stem.with_name(stem.name + ".json")
    _atomic_write(npy, lambda f: np.save(f, array, allow_pickle=False))
    body = {**meta.to_dict(), "shape": list(array.shape), "dtype": str(array.dtype)}
    _atomic_write(meta_path, lambda f: f.write(json.dumps(body, indent=2, sort_keys=True).encode()))
    return npy, meta_path


def load_scores(stem: str | Path) -> tuple[np.ndarray, dict[str, Any]]:
    """The array and metadata written by ``save_scores``; the array's shape must match the metadata."""
    stem = Path(stem)
    array = np.load(stem.with_name(stem.name + ".npy"), allow_pickle=False)
    meta_path = stem.with_name(stem.name + ".json")
    meta = json.loads(meta_path.read_text())
    if list(array.shape) != meta.get("shape"):
        raise ValueError(f"{meta_path}: field 'shape' says {meta.get('shape')} but the array is {list(array.shape)}")
    return array, meta


def concat_shards(stems: Sequence[str | Path]) -> np.ndarray:
    """Join shard score files along the training axis after checking they are shards 0..n-1 of one computation."""
    loaded = [load_scores(s) for s in stems]
    n = len(loaded)
    same = ("estimator", "settings", "checkpoint_sha256", "query_hash", "n_shards")
    for stem, (_, meta) in zip(stems, loaded):
        for key in same:
            if meta[key] != loaded[0][1][key]:
                raise ValueError(f"{stem}.json: field {key!r} differs from {stems[0]}.json")
        if meta["n_shards"] != n:
            raise ValueError(f"{stem}.json: field 'n_shards' is {meta['n_shards']} but {n} shard files were given")
    order = sorted(range(n), key=lambda i: loaded[i][1]["shard_index"])
    if [loaded[i][1]["shard_index"] for i in order] != list(range(n)):
        raise ValueError(f"shard indices {[m['shard_index'] for _, m in loaded]} are not 0..{n - 1}")
    return np.concatenate([loaded[i][0] for i in order], axis=1)
