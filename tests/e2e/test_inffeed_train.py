"""``python -m projects.inffeed.train`` end to end on the built-in sample (smoke config), then the tables."""

from __future__ import annotations

import json
from pathlib import Path

from projects.inffeed import tables, train

ROOT = Path(__file__).resolve().parents[2]
SMOKE = str(ROOT / "projects/inffeed/configs/smoke.yaml")
FEEDBACK = ["plain", "feedback_top1_proponent_c0.6", "feedback_top5_magnitude_c0.6", "feedback_top5_opponents_c0.6",
            "feedback_tuned"]
EXTENSION = ["gold_only", "silver_extension", "reannotate_harmful", "reannotate_random", "reannotate_all"]
CURVE = [f"curve_{s}_{f}" for f in ("0", "0.2", "1") for s in ("ranked", "random")]


def test_smoke_run_writes_every_arm_and_renders(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = ["--config", SMOKE, "--run_root", str(runs), "--data.init_args.feature_cache", str(tmp_path / "features")]
    records = train.main(args)
    assert [r.method for r in records] == FEEDBACK + EXTENSION + CURVE
    run_dir = runs / "inffeed" / "smoke" / "seed=1"
    for r in records:
        saved = json.loads((run_dir / r.method / "results.json").read_text())
        assert saved["method"] == r.method and saved["extra"]["task"] == "sample"
        assert 0.0 <= saved["metrics"]["dev"]["macro_f1"] <= 1.0
    by = {r.method: r for r in records}
    assert by["plain"].metrics["dev"]["macro_f1"] > 0.5           # 3 classes: chance is about 0.33
    assert by["reannotate_all"].metrics["selection"]["fraction_reannotated"] == 1.0
    n_harm = by["reannotate_harmful"].metrics["selection"]["n_reannotated"]
    assert by["reannotate_random"].metrics["selection"]["n_reannotated"] == n_harm   # equal budget
    assert by["curve_ranked_0"].metrics == by["silver_extension"].metrics or \
        by["curve_ranked_0"].metrics["dev"] == by["silver_extension"].metrics["dev"]
    assert list((tmp_path / "features").glob("*.json")), "features are cached with their metadata"

    out = tmp_path / "tables"
    assert tables.main(["--runs", str(runs), "--out", str(out), "--format", "md"]) == 0
    assert (out / "sample_reannotation_curve.png").stat().st_size > 0
