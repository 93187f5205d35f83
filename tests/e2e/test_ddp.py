"""Two CPU processes under DDP give the same metrics as one process.

Stated tolerance: with dropout off, W processes with per-process batch b see, step for step, the same examples as
one process with batch W*b (``ShardSampler``), and DDP averages their gradients, so the two runs differ only by
floating-point summation order: dev probabilities agree within 1e-4 and every metric within 1e-6.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, SMOKE, read_json, read_jsonl

NO_DROPOUT = ('{hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64, '
              'hidden_dropout_prob: 0.0, attention_probs_dropout_prob: 0.0}')


def train(run_root: Path, experiment: str, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "projects.next_tacred.train", "--config", SMOKE, "--run_root", str(run_root),
           "--experiment", experiment, "--model.init_args.dropout", "0.0",
           "--model.init_args.encoder_overrides", NO_DROPOUT, *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return read_json(run_root / "next_tacred" / experiment / "seed=1" / "results.json")


@pytest.mark.ddp
def test_two_process_ddp_matches_one_process(tmp_path: Path) -> None:
    one = train(tmp_path, "one", "--data.init_args.batch_size", "16")
    two = train(tmp_path, "two", "--data.init_args.batch_size", "8", "--trainer.accelerator", "cpu",
                "--trainer.devices", "2", "--trainer.strategy", "ddp")
    assert two["devices"] == 2 and one["devices"] == 1
    assert one["extra"]["global_step"] == two["extra"]["global_step"]
    for split in ("dev", "test"):
        for name, value in one["metrics"][split].items():
            assert two["metrics"][split][name] == pytest.approx(value, abs=1e-6), (split, name)
    a = read_jsonl(tmp_path / "next_tacred" / "one" / "seed=1" / "predictions" / "dev.jsonl")
    b = read_jsonl(tmp_path / "next_tacred" / "two" / "seed=1" / "predictions" / "dev.jsonl")
    assert [r["id"] for r in a] == [r["id"] for r in b] and len(a) == 76
    worst = max(abs(x["scores"][k] - y["scores"][k]) for x, y in zip(a, b) for k in x["scores"])
    assert worst < 1e-4
