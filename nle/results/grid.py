"""A grid runner: every (config, seed) of a method comparison in one command, skipping runs already done.

    python -m nle.results.grid --project next_tacred \\
        --configs projects/next_tacred/configs/a.yaml projects/next_tacred/configs/b.yaml \\
        --seeds 1 2 3 [--dry-run] [--force] [--runs runs] [-- extra args passed to every run]

Each (config, seed) runs
``python -m projects.<project>.train --config CFG --seed_everything SEED --run_root RUNS [extra...]``
in a subprocess, one after the other, unless ``<runs>/<project>/<experiment>/seed=<seed>/results.json`` exists.
``experiment`` is the config's top-level ``experiment:`` value, else the config file's stem, which is the rule
``nle.training.cli.NLECLI`` uses to name its run folder (an ``--experiment`` passed in the extra arguments is not
seen by the grid). A failed run (non-zero exit, or exit 0 without a ``results.json``) is reported and the grid goes
on; the exit code is 1 when any run failed.

>>> [r.command[1:] for r in plan_grid("p", ["a.yaml"], [1], python="python", read_experiment=lambda c: "a")]
[('-m', 'projects.p.train', '--config', 'a.yaml', '--seed_everything', '1', '--run_root', 'runs')]
"""

from __future__ import annotations

import argparse
import enum
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

DEFAULT_MODULE_TEMPLATE = "projects.{project}.train"


class Status(str, enum.Enum):
    TODO = "todo"
    SKIPPED = "skipped"
    RAN = "ran"
    FAILED = "failed"
    DRY_RUN = "dry-run"


@dataclass(frozen=True)
class GridRun:
    """One planned run: its config, seed, experiment name, expected run folder and command line."""

    config: str
    seed: int
    experiment: str
    run_dir: Path
    command: tuple[str, ...]
    status: Status = Status.TODO
    detail: str = ""
    wall_time_s: float = 0.0

    @property
    def results_path(self) -> Path:
        return self.run_dir / "results.json"


def experiment_name(config: str | os.PathLike[str]) -> str:
    """The config's top-level ``experiment:`` value, else the file stem. Base configs are not followed."""
    path = Path(config)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, Mapping) and data.get("experiment") is not None:
        return str(data["experiment"])
    return path.stem


def run_dir_for(runs_root: str | os.PathLike[str], project: str, experiment: str, seed: int) -> Path:
    """``<runs_root>/<project>/<experiment>/seed=<seed>``: where a run writes, and where the grid looks."""
    return Path(runs_root) / project / experiment / f"seed={seed}"


def build_command(
    project: str,
    config: str,
    seed: int,
    runs_root: str | os.PathLike[str] = "runs",
    extra: Sequence[str] = (),
    module_template: str = DEFAULT_MODULE_TEMPLATE,
    python: str = sys.executable,
) -> tuple[str, ...]:
    """``(python, "-m", module, "--config", config, "--seed_everything", seed, "--run_root", runs_root, *extra)``.

    ``module`` is ``module_template`` with ``{project}`` filled in.
    """
    module = module_template.format(project=project)
    return (python, "-m", module, "--config", config, "--seed_everything", str(seed), "--run_root", str(runs_root),
            *extra)


def plan_grid(
    project: str,
    configs: Sequence[str],
    seeds: Sequence[int],
    runs_root: str | os.PathLike[str] = "runs",
    extra: Sequence[str] = (),
    module_template: str = DEFAULT_MODULE_TEMPLATE,
    python: str = sys.executable,
    force: bool = False,
    read_experiment: Callable[[str], str] = experiment_name,
) -> list[GridRun]:
    """The runs of the grid, config-major (all seeds of the first config first).

    A run whose ``results.json`` already exists is ``Status.SKIPPED`` unless ``force``; the rest are ``Status.TODO``.
    Two configs that resolve to the same experiment name raise ``ValueError`` (their runs would overwrite each other).
    """
    names = {cfg: read_experiment(cfg) for cfg in configs}
    seen: dict[str, str] = {}
    for cfg, name in names.items():
        if name in seen and seen[name] != cfg:
            raise ValueError(f"configs {seen[name]} and {cfg} both name experiment {name!r}; "
                             "set a distinct top-level `experiment:` in one of them")
        seen[name] = cfg
    plan = []
    for cfg in configs:
        for seed in seeds:
            run_dir = run_dir_for(runs_root, project, names[cfg], seed)
            run = GridRun(str(cfg), int(seed), names[cfg], run_dir,
                          build_command(project, str(cfg), int(seed), runs_root, extra, module_template, python))
            if not force and run.results_path.exists():
                run = replace(run, status=Status.SKIPPED, detail="results.json exists")
            plan.append(run)
    return plan


def execute(run: GridRun, env: Mapping[str, str] | None = None) -> GridRun:
    """Run one planned run as a subprocess (output goes to this process's stdout/stderr) and return its outcome."""
    start = time.perf_counter()
    proc = subprocess.run(list(run.command), env=None if env is None else dict(env), check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        return replace(run, status=Status.FAILED, detail=f"exit code {proc.returncode}", wall_time_s=took)
    if not run.results_path.exists():
        return replace(run, status=Status.FAILED, detail=f"exit 0 but no {run.results_path}", wall_time_s=took)
    return replace(run, status=Status.RAN, wall_time_s=took)


def run_grid(
    plan: Sequence[GridRun],
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
) -> list[GridRun]:
    """Execute the ``TODO`` runs of ``plan`` in order (none with ``dry_run``); skipped runs pass through.

    Each subprocess gets ``os.environ`` updated with ``env``.
    """
    full_env = {**os.environ, **(env or {})}
    done = []
    for i, run in enumerate(plan, 1):
        if run.status is not Status.TODO:
            done.append(run)
            continue
        if dry_run:
            done.append(replace(run, status=Status.DRY_RUN, detail=" ".join(run.command)))
            continue
        print(f"[grid {i}/{len(plan)}] {run.experiment} seed={run.seed}: {' '.join(run.command)}", flush=True)
        outcome = execute(run, full_env)
        if outcome.status is Status.FAILED:
            print(f"[grid {i}/{len(plan)}] FAILED {run.experiment} seed={run.seed}: {outcome.detail}", flush=True)
        done.append(outcome)
    return done


def summary(outcomes: Sequence[GridRun]) -> str:
    """A plain-text table: experiment, seed, status, wall time, detail; then counts per status."""
    header = ("experiment", "seed", "status", "time_s", "detail")
    rows = [(r.experiment, str(r.seed), r.status.value, f"{r.wall_time_s:.1f}", r.detail) for r in outcomes]
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(x.ljust(w) for x, w in zip(line, widths)).rstrip() for line in [header, *rows]]
    counts = {s.value: sum(r.status is s for r in outcomes) for s in Status if s is not Status.TODO}
    lines.append(", ".join(f"{n} {name}" for name, n in counts.items() if n or name != "dry-run"))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the grid; returns the exit code (1 when any run failed)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(prog="python -m nle.results.grid", description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", required=True, help="project package under projects/, e.g. next_tacred")
    parser.add_argument("--configs", nargs="+", required=True, help="config YAML files, one experiment each")
    parser.add_argument("--seeds", nargs="+", type=int, required=True, help="seeds to run for every config")
    parser.add_argument("--runs", default="runs", help="runs root (default: runs)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    parser.add_argument("--force", action="store_true", help="rerun even where results.json exists")
    parser.add_argument("--module-template", default=DEFAULT_MODULE_TEMPLATE,
                        help="module to run with -m; {project} is replaced (default: %(default)s)")
    args = parser.parse_args(argv)
    for cfg in args.configs:
        if not Path(cfg).is_file():
            parser.error(f"config not found: {cfg}")
    plan = plan_grid(args.project, args.configs, args.seeds, args.runs, extra, args.module_template, force=args.force)
    outcomes = run_grid(plan, dry_run=args.dry_run)
    print(summary(outcomes))
    return 1 if any(r.status is Status.FAILED for r in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
