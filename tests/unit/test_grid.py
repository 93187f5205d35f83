"""The grid runner: planning is pure and checked directly; the subprocess path runs a tiny fake training module."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from nle.results.grid import (
    GridRun,
    Status,
    build_command,
    experiment_name,
    main,
    plan_grid,
    run_dir_for,
    run_grid,
    summary,
)

REPO = Path(__file__).resolve().parents[2]

FAKE_TRAIN = '''\
"""A stand-in for projects.<p>.train: writes results.json where the grid expects it, or fails on request."""
import argparse, json, pathlib, sys
import yaml

p = argparse.ArgumentParser()
p.add_argument("--config")
p.add_argument("--seed_everything", type=int)
p.add_argument("--run_root")
p.add_argument("--fail-seed", type=int, default=None)
p.add_argument("--silent-seed", type=int, default=None)
a = p.parse_args()
cfg = yaml.safe_load(open(a.config)) or {}
exp = cfg.get("experiment") or pathlib.Path(a.config).stem
if a.seed_everything == a.fail_seed:
    print("boom", file=sys.stderr)
    sys.exit(3)
if a.seed_everything != a.silent_seed:
    out = pathlib.Path(a.run_root) / "proj" / exp / f"seed={a.seed_everything}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"seed": a.seed_everything, "argv": sys.argv[1:]}))
'''


@pytest.fixture()
def configs(tmp_path: Path) -> list[str]:
    cdir = tmp_path / "configs"
    cdir.mkdir()
    (cdir / "a.yaml").write_text("# row 1\nexperiment: alpha\nmodel:\n  lr: 0.1\n")
    (cdir / "b.yaml").write_text("model:\n  lr: 0.2\n")
    return [str(cdir / "a.yaml"), str(cdir / "b.yaml")]


def test_experiment_name_from_yaml_or_stem(configs):
    assert experiment_name(configs[0]) == "alpha"
    assert experiment_name(configs[1]) == "b"


def test_build_command_and_run_dir():
    assert build_command("next_tacred", "c.yaml", 3, "out/runs", ["--trainer.max_steps", "2"], python="py") == (
        "py", "-m", "projects.next_tacred.train", "--config", "c.yaml", "--seed_everything", "3",
        "--run_root", "out/runs", "--trainer.max_steps", "2")
    assert build_command("p", "c.yaml", 1, module_template="tools.{project}_run", python="py")[2] == "tools.p_run"
    assert run_dir_for("runs", "next_tacred", "alpha", 2) == Path("runs/next_tacred/alpha/seed=2")


def test_plan_is_config_major_and_skips_finished_runs(tmp_path, configs):
    runs = tmp_path / "runs"
    done = runs / "proj" / "alpha" / "seed=2" / "results.json"
    done.parent.mkdir(parents=True)
    done.write_text("{}")
    (runs / "proj" / "b" / "seed=1").mkdir(parents=True)  # a folder without results.json is not done
    plan = plan_grid("proj", configs, [1, 2], runs, extra=["--x", "1"], python="py")
    assert [(r.experiment, r.seed, r.status) for r in plan] == [
        ("alpha", 1, Status.TODO), ("alpha", 2, Status.SKIPPED), ("b", 1, Status.TODO), ("b", 2, Status.TODO)]
    assert plan[0].run_dir == runs / "proj" / "alpha" / "seed=1"
    assert plan[3].command == ("py", "-m", "projects.proj.train", "--config", configs[1], "--seed_everything", "2",
                               "--run_root", str(runs), "--x", "1")
    forced = plan_grid("proj", configs, [2], runs, force=True)
    assert [r.status for r in forced] == [Status.TODO, Status.TODO]


def test_plan_refuses_two_configs_with_one_experiment(configs):
    with pytest.raises(ValueError, match="both name experiment 'same'"):
        plan_grid("proj", configs, [1], read_experiment=lambda c: "same")


def test_dry_run_runs_nothing(tmp_path, configs, capsys):
    runs = tmp_path / "runs"
    code = main(["--project", "proj", "--configs", *configs, "--seeds", "1", "2", "--runs", str(runs), "--dry-run",
                 "--", "--trainer.max_steps", "2"])
    assert code == 0
    out = capsys.readouterr().out
    assert out.count("dry-run") == 4 + 1  # four rows and the count line
    assert "--trainer.max_steps 2" in out and "projects.proj.train" in out
    assert not runs.exists()


def test_summary_counts():
    runs = [GridRun("a.yaml", 1, "a", Path("r"), ("x",), Status.RAN, "", 2.0),
            GridRun("a.yaml", 2, "a", Path("r"), ("x",), Status.FAILED, "exit code 3", 1.0),
            GridRun("a.yaml", 3, "a", Path("r"), ("x",), Status.SKIPPED, "results.json exists")]
    text = summary(runs)
    lines = text.splitlines()
    assert lines[0].split() == ["experiment", "seed", "status", "time_s", "detail"]
    assert lines[2].split() == ["a", "2", "failed", "1.0", "exit", "code", "3"]
    assert lines[-1] == "1 skipped, 1 ran, 1 failed"


def test_subprocess_grid_runs_skips_and_reports_failures(tmp_path, configs, monkeypatch, capsys):
    (tmp_path / "fake_train.py").write_text(FAKE_TRAIN)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), str(REPO), os.environ.get("PYTHONPATH", "")]))
    runs = tmp_path / "runs"
    pre = runs / "proj" / "b" / "seed=1" / "results.json"
    pre.parent.mkdir(parents=True)
    pre.write_text('{"seed": 1, "argv": "earlier"}')
    argv = ["--project", "proj", "--configs", *configs, "--seeds", "1", "2", "3", "--runs", str(runs),
            "--module-template", "fake_train", "--", "--fail-seed", "2", "--silent-seed", "3"]
    assert main(argv) == 1
    lines = capsys.readouterr().out.splitlines()
    table = {tuple(line.split()[:3]) for line in lines if line.startswith(("alpha ", "b "))}
    assert table == {("alpha", "1", "ran"), ("alpha", "2", "failed"), ("alpha", "3", "failed"),
                     ("b", "1", "skipped"), ("b", "2", "failed"), ("b", "3", "failed")}
    assert lines[-1] == "1 skipped, 1 ran, 4 failed"
    written = json.loads((runs / "proj" / "alpha" / "seed=1" / "results.json").read_text())
    assert written["argv"] == ["--config", configs[0], "--seed_everything", "1", "--run_root", str(runs),
                               "--fail-seed", "2", "--silent-seed", "3"]
    assert json.loads(pre.read_text())["argv"] == "earlier"  # skipped, not rerun


def test_run_grid_outcome_details(tmp_path, configs, monkeypatch):
    (tmp_path / "fake_train.py").write_text(FAKE_TRAIN)
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    runs = tmp_path / "runs"
    plan = plan_grid("proj", configs[:1], [2, 3, 4], runs, extra=["--fail-seed", "2", "--silent-seed", "3"],
                     module_template="fake_train", python=sys.executable)
    out = run_grid(plan, env=env)
    assert [(r.status, r.detail.split(" ")[0]) for r in out] == [
        (Status.FAILED, "exit"), (Status.FAILED, "exit"), (Status.RAN, "")]
    assert out[0].detail == "exit code 3"
    assert out[1].detail.startswith("exit 0 but no ")
    assert out[2].wall_time_s > 0
    # a second pass skips what is done and retries what failed
    again = plan_grid("proj", configs[:1], [2, 3, 4], runs, module_template="fake_train")
    assert [r.status for r in again] == [Status.TODO, Status.TODO, Status.SKIPPED]
