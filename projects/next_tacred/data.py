"""NExT relation data: the built-in sample, SemEval-2010 Task 8 with a seeded dev carved from train, or TACRED.

``source``:
- ``sample`` (default): the synthetic SemEval-format sentences in ``sample/`` (a smoke run on a fresh machine);
- ``semeval2010``: ``TRAIN_FILE.TXT`` under ``NLE_DATA_DIR``; the official test is blind, so ``dev_size``
  sentences are carved from train with ``split_seed``, never from the 203 explained sentences, so every
  method (labels-only included) is selected on the same dev set;
- ``tacred``: ``tacred/{train,dev,test}.json`` under ``NLE_DATA_DIR`` (official JSON, licensed LDC2018T24).

``train_subset="explained"`` keeps only the training sentences that carry a NExT explanation: the paper's
labels-only baseline. Any split can still be replaced by a file path (``--data.init_args.test_file PATH``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from nle.data.benchmarks import get_benchmark
from nle.data.errors import resolve
from nle.data.readers.next_explanations import link_semeval_explanations, read_next_explanations
from nle.data.relation import RelationDataModule
from nle.types import Example

SAMPLE_DIR = Path(__file__).parent / "sample"
SEMEVAL_TRAIN = get_benchmark("semeval2010_task8").paths("train")[0]  # relative to NLE_DATA_DIR
SEMEVAL_EXPLANATIONS = get_benchmark("next_explanations_semeval").paths("all")[0]
TACRED_FILES = {s: get_benchmark("tacred").paths(s)[0] for s in ("train", "dev", "test")}


class NextRelationData(RelationDataModule):
    """Relation data for the NExT project (see module docstring for ``source`` and ``train_subset``)."""

    def __init__(self, source: str = "sample", train_subset: str = "all", dev_size: int = 800,
                 explanations_file: str | None = None, **kwargs: Any):
        if source not in {"sample", "semeval2010", "tacred"}:
            raise ValueError(f"source must be 'sample', 'semeval2010' or 'tacred', got {source!r}")
        if train_subset not in {"all", "explained"}:
            raise ValueError(f"train_subset must be 'all' or 'explained', got {train_subset!r}")
        super().__init__(format="tacred" if source == "tacred" else "semeval2010", **kwargs)
        self.source, self.train_subset, self.dev_size = source, train_subset, dev_size
        self.explanations_file = explanations_file or (SEMEVAL_EXPLANATIONS if source == "semeval2010" else None)
        defaults = {"sample": {s: str(SAMPLE_DIR / f"{s}.txt") for s in ("train", "dev", "test")},
                    "semeval2010": {"train": SEMEVAL_TRAIN}, "tacred": TACRED_FILES}[source]
        for split, path in defaults.items():
            self.files[split] = self.files[split] or path
        self._carved: dict[str, list[Example]] | None = None

    def explained_ids(self, train: list[Example]) -> set[str]:
        """Ids of the training sentences that carry an explanation (empty when there is no explanation file)."""
        if not self.explanations_file:
            return set()
        path = resolve(self.explanations_file)
        self.note_file(path)
        explanations = read_next_explanations(path, task="semeval")
        return {ex.id for _, ex in link_semeval_explanations(explanations, train) if ex is not None}

    def carve(self) -> dict[str, list[Example]]:
        """Train and dev from the training file: a seeded dev sample that avoids explained sentences."""
        if self._carved is None:
            train = self.read(self.files["train"])
            explained = self.explained_ids(train)
            pool = [i for i, ex in enumerate(train) if ex.id not in explained]
            g = torch.Generator().manual_seed(self.split_seed)
            dev_idx = {pool[i] for i in torch.randperm(len(pool), generator=g)[: self.dev_size].tolist()}
            rest = [ex for i, ex in enumerate(train) if i not in dev_idx]
            if self.train_subset == "explained":
                rest = [ex for ex in rest if ex.id in explained]
            self._carved = {"train": rest, "dev": [train[i] for i in sorted(dev_idx)]}
        return self._carved

    def load_split(self, split: str) -> list[Example] | None:
        carve = self.source == "semeval2010" and not self.files["dev"]
        if split in ("train", "dev") and (carve or self.train_subset == "explained"):
            if carve:
                return self.carve()[split]
            examples = self.read(self.files[split]) if self.files[split] else None
            if split == "train" and examples is not None:
                explained = self.explained_ids(examples)
                examples = [ex for ex in examples if ex.id in explained]
            return examples
        path = self.files.get(split)
        return self.read(path) if path else None
