"""The grid runner on the real next_tacred entry point: configs × seeds, then a rerun that skips finished runs."""

from __future__ import annotations

import os
from pathlib import Path

from nle.results import load_results
from nle.results.grid import main as grid_main
from tests.e2e.conftest import ROOT, SMOKE


def test_grid_runs_each_seed_once_then_skips(tmp_path: Path, capsys) -> None:
    os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    args = ["--project", "next_tacred", "--configs", SMOKE, "--seeds", "1", "2", "--runs", str(tmp_path)]
    assert grid_main(args) == 0
    records = load_results(tmp_path)
    assert sorted(r.seed for r in records) == [1, 2] and {r.experiment for r in records} == {"smoke"}
    assert records[0].config_hash != records[1].config_hash  # the seed is part of the resolved config
    capsys.readouterr()
    assert grid_main(args) == 0
    assert "skip" in capsys.readouterr().out.lower()
    assert len(load_results(tmp_path)) == 2
