"""Atomic file writes: a reader sees the old file or the whole new one, never half of it.

Every file nle writes for a person or a later run (``results.json``, predictions, reports, caches, score arrays,
HTML) goes through ``atomic_open``: a temporary file in the same folder, flush + fsync, ``os.replace``, and an
fsync of the folder where the OS allows it. On an error the temporary file is removed and the old file stays.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a" / "x.txt"
>>> write_text_atomic(p, "hello").read_text()
'hello'
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing (``"w"`` or ``"wb"``); on success it replaces ``path``."""
    if mode not in {"w", "wb"}:
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the mode open() would
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[Any]) -> Path:
    """One JSON value per line, atomically."""
    with atomic_open(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return Path(path)


def _fsync_dir(folder: Path) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
