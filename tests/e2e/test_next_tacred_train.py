"""The real entry point of projects/next_tacred on tiny models: artifacts, TACRED input, resumption, bf16."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nle.training.callbacks import SimulatedInterruption
from projects.next_tacred.train import main
from tests.e2e.conftest import SMOKE, read_json, read_jsonl


def test_smoke_run_leaves_every_artifact(run_root: Path) -> None:
    record = main(["--config", SMOKE, "--run_root", str(run_root)])
    run = run_root / "next_tacred" / "smoke" / "seed=1"
    for name in ("config.yaml", "metrics.csv", "results.json", "predictions/dev.jsonl", "predictions/test.jsonl",
                 "checkpoints/last.ckpt"):
        assert (run / name).is_file(), name
    assert list((run / "tb").glob("events.out.tfevents.*"))
    res = read_json(run / "results.json")
    assert res["project"] == "next_tacred" and res["experiment"] == "smoke" and res["seed"] == 1
    assert set(res["metrics"]) == {"dev", "test"}
    assert 0.0 <= res["metrics"]["dev"]["semeval_f1"] <= 1.0
    assert res["precision"] == "32-true" and res["devices"] == 1 and len(res["config_hash"]) == 64
    assert any(p.endswith("sample/train.txt") for p in res["data_files"])
    assert all(len(h) == 64 for h in res["data_files"].values())
    assert {"torch", "pytorch-lightning", "transformers"} <= set(res["versions"])
    assert record is not None and record.metrics == res["metrics"]
    rows = read_jsonl(run / "predictions/dev.jsonl")
    assert len(rows) == 76 and len({r["id"] for r in rows}) == 76  # every dev example once, no sampler padding
    assert set(rows[0]) == {"id", "gold", "pred", "scores"} and len(rows[0]["scores"]) == 19
    acc = sum(r["gold"] == r["pred"] for r in rows) / len(rows)
    assert abs(acc - res["metrics"]["dev"]["accuracy"]) < 1e-9


def _tacred_record(i: int, relation: str, words: list[str], subj: tuple[int, int], obj: tuple[int, int]) -> dict:
    n = len(words)
    return {"id": f"t{i}", "token": words, "relation": relation, "subj_start": subj[0], "subj_end": subj[1],
            "obj_start": obj[0], "obj_end": obj[1], "subj_type": "PERSON", "obj_type": "CITY",
            "stanford_pos": ["NN"] * n, "stanford_ner": ["O"] * n, "stanford_head": [0] * n,
            "stanford_deprel": ["dep"] * n}


def write_tacred(path: Path, n: int) -> Path:
    rows = []
    for i in range(n):
        if i % 2 == 0:
            rows.append(_tacred_record(i, "per:city_of_birth", ["Anna", "Smith", "was", "born", "in", "Oslo", "."],
                                       (0, 1), (5, 5)))
        else:
            rows.append(_tacred_record(i, "no_relation", ["Anna", "visited", "Oslo", "last", "week", "."], (0, 0), (2, 2)))
    path.write_text(json.dumps(rows))
    return path


def test_same_model_on_tacred_format(tmp_path: Path, run_root: Path) -> None:
    files = {s: write_tacred(tmp_path / f"{s}.json", 12) for s in ("train", "dev", "test")}
    main(["--config", SMOKE, "--run_root", str(run_root), "--experiment", "tacred_smoke",
          "--data.init_args.source", "tacred", "--data.init_args.train_file", str(files["train"]),
          "--data.init_args.dev_file", str(files["dev"]), "--data.init_args.test_file", str(files["test"]),
          "--model.init_args.metrics", "[tacred_f1, accuracy]"])
    res = read_json(run_root / "next_tacred" / "tacred_smoke" / "seed=1" / "results.json")
    assert set(res["metrics"]["dev"]) == {"tacred_f1", "accuracy"}
    rows = read_jsonl(run_root / "next_tacred" / "tacred_smoke" / "seed=1" / "predictions" / "test.jsonl")
    assert {r["id"] for r in rows} == {f"t{i}" for i in range(12)} and len(rows[0]["scores"]) == 42


def test_test_file_given_by_path_replaces_the_split(tmp_path: Path, run_root: Path) -> None:
    sample = Path(SMOKE).parents[1] / "sample" / "dev.txt"
    lines = sample.read_text().splitlines(keepends=True)[:8]  # the first two examples
    custom = tmp_path / "my_test.txt"
    custom.write_text("".join(lines))
    main(["--config", SMOKE, "--run_root", str(run_root), "--data.init_args.test_file", str(custom)])
    rows = read_jsonl(run_root / "next_tacred" / "smoke" / "seed=1" / "predictions" / "test.jsonl")
    assert len(rows) == 2


RESUME_ARGS = ["--trainer.max_steps", "-1", "--trainer.max_epochs", "3", "--trainer.limit_train_batches", "3"]


def test_interrupted_run_resumes_to_the_same_metrics(run_root: Path) -> None:
    main(["--config", SMOKE, *RESUME_ARGS, "--run_root", str(run_root), "--experiment", "straight"])
    straight = read_json(run_root / "next_tacred" / "straight" / "seed=1" / "results.json")

    args = ["--config", SMOKE, *RESUME_ARGS, "--run_root", str(run_root), "--experiment", "interrupted"]
    with pytest.raises(SimulatedInterruption):
        main([*args, "--trainer.callbacks+=nle.training.callbacks.InterruptAt", "--trainer.callbacks.epoch=2"])
    run = run_root / "next_tacred" / "interrupted" / "seed=1"
    assert (run / "checkpoints" / "last.ckpt").is_file() and not (run / "results.json").exists()
    main([*args, "--ckpt_path", "last"])
    resumed = read_json(run / "results.json")
    assert resumed["extra"]["global_step"] == straight["extra"]["global_step"] == 9
    for split in ("dev", "test"):
        for name, value in straight["metrics"][split].items():
            assert resumed["metrics"][split][name] == pytest.approx(value, abs=1e-9), (split, name)
    a = read_jsonl(run / "predictions" / "dev.jsonl")
    b = read_jsonl(run_root / "next_tacred" / "straight" / "seed=1" / "predictions" / "dev.jsonl")
    for x, y in zip(a, b):
        assert x["id"] == y["id"]
        assert max(abs(x["scores"][k] - y["scores"][k]) for k in x["scores"]) < 1e-5


def test_bf16_mixed_precision_runs(run_root: Path) -> None:
    main(["--config", SMOKE, "--run_root", str(run_root), "--trainer.precision", "bf16-mixed"])
    res = read_json(run_root / "next_tacred" / "smoke" / "seed=1" / "results.json")
    assert res["precision"] == "bf16-mixed"
    assert 0.0 <= res["metrics"]["dev"]["accuracy"] <= 1.0


def test_newcomer_default_experiment_and_table(run_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m projects.next_tacred.train` with no options: real MiniLM on the built-in sample, then the table."""
    from projects.next_tacred.tables import main as tables_main

    record = main(["--run_root", str(run_root)])  # only where runs go differs from the bare command
    assert record is not None and record.experiment == "sample_supervised"
    assert record.metrics["dev"]["semeval_f1"] > 0.5  # the sample is easy; a broken pipeline stays near 0.05
    assert tables_main(["--runs", str(run_root)]) == 0
    out = capsys.readouterr().out
    assert "Supervised (sample)" in out and "(n=1)" in out


def test_short_option_form_replaces_a_split(tmp_path: Path, run_root: Path) -> None:
    sample = Path(SMOKE).parents[1] / "sample" / "dev.txt"
    custom = tmp_path / "three.txt"
    custom.write_text("".join(sample.read_text().splitlines(keepends=True)[:12]))
    main(["--config", SMOKE, "--run_root", str(run_root), "--data.test_file", str(custom)])
    assert len(read_jsonl(run_root / "next_tacred" / "smoke" / "seed=1" / "predictions" / "test.jsonl")) == 3
