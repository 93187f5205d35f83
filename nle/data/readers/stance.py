"""Reader for SemEval-2016 Task 6 (stance in tweets): TSV ``ID<TAB>Target<TAB>Tweet<TAB>Stance``."""

from __future__ import annotations

import os

from nle.data.errors import resolve
from nle.data.readers.classification import (
    check_choice,
    check_header,
    check_width,
    iter_lines,
    labelled_example,
    read_decoded,
)
from nle.types import Example

STANCE_LABELS = frozenset({"AGAINST", "FAVOR", "NONE"})


def read_semeval2016_stance(path: str | os.PathLike[str], encodings: tuple[str, ...] = ("utf-8", "cp1252")) -> list[Example]:
    """SemEval-2016 Task 6 subtask A file (train, or test input / test with gold in the same layout).

    The official training file is Windows-1252 with CRLF line ends: the file is decoded with the first of
    ``encodings`` that decodes it whole. Label: ``"AGAINST"``, ``"FAVOR"`` or ``"NONE"``; ``"UNKNOWN"``
    (unlabelled test input) becomes ``None``. ``meta["target"]`` is one of the five targets
    (``"Atheism"``, ``"Climate Change is a Real Concern"``, ``"Feminist Movement"``, ``"Hillary Clinton"``,
    ``"Legalization of Abortion"``). Id: the ``ID`` column. Fields are unquoted (``"`` is ordinary text).

    >>> read_semeval2016_stance("semeval2016_task6_stance/data/semeval2016-task6-trainingdata.txt")[0].label  # doctest: +SKIP
    'AGAINST'
    """
    path = resolve(path)
    rows = iter_lines(read_decoded(path, encodings))
    _, header = next(rows, (1, ""))
    check_header(path, header.split("\t"), ("ID", "Target", "Tweet", "Stance"))
    out = []
    for line, raw in rows:
        row = raw.split("\t")
        check_width(path, line, row, 4)
        id_, target, tweet, stance = row
        check_choice(path, line, "Stance", stance, STANCE_LABELS | {"UNKNOWN"})
        label = None if stance == "UNKNOWN" else stance
        out.append(labelled_example(id_, tweet, label, {"target": target, "line": line}))
    return out
