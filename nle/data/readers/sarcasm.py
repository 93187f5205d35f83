"""Reader for iSarcasmEval (SemEval-2022 Task 6, English): author-labelled sarcasm with non-sarcastic rephrases."""

from __future__ import annotations

import os

from nle.data.errors import DataFormatError, resolve
from nle.data.readers.classification import check_width, iter_csv, labelled_example, parse_bit, read_decoded
from nle.types import Example

ISARCASM_CATEGORIES: tuple[str, ...] = ("sarcasm", "irony", "satire", "understatement", "overstatement",
                                        "rhetorical_question")
_TRAIN_HEADER = ("", "tweet", "sarcastic", "rephrase", *ISARCASM_CATEGORIES)
_TEST_A_HEADER = ("text", "sarcastic")


def read_isarcasmeval(path: str | os.PathLike[str]) -> list[Example]:
    """iSarcasmEval CSV: the train file or the task-A test file, told apart by the header.

    * train ``,tweet,sarcastic,rephrase,sarcasm,irony,satire,understatement,overstatement,rhetorical_question``:
      id = the first (row index) column; ``meta["rephrase"]`` is the author's non-sarcastic rephrase (``None``
      when empty) and ``meta["categories"]`` maps the six ironic-speech categories to 0/1 (``None`` for
      non-sarcastic rows, where the file leaves them empty);
    * task-A test ``text,sarcastic``: id = ``f"{file stem}:{line}"``.

    Label: ``"1"`` sarcastic, ``"0"`` not (the ``sarcastic`` column). The train file has one row (index 1062)
    whose tweet is empty; it is kept, with no tokens.
    """
    path = resolve(path)
    rows = iter_csv(path, read_decoded(path))
    _, header = next(rows, (1, []))
    if tuple(header) == _TRAIN_HEADER:
        train = True
    elif tuple(header) == _TEST_A_HEADER:
        train = False
    else:
        raise DataFormatError(path, 1, "header", f"columns {list(_TRAIN_HEADER)} or {list(_TEST_A_HEADER)}", got=header)
    out = []
    for line, row in rows:
        check_width(path, line, row, len(header))
        if not train:
            text, label = row[0], str(parse_bit(path, line, "sarcastic", row[1]))
            out.append(labelled_example(f"{path.stem}:{line}", text, label, {"line": line}))
            continue
        id_, text, sarcastic, rephrase, *flags = row
        label = str(parse_bit(path, line, "sarcastic", sarcastic))
        cats = None
        if any(f != "" for f in flags):
            cats = {c: parse_bit(path, line, c, f) for c, f in zip(ISARCASM_CATEGORIES, flags)}
        meta = {"rephrase": rephrase or None, "categories": cats, "line": line}
        out.append(labelled_example(id_, text, label, meta))
    return out
