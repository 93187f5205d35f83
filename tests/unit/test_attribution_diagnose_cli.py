"""``python -m nle.attribution.diagnose`` end to end on tiny random models and a HateXplain-format fixture."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
import yaml

from nle.attribution.diagnose import COLUMNS, load_config, load_model, main, parse_config
from nle.data.errors import DataFormatError
from nle.results.record import load_results
from nle.training.encoder import TINY_OVERRIDES

POSTS = [
    (["those", "people", "are", "animals", "and", "should", "leave"], [0, 0, 2], [0, 1, 0, 1, 0, 0, 1]),
    (["what", "a", "lovely", "day", "at", "the", "beach"], [1, 1, 1], None),
    (["go", "back", "to", "your", "country", "idiot"], [2, 2, 0], [1, 1, 0, 0, 1, 1]),
    (["women", "can", "not", "drive", "lol"], [2, 0, 2], [1, 0, 1, 1, 0]),
    (["the", "refugees", "are", "a", "plague"], [0, 0, 0], [0, 1, 0, 0, 1]),
    (["stop", "spamming", "my", "timeline", "moron"], [2, 2, 1], [0, 0, 0, 0, 1]),
    (["muslims", "are", "terrorists", "all", "of", "them"], [0, 0, 2], [1, 0, 1, 0, 0, 0]),
    (["immigrants", "ruin", "everything"], [0, 2, 0], [1, 1, 1]),
]
METHODS = ["saliency", "input_x_gradient", "IG", "occlusion", "soc", "marginalization"]


def write_fixture(path: Path) -> None:
    rows = []
    for i, (tokens, labels, mask) in enumerate(POSTS):
        # two annotators marked `mask`, the third marked nothing: mean rationale 2/3 on the marked words
        rationales = [] if mask is None else [mask, mask, [0] * len(mask)]
        rows.append({"id": f"post{i}", "post_tokens": tokens, "rationales": rationales,
                     "annotators": {"label": labels, "annotator_id": [1, 2, 3], "target": [["None"]] * 3}})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def tiny_module(n_labels: int = 3) -> dict:
    return {"encoder": "minilm", "pretrained": False, "encoder_overrides": dict(TINY_OVERRIDES),
            "num_labels": n_labels, "labels": ["hatespeech", "normal", "offensive"][:n_labels], "dropout": 0.0}


def config(data: Path, out: Path) -> dict:
    lm = {"kind": "lstm", "steps": 2, "embedding_dim": 8, "hidden_size": 8}
    return {
        "name": "tiny_diag", "out_dir": str(out), "batch_size": 4, "heatmaps": 3, "max_pairs": 50,
        "data": {"dataset": "hatexplain", "split": "val", "path": str(data), "max_length": 32},
        "models": [{"seed": 0, "module": tiny_module()}, {"seed": 1, "module": tiny_module()}],
        "methods": [{"method": "saliency"}, {"method": "input_x_gradient"},
                    {"method": "integrated_gradients", "label": "IG", "options": {"steps": 4}},
                    {"method": "occlusion"},
                    {"method": "soc", "options": {"nb_range": 1, "n_samples": 2}, "lm": lm},
                    {"method": "marginalization", "options": {"top_k": 3}, "lm": lm}],
    }


@pytest.fixture(scope="module")
def diagnosed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("diag")
    write_fixture(root / "val.jsonl")
    cfg_path = root / "tiny.yaml"
    cfg_path.write_text(yaml.safe_dump(config(root / "val.jsonl", root / "out")), encoding="utf-8")
    assert main(["--config", str(cfg_path)]) == 0
    return root / "out"


def test_records_hold_every_method_seed_and_metric(diagnosed: Path) -> None:
    records = load_results(diagnosed / "records")
    assert sorted((r.method, r.seed) for r in records) == sorted((m, s) for m in METHODS for s in (0, 1))
    for rec in records:
        assert rec.project == "attribution" and rec.experiment == "tiny_diag"
        m = rec.metrics["val"]
        assert set(m) >= {metric for _, metric, _, _ in COLUMNS} | {"confidence_baseline_mae"}
        assert 0.0 < m["token_auprc"] <= 1.0 and 0.0 <= m["token_f1"] <= 1.0
        assert -1.0 <= m["rationale_consistency"] <= 1.0 and -1.0 <= m["dataset_consistency"] <= 1.0
        assert 0.0 <= m["confidence_mae"] <= m["confidence_baseline_mae"] + 1e-9  # OLS never loses to a constant
        assert m["seconds_per_example"] > 0.0
        assert rec.extra["n_examples"] == 7 and rec.extra["explanations"] == 7 * 3  # normal post dropped; 3 classes
    # two seeds, two models: rationale consistency is the same single pair seen from either side
    for method in METHODS:
        a, b = (r.metrics["val"]["rationale_consistency"] for r in records if r.method == method)
        assert a == pytest.approx(b)


def test_tables_heatmaps_and_tensorboard(diagnosed: Path) -> None:
    md = (diagnosed / "tables" / "tiny_diag.md").read_text(encoding="utf-8")
    tex = (diagnosed / "tables" / "tiny_diag.tex").read_text(encoding="utf-8")
    for method in METHODS:
        assert f"| {method} |" in md and method.replace("_", r"\_") in tex
    assert "(n=2)" in md and "missing" not in md
    for label, *_ in COLUMNS:
        assert label in md
    for seed in (0, 1):
        html = (diagnosed / "heatmaps" / f"seed={seed}.html").read_text(encoding="utf-8")
        assert html.count("<table>") == 3 and "human rationale" in html and "animals" in html

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = list((diagnosed / "tb").glob("events.out.tfevents.*"))
    assert events
    acc = EventAccumulator(str(diagnosed / "tb"))
    acc.Reload()
    scalars = set(acc.Tags()["scalars"])
    assert {f"val/token_auprc/{m}" for m in METHODS} <= scalars
    assert [e.step for e in acc.Scalars("val/aopc_comprehensiveness/IG")] == [0, 1]
    assert any(t.startswith("top_words/saliency") for t in acc.Tags()["tensors"])


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    from nle.training.module import NLEModule

    torch.manual_seed(3)
    module = NLEModule(**tiny_module(2))
    path = tmp_path / "last.ckpt"
    torch.save({"hyper_parameters": dict(module.hparams), "state_dict": module.state_dict(), "epoch": 1}, path)
    from nle.attribution.diagnose import ModelSpec

    loaded = load_model(ModelSpec(seed=3, checkpoint=str(path)))
    assert not loaded.training and loaded.labels == ["hatespeech", "normal"]
    for name, value in module.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[name]), name
    (tmp_path / "best-epoch=1-step=9.ckpt").write_bytes(path.read_bytes())  # a glob naming exactly one file
    assert load_model(ModelSpec(seed=3, checkpoint=str(tmp_path / "best-*.ckpt"))).labels == ["hatespeech", "normal"]
    with pytest.raises(FileNotFoundError, match="exactly one file"):
        load_model(ModelSpec(seed=3, checkpoint=str(tmp_path / "*.ckpt")))


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    cfg = config(tmp_path / "x.jsonl", tmp_path / "out")
    with pytest.raises(DataFormatError, match=r"methods\[0\].method"):
        parse_config({**cfg, "methods": [{"method": "magic"}]}, "c.yaml")
    with pytest.raises(DataFormatError, match=r"data.datset"):
        parse_config({**cfg, "data": {**cfg["data"], "datset": "x"}}, "c.yaml")
    with pytest.raises(DataFormatError, match=r"exactly one of checkpoint and module"):
        parse_config({**cfg, "models": [{"seed": 0}]}, "c.yaml")
    with pytest.raises(DataFormatError, match="unique label"):
        parse_config({**cfg, "methods": [{"method": "saliency"}, {"method": "saliency"}]}, "c.yaml")


def test_checked_in_config_parses() -> None:
    path = Path(__file__).resolve().parents[2] / "configs" / "attribution" / "hatexplain_minilm.yaml"
    cfg = load_config(path)
    assert cfg.data.dataset == "hatexplain" and len(cfg.models) >= 2 and cfg.methods


def test_tail_words_explains_the_window_a_model_read(tmp_path: Path) -> None:
    """``data.tail_words``: each document is cut to its last N words, rationale included, before anything runs."""
    from nle.attribution.diagnose import load_examples

    write_fixture(tmp_path / "val.jsonl")
    cfg = parse_config(config(tmp_path / "val.jsonl", tmp_path / "out"), "c.yaml")
    whole, _ = load_examples(cfg.data)
    cut, _ = load_examples(replace(cfg.data, tail_words=3))
    by_id = {ex.id: ex for ex in whole}
    assert [ex.id for ex in cut] == [ex.id for ex in whole if any(r >= 0.5 for r in ex.rationale[-3:])]
    for ex in cut:
        full = by_id[ex.id]
        assert ex.tokens == full.tokens[-3:] and ex.rationale == full.rationale[-3:]
        assert ex.meta["window"] == (len(full.tokens) - 3, len(full.tokens))


def _metrics_without_time(records: list) -> dict:
    return {(r.method, r.seed): {k: v for k, v in r.metrics["val"].items() if k != "seconds_per_example"}
            for r in records}


def test_parts_and_resume_give_the_one_process_numbers(diagnosed: Path, tmp_path: Path) -> None:
    """Two ``--part`` processes (one seed at a time), an interruption and a resume: the same numbers as one call."""
    root = diagnosed.parent
    cfg_path = tmp_path / "tiny.yaml"
    cfg_path.write_text(yaml.safe_dump(config(root / "val.jsonl", tmp_path / "out")), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--config", str(cfg_path), "--part", "0/2", "--seeds", "0"]) == 0
    assert not (out / "records").exists() and not (out / "tables").exists()  # outputs wait for every chunk
    (seed0,) = (out / "cache").glob("seed=0-*")
    assert sorted(p.name for p in seed0.glob("chunk-*.npz")) == ["chunk-00000.npz"]  # 7 examples, 4 per chunk
    # soc and marginalization name the same LM spec: one fit, cached, read by both and by later calls
    assert len(list((out / "cache" / "lm").glob("*.pt"))) == 1
    assert main(["--config", str(cfg_path), "--part", "1/2"]) == 0  # chunk 1 of seed 0, chunk 1 of seed 1
    assert not (out / "records").exists()
    kept = (seed0 / "chunk-00000.npz").stat().st_mtime_ns
    assert main(["--config", str(cfg_path)]) == 0  # the rest: chunk 0 of seed 1; then the outputs
    assert (seed0 / "chunk-00000.npz").stat().st_mtime_ns == kept  # cached chunks are not recomputed
    assert _metrics_without_time(load_results(out / "records")) == _metrics_without_time(
        load_results(diagnosed / "records"))
    assert (out / "tables" / "tiny_diag.md").is_file() and (out / "heatmaps" / "seed=1.html").is_file()


def test_cache_is_keyed_by_what_the_numbers_depend_on(diagnosed: Path, tmp_path: Path) -> None:
    from nle.attribution.diagnose import chunk_store

    cfg = parse_config(config(diagnosed.parent / "val.jsonl", tmp_path / "out"), "c.yaml")
    raw = config(diagnosed.parent / "val.jsonl", tmp_path / "out")
    raw["methods"][2]["options"] = {"steps": 8}
    changed = parse_config(raw, "c.yaml")

    def roots(c: object, data: str) -> set[Path]:
        return {chunk_store(c, tmp_path, spec, 2, {"val.jsonl": data}).root for spec in c.models}  # type: ignore[attr-defined]

    assert len(roots(cfg, "x")) == 2 and roots(cfg, "x") == roots(cfg, "x")  # one folder per seed, stable
    assert not roots(cfg, "x") & roots(changed, "x")  # a method option changed
    assert not roots(cfg, "x") & roots(cfg, "y")  # the data file changed


def test_store_round_trip_and_bad_files(tmp_path: Path) -> None:
    import numpy as np

    from nle.attribution.diagnose_store import ChunkStore, Explained, ModelRun, concat_runs, load_run, save_run

    rng = np.random.default_rng(0)

    def run(lengths: list[int]) -> ModelRun:
        words = [rng.normal(size=n).astype(np.float32) for n in lengths]
        classes = [rng.normal(size=(3, n)).astype(np.float32) for n in lengths]
        ex = Explained(words, classes, rng.normal(size=len(lengths)), rng.normal(size=len(lengths)), 1.5, 3 * len(lengths))
        return ModelRun([[f"w{k}" for k in range(n)] for n in lengths], np.arange(len(lengths)),
                        rng.random(len(lengths)), rng.normal(size=(len(lengths), 4)), {"IG": ex}, ("a", "b", "c"))

    parts = [run([3, 1]), run([2])]
    store = ChunkStore(tmp_path / "s", "fp", 2)
    assert store.done() == set() and not store.complete()
    for c, p in enumerate(parts):
        store.save(c, p)
    whole, expected = store.load(), concat_runs(parts)
    assert whole.tokens == expected.tokens and whole.labels == ("a", "b", "c")
    for got, want in zip(whole.explained["IG"].class_words, expected.explained["IG"].class_words):
        assert np.array_equal(got, want)
    assert np.array_equal(np.concatenate(whole.explained["IG"].words), np.concatenate(expected.explained["IG"].words))
    assert whole.explained["IG"].seconds == 3.0 and whole.explained["IG"].calls == 9
    with pytest.raises(DataFormatError, match="fingerprint"):
        load_run(store.path(0), "another")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(DataFormatError, match="bad.npz"):
        load_run(tmp_path / "bad.npz")
    save_run(tmp_path / "s2" / "chunk-00000.npz", parts[0], "fp")
    with pytest.raises(FileNotFoundError, match=r"chunks \[1\]"):
        ChunkStore(tmp_path / "s2", "fp", 2).load()


def test_part_flag_is_checked(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--config", str(tmp_path / "c.yaml"), "--part", "2/2"])


def test_a_model_still_training_is_skipped_not_fatal(diagnosed: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    raw = config(diagnosed.parent / "val.jsonl", tmp_path / "out")
    raw["methods"] = [{"method": "saliency"}]
    raw["models"][1] = {"seed": 1, "checkpoint": str(tmp_path / "not-yet" / "last.ckpt")}
    cfg_path = tmp_path / "c.yaml"
    cfg_path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert main(["--config", str(cfg_path)]) == 0
    said = capsys.readouterr().out
    assert "seed 1: skipped" in said and "checkpoint missing" in said
    assert len(list((tmp_path / "out" / "cache").glob("seed=0-*/chunk-*.npz"))) == 2  # seed 0 is done meanwhile
    assert not (tmp_path / "out" / "records").exists()


def test_a_checkpoint_is_hashed_once_per_call_and_again_when_rewritten(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import nle.results.provenance as provenance
    from nle.attribution import diagnose as diag
    from nle.training.module import NLEModule

    calls: list[str] = []
    real = provenance.sha256_file
    monkeypatch.setattr(provenance, "sha256_file", lambda p: calls.append(str(p)) or real(p))
    diag._sha256_once.cache_clear()
    torch.manual_seed(0)
    module = NLEModule(**tiny_module())
    ckpt = tmp_path / "last.ckpt"
    torch.save({"hyper_parameters": dict(module.hparams), "state_dict": module.state_dict(), "epoch": 1}, ckpt)
    write_fixture(tmp_path / "val.jsonl")
    raw = config(tmp_path / "val.jsonl", tmp_path / "out")
    raw["methods"] = [{"method": "saliency"}]
    raw["models"] = [{"seed": 0, "checkpoint": str(ckpt)}]
    cfg_path = tmp_path / "c.yaml"
    cfg_path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert main(["--config", str(cfg_path)]) == 0
    hashed = [c for c in calls if c.endswith(".ckpt")]
    assert hashed == [str(ckpt)]  # computing the chunks and checking they are complete share one hash
    first = diag.checkpoint_sha256(ckpt)
    torch.manual_seed(1)
    torch.save({"hyper_parameters": dict(module.hparams), "state_dict": NLEModule(**tiny_module()).state_dict(),
                "epoch": 2}, ckpt)
    st = ckpt.stat()
    os.utime(ckpt, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # a rewrite within the clock's resolution
    assert diag.checkpoint_sha256(ckpt) != first and [c for c in calls if c.endswith(".ckpt")] == [str(ckpt)] * 2
