"""HateXplain text classification data: the built-in sample or the real HateXplain splits.

``source``:
- ``sample`` (default): the hand-written posts in ``sample/{train,dev}.jsonl`` (HateXplain's Hugging Face JSON-lines
  layout, invented group names, no real slurs): a smoke run in seconds;
- ``hatexplain``: the declared ``hatexplain`` benchmark under ``NLE_DATA_DIR``: train = the 15,383 training posts
  (labels only), dev = the official validation split (1,922 posts, with token rationales). The official test split
  is blind: pass it with ``--data.init_args.test_file PATH`` when you have it.

Labels: the annotators' majority, ``hatespeech`` / ``normal`` / ``offensive`` (3-way). Posts without a majority
(all three annotators differ) are dropped and counted in :attr:`n_undecided`. Inputs are the post tokens
tokenized as pre-split words (as ``nle.attribution.words.encode_words`` does), truncated to ``max_length`` pieces
and padded per batch, so a checkpoint is explained on exactly the inputs it was trained on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nle.data.benchmarks import get_benchmark
from nle.data.errors import resolve
from nle.data.module import NLEDataModule
from nle.data.readers.hatexplain import HATEXPLAIN_LABELS, read_hatexplain
from nle.types import Example

SAMPLE_DIR = Path(__file__).parent / "sample"
SOURCES = ("sample", "hatexplain")


def default_files(source: str) -> dict[str, str]:
    """Split -> file of a source (sample paths absolute; HateXplain paths relative to ``NLE_DATA_DIR``)."""
    if source == "sample":
        return {s: str(SAMPLE_DIR / f"{s}.jsonl") for s in ("train", "dev")}
    if source == "hatexplain":
        bench = get_benchmark("hatexplain")
        return {"train": bench.paths("train")[0], "dev": bench.paths("val")[0]}
    raise ValueError(f"source must be one of {SOURCES}, got {source!r}")


class WordClassificationData(NLEDataModule):
    """Pre-split words → ``input_ids`` (as ``nle.attribution.words.encode_words`` encodes them, truncated to
    ``max_length`` pieces with ``[CLS] … [SEP]`` kept; truncations counted in :attr:`n_truncated`) and a label: what
    every classifier this project explains reads. Subclasses implement ``load_split`` and set ``label_names``."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.n_truncated = 0

    def encode(self, example: Example) -> dict[str, Any]:
        ids = self.tokenizer(list(example.tokens), is_split_into_words=True)["input_ids"]
        if len(ids) > self.max_length:  # keep [CLS] ... [SEP], as the tokenizer's own truncation does
            self.n_truncated += 1
            ids = [*ids[: self.max_length - 1], ids[-1]]
        return {"input_ids": ids, "labels": self.label_id(example.label, where=f"example {example.id}")}


class HateXplainData(WordClassificationData):
    """HateXplain posts → ``input_ids`` and a 3-way label (see the module docstring)."""

    label_names = HATEXPLAIN_LABELS

    def __init__(self, source: str = "sample", **kwargs: Any):
        defaults = default_files(source)
        super().__init__(**kwargs)
        self.source = source
        for split, path in defaults.items():
            self.files[split] = self.files[split] or path
        self.n_undecided: dict[str, int] = {}

    def load_split(self, split: str) -> list[Example] | None:
        path = self.files.get(split)
        if not path:
            return None
        resolved = resolve(path)
        self.note_file(resolved)
        examples = read_hatexplain(resolved)
        kept = [ex for ex in examples if ex.label is not None]
        self.n_undecided[split] = len(examples) - len(kept)
        return kept


class MovieReviewData(WordClassificationData):
    """Movie reviews with rationales (Zaidan et al. 2007; ERASER Movies folds: train 0-7, dev = fold 8), ``neg`` /
    ``pos``: the second data set whose human rationales ``nle.attribution.diagnose`` scores explanations against.

    Reviews average about 740 words; ``tail_words`` keeps each review's last N words (its verdict, usually), so a
    CPU-sized model reads a window of a few hundred word pieces; ``null`` keeps the whole review, truncated to
    ``max_length`` pieces. The diagnose config must use the same window (its ``data.tail_words``). Fold 9 (ERASER's
    test) is not the blind test of this repository's other sets, but it has no rationales here; pass any file in
    the derived JSONL format with ``--data.init_args.test_file``.
    """

    label_names = ("neg", "pos")

    def __init__(self, tail_words: int | None = 100, **kwargs: Any):
        super().__init__(**kwargs)
        self.tail_words = tail_words

    def load_split(self, split: str) -> list[Example] | None:
        from nle.data.benchmarks import benchmark_paths, load_split
        from nle.data.readers.movies import read_movie_rationales

        fold = {"train": "train", "dev": "val"}.get(split)
        if self.files.get(split):
            resolved = resolve(self.files[split])
            examples = read_movie_rationales(resolved)
        elif fold is not None:
            resolved = benchmark_paths("movie_rationales", fold)[0]
            examples = load_split("movie_rationales", fold)
        else:
            return None
        self.note_file(resolved)
        return examples if self.tail_words is None else [ex.tail(self.tail_words) for ex in examples]
