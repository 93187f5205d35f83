"""``SpuriousDataModule``: the planted-token splits of ``data.build_data`` as a LightningDataModule.

Training batches are rows of the whole training split encoded once (``encode_train``), so a batch is

    {"input_ids": (B, T), "attention_mask": (B, T), "labels": (B,), "confound": (B,), "access": (B,)}

with T the longest training row (mean pooling ignores the padding). Each epoch visits the rows in a fresh
``torch.randperm(N)`` drawn from the global generator (``seed_everything`` seeds it; checkpoints carry its state,
so a resumed run draws the same orders): ``nle.data.module.ShardSampler(seed=None)``, which under DDP gives rank r
of W rows r::W of that permutation, so W processes with batch b take the rows one process with batch W·b takes.
Lightning's DDP strategy re-seeds the global generator after the model is built, so a DDP run's orders are those
of ``--trainer.strategy ddp`` with one device, not those of the default strategy. Evaluation needs no batches: the module scores the whole evaluation
splits itself (``evaluate.py``), so validation is one step over a one-row placeholder loader.

Example::

    dm = SpuriousDataModule(source="sample")
    dm.vocab_size, len(dm.data.train), dm.train_tensors["input_ids"].shape[0]      # (…, 600, 600)
"""

from __future__ import annotations

from collections.abc import Mapping

import pytorch_lightning as pl
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from nle.data.module import ShardSampler
from projects.inffeed.tuning.config import DataConfig
from projects.inffeed.tuning.data import SpuriousData, build_data
from projects.inffeed.tuning.model import Vocab
from projects.inffeed.tuning.spurious import TokenRates


def encode_train(data: SpuriousData, vocab: Vocab, max_len: int) -> dict[str, Tensor]:
    """The training split as tensors: input_ids / attention_mask (N, T), labels (N,), confound (N,), access (N,)."""
    batch = vocab.batch(data.train.texts, max_len)
    batch["labels"] = torch.tensor(data.train.labels)
    batch["confound"] = torch.tensor(data.train.has_token, dtype=torch.long)
    batch["access"] = torch.tensor(data.access)
    return batch


class _Rows(Dataset):
    def __init__(self, tensors: Mapping[str, Tensor]):
        self.tensors = dict(tensors)
        self.n = len(next(iter(self.tensors.values())))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict[str, Tensor]:
        return {k: v[i] for k, v in self.tensors.items()}


class SpuriousDataModule(pl.LightningDataModule):
    """Train / evaluation splits with a planted token (the fields of ``config.DataConfig``, plus ``batch_size``).

    Args:
        source: ``"sample"`` (built-in synthetic corpus) or ``"tweeteval"`` (``$NLE_DATA_DIR``).
        task, positive_label: the TweetEval task folder and its positive label (``hate``).
        token, train_rates: the planted word and its rate per class in train (anti mirrors them).
        seed: seed of the sample corpus, the token placement and the access mask (the same for every model seed).
        sample_train, sample_eval: sizes of the built-in corpus; train_limit: keep the first n train rows (0: all).
        confound_access: fraction of training rows whose token status the adversary / influence tuning may use.
        min_count, max_len: vocabulary threshold and words per text.
        batch_size: training batch size.
    """

    def __init__(self, source: str = "sample", task: str = "hate", positive_label: str = "hate", token: str = "zqxv",
                 train_rates: TokenRates | None = None, seed: int = 13, sample_train: int = 600,
                 sample_eval: int = 400, train_limit: int = 0, confound_access: float = 1.0, min_count: int = 2,
                 max_len: int = 64, batch_size: int = 32):
        super().__init__()
        self.config = DataConfig(source=source, task=task, positive_label=positive_label, token=token,
                                 train_rates=train_rates or TokenRates(0.9, 0.1), seed=seed,
                                 sample_train=sample_train, sample_eval=sample_eval, train_limit=train_limit,
                                 confound_access=confound_access, min_count=min_count, max_len=max_len)
        self.batch_size = batch_size
        self._built: tuple[SpuriousData, Vocab, dict[str, Tensor]] | None = None

    # ---- the data, built once on first use (the CLI reads vocab_size before fitting) -----------
    def _build(self) -> tuple[SpuriousData, Vocab, dict[str, Tensor]]:
        if self._built is None:
            data = build_data(self.config)
            vocab = Vocab.build(data.train.texts, min_count=self.config.min_count)
            self._built = (data, vocab, encode_train(data, vocab, self.config.max_len))
        return self._built

    @property
    def data(self) -> SpuriousData:
        return self._build()[0]

    @property
    def vocab(self) -> Vocab:
        return self._build()[1]

    @property
    def train_tensors(self) -> dict[str, Tensor]:
        """The whole training split (see ``encode_train``); influence tuning draws its probes and groups from it."""
        return self._build()[2]

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def num_labels(self) -> int:
        return 2

    @property
    def labels(self) -> list[str]:
        return [f"not {self.config.positive_label}", self.config.positive_label]

    @property
    def data_files(self) -> tuple[str, ...]:
        """Files read (checksummed into ``results.json``); none for the built-in sample."""
        return self.data.files

    def has_split(self, split: str) -> bool:
        """No test split is scored (TweetEval's test labels are blind); ``run_experiment`` asks."""
        return False

    # ---- Lightning -----------------------------------------------------------------------------
    def setup(self, stage: str | None = None) -> None:
        self._build()

    def train_dataloader(self) -> DataLoader:
        rows = _Rows(self.train_tensors)
        return DataLoader(rows, batch_size=self.batch_size, sampler=ShardSampler(len(rows), seed=None),
                          generator=_private())

    def val_dataloader(self) -> DataLoader:
        return DataLoader([0], batch_size=1, generator=_private())


def _private() -> torch.Generator:
    """A loader's own generator: it only seeds worker processes, and it keeps each new loader iterator from
    drawing that seed from the global stream, which the training sampler alone uses (so the orders do not depend on
    how often validation runs)."""
    return torch.Generator().manual_seed(0)
