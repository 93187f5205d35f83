"""Layering: nle never imports projects; a project never imports another project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = sorted(p.name for p in (ROOT / "projects").iterdir() if p.is_dir() and (p / "__init__.py").exists())


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_nle_never_imports_projects() -> None:
    offenders = [(str(p.relative_to(ROOT)), m) for p in (ROOT / "nle").rglob("*.py") for m in imported_modules(p)
                 if m == "projects" or m.startswith("projects.")]
    assert not offenders, offenders


@pytest.mark.parametrize("project", PROJECTS)
def test_projects_do_not_import_each_other(project: str) -> None:
    others = [p for p in PROJECTS if p != project]
    offenders = [(str(p.relative_to(ROOT)), m) for p in (ROOT / "projects" / project).rglob("*.py")
                 for m in imported_modules(p) if any(m.startswith(f"projects.{o}") for o in others)]
    assert not offenders, offenders


def test_no_eval_exec_or_pickle_loads_in_the_code() -> None:
    bad = []
    for p in [*(ROOT / "nle").rglob("*.py"), *(ROOT / "projects").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"eval", "exec"}:
                bad.append((str(p.relative_to(ROOT)), node.func.id))
            if isinstance(node, ast.Attribute) and node.attr in {"loads", "load"} and \
                    isinstance(node.value, ast.Name) and node.value.id == "pickle":
                bad.append((str(p.relative_to(ROOT)), "pickle"))
    assert not bad, bad


def _imports_of(package: str) -> list[tuple[str, str]]:
    return [(str(p.relative_to(ROOT)), m) for p in (ROOT / "nle" / package).rglob("*.py") for m in imported_modules(p)]


def _under(module: str, *packages: str) -> bool:
    return any(module == f"nle.{p}" or module.startswith(f"nle.{p}.") for p in packages)


@pytest.mark.parametrize(("package", "forbidden"), [
    ("logic", ("parsing", "matching", "rules", "training", "results")),  # the layer under parsing and matching
    ("parsing", ("matching", "rules", "training", "results")),  # text -> form needs only the logic layer
    ("matching", ("parsing", "rules")),  # form -> labels needs only the logic layer
    ("data", ("training", "results", "parsing", "matching", "rules", "logic")),
])
def test_layers(package: str, forbidden: tuple[str, ...]) -> None:
    """``nle.logic`` under ``nle.parsing`` and ``nle.matching``; ``nle.rules`` above both. A package's command-line
    entry point (``__main__.py``) is a top-level program and may compose the layers above it."""
    offenders = [(f, m) for f, m in _imports_of(package) if _under(m, *forbidden) and not f.endswith("__main__.py")]
    assert not offenders, offenders
