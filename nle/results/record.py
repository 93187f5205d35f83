"""One run, one record: the ``results.json`` every training run writes, and how to write and read it.

A record holds the metrics of one (experiment, seed) run together with everything needed to reproduce it:
the resolved config and its hash, the git SHA and dirty flag, data checksums, package versions, the
hardware and precision, and the wall time. Paper tables are built only from these records.

>>> rec = ResultRecord(project="p", experiment="e", method="m", seed=1, metrics={"dev": {"f1": 0.7}},
...                    config_hash="ab", config_files=["c.yaml"], config={"data": {"n": 5}}, git_sha="abc",
...                    git_dirty=False, data_files={}, versions={}, devices=1, accelerator="cpu", num_nodes=1,
...                    precision="32-true", wall_time_s=1.5, created="2024-01-01T00:00:00+00:00", run_dir="runs/p/e/seed=1")
>>> ResultRecord.from_json(rec.to_json()) == rec
True
>>> rec.get("config.data.n"), rec.metric("dev", "f1")
(5, 0.7)
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from nle.atomic import write_text_atomic
from nle.data.errors import DataFormatError

SCHEMA_VERSION: int = 1
"""Version of the ``results.json`` layout; bumped when a field changes meaning. Files newer than this are refused."""


@dataclass(frozen=True)
class ResultRecord:
    """The record of one finished run (one experiment, one seed).

    ``metrics`` maps split -> metric name -> value, e.g. ``{"dev": {"semeval_f1": 0.71}, "test": {...}}``.
    ``data_files`` maps a data path to its sha256; ``versions`` maps a package to its version; ``created`` is
    an ISO-8601 UTC time stamp; ``extra`` is free-form (best checkpoint, epochs, throughput, ...).
    Every field except ``extra`` is required when a record is read from a file.
    """

    project: str
    experiment: str
    method: str
    seed: int
    metrics: dict[str, dict[str, float]]
    config_hash: str
    config_files: list[str]
    config: dict[str, Any]
    git_sha: str
    git_dirty: bool
    data_files: dict[str, str]
    versions: dict[str, str]
    devices: int
    accelerator: str
    num_nodes: int
    precision: str
    wall_time_s: float
    created: str
    run_dir: str
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problem = _check_types(self)
        if problem is not None:
            name, expected, got = problem
            raise DataFormatError("<ResultRecord>", None, name, expected, got)

    def get(self, key: str) -> Any:
        """The value at a dotted key: a field name, then keys into dicts (``"config.data.n_explanations"``).

        Raises ``KeyError`` naming the key and the part that is absent.
        """
        head, *rest = key.split(".")
        if head not in _FIELD_NAMES:
            raise KeyError(f"{key!r}: {head!r} is not a ResultRecord field")
        value: Any = getattr(self, head)
        for i, part in enumerate(rest):
            if not isinstance(value, Mapping) or part not in value:
                raise KeyError(f"{key!r}: no key {part!r} under {'.'.join([head, *rest[:i]])!r}")
            value = value[part]
        return value

    def metric(self, split: str, name: str) -> float:
        """``metrics[split][name]``; ``KeyError`` lists what the record has when it is absent."""
        if split not in self.metrics or name not in self.metrics[split]:
            have = {s: sorted(m) for s, m in self.metrics.items()}
            raise KeyError(f"run {self.run_dir!r} has no metric {split}/{name}; it has {have}")
        return self.metrics[split][name]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with ``schema_version`` first, then the fields in declaration order."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        out.update({f.name: getattr(self, f.name) for f in fields(self)})
        return out

    def to_json(self) -> str:
        """Indented JSON text (non-finite metric values are written as ``NaN``/``Infinity``, which Python reads back)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> ResultRecord:
        """Build a record from a parsed ``results.json``; ``source`` names the file in error messages.

        Missing required keys and wrong types raise ``DataFormatError`` (a ``ValueError``) naming the file and key.
        Unknown keys are kept in ``extra`` under their own name, with a warning.
        """
        if not isinstance(data, Mapping):
            raise DataFormatError(source, None, "<root>", "a JSON object", type(data).__name__)
        version = data.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise DataFormatError(source, None, "schema_version", f"an integer <= {SCHEMA_VERSION}", version)
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in data:
                kwargs[f.name] = data[f.name]
            elif f.name != "extra":
                raise DataFormatError(source, None, f.name, "a required results.json key", "nothing (key missing)")
        extra = kwargs.get("extra", {})
        if not isinstance(extra, dict):
            raise DataFormatError(source, None, "extra", "a JSON object", type(extra).__name__)
        extra = dict(extra)
        for key in data:
            if key in _FIELD_NAMES or key == "schema_version":
                continue
            if key in extra:
                raise DataFormatError(source, None, key, f"an unknown key not also in extra (extra.{key} exists)", data[key])
            warnings.warn(f"{source}: unknown key {key!r} kept in extra[{key!r}]", stacklevel=2)
            extra[key] = data[key]
        kwargs["extra"] = extra
        try:
            return cls(**kwargs)
        except DataFormatError as e:
            raise DataFormatError(source, None, e.field, e.expected, e.got) from None

    @classmethod
    def from_json(cls, text: str, source: str = "<string>") -> ResultRecord:
        """Parse JSON text; a syntax error is reported with ``source`` and the line."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise DataFormatError(source, e.lineno, "<json>", "valid JSON", e.msg) from None
        return cls.from_dict(data, source=source)


_FIELD_NAMES: frozenset[str] = frozenset(f.name for f in fields(ResultRecord))

_SIMPLE_TYPES: dict[str, tuple[type, ...]] = {
    "project": (str,), "experiment": (str,), "method": (str,), "config_hash": (str,), "git_sha": (str,),
    "accelerator": (str,), "precision": (str,), "created": (str,), "run_dir": (str,),
    "seed": (int,), "devices": (int,), "num_nodes": (int,), "git_dirty": (bool,), "wall_time_s": (int, float),
    "config": (dict,), "extra": (dict,),
}


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_types(rec: ResultRecord) -> tuple[str, str, object] | None:
    """The first (field, expected, got) that has the wrong type, or ``None`` when all are right."""
    for name, types in _SIMPLE_TYPES.items():
        value = getattr(rec, name)
        bad_bool = isinstance(value, bool) and bool not in types
        if not isinstance(value, types) or bad_bool:
            return name, " or ".join(t.__name__ for t in types), f"{type(value).__name__} {value!r}"
    if not isinstance(rec.metrics, dict):
        return "metrics", "a dict split -> metric -> number", type(rec.metrics).__name__
    for split, named in rec.metrics.items():
        if not isinstance(named, dict):
            return f"metrics.{split}", "a dict metric -> number", type(named).__name__
        for name, value in named.items():
            if not _is_number(value):
                return f"metrics.{split}.{name}", "a number", f"{type(value).__name__} {value!r}"
    if not isinstance(rec.config_files, list) or not all(isinstance(p, str) for p in rec.config_files):
        return "config_files", "a list of strings", rec.config_files
    for name in ("data_files", "versions"):
        value = getattr(rec, name)
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return name, "a dict of strings to strings", value
    return None


def write_results(record: ResultRecord, path: str | os.PathLike[str]) -> Path:
    """Write ``record`` to ``path`` atomically: a temp file in the same folder, flush + fsync, then ``os.replace``.

    A reader never sees a half-written ``results.json``; a crash leaves either the old file or none.
    Parent folders are created. Returns the path written.
    """
    return write_text_atomic(path, record.to_json())


def read_results(path: str | os.PathLike[str]) -> ResultRecord:
    """Read one ``results.json``; a malformed file raises ``DataFormatError`` naming the file and the problem."""
    path = Path(path)
    return ResultRecord.from_json(path.read_text(encoding="utf-8"), source=str(path))


def load_results(
    root_or_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    pattern: str = "**/results.json",
) -> list[ResultRecord]:
    """All records under a folder (files matching ``pattern``), or the records of the given files / folders.

    Files are read in sorted path order, so the result is deterministic. A folder or file that does not exist
    raises ``FileNotFoundError``; a malformed file raises ``DataFormatError`` naming it.

    >>> load_results([])
    []
    """
    roots = [root_or_paths] if isinstance(root_or_paths, (str, os.PathLike)) else list(root_or_paths)
    files: list[Path] = []
    for root in map(Path, roots):
        if root.is_dir():
            files.extend(sorted(p for p in root.glob(pattern) if p.is_file()))
        elif root.is_file():
            files.append(root)
        else:
            raise FileNotFoundError(f"no results folder or file at {root}")
    return [read_results(p) for p in files]

