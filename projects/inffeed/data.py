"""``InfFeedData``: a task's train and dev splits as tensors (frozen features, or token ids when the encoder trains).

After ``setup()`` the module holds ``train`` and ``dev``: mappings of stacked tensors with a leading example axis,

    {"features": (N, H) float32, "labels": (N,) long, "index": (N,) long}                  (encoder frozen)
    {"input_ids": (N, T), "attention_mask": (N, T), "labels": (N,), "index": (N,)}          (encoder trainable)

so any subset or relabelling of the training set is a plain tensor operation (``subset``, ``relabel``) and a
batch is what ``nle.influence`` differentiates. ``loader`` batches such a mapping for Lightning, shuffled by a
seeded generator. The dev split is the task's official val file, or ``dev_fraction`` of train carved with
``split_seed`` (``tasks.carve_dev``) where the benchmark has none here; test splits are blind and never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch import Tensor
from torch.utils.data import DataLoader

from nle.training.encoder import DEFAULT_ENCODER, load_tokenizer
from projects.inffeed.features import cached_features
from projects.inffeed.tasks import TASKS, Row, carve_dev

TensorData = dict[str, Tensor]


def subset(data: Mapping[str, Tensor], rows: Tensor | list[int]) -> TensorData:
    """The rows ``rows`` of every tensor (the ``index`` column keeps the original row numbers)."""
    idx = torch.as_tensor(rows, dtype=torch.long)
    return {k: v[idx] for k, v in data.items()}


def relabel(data: Mapping[str, Tensor], labels: Tensor) -> TensorData:
    """A copy of ``data`` with ``labels`` (N,) in place of its labels."""
    return {**data, "labels": labels.to(torch.long)}


def concat(*parts: Mapping[str, Tensor]) -> TensorData:
    """Row-wise concatenation of mappings with the same keys."""
    return {k: torch.cat([p[k] for p in parts]) for k in parts[0]}


class _Rows(torch.utils.data.Dataset):
    def __init__(self, data: Mapping[str, Tensor]):
        self.data = dict(data)
        self.n = len(self.data["labels"])

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict[str, Tensor]:
        return {k: v[i] for k, v in self.data.items()}


def loader(data: Mapping[str, Tensor], batch_size: int, shuffle: bool, seed: int = 0) -> DataLoader:
    """Batches of ``data``; with ``shuffle`` the order comes from a generator seeded by ``seed``."""
    gen = torch.Generator().manual_seed(seed) if shuffle else None
    return DataLoader(_Rows(data), batch_size=batch_size, shuffle=shuffle, generator=gen)


class InfFeedData(pl.LightningDataModule):
    """Train / dev tensors of one task (see the module doc).

    Args:
        task: a name of ``tasks.TASKS`` (``sample``, ``hate``, ``hatexplain``, ``stance``, ``irony``, ``sarcasm``).
        encoder: Hugging Face name or path (``"minilm"``); linked from the model by the CLI.
        encoder_trainable: False: cached mean-pooled features; True: token ids (full fine-tuning).
        train_file, dev_file: a split file by path in place of the task's default files.
        dev_fraction, split_seed: the dev split carved from train where the task has none.
        max_length: word pieces per text, special tokens included.
        batch_size, eval_batch_size: batch sizes of training and evaluation.
        feature_cache: folder of cached features (git-ignored).
        limit_train: keep a seeded random ``limit_train`` training rows (None: all).
    """

    def __init__(self, task: str = "sample", encoder: str = DEFAULT_ENCODER, encoder_trainable: bool = False,
                 train_file: str | None = None, dev_file: str | None = None, dev_fraction: float = 0.15,
                 split_seed: int = 13, max_length: int = 128, batch_size: int = 32, eval_batch_size: int = 256,
                 feature_cache: str = "runs/inffeed/features", limit_train: int | None = None):
        super().__init__()
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; tasks: {sorted(TASKS)}")
        self.spec = TASKS[task]
        self.encoder, self.encoder_trainable = encoder, encoder_trainable
        self.train_file, self.dev_file = train_file, dev_file
        self.dev_fraction, self.split_seed, self.max_length = dev_fraction, split_seed, max_length
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.feature_cache, self.limit_train = feature_cache, limit_train
        self.train: TensorData = {}
        self.dev: TensorData = {}
        self.rows: dict[str, list[Row]] = {}
        self.data_files: set[str] = set()
        self.dev_source = ""

    @property
    def num_labels(self) -> int:
        return len(self.spec.labels)

    @property
    def labels(self) -> list[str]:
        return list(self.spec.labels)

    @property
    def vocab_size(self) -> int | None:
        return None

    def setup(self, stage: str | None = None) -> None:
        if self.train:
            return
        train_rows, files = self.spec.load([self.train_file] if self.train_file else self.spec.train)
        self.data_files.update(files)
        train = self._tensors(train_rows)
        dev_paths = [self.dev_file] if self.dev_file else list(self.spec.dev)
        if dev_paths:
            dev_rows, files = self.spec.load(dev_paths)
            self.data_files.update(files)
            dev = self._tensors(dev_rows)
            self.dev_source = "official val: " + ", ".join(dev_paths)
        else:
            keep, held = carve_dev(len(train_rows), self.dev_fraction, self.split_seed)
            dev_rows, train_rows = [train_rows[i] for i in held], [train_rows[i] for i in keep]
            dev, train = subset(train, held), subset(train, keep)
            self.dev_source = f"carved from train: {len(held)} rows (fraction {self.dev_fraction}, seed {self.split_seed})"
        if self.limit_train is not None and self.limit_train < len(train_rows):
            g = torch.Generator().manual_seed(self.split_seed)
            keep = sorted(torch.randperm(len(train_rows), generator=g)[: self.limit_train].tolist())
            train_rows, train = [train_rows[i] for i in keep], subset(train, keep)
        n_train, n_dev = len(train_rows), len(dev_rows)
        self.train = {**train, "index": torch.arange(n_train)}
        self.dev = {**dev, "index": torch.arange(n_dev)}
        self.rows = {"train": train_rows, "dev": dev_rows}

    def _tensors(self, rows: list[Row]) -> TensorData:
        labels = torch.tensor([self.spec.labels.index(r.label) for r in rows], dtype=torch.long)
        texts = [r.text for r in rows]
        if not self.encoder_trainable:
            return {"features": cached_features(texts, self.encoder, self.max_length, Path(self.feature_cache)),
                    "labels": labels}
        tok = load_tokenizer(self.encoder)
        enc = tok(texts, truncation=True, max_length=self.max_length, padding="max_length", return_tensors="pt")
        return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}

    def train_dataloader(self) -> DataLoader:
        return loader(self.train, self.batch_size, shuffle=True, seed=int(torch.initial_seed()) % 2**31)

    def val_dataloader(self) -> DataLoader:
        return loader(self.dev, self.eval_batch_size, shuffle=False)
