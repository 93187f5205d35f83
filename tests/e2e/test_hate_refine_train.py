"""The real entry point of projects/hate_refine on a tiny random model: artifacts, tables, and the checkpoint
read back by the attribution diagnostics."""

from __future__ import annotations

from pathlib import Path

import torch

from nle.attribution.diagnose import DataSpec, DiagnoseConfig, MethodSpec, ModelSpec, diagnose, load_model
from nle.attribution.words import encode_words
from nle.training.encoder import load_tokenizer
from projects.hate_refine import tables
from projects.hate_refine.data import SAMPLE_DIR
from projects.hate_refine.train import CONFIG_DIR, main
from tests.e2e.conftest import read_json, read_jsonl

SMOKE = str(CONFIG_DIR / "smoke.yaml")


def test_smoke_run_records_macro_f1_and_its_checkpoint_explains(run_root: Path, tmp_path: Path,
                                                                 capsys) -> None:
    record = main(["--config", SMOKE, "--run_root", str(run_root), "--experiment", "sample_baseline"])
    run = run_root / "hate_refine" / "sample_baseline" / "seed=1"
    for name in ("config.yaml", "metrics.csv", "results.json", "predictions/dev.jsonl", "checkpoints/last.ckpt"):
        assert (run / name).is_file(), name
    res = read_json(run / "results.json")
    assert res["project"] == "hate_refine" and set(res["metrics"]) == {"dev"}  # no test split: it is blind
    assert set(res["metrics"]["dev"]) == {"macro_f1", "accuracy"}
    assert any(p.endswith("sample/train.jsonl") for p in res["data_files"])
    assert record is not None and record.metrics == res["metrics"]
    rows = read_jsonl(run / "predictions/dev.jsonl")
    assert len(rows) == 18 and set(rows[0]["scores"]) == {"hatespeech", "normal", "offensive"}
    acc = sum(r["gold"] == r["pred"] for r in rows) / len(rows)
    assert abs(acc - res["metrics"]["dev"]["accuracy"]) < 1e-9

    # the checkpoint is a plain NLEModule checkpoint: the diagnostics rebuild it and predict what training wrote
    module = load_model(ModelSpec(seed=1, checkpoint=str(run / "checkpoints/last.ckpt")))
    assert module.labels == ["hatespeech", "normal", "offensive"] and module.hparams.pooling == "mean"

    # the tables CLI renders the sample row from the record
    assert tables.main(["--runs", str(run_root), "--format", "md"]) == 0
    assert "MiniLM-L6 (sample)" in capsys.readouterr().out

    cfg = DiagnoseConfig(
        name="sample", out_dir=str(tmp_path / "diag"),
        data=DataSpec(dataset="hatexplain", split="val", path=str(SAMPLE_DIR / "dev.jsonl"), limit=4, max_length=32),
        models=(ModelSpec(seed=1, checkpoint=str(run / "checkpoints/last.ckpt")),),
        methods=(MethodSpec(method="occlusion", label="Occlusion"),), heatmaps=1)
    records = diagnose(cfg)
    assert len(records) == 1 and 0.0 <= records[0].metrics["val"]["token_auprc"] <= 1.0
    assert (tmp_path / "diag" / "tables" / "sample.md").is_file()


def test_best_checkpoint_predictions_match_a_fresh_forward(run_root: Path) -> None:
    main(["--config", SMOKE, "--run_root", str(run_root)])
    run = run_root / "hate_refine" / "smoke" / "seed=1"
    best = read_json(run / "results.json")["extra"]["best_checkpoint"]
    module = load_model(ModelSpec(seed=1, checkpoint=best))
    from nle.data.readers.hatexplain import read_hatexplain

    dev = read_hatexplain(SAMPLE_DIR / "dev.jsonl")
    batch = encode_words(load_tokenizer("minilm"), [ex.tokens for ex in dev], max_length=64)
    with torch.no_grad():
        probs = module(batch).softmax(-1)
    written = {r["id"]: r["scores"] for r in read_jsonl(run / "predictions/dev.jsonl")}
    for ex, p in zip(dev, probs.tolist()):
        assert max(abs(v - written[ex.id][k]) for v, k in zip(p, module.labels)) < 1e-5  # written with 6 decimals
