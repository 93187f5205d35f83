"""``benchmarks/gpu/grid.sh`` runs every (config, seed) of a grid concurrently and copies each run's records out in
the layout the tables read; checked here on the CPU (``NLE_GRID_ACCELERATOR=cpu``) with the tiny smoke config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nle.results.record import load_results
from tests.e2e.conftest import ROOT, SMOKE, read_json


def test_grid_runs_every_seed_and_copies_the_records_out(tmp_path: Path) -> None:
    env = {**os.environ, "OUT": str(tmp_path / "out"), "NLE_GRID_ACCELERATOR": "cpu",
           "NLE_GRID_CARRY": str(tmp_path / "no-carry"), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "benchmarks/gpu/grid.sh", "next_tacred", "2", "1 2", SMOKE, "--",
                           "--experiment", "grid_smoke"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    records = tmp_path / "out" / "records"
    for seed in (1, 2):
        run = records / "next_tacred" / "grid_smoke" / f"seed={seed}"
        assert {p.name for p in run.iterdir()} == {"results.json", "config.yaml", "metrics.csv"}  # no checkpoints
        assert read_json(run / "results.json")["seed"] == seed
    steps = (tmp_path / "out" / "steps.txt").read_text().split("\n")
    assert sorted(line.split()[1] for line in steps if line) == ["rc=0", "rc=0"]
    assert sorted(r.seed for r in load_results(records / "next_tacred")) == [1, 2]  # what the tables read
