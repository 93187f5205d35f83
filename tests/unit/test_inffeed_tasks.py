"""InfFeed task declarations: the sample reader, carved dev splits, label checks, and the real files' sizes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nle.data.errors import DataFormatError
from projects.inffeed.tasks import TASKS, carve_dev, read_tsv


def test_read_tsv(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_text("label\ttext\nfavor\tyes please\nnone\ta\tb\n", encoding="utf-8")
    rows = read_tsv(p)
    assert [(r.id, r.label, r.text) for r in rows] == [("x:2", "favor", "yes please"), ("x:3", "none", "a\tb")]


def test_read_tsv_errors_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.tsv"
    p.write_text("text\tlabel\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"bad.tsv:1:"):
        read_tsv(p)
    p.write_text("label\ttext\nfavor\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"bad.tsv:2:"):
        read_tsv(p)


def test_unknown_label_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_text("label\ttext\nmaybe\thm\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="label"):
        TASKS["sample"].load([p])


def test_sample_loads() -> None:
    train, files = TASKS["sample"].load(TASKS["sample"].train)
    assert len(train) == 180 and len(files) == 1 and {r.label for r in train} == {"against", "favor", "none"}


def test_carve_dev_is_seeded_and_disjoint() -> None:
    keep, dev = carve_dev(200, 0.15, 13)
    assert len(dev) == 30 and not set(keep) & set(dev) and sorted(keep + dev) == list(range(200))
    assert carve_dev(200, 0.15, 13) == (keep, dev) and carve_dev(200, 0.15, 14)[1] != dev
    with pytest.raises(ValueError):
        carve_dev(10, 0.0, 1)


@pytest.mark.skipif(not os.environ.get("NLE_DATA_DIR"), reason="needs NLE_DATA_DIR (the shared benchmark data)")
@pytest.mark.parametrize(("task", "n_train", "n_dev", "first_label"), [
    ("hate", 9000, 1000, None), ("stance", 2620, 294, None), ("irony", 2862, 955, None), ("sarcasm", 3468, 0, None),
])
def test_real_task_sizes(task: str, n_train: int, n_dev: int, first_label: str | None) -> None:
    spec = TASKS[task]
    train, _ = spec.load(spec.train)
    dev, _ = spec.load(spec.dev) if spec.dev else ([], [])
    assert (len(train), len(dev)) == (n_train, n_dev)
    assert {r.label for r in train} == set(spec.labels)
    if task == "stance":
        assert train[0].text.startswith("abortion: ")
