"""Shared pieces of the text-classification readers: words with offsets, decoded files, rows with line numbers.

Every classification reader (``hate``, ``hatexplain``, ``tweeteval``, ``stance``, ``irony``, ``sarcasm``,
``movies``) builds its :class:`~nle.types.Example` records with these helpers, so that all of them tokenize the
same way and report bad input the same way (file, 1-based line, field).

Words come from :func:`nle.data.tokenize.tokenize` (the tokenizer shared by every nle reader).

>>> ex = labelled_example("a:1", "Don't stop, @user!", label="0")
>>> ex.tokens
('Do', "n't", 'stop', ',', '@', 'user', '!')
>>> ex.text[slice(*ex.token_offsets[2])]
'stop'
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nle.data.errors import DataFormatError
from nle.data.tokenize import tokenize
from nle.types import Example


def labelled_example(id: str, text: str, label: str | None, meta: Mapping[str, Any] | None = None) -> Example:
    """An :class:`Example` over raw ``text`` (words by :func:`nle.data.tokenize.tokenize`) with a label and meta."""
    tokens, offsets = tokenize(text)
    return Example(id=id, text=text, tokens=tokens, token_offsets=offsets, label=label, meta=dict(meta or {}))


def read_decoded(path: str | os.PathLike[str], encodings: Sequence[str] = ("utf-8",)) -> str:
    """The whole file as text, trying ``encodings`` in order (a leading UTF-8 BOM is dropped).

    Raises ``DataFormatError`` naming the 1-based line of the first undecodable byte under the first encoding.
    """
    raw = Path(path).read_bytes()
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as err:
            first_error = first_error or err
            continue
        return text[1:] if text.startswith("\ufeff") else text
    assert first_error is not None
    line = raw[: first_error.start].count(b"\n") + 1
    bad = raw[first_error.start : first_error.start + 8]
    raise DataFormatError(path, line, "encoding", f"text decodable as one of {list(encodings)}", got=bad)


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(1-based line number, line)`` with ``\\n`` / ``\\r\\n`` removed; the empty piece after a final newline is dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines, start=1):
        yield i, line[:-1] if line.endswith("\r") else line


def iter_csv(path: str | os.PathLike[str], text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """``(1-based line where the record starts, fields)`` for each CSV record (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise DataFormatError(path, start, "csv", "a well-formed CSV record", got=str(err)) from err
        yield start, row
        start = reader.line_num + 1


def check_header(path: str | os.PathLike[str], got: Sequence[str], expected: Sequence[str]) -> None:
    """Raise ``DataFormatError`` at line 1 unless the header row equals ``expected``."""
    if list(got) != list(expected):
        raise DataFormatError(path, 1, "header", f"columns {list(expected)}", got=list(got))


def check_width(path: str | os.PathLike[str], line: int, row: Sequence[str], width: int) -> None:
    """Raise ``DataFormatError`` unless the row has exactly ``width`` fields."""
    if len(row) != width:
        raise DataFormatError(path, line, "row", f"{width} fields", got=f"{len(row)} fields: {list(row)}")


def check_choice(path: str | os.PathLike[str], line: int, field: str, value: str, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``, else ``DataFormatError`` naming the field."""
    if value not in allowed:
        raise DataFormatError(path, line, field, f"one of {sorted(allowed)}", got=value)
    return value


def parse_bit(path: str | os.PathLike[str], line: int, field: str, value: object) -> int:
    """``0`` or ``1`` from ``"0"``/``"1"`` (or the ints), else ``DataFormatError`` naming the field."""
    if value in ("0", "1", 0, 1) and not isinstance(value, bool):
        return int(value)  # type: ignore[arg-type]
    raise DataFormatError(path, line, field, "0 or 1", got=value)


def json_object(path: str | os.PathLike[str], line: int, raw: str) -> dict[str, Any]:
    """One JSON object parsed from one line of a JSONL file, else ``DataFormatError`` at that line."""
    try:
        rec = json.loads(raw)
    except json.JSONDecodeError as err:
        raise DataFormatError(path, line, "json", "one JSON object per line", got=f"{err.msg} at column {err.colno}") from err
    if not isinstance(rec, dict):
        raise DataFormatError(path, line, "json", "a JSON object", got=type(rec).__name__)
    return rec
