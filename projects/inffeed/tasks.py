"""The four subjective tasks of InfFeed (and the built-in sample) as declarations: labels, reader, default files.

A task reads any split file by path (``read(path) -> list[Row]``); the default files are relative to
``$NLE_DATA_DIR`` (the sample's to this folder). ``dev=()`` means the benchmark has no public dev split here and
one is carved from train by ``carve_dev`` (seeded, recorded through the config).

| task     | source                                    | labels                     | dev                        |
|----------|-------------------------------------------|----------------------------|----------------------------|
| hate     | TweetEval hate (HatEval 2019)             | not-hate, hate             | official val               |
| hatexplain | HateXplain (majority label; undecided dropped) | hatespeech, normal, offensive | official val        |
| stance   | TweetEval stance (SemEval-2016 Task 6), 5 targets; text = "target: tweet" | none, against, favor | official val |
| irony    | TweetEval irony (SemEval-2018 Task 3A)    | non_irony, irony           | official val               |
| sarcasm  | iSarcasmEval (SemEval-2022 Task 6A) train | 0, 1                       | carved from train          |
| sample   | ``sample/*.tsv`` (synthetic, ours)        | against, favor, none       | ``sample/dev.tsv``         |

>>> TASKS["stance"].labels
('none', 'against', 'favor')
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from nle.data.errors import DataFormatError, resolve
from nle.data.readers.classification import iter_lines, read_decoded
from nle.data.readers.hatexplain import read_hatexplain
from nle.data.readers.sarcasm import read_isarcasmeval
from nle.data.readers.tweeteval import read_tweeteval

SAMPLE_DIR = Path(__file__).parent / "sample"
STANCE_TARGETS = ("abortion", "atheism", "climate", "feminist", "hillary")


@dataclass(frozen=True)
class Row:
    """One labelled text."""

    id: str
    text: str
    label: str


@dataclass(frozen=True)
class TaskSpec:
    """A task: label names (in id order), a reader of one split file, and its default train / dev files."""

    name: str
    labels: tuple[str, ...]
    read: Callable[[Path], list[Row]]
    train: tuple[str, ...]
    dev: tuple[str, ...] = ()

    def load(self, paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Row], list[str]]:
        """Rows of all ``paths`` (in order) and the resolved files read; labels are checked against ``labels``."""
        rows: list[Row] = []
        files: list[str] = []
        for p in paths:
            path = SAMPLE_DIR / p if self.name == "sample" and not Path(p).is_absolute() else resolve(p)
            part = self.read(Path(path))
            for i, row in enumerate(part):
                if row.label not in self.labels:
                    raise DataFormatError(path, i + 1, "label", f"one of {list(self.labels)}", got=row.label)
            rows.extend(part)
            files.append(str(Path(path).resolve()))
        return rows, files


def read_tsv(path: Path) -> list[Row]:
    """``label<TAB>text`` per line after a ``label<TAB>text`` header (the sample format)."""
    lines = list(iter_lines(read_decoded(path)))
    if not lines or lines[0][1] != "label\ttext":
        raise DataFormatError(path, 1, "header", "'label<TAB>text'", got=lines[0][1] if lines else "empty file")
    out = []
    for n, raw in lines[1:]:
        label, sep, text = raw.partition("\t")
        if not sep or not text:
            raise DataFormatError(path, n, "row", "'<label><TAB><text>'", got=raw)
        out.append(Row(f"{path.stem}:{n}", text, label))
    return out


def _tweeteval_labels(text_path: Path) -> Path:
    return text_path.with_name(text_path.name.replace("_text", "_labels"))


def read_tweeteval_rows(path: Path) -> list[Row]:
    """A TweetEval ``*_text.txt`` with its sibling ``*_labels.txt``."""
    return [Row(e.id, e.text, str(e.label)) for e in read_tweeteval(path, _tweeteval_labels(path))]


def read_stance_rows(path: Path) -> list[Row]:
    """A TweetEval stance file; the target (its folder name) is prefixed: ``"hillary: <tweet>"``."""
    target = path.parent.name
    return [Row(e.id, f"{target}: {e.text}", str(e.label)) for e in read_tweeteval(path, _tweeteval_labels(path))]


def read_hatexplain_rows(path: Path) -> list[Row]:
    """HateXplain posts with a majority label (posts whose three annotators all differ are dropped)."""
    return [Row(e.id, e.text, e.label) for e in read_hatexplain(path) if e.label is not None]


def read_sarcasm_rows(path: Path) -> list[Row]:
    """iSarcasmEval task A: ``"1"`` sarcastic, ``"0"`` not."""
    return [Row(e.id, e.text, str(e.label)) for e in read_isarcasmeval(path)]


_TE = "tweeteval/datasets"
TASKS: dict[str, TaskSpec] = {
    t.name: t for t in (
        TaskSpec("sample", ("against", "favor", "none"), read_tsv, ("train.tsv",), ("dev.tsv",)),
        TaskSpec("hate", ("not-hate", "hate"), read_tweeteval_rows, (f"{_TE}/hate/train_text.txt",),
                 (f"{_TE}/hate/val_text.txt",)),
        TaskSpec("hatexplain", ("hatespeech", "normal", "offensive"), read_hatexplain_rows,
                 ("hatexplain/train_labels_text_no_rationales/derived_hatexplain_train_with_ids.jsonl",),
                 ("hatexplain/hf_format/hatexplain_validation.json",)),
        TaskSpec("stance", ("none", "against", "favor"), read_stance_rows,
                 tuple(f"{_TE}/stance/{t}/train_text.txt" for t in STANCE_TARGETS),
                 tuple(f"{_TE}/stance/{t}/val_text.txt" for t in STANCE_TARGETS)),
        TaskSpec("irony", ("non_irony", "irony"), read_tweeteval_rows, (f"{_TE}/irony/train_text.txt",),
                 (f"{_TE}/irony/val_text.txt",)),
        TaskSpec("sarcasm", ("0", "1"), read_sarcasm_rows, ("isarcasmeval_semeval2022_task6/train/train.En.csv",)),
    )
}


def carve_dev(n: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded (train rows, dev rows), both sorted: a random ``round(fraction · n)`` rows become dev.

    >>> carve_dev(10, 0.2, 13)[1] == carve_dev(10, 0.2, 13)[1], len(carve_dev(10, 0.2, 13)[1])
    (True, 2)
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"dev fraction must be in (0, 1), got {fraction}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    n_dev = round(fraction * n)
    return sorted(order[n_dev:]), sorted(order[:n_dev])
