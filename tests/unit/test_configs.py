"""Every checked-in config parses with its project's CLI, and every tables.yaml loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from nle.results import load_table_specs
from nle.training.cli import NLECLI

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "projects").glob("*/configs/**/*.yaml"))  # configs/bilstm/ etc. too
TABLES = sorted((ROOT / "projects").glob("*/tables.yaml"))


def project_classes(project: str) -> tuple[type, type, list[Path]]:
    import importlib

    train = importlib.import_module(f"projects.{project}.train")
    return train.MODEL_CLASS, train.DATA_CLASS, [train.CONFIG_DIR / "base.yaml"]


def project_of(config: Path) -> str:
    return config.relative_to(ROOT / "projects").parts[0]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: str(p.relative_to(ROOT / "projects")))
def test_config_parses(config: Path, tmp_path: Path) -> None:
    project = project_of(config)
    model_class, data_class, defaults = project_classes(project)
    cli = NLECLI(model_class, data_class, project=project, default_config_files=defaults, parse_only=True,
                 args=["--config", str(config), "--run_root", str(tmp_path)])
    cfg = cli.config
    assert cfg.experiment, "every config names its experiment"
    assert cfg.model.class_path and cfg.data.class_path
    header = config.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#"), "every config starts with a comment naming what it produces"


@pytest.mark.parametrize("tables", TABLES, ids=lambda p: p.parents[0].name)
def test_tables_yaml_loads(tables: Path) -> None:
    specs = load_table_specs(tables)
    assert specs and all(s.rows and s.columns for s in specs)
