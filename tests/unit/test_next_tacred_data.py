"""The NExT data module: seeded dev carving that avoids explained sentences, the labels-only subset, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nle.data.errors import DataNotFoundError
from projects.next_tacred.data import NextRelationData

needs_data = pytest.mark.skipif(not os.environ.get("NLE_DATA_DIR"), reason="NLE_DATA_DIR is not set (real SemEval data)")


@needs_data
def test_semeval_dev_is_seeded_and_disjoint_from_explained_sentences() -> None:
    full = NextRelationData(source="semeval2010")
    explained = NextRelationData(source="semeval2010", train_subset="explained")
    train, dev = full.load_split("train"), full.load_split("dev")
    assert len(dev) == 800 and len(train) == 7200
    assert not {e.id for e in train} & {e.id for e in dev}
    only = explained.load_split("train")
    assert len(only) == 203 and {e.id for e in only} <= {e.id for e in train}
    assert [e.id for e in explained.load_split("dev")] == [e.id for e in dev]  # same dev for every method
    other_seed = NextRelationData(source="semeval2010", split_seed=14).load_split("dev")
    assert [e.id for e in other_seed] != [e.id for e in dev]
    assert full.load_split("test") is None  # the official test split is blind
    assert any(p.endswith("TRAIN_FILE.TXT") for p in full.data_files)


def test_missing_data_dir_says_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NLE_DATA_DIR", raising=False)
    data = NextRelationData(source="semeval2010")
    with pytest.raises(DataNotFoundError, match="NLE_DATA_DIR"):
        data.load_split("train")


def test_sample_source_reads_the_builtin_files() -> None:
    data = NextRelationData()
    data.setup()
    assert {s: len(d) for s, d in data.datasets.items()} == {"train": 190, "dev": 76, "test": 76}
    row = data.datasets["train"][0]
    ids = row["input_ids"]
    e1, e2 = data.tokenizer.convert_tokens_to_ids(["[E1]", "[E2]"])
    assert ids[row["pool_index"][0]] == e1 and ids[row["pool_index"][1]] == e2
    assert Path(next(iter(data.data_files))).name in {"train.txt", "dev.txt", "test.txt"}


def test_bad_source_is_refused() -> None:
    with pytest.raises(ValueError, match="source must be"):
        NextRelationData(source="semeval")
