"""The benchmark contract: ``python -m benchmarks.<name> [--quick] [--out FILE]``.

Each benchmark runs ours and the peer side by side in one process, prints one line per comparison
``<comparison>: ratio=<peer_seconds/our_seconds> equal=<yes|no>`` and writes the same as JSON:
``[{"comparison", "ours_s", "peer_s", "ratio", "equal", ...}]``. ``--quick`` finishes in under a minute here.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nle.atomic import write_text_atomic


@dataclass(frozen=True)
class Comparison:
    comparison: str
    ours_s: float
    peer_s: float
    equal: bool
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.peer_s / self.ours_s if self.ours_s > 0 else float("inf")

    def line(self) -> str:
        return f"{self.comparison}: ratio={self.ratio:.3f} equal={'yes' if self.equal else 'no'}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def parse_args(description: str, argv: Sequence[str] | None = None,
               extra: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    """``--quick``, ``--out``, ``--device``, and whatever ``extra`` adds to the parser."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a smaller run that finishes in under a minute")
    parser.add_argument("--out", type=Path, default=None, help="write the comparisons as JSON here")
    parser.add_argument("--device", default="cpu", help="torch device of the models and data (cpu, cuda, cuda:1)")
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


def synchronize() -> None:
    """Wait for queued GPU work, so that a timer read afterwards counts it (a no-op without CUDA)."""
    import torch

    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The fastest of ``repeats`` calls of ``fn`` (seconds) and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        synchronize()
        t0 = time.perf_counter()
        result = fn()
        synchronize()
        best = min(best, time.perf_counter() - t0)
    return best, result


def interleaved_best(peer: Callable[[], Any], ours: Callable[[], Any], repeats: int) -> tuple[float, float, Any, Any]:
    """``(peer_s, ours_s, peer result, our result)``: the best of ``repeats`` rounds, each timing the peer then ours
    once (interleaved, so a change in machine load hits both sides)."""
    peer_s, ours_s, theirs, mine = float("inf"), float("inf"), None, None
    for _ in range(repeats):
        t, theirs = best_time(peer, 1)
        peer_s = min(peer_s, t)
        t, mine = best_time(ours, 1)
        ours_s = min(ours_s, t)
    return peer_s, ours_s, theirs, mine


def report(comparisons: Sequence[Comparison], out: Path | None) -> None:
    for c in comparisons:
        print(c.line())
    if out is not None:
        write_text_atomic(out, json.dumps([c.to_dict() for c in comparisons], indent=2))
