"""NExT relation data: the built-in sample, SemEval-2010 Task 8 with a seeded dev carved from train, or TACRED.

``source``:
- ``sample`` (default): the synthetic SemEval-format sentences and explanations in ``sample/`` (a smoke run);
- ``semeval2010``: ``TRAIN_FILE.TXT`` under ``NLE_DATA_DIR``; the official test is blind, so ``dev_size``
  sentences are carved from train with ``split_seed``, never from the 203 explained sentences, so every
  method (labels-only included) is selected on the same dev set;
- ``tacred``: ``tacred/{train,dev,test}.json`` under ``NLE_DATA_DIR`` (official JSON, licensed LDC2018T24).

``train_subset`` -- what the training split holds (the rows of the paper's comparison):

- ``all``: every training sentence with its gold label (full supervision; with ``n_labels``, a seeded subset of
  that many sentences: the plain-label arm of the label-efficiency curve);
- ``explained``: only the sentences that carry an explanation (labels only);
- ``explained+matched``: the explained sentences (gold) plus every other sentence a rule hard-matches, labelled
  by the rules' aggregated vote (data programming: the label matrix and ``aggregator``);
- ``explained+unlabelled``: as ``explained+matched`` plus every remaining sentence *without* its label
  (``labels = -100``): the unlabelled pool of NExT's soft matching and of self-training.

``labelled_batch_size`` (``explained+unlabelled`` only): the paper's batch composition, each step
``labelled_batch_size`` labelled rows (gold or hard-matched, cycled) plus ``batch_size`` unlabelled rows, an
epoch being one pass over the unlabelled pool (``nle.data.module.PairedBatchSampler``); ``None`` mixes all rows
in plain shuffled batches.

``n_explanations`` keeps the first n of a seeded permutation (``subset_seed``) of the explanations, so the
25-explanation set is inside the 50-explanation set. Each training row carries ``kind`` (0 gold, 1 hard-matched,
2 unlabelled), ``soft_row`` (its row in :attr:`soft_corpus`, the sentences as tensors for soft execution) and
``hidden_gold``: the gold label of an unlabelled row, read only to log how accurate the pseudo labels are
(``train/pseudo_label_accuracy``); no loss ever reads it.
Rules are parsed once and cached (``nle.rules.build``); spaCy annotations are cached by content hash.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from nle.data.benchmarks import get_benchmark
from nle.data.errors import resolve
from nle.data.module import PairedBatchSampler
from nle.data.readers.next_explanations import link_semeval_explanations, read_next_explanations
from nle.data.relation import RelationDataModule
from nle.types import ABSTAIN, Example, Explanation

SAMPLE_DIR = Path(__file__).parent / "sample"
SEMEVAL_TRAIN = get_benchmark("semeval2010_task8").paths("train")[0]  # relative to NLE_DATA_DIR
SEMEVAL_EXPLANATIONS = get_benchmark("next_explanations_semeval").paths("all")[0]
TACRED_EXPLANATIONS = get_benchmark("next_explanations_tacred").paths("all")[0]
TACRED_FILES = {s: get_benchmark("tacred").paths(s)[0] for s in ("train", "dev", "test")}
SUBSETS = ("all", "explained", "explained+matched", "explained+unlabelled")
GOLD, MATCHED, UNLABELLED = 0, 1, 2


class NextRelationData(RelationDataModule):
    """Relation data for the NExT project (see the module docstring)."""

    def __init__(self, source: str = "sample", train_subset: str = "all", dev_size: int = 800,
                 explanations_file: str | None = None, n_explanations: int | None = None,
                 n_labels: int | None = None, subset_seed: int = 0, aggregator: str = "majority",
                 labelled_batch_size: int | None = None, **kwargs: Any):
        if source not in {"sample", "semeval2010", "tacred"}:
            raise ValueError(f"source must be 'sample', 'semeval2010' or 'tacred', got {source!r}")
        if train_subset not in SUBSETS:
            raise ValueError(f"train_subset must be one of {SUBSETS}, got {train_subset!r}")
        if aggregator not in {"majority", "label_model"}:
            raise ValueError(f"aggregator must be 'majority' or 'label_model', got {aggregator!r}")
        super().__init__(format="tacred" if source == "tacred" else "semeval2010", **kwargs)
        self.source, self.train_subset, self.dev_size = source, train_subset, dev_size
        self.n_explanations, self.n_labels, self.subset_seed = n_explanations, n_labels, subset_seed
        self.aggregator, self.labelled_batch_size = aggregator, labelled_batch_size
        default_expl = {"sample": str(SAMPLE_DIR / "explanations.json"), "semeval2010": SEMEVAL_EXPLANATIONS,
                        "tacred": TACRED_EXPLANATIONS}
        self.explanations_file = explanations_file or default_expl.get(source)
        defaults = {"sample": {s: str(SAMPLE_DIR / f"{s}.txt") for s in ("train", "dev", "test")},
                    "semeval2010": {"train": SEMEVAL_TRAIN}, "tacred": TACRED_FILES}[source]
        for split, path in defaults.items():
            self.files[split] = self.files[split] or path
        self._carved: dict[str, list[Example]] | None = None
        self._explanations: list[Explanation] | None = None
        self._links: dict[str, Example | None] = {}
        self.kind: dict[str, int] = {}
        self.hidden_gold: dict[str, int] = {}  # gold of the unlabelled pool: logged diagnostics only, never a target
        self.rule_set: Any = None
        self.soft_rules: Any = None
        self.soft_corpus: Any = None
        self.coverage: dict[str, float] = {}

    # ---- explanations -------------------------------------------------------------------------------------------
    def _all_explanations(self) -> list[Explanation]:
        """Every explanation of the file, read once."""
        if self._explanations is None:
            self._explanations = []
            if self.explanations_file:
                path = resolve(self.explanations_file)
                self.note_file(path)
                task = "tacred" if self.source == "tacred" else "semeval"
                self._explanations = read_next_explanations(path, task=task)
        return self._explanations

    def explanations(self) -> list[Explanation]:
        """The explanations in use: all, or the first ``n_explanations`` of a seeded permutation."""
        found = self._all_explanations()
        if self.n_explanations is not None:
            order = list(range(len(found)))
            random.Random(self.subset_seed).shuffle(order)
            found = [found[i] for i in sorted(order[: self.n_explanations])]
        return found

    def explained(self) -> dict[str, Example]:
        """id -> training sentence for every explanation in use that links to a training sentence (SemEval, linked
        once in :meth:`carve`); for TACRED the explanations' own sentences (``SUBJ-<TYPE>`` placeholders), which
        :meth:`training_rows` adds."""
        if self.source == "tacred":
            return {e.example.id: e.example for e in self.explanations() if e.example is not None}
        return {ex.id: ex for e in self.explanations() if (ex := self._links.get(e.id)) is not None}

    # ---- splits -------------------------------------------------------------------------------------------------
    def carve(self) -> dict[str, list[Example]]:
        """Train and dev from the training file: a seeded dev sample that avoids every explained sentence."""
        if self._carved is None:
            train = self.read(self.files["train"])
            if self.source != "tacred":
                # every explanation linked once; dev never holds an explained sentence, so links into train are
                # links into the training split
                self._links = {e.id: ex for e, ex in link_semeval_explanations(self._all_explanations(), train)}
            carve = self.source == "semeval2010" and not self.files["dev"]
            if carve:
                all_explained = {ex.id for ex in self._links.values() if ex is not None}
                pool = [i for i, ex in enumerate(train) if ex.id not in all_explained]
                g = torch.Generator().manual_seed(self.split_seed)
                dev_idx = {pool[i] for i in torch.randperm(len(pool), generator=g)[: self.dev_size].tolist()}
                rest = [ex for i, ex in enumerate(train) if i not in dev_idx]
                dev = [train[i] for i in sorted(dev_idx)]
            else:
                rest, dev = train, (self.read(self.files["dev"]) if self.files["dev"] else None)
            self._carved = {"train": self.training_rows(rest), "dev": dev}
        return self._carved

    def training_rows(self, rest: list[Example]) -> list[Example]:
        """The training split for ``train_subset`` (labels replaced or removed as the module doc says)."""
        if self.train_subset == "all":
            if self.n_labels is None:
                return rest
            order = list(range(len(rest)))
            random.Random(self.subset_seed).shuffle(order)
            return [rest[i] for i in sorted(order[: self.n_labels])]
        explained = self.explained()
        if self.source == "tacred":  # the explained sentences come with the explanations, not from train
            rest = [*explained.values(), *rest]
        if self.train_subset == "explained":
            return [ex for ex in rest if ex.id in explained]
        from nle.matching.aggregate import fit_label_model, majority_vote
        from nle.matching.annotate import annotate
        from nle.matching.soft import SoftCorpus, SoftRules
        from nle.rules.build import explanation_rules

        corpus = annotate(rest)
        self.rule_set = explanation_rules(self.explanations(), corpus, self.label_names)
        L = self.rule_set.labels
        if self.aggregator == "majority":
            vote = majority_vote(L, self.num_labels)
        else:
            vote = fit_label_model(L, self.num_labels).predict(L)
        rows: list[Example] = []
        for i, ex in enumerate(rest):
            if ex.id in explained:
                kind, row = GOLD, ex
            elif vote[i] != ABSTAIN:
                kind, row = MATCHED, dataclasses.replace(ex, label=self.label_names[int(vote[i])])
            elif self.train_subset == "explained+unlabelled":
                kind, row = UNLABELLED, dataclasses.replace(ex, label=None)
                self.hidden_gold[ex.id] = self.label_names.index(ex.label)
            else:
                continue
            self.kind[ex.id] = kind
            rows.append(row)
        decided = vote != ABSTAIN
        gold = np.array([self.label_names.index(ex.label) for ex in rest])
        self.coverage = {"n_rules": len(self.rule_set.rules), "n_explained": len(explained),
                         "n_matched": int(sum(k == MATCHED for k in self.kind.values())),
                         "n_unlabelled": int(sum(k == UNLABELLED for k in self.kind.values())),
                         "hard_precision": float((vote[decided] == gold[decided]).mean()) if decided.any() else 0.0}
        self.soft_rules = SoftRules([r.logical_form for r in self.rule_set.rules])
        self.soft_corpus = SoftCorpus.build(corpus, self.soft_rules)  # rows = ``rest``; soft_row maps ids
        return rows

    def load_split(self, split: str) -> list[Example] | None:
        if split in ("train", "dev"):
            return self.carve()[split]
        path = self.files.get(split)
        return self.read(path) if path else None

    def encode(self, example: Example) -> dict[str, Any]:
        row = super().encode(example)
        kind = self.kind.get(example.id, GOLD)
        row["kind"] = kind
        row["soft_row"] = self._soft_row.get(example.id, -1) if self.soft_corpus is not None else -1
        row["hidden_gold"] = self.hidden_gold.get(example.id, row["labels"])
        return row

    def train_dataloader(self) -> DataLoader:
        if self.labelled_batch_size is None or self.train_subset != "explained+unlabelled":
            return super().train_dataloader()
        ds = self.datasets["train"]
        kinds = [self.kind.get(ex.id, GOLD) for ex in ds.examples]
        sampler = PairedBatchSampler([i for i, k in enumerate(kinds) if k != UNLABELLED],
                                     [i for i, k in enumerate(kinds) if k == UNLABELLED],
                                     self.labelled_batch_size, self.batch_size, seed=self.train_seed())
        return self._loader("train", train=True, batch_sampler=sampler)

    @property
    def _soft_row(self) -> dict[str, int]:
        if getattr(self, "_soft_row_cache", None) is None:
            self._soft_row_cache = {i: r for r, i in enumerate(self.soft_corpus.ids)}
        return self._soft_row_cache

    def annotation_budget(self) -> dict[str, int]:
        """What the training split cost to annotate: ``n_explanations`` (explained sentences used) for the subsets
        built from explanations, ``n_labels`` (gold-labelled sentences) for ``all``."""
        train = self.carve()["train"]
        if self.train_subset == "all":
            return {"n_labels": len(train)}
        return {"n_explanations": sum(1 for ex in train if self.kind.get(ex.id, GOLD) == GOLD and ex.label is not None)
                if self.train_subset != "explained" else len(train)}

    def rule_labels(self) -> torch.Tensor:
        """(R,) label id of every kept rule."""
        return torch.tensor([r.label for r in self.rule_set.rules], dtype=torch.long)

