"""sha256 of files, memoised on (path, size, mtime): the checksum every data declaration and results record uses.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"; _ = p.write_text("abc")
>>> sha256_file(p)[:12]
'ba7816bf8f01'
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

__all__ = ["sha256_file"]


def sha256_file(path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of a file's bytes, read in 1 MiB chunks.

    Memoised on (absolute path, size, mtime_ns): hashing the same unchanged file again is free, and a file that
    changes size or modification time is hashed anew. Raises ``FileNotFoundError`` when the file is absent.
    """
    p = Path(path).resolve()
    st = p.stat()
    return _sha256_cached(str(p), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
