"""Provenance stamps for a run: git SHA and dirty flag, package versions, config hash, data checksums, time.

>>> config_hash({"b": 1, "a": [1, 2]}) == config_hash({"a": [1, 2], "b": 1})
True
>>> config_hash({"trainer": {"logger": True, "max_steps": 2}}, ignore=("trainer.logger",)) == config_hash(
...     {"trainer": {"max_steps": 2}})
True
"""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from nle.checksum import sha256_file

DEFAULT_PACKAGES: tuple[str, ...] = (
    "torch", "pytorch-lightning", "transformers", "torchmetrics", "spacy", "datasets", "captum", "numpy", "nle",
)
"""The packages whose versions every record carries (plus ``python``)."""

_NLE_ROOT = Path(__file__).resolve().parents[2]
"""The folder holding the ``nle`` package: the repository root in a source checkout or editable install."""


def git_info(cwd: str | os.PathLike[str] | None = None) -> tuple[str, bool]:
    """``(sha, dirty)`` of the git work tree at ``cwd`` (default: the folder holding the ``nle`` package).

    ``dirty`` is true when tracked files differ from ``HEAD`` or untracked, non-ignored files exist
    (``git status --porcelain`` is not empty). Outside a repository, without a ``git`` executable, or in a
    repository without commits, returns ``("unknown", False)`` and does not raise.
    """
    where = Path(cwd) if cwd is not None else _NLE_ROOT
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True,
                             timeout=30, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain"], cwd=where, capture_output=True, text=True,
                                timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return (sha or "unknown"), bool(status.strip())


def package_versions(names: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str]:
    """Installed version of each distribution (``importlib.metadata``), ``"not installed"`` when absent.

    The Python version is always added under ``"python"``.

    >>> package_versions(["surely-not-a-package-xyz"])["surely-not-a-package-xyz"]
    'not installed'
    """
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def config_hash(config: Mapping[str, Any], ignore: Iterable[str] = ()) -> str:
    """sha256 (hex) of the canonical JSON of ``config``: sorted keys, no whitespace, UTF-8.

    The hash covers exactly what it is given, except the dotted keys in ``ignore`` (``"trainer.logger"``), which are
    dropped first; absent ignore keys are fine. Callers decide what must not change the hash (loggers, callbacks,
    output folders, the seed when all seeds of one config should share a hash) and pass it here.
    Tuples hash like lists, ``Path`` like its string, enums like their value; other non-JSON values raise
    ``TypeError``.
    """
    cfg: Any = copy.deepcopy(dict(config))
    for key in ignore:
        *parents, last = key.split(".")
        node = cfg
        for part in parents:
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, dict):
            node.pop(last, None)
    text = json.dumps(cfg, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"config_hash: value of type {type(value).__name__} is not JSON-serialisable: {value!r}")


def utc_now() -> str:
    """The current time as ISO-8601 UTC with seconds, e.g. ``"2024-05-01T12:00:00+00:00"``."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def stamp(
    config: Mapping[str, Any],
    data_files: Iterable[str | os.PathLike[str]] = (),
    ignore: Iterable[str] = (),
    packages: Iterable[str] = DEFAULT_PACKAGES,
    cwd: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """The provenance fields of a ``ResultRecord`` in one call.

    Returns ``{"config_hash", "git_sha", "git_dirty", "data_files", "versions", "created"}`` ready to pass as
    keyword arguments; ``data_files`` maps each given path (as given) to its sha256.
    """
    sha, dirty = git_info(cwd)
    return {
        "config_hash": config_hash(config, ignore=ignore),
        "git_sha": sha,
        "git_dirty": dirty,
        "data_files": {os.fspath(p): sha256_file(p) for p in data_files},
        "versions": package_versions(packages),
        "created": utc_now(),
    }
