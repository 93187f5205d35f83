"""Errors that say where bad input is: the file, the line, the field, and what was expected."""

from __future__ import annotations

import os
from pathlib import Path


class DataFormatError(ValueError):
    """Malformed input. The message always names the file, the line (1-based, when it applies) and the field."""

    def __init__(self, path: str | os.PathLike[str], line: int | None, field: str, expected: str, got: object = None):
        self.path, self.line, self.field, self.expected, self.got = str(path), line, field, expected, got
        where = f"{self.path}:{line}" if line is not None else self.path
        got_s = "" if got is None else f"; got {str(got)[:120]!r}"
        super().__init__(f"{where}: field {field!r}: expected {expected}{got_s}")


class DataNotFoundError(FileNotFoundError):
    """A data file that is not where it was looked for; the message says how to point nle at it."""

    def __init__(self, path: str | os.PathLike[str], hint: str = ""):
        self.path = str(path)
        msg = (f"data file not found: {self.path}. "
               "Set NLE_DATA_DIR to the folder holding the benchmarks (e.g. `export NLE_DATA_DIR=$(realpath ../shared/data)`) "
               "or pass the file by path.")
        super().__init__(msg + (f" {hint}" if hint else ""))


def data_dir() -> Path:
    """The root of the benchmark data: ``$NLE_DATA_DIR``. Raises ``DataNotFoundError`` when unset or missing."""
    root = os.environ.get("NLE_DATA_DIR")
    if not root:
        raise DataNotFoundError("$NLE_DATA_DIR", hint="NLE_DATA_DIR is not set.")
    path = Path(root).expanduser()
    if not path.is_dir():
        raise DataNotFoundError(path, hint="NLE_DATA_DIR points to a folder that does not exist.")
    return path


def resolve(path: str | os.PathLike[str]) -> Path:
    """A path as given if it exists, else relative to ``$NLE_DATA_DIR``; raises ``DataNotFoundError`` naming both."""
    p = Path(path).expanduser()
    if p.exists():
        return p
    if not p.is_absolute() and os.environ.get("NLE_DATA_DIR"):
        q = data_dir() / p
        if q.exists():
            return q
        raise DataNotFoundError(q, hint=f"(also looked at {p.resolve()})")
    raise DataNotFoundError(p.resolve())
