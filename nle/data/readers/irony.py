"""Reader for SemEval-2018 Task 3 (irony in English tweets): TSV ``Tweet index<TAB>Label<TAB>Tweet text``."""

from __future__ import annotations

import os

from nle.data.errors import DataFormatError, resolve
from nle.data.readers.classification import check_choice, iter_lines, labelled_example, read_decoded
from nle.types import Example

IRONY_LABELS = frozenset({"0", "1", "2", "3"})


def read_semeval2018_irony(path: str | os.PathLike[str]) -> list[Example]:
    """SemEval-2018 Task 3 train / gold-test file (3 columns) or unlabelled test input (2 columns).

    Label: the file's own id string. Task A: ``"1"`` ironic, ``"0"`` not ironic. Task B: ``"1"`` ironic by
    clash, ``"2"`` situational irony, ``"3"`` other irony, ``"0"`` not ironic. Test input
    (``tweet index<TAB>tweet text``) gives label ``None``. The header is matched case-insensitively
    (``Tweet index`` / ``Tweet Index``); the tweet is everything after the last expected tab. Id: the tweet
    index (it restarts at 1 in every file). ``meta``: ``line``.
    """
    path = resolve(path)
    rows = iter_lines(read_decoded(path))
    _, header = next(rows, (1, ""))
    cols = [c.strip().lower() for c in header.split("\t")]
    if cols == ["tweet index", "label", "tweet text"]:
        labelled = True
    elif cols == ["tweet index", "tweet text"]:
        labelled = False
    else:
        raise DataFormatError(path, 1, "header", "'Tweet index<TAB>Label<TAB>Tweet text' or 'tweet index<TAB>tweet text'",
                              got=header)
    width = 3 if labelled else 2
    out = []
    for line, raw in rows:
        row = raw.split("\t", width - 1)
        if len(row) != width:
            raise DataFormatError(path, line, "row", f"{width} tab-separated fields", got=raw)
        if not row[0].strip().isdigit():
            raise DataFormatError(path, line, "Tweet index", "an integer", got=row[0])
        label = check_choice(path, line, "Label", row[1], IRONY_LABELS) if labelled else None
        out.append(labelled_example(row[0].strip(), row[-1], label, {"line": line}))
    return out
