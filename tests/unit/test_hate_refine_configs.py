"""The diagnostics configs parse, and their checkpoints are the runs of checked-in hate_refine configs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nle.attribution.diagnose import load_config

ROOT = Path(__file__).resolve().parents[2]
DIAGNOSE = sorted((ROOT / "configs" / "attribution").glob("*.yaml"))
TRAIN_CONFIGS = ROOT / "projects" / "hate_refine" / "configs"


@pytest.mark.parametrize("path", DIAGNOSE, ids=lambda p: p.name)
def test_diagnose_config_parses_and_names_trained_experiments(path: Path) -> None:
    cfg = load_config(path)
    assert len(cfg.models) >= 2, "rationale consistency needs two seeds"
    assert len({m.seed for m in cfg.models}) == len(cfg.models)
    for model in cfg.models:
        assert model.checkpoint is not None
        parts = Path(model.checkpoint).parts  # runs/hate_refine/<experiment>/seed=<s>/checkpoints/last.ckpt
        assert parts[:2] == ("runs", "hate_refine") and parts[3] == f"seed={model.seed}"
        trained = {yaml.safe_load(p.read_text())["experiment"]: yaml.safe_load(p.read_text())
                   for p in TRAIN_CONFIGS.glob("*.yaml")}
        assert parts[2] in trained
        data = trained[parts[2]]["data"]["init_args"]
        assert data.get("tail_words") == cfg.data.tail_words  # the diagnosed window is the one the model read
