"""``NLEDataModule``: examples from the readers, tokenized once, sharded and batched for any ``NLEModule``.

A subclass says which examples make each split (``load_split``) and how one example becomes model inputs
(``encode``); this class does the rest: tokenizer, label ids, deterministic epoch-seeded shuffling and sharding across processes (so an
interrupted run resumes on the same batch order), padding, and the list of data files read (for ``results.json``).

Every split can be replaced by a file given by path (``--data.train_file``, ``--data.dev_file``,
``--data.test_file``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from nle.tokenizers import DEFAULT_ENCODER, load_tokenizer
from nle.types import Example

T = TypeVar("T")

SPLITS = ("train", "dev", "test")


class EncodedDataset(Dataset):
    """Encoded examples (dicts of lists/ints) with their source examples kept for ids and error analysis."""

    def __init__(self, examples: Sequence[Example], features: Sequence[dict[str, Any]]):
        assert len(examples) == len(features)
        self.examples, self.features = list(examples), list(features)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return {**self.features[i], "index": i}


def rank_and_world() -> tuple[int, int]:
    """``(rank, world size)`` of this process under ``torch.distributed``; ``(0, 1)`` outside it."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def shard(items: list[T]) -> list[T]:
    """This process's share of ``items``: under ``torch.distributed`` rank r of W takes ``items[r::W]`` after
    padding ``items`` to a multiple of W by repeating its head (so every rank gets as many); all of it otherwise."""
    rank, world = rank_and_world()
    if world == 1:
        return items
    items = items + items[: (-len(items)) % world]
    return items[rank::world]


def shard_size(n: int) -> int:
    """How many of ``n`` items ``shard`` gives this process."""
    return -(-n // rank_and_world()[1])


class ShardSampler(Sampler[int]):
    """Indices of this process's shard: a permutation seeded by ``(seed, epoch)`` (or the identity), split by rank.

    ``shuffle=True`` gives a random order that depends only on ``(seed, epoch)``, so resuming at epoch e
    replays epoch e exactly; Lightning calls ``set_epoch`` at the start of every training epoch. Under
    ``torch.distributed``, rank r of W takes ``order[r::W]`` after padding ``order`` to a multiple of W by
    repeating its head (evaluation removes the repeats by example index). So W processes with batch b see,
    step for step, the same examples as one process with batch W*b.

    ``seed=None`` draws each epoch's permutation from the global torch generator instead, when the epoch starts
    (influence tuning's orders, as its hand-written loop drew them; ``seed_everything`` and the checkpointed RNG
    states make them reproducible, and every rank draws the same one).
    """

    def __init__(self, n: int, seed: int | None = 0, shuffle: bool = True):
        self.n, self.seed, self.shuffle, self.epoch = n, seed, shuffle, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        if self.shuffle and self.seed is None:
            order = torch.randperm(self.n).tolist()
        elif self.shuffle:
            g = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
            order = torch.randperm(self.n, generator=g).tolist()
        else:
            order = list(range(self.n))
        return iter(shard(order))

    def __len__(self) -> int:
        return shard_size(self.n)


class PairedBatchSampler(Sampler[list[int]]):
    """Batches of ``labelled_batch`` labelled plus ``unlabelled_batch`` unlabelled indices (semi-supervised steps).

    An epoch is one pass over a seeded permutation of ``unlabelled`` (seeded by ``(seed, epoch)``, so resuming
    at epoch e replays it); the labelled indices are drawn from successive seeded permutations of ``labelled``,
    cycling as often as the epoch needs. Each batch lists its labelled indices first. Under
    ``torch.distributed``, rank r of W takes batches ``r::W`` (the list padded by repeating its head).
    Lightning calls ``set_epoch`` through the ``sampler`` attribute (the sampler itself). E.g. 2 labelled and
    3 unlabelled rows with batches (1, 2) give 2 batches per epoch: ``[l, u, u]`` and ``[l, u]``.
    """

    def __init__(self, labelled: Sequence[int], unlabelled: Sequence[int], labelled_batch: int,
                 unlabelled_batch: int, seed: int = 0):
        if not labelled or not unlabelled:
            raise ValueError(f"PairedBatchSampler needs labelled and unlabelled rows, got {len(labelled)} "
                             f"labelled and {len(unlabelled)} unlabelled")
        if labelled_batch < 1 or unlabelled_batch < 1:
            raise ValueError(f"batch sizes must be >= 1, got {labelled_batch} and {unlabelled_batch}")
        self.labelled, self.unlabelled = list(labelled), list(unlabelled)
        self.labelled_batch, self.unlabelled_batch = labelled_batch, unlabelled_batch
        self.seed, self.epoch, self.sampler = seed, 0, self

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _batches(self) -> list[list[int]]:
        g = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
        unl = [self.unlabelled[i] for i in torch.randperm(len(self.unlabelled), generator=g).tolist()]
        stream: list[int] = []
        batches = []
        for start in range(0, len(unl), self.unlabelled_batch):
            while len(stream) < self.labelled_batch:
                stream += [self.labelled[i] for i in torch.randperm(len(self.labelled), generator=g).tolist()]
            batches.append(stream[: self.labelled_batch] + unl[start: start + self.unlabelled_batch])
            stream = stream[self.labelled_batch:]
        return shard(batches)

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self._batches())

    def __len__(self) -> int:
        n_batches = -(-len(self.unlabelled) // self.unlabelled_batch)
        return shard_size(n_batches)


class PadCollator:
    """Pads ``input_ids`` / ``attention_mask`` to the longest in the batch; stacks every other field.

    Output: ``input_ids`` (B, T), ``attention_mask`` (B, T), ``labels`` (B,), ``index`` (B,) and any extra
    integer fields (e.g. ``pool_index`` (B, K)).
    """

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        width = max(len(r["input_ids"]) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)  # (B, T)
        mask = torch.zeros((len(rows), width), dtype=torch.long)  # (B, T)
        for i, r in enumerate(rows):
            ids[i, : len(r["input_ids"])] = torch.tensor(r["input_ids"])
            mask[i, : len(r["input_ids"])] = 1
        batch = {"input_ids": ids, "attention_mask": mask}
        for key in rows[0]:
            if key not in batch:
                batch[key] = torch.tensor([r[key] for r in rows], dtype=torch.long)
        return batch


class NLEDataModule(pl.LightningDataModule):
    """Base data module. Subclasses implement ``load_split`` and ``encode`` and set ``label_names``.

    Args:
        encoder: Hugging Face name or path of the encoder whose tokenizer is used (``"minilm"``: offline MiniLM).
        train_file, dev_file, test_file: files replacing the default source of a split (any path).
        max_length: word pieces per input, special tokens included.
        batch_size, eval_batch_size: per-process batch sizes.
        split_seed: seed of every data split carved here (recorded in results through the config).
        limit_train: keep only the first N training examples after shuffling with ``split_seed`` (None: all).
        num_workers: DataLoader workers.
    """

    label_names: tuple[str, ...] = ()
    special_tokens: tuple[str, ...] = ()

    def __init__(
        self,
        encoder: str = DEFAULT_ENCODER,
        train_file: str | None = None,
        dev_file: str | None = None,
        test_file: str | None = None,
        max_length: int = 128,
        batch_size: int = 32,
        eval_batch_size: int = 64,
        split_seed: int = 13,
        limit_train: int | None = None,
        num_workers: int = 0,
    ):
        super().__init__()
        self.encoder, self.max_length = encoder, max_length
        self.files: dict[str, str | None] = {"train": train_file, "dev": dev_file, "test": test_file}
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.split_seed, self.limit_train, self.num_workers = split_seed, limit_train, num_workers
        self.tokenizer = load_tokenizer(encoder, self.special_tokens)
        self.datasets: dict[str, EncodedDataset] = {}
        self.data_files: set[str] = set()

    # ---- what subclasses provide -------------------------------------------------------------
    def load_split(self, split: str) -> list[Example] | None:
        """The examples of ``split`` (``None``: the split does not exist, e.g. a blind test set)."""
        raise NotImplementedError

    def encode(self, example: Example) -> dict[str, Any]:
        """Model inputs of one example: at least ``input_ids`` and ``labels``."""
        raise NotImplementedError

    # ---- derived -----------------------------------------------------------------------------
    @property
    def num_labels(self) -> int:
        return len(self.label_names)

    @property
    def labels(self) -> list[str]:
        return list(self.label_names)

    @property
    def vocab_size(self) -> int:
        return len(self.tokenizer)

    def label_id(self, label: str | None, where: str = "") -> int:
        if label is None:
            return -100
        try:
            return self.label_names.index(label)
        except ValueError as err:
            raise ValueError(f"{where}: unknown label {label!r}; expected one of {list(self.label_names)}") from err

    def note_file(self, path: str | Path) -> None:
        self.data_files.add(str(Path(path).resolve()))

    def setup(self, stage: str | None = None) -> None:
        for split in SPLITS:
            if split in self.datasets:
                continue
            examples = self.load_split(split)
            if examples is None:
                continue
            if split == "train" and self.limit_train is not None:
                g = torch.Generator().manual_seed(self.split_seed)
                order = torch.randperm(len(examples), generator=g).tolist()
                examples = [examples[i] for i in sorted(order[: self.limit_train])]
            self.datasets[split] = EncodedDataset(examples, [self.encode(ex) for ex in examples])

    def has_split(self, split: str) -> bool:
        self.setup()
        return split in self.datasets

    def example_ids(self, split: str) -> list[str]:
        return [ex.id for ex in self.datasets[split].examples]

    @staticmethod
    def train_seed() -> int:
        """The seed of training order: ``seed_everything``'s (``PL_GLOBAL_SEED``), 0 when unset."""
        return int(os.environ.get("PL_GLOBAL_SEED", "0"))

    def _loader(self, split: str, train: bool, batch_sampler: Sampler[list[int]] | None = None) -> DataLoader:
        """The split's loader: shuffled (seeded) shards of ``batch_size`` rows for training, in order for
        evaluation; or the given ``batch_sampler``'s batches."""
        ds = self.datasets[split]
        common = {"collate_fn": PadCollator(self.tokenizer.pad_token_id), "num_workers": self.num_workers,
                  "persistent_workers": self.num_workers > 0}
        if batch_sampler is not None:
            return DataLoader(ds, batch_sampler=batch_sampler, **common)
        seed = self.train_seed() if train else 0
        return DataLoader(ds, batch_size=self.batch_size if train else self.eval_batch_size,
                          sampler=ShardSampler(len(ds), seed, shuffle=train), **common)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", train=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("dev", train=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", train=False)
