"""What ``nle.attribution.diagnose`` computes per model, and its on-disk cache: resumable and shardable.

A model's explanations are computed one chunk of ``batch_size`` examples at a time, and every finished chunk is
saved under ``<out_dir>/cache/seed=<s>-<fingerprint>/chunk-<c>.npz`` (``numpy`` arrays plus a JSON string, read
with ``allow_pickle=False``; written atomically). The fingerprint hashes everything a chunk's numbers depend on
(data, methods and their options, target, batch size, fractions, device, the checkpoint's sha256), so a changed
config never reads stale numbers. Every method's randomness is seeded per chunk (SOC draws its uniforms from a
fixed seed per call), so a chunk's numbers do not depend on which process computed it or in which order: an
interrupted run resumes where it stopped, and ``--part I/N`` processes can split the chunks between them with the
same result as one process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nle.atomic import atomic_open
from nle.data.errors import DataFormatError
from nle.results.provenance import config_hash

FORMAT = 1
_CHUNK = re.compile(r"chunk-(\d+)\.npz")


@dataclass(frozen=True)
class Explained:
    """One method's explanations of one model on every example (per example: covered words only)."""

    words: list[np.ndarray]          # (W_i,) scores of the explained class
    class_words: list[np.ndarray]    # (C, W_i) scores of every class
    comprehensiveness: np.ndarray    # (N,) AOPC
    sufficiency: np.ndarray          # (N,) AOPC
    seconds: float                   # wall time of the attribute calls
    calls: int                       # explanations computed (examples × classes)


@dataclass(frozen=True)
class ModelRun:
    """A model's forward facts per example and its explanations per method label."""

    tokens: list[list[str]]          # covered words per example
    target: np.ndarray               # (N,) explained class
    confidence: np.ndarray           # (N,) p(target | x)
    activations: np.ndarray          # (N, D) pooled representation
    explained: dict[str, Explained]
    labels: tuple[str, ...] = ()     # the model's class names


def concat_runs(parts: Sequence[ModelRun]) -> ModelRun:
    """The runs of consecutive chunks as one run (example order kept; seconds and calls summed)."""
    if not parts:
        raise ValueError("concat_runs needs at least one part")
    first = parts[0]
    explained = {
        label: Explained(
            [w for p in parts for w in p.explained[label].words],
            [w for p in parts for w in p.explained[label].class_words],
            np.concatenate([p.explained[label].comprehensiveness for p in parts]),
            np.concatenate([p.explained[label].sufficiency for p in parts]),
            float(sum(p.explained[label].seconds for p in parts)),
            int(sum(p.explained[label].calls for p in parts)))
        for label in first.explained}
    return ModelRun([t for p in parts for t in p.tokens], np.concatenate([p.target for p in parts]),
                    np.concatenate([p.confidence for p in parts]), np.concatenate([p.activations for p in parts]),
                    explained, first.labels)


def save_run(path: str | Path, run: ModelRun, fingerprint: str) -> Path:
    """``run`` as one ``.npz`` (arrays, plus the JSON ``meta``: tokens, labels, method labels, seconds, calls)."""
    methods = list(run.explained)
    meta = {"format": FORMAT, "fingerprint": fingerprint, "tokens": run.tokens, "labels": list(run.labels),
            "methods": methods, "seconds": [run.explained[m].seconds for m in methods],
            "calls": [run.explained[m].calls for m in methods]}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta)), "target": run.target,
                                     "confidence": run.confidence, "activations": run.activations}
    for i, m in enumerate(methods):
        ex = run.explained[m]
        arrays[f"words{i}"] = np.concatenate(ex.words) if ex.words else np.zeros(0, np.float32)
        arrays[f"class_words{i}"] = (np.concatenate(ex.class_words, axis=1) if ex.class_words
                                     else np.zeros((0, 0), np.float32))
        arrays[f"comprehensiveness{i}"] = ex.comprehensiveness
        arrays[f"sufficiency{i}"] = ex.sufficiency
    with atomic_open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return Path(path)


def load_run(path: str | Path, fingerprint: str | None = None) -> ModelRun:
    """A run written by ``save_run``; ``fingerprint``, when given, must match the one it was saved with."""
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        meta = json.loads(str(data["meta"]))
    except (OSError, ValueError, KeyError) as err:
        raise DataFormatError(str(path), None, "<file>", "a diagnose cache written by save_run", repr(err)) from None
    if meta.get("format") != FORMAT:
        raise DataFormatError(str(path), None, "meta.format", f"format {FORMAT}", meta.get("format"))
    if fingerprint is not None and meta["fingerprint"] != fingerprint:
        raise DataFormatError(str(path), None, "meta.fingerprint", fingerprint, meta["fingerprint"])
    cuts = np.cumsum([len(t) for t in meta["tokens"]])[:-1]
    explained = {}
    for i, m in enumerate(meta["methods"]):
        explained[m] = Explained(list(np.split(data[f"words{i}"], cuts)),
                                 list(np.split(data[f"class_words{i}"], cuts, axis=1)),
                                 data[f"comprehensiveness{i}"], data[f"sufficiency{i}"],
                                 float(meta["seconds"][i]), int(meta["calls"][i]))
    return ModelRun(meta["tokens"], data["target"], data["confidence"], data["activations"], explained,
                    tuple(meta["labels"]))


def fingerprint(parts: Mapping[str, Any]) -> str:
    """A short, stable hash of what a cached result depends on."""
    return config_hash(dict(parts))[:16]


class ChunkStore:
    """The cached chunks of one model: ``root / f"chunk-{c:05d}.npz"`` for chunk ``c`` of ``n_chunks``."""

    def __init__(self, root: str | Path, fingerprint: str, n_chunks: int):
        self.root, self.fingerprint, self.n_chunks = Path(root), fingerprint, n_chunks

    def path(self, index: int) -> Path:
        return self.root / f"chunk-{index:05d}.npz"

    def done(self) -> set[int]:
        if not self.root.is_dir():
            return set()
        found = {int(m.group(1)) for p in self.root.iterdir() if (m := _CHUNK.fullmatch(p.name))}
        return {c for c in found if c < self.n_chunks}

    def complete(self) -> bool:
        return len(self.done()) == self.n_chunks

    def save(self, index: int, run: ModelRun) -> Path:
        return save_run(self.path(index), run, self.fingerprint)

    def load(self) -> ModelRun:
        missing = sorted(set(range(self.n_chunks)) - self.done())
        if missing:
            raise FileNotFoundError(f"{self.root}: chunks {missing} are not computed yet")
        return concat_runs([load_run(self.path(c), self.fingerprint) for c in range(self.n_chunks)])
