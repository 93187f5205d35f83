"""Relation classification inputs: entity markers around the two arguments, positions of their start markers.

``[E1] subj words [/E1] ... [E2] obj words [/E2]``: the encoder sees where the arguments are, and the model
pools the hidden states at ``[E1]`` and ``[E2]`` ("entity start", Baldini Soares et al. 2019). The first
argument is ``e1`` (SemEval-2010) or ``subj`` (TACRED); the label carries the direction.
"""

from __future__ import annotations

from typing import Any

from nle.data.module import NLEDataModule
from nle.data.readers.semeval2010 import SEMEVAL2010_LABELS, read_semeval2010
from nle.data.readers.tacred import TACRED_LABELS, read_tacred
from nle.types import Example

MARKERS = ("[E1]", "[/E1]", "[E2]", "[/E2]")
ROLES = {"semeval2010": ("e1", "e2"), "tacred": ("subj", "obj")}
READERS = {"semeval2010": read_semeval2010, "tacred": read_tacred}
LABELS = {"semeval2010": tuple(SEMEVAL2010_LABELS), "tacred": tuple(TACRED_LABELS)}


def marked_words(example: Example, roles: tuple[str, str]) -> list[str]:
    """The example's words with ``[E1] .. [/E1]`` around the first argument and ``[E2] .. [/E2]`` around the second."""
    first, second = example.span(roles[0]), example.span(roles[1])
    opens = {first.start: ["[E1]"], second.start: ["[E2]"]}
    closes = {first.end: ["[/E1]"], second.end: ["[/E2]"]}
    words: list[str] = []
    for i in range(len(example.tokens) + 1):
        words += closes.get(i, [])
        if i < len(example.tokens):
            words += opens.get(i, [])
            words.append(example.tokens[i])
    return words


def window(ids: list[int], keep: tuple[int, int], max_length: int) -> list[int]:
    """Cut ``[CLS] inner [SEP]`` to ``max_length`` pieces, keeping ids ``keep`` (the start markers) when they fit."""
    if len(ids) <= max_length:
        return ids
    inner, budget = ids[1:-1], max_length - 2
    pos = [i for i, t in enumerate(inner) if t in keep] or [0]
    start = max(0, min(min(pos) - 4, len(inner) - budget))
    return [ids[0], *inner[start : start + budget], ids[-1]]


class RelationDataModule(NLEDataModule):
    """SemEval-2010 Task 8 or TACRED files (``format``) into marker-encoded inputs with ``pool_index`` (2,).

    Every split is a file: ``train_file``, ``dev_file``, ``test_file`` (absolute, or relative to ``NLE_DATA_DIR``).
    """

    special_tokens = MARKERS

    def __init__(self, format: str = "semeval2010", **kwargs: Any):
        if format not in READERS:
            raise ValueError(f"format must be one of {sorted(READERS)}, got {format!r}")
        self.format = format
        self.label_names = LABELS[format]
        super().__init__(**kwargs)
        self.n_truncated = 0

    def read(self, path: str) -> list[Example]:
        from nle.data.errors import resolve

        resolved = resolve(path)
        self.note_file(resolved)
        return READERS[self.format](resolved)

    def load_split(self, split: str) -> list[Example] | None:
        path = self.files.get(split)
        return self.read(path) if path else None

    def encode(self, example: Example) -> dict[str, Any]:
        words = marked_words(example, ROLES[self.format])
        e1, e2 = self.tokenizer.convert_tokens_to_ids(["[E1]", "[E2]"])
        ids = self.tokenizer(" ".join(words), add_special_tokens=True)["input_ids"]
        if len(ids) > self.max_length:
            self.n_truncated += 1
            ids = window(ids, (e1, e2), self.max_length)
        pool = [ids.index(e1) if e1 in ids else 0, ids.index(e2) if e2 in ids else 0]
        return {"input_ids": ids, "pool_index": pool,
                "labels": self.label_id(example.label, where=f"example {example.id}")}
