"""Reader for TweetEval (Barbieri et al. 2020): a text file and a labels file, one tweet / one label id per line."""

from __future__ import annotations

import os
from pathlib import Path

from nle.data.errors import DataFormatError, resolve
from nle.data.readers.classification import iter_lines, labelled_example, read_decoded
from nle.types import Example


def read_tweeteval(text_path: str | os.PathLike[str], labels_path: str | os.PathLike[str] | None,
                   mapping_path: str | os.PathLike[str] | None = None) -> list[Example]:
    """TweetEval ``{split}_text.txt`` aligned line by line with ``{split}_labels.txt``.

    Label: the name from ``mapping.txt`` (``id<TAB>name``): hate ``0 not-hate / 1 hate``, irony
    ``0 non_irony / 1 irony``, stance ``0 none / 1 against / 2 favor``. With ``mapping_path=None`` the
    ``mapping.txt`` beside the text file or in its parent folder (stance) is used; where there is none the
    label is the id string (``"0"``, ``"1"``, ...). ``labels_path=None`` reads unlabelled text (label ``None``).
    Text: the line without its newline, otherwise verbatim. Id: ``f"{folder}/{file stem}:{line}"``
    (``"hate/train_text:1"``), unique across tasks. ``meta``: ``label_id`` (int) and ``line``.

    >>> read_tweeteval("tweeteval/datasets/hate/val_text.txt", "tweeteval/datasets/hate/val_labels.txt")[0].label  # doctest: +SKIP
    """
    text_path = resolve(text_path)
    texts = list(iter_lines(read_decoded(text_path)))
    mapping = read_tweeteval_mapping(mapping_path) if mapping_path is not None else _find_mapping(text_path)
    prefix = f"{text_path.parent.name}/{text_path.stem}"
    if labels_path is None:
        return [labelled_example(f"{prefix}:{n}", t, None, {"line": n}) for n, t in texts]
    labels_path = resolve(labels_path)
    labels = list(iter_lines(read_decoded(labels_path)))
    if len(labels) != len(texts):
        line = min(len(labels), len(texts)) + 1
        raise DataFormatError(labels_path, line, "label", f"one label per line of {text_path} ({len(texts)} lines)",
                              got=f"{len(labels)} lines")
    out = []
    for (n, text), (_, raw) in zip(texts, labels):
        label_id = _label_id(labels_path, n, raw, mapping)
        label = mapping[label_id] if mapping else str(label_id)
        out.append(labelled_example(f"{prefix}:{n}", text, label, {"label_id": label_id, "line": n}))
    return out


def read_tweeteval_mapping(path: str | os.PathLike[str]) -> dict[int, str]:
    """``{label id: name}`` from a TweetEval ``mapping.txt`` (``id<TAB>name`` per line)."""
    path = resolve(path)
    out: dict[int, str] = {}
    for n, raw in iter_lines(read_decoded(path)):
        if not raw.strip():
            continue
        parts = raw.split("\t")
        if len(parts) != 2 or not parts[0].strip().isdigit() or not parts[1].strip():
            raise DataFormatError(path, n, "mapping", "'<int id><TAB><name>'", got=raw)
        out[int(parts[0])] = parts[1].strip()
    return out


def _find_mapping(text_path: Path) -> dict[int, str]:
    for folder in (text_path.parent, text_path.parent.parent):
        if (folder / "mapping.txt").is_file():
            return read_tweeteval_mapping(folder / "mapping.txt")
    return {}


def _label_id(path: Path, line: int, raw: str, mapping: dict[int, str]) -> int:
    value = raw.strip()
    if not value.isdigit() or (mapping and int(value) not in mapping):
        allowed = f"one of {sorted(mapping)}" if mapping else "a non-negative integer"
        raise DataFormatError(path, line, "label", allowed, got=raw)
    return int(value)
