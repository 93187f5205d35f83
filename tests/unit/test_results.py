"""ResultRecord round trips, atomic writes, loading with precise errors, and provenance stamps."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from nle import checksum
from nle.data.errors import DataFormatError
from nle.results.provenance import config_hash, git_info, package_versions, sha256_file, stamp, utc_now
from nle.results.record import ResultRecord, load_results, read_results, write_results


def make_record(**overrides) -> ResultRecord:
    fields = dict(
        project="next_tacred", experiment="semeval_labels_only", method="bert", seed=1,
        metrics={"dev": {"semeval_f1": 0.71, "loss": 0.5}, "test": {"semeval_f1": 0.69}},
        config_hash="0" * 64, config_files=["projects/next_tacred/configs/base.yaml"],
        config={"data": {"n_explanations": 50}, "trainer": {"max_steps": 2}},
        git_sha="a" * 40, git_dirty=False, data_files={"semeval/train.txt": "b" * 64},
        versions={"torch": "2.13.0"}, devices=1, accelerator="cpu", num_nodes=1, precision="32-true",
        wall_time_s=12.5, created="2024-05-01T12:00:00+00:00", run_dir="runs/next_tacred/semeval_labels_only/seed=1",
        extra={"best_ckpt": "best.ckpt", "epochs": 3},
    )
    fields.update(overrides)
    return ResultRecord(**fields)


# ---------------------------------------------------------------- record


def test_json_round_trip_is_exact():
    rec = make_record()
    text = rec.to_json()
    data = json.loads(text)
    assert list(data)[:3] == ["schema_version", "project", "experiment"]
    assert data["schema_version"] == 1
    assert ResultRecord.from_json(text) == rec


def test_get_reads_fields_and_dotted_config_keys():
    rec = make_record()
    assert rec.get("method") == "bert"
    assert rec.get("config.data.n_explanations") == 50
    assert rec.get("metrics.dev.semeval_f1") == 0.71
    with pytest.raises(KeyError, match="no key 'nope' under 'config.data'"):
        rec.get("config.data.nope")
    with pytest.raises(KeyError, match="not a ResultRecord field"):
        rec.get("colour")


def test_metric_lookup_names_what_exists():
    rec = make_record()
    assert rec.metric("test", "semeval_f1") == 0.69
    with pytest.raises(KeyError, match="has no metric test/loss"):
        rec.metric("test", "loss")


def test_constructor_rejects_wrong_types():
    with pytest.raises(DataFormatError, match="'seed'"):
        make_record(seed="1")
    with pytest.raises(DataFormatError, match="'git_dirty'"):
        make_record(git_dirty=0)
    with pytest.raises(DataFormatError, match="metrics.dev.f1"):
        make_record(metrics={"dev": {"f1": "0.7"}})
    with pytest.raises(DataFormatError, match="'seed'"):
        make_record(seed=True)


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "runs" / "p" / "e" / "seed=1" / "results.json"
    assert write_results(make_record(), path) == path
    write_results(make_record(seed=2), path)  # overwrite in place
    assert read_results(path).seed == 2
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


def test_write_failure_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    write_results(make_record(), path)

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_results(make_record(seed=7), path)
    monkeypatch.undo()
    assert read_results(path).seed == 1
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_load_results_finds_all_records_in_sorted_order(tmp_path):
    for exp, seed in [("b", 2), ("a", 1), ("b", 1)]:
        write_results(make_record(experiment=exp, seed=seed), tmp_path / exp / f"seed={seed}" / "results.json")
    (tmp_path / "a" / "seed=1" / "metrics.csv").write_text("step,loss\n")
    recs = load_results(tmp_path)
    assert [(r.experiment, r.seed) for r in recs] == [("a", 1), ("b", 1), ("b", 2)]
    one = load_results([tmp_path / "b" / "seed=2" / "results.json"])
    assert [(r.experiment, r.seed) for r in one] == [("b", 2)]
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_results(tmp_path / "nowhere")


def test_missing_key_names_file_and_key(tmp_path):
    data = make_record().to_dict()
    del data["git_sha"]
    bad = tmp_path / "x" / "results.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"results\.json: field 'git_sha': expected a required results\.json key"):
        load_results(tmp_path)


def test_wrong_type_in_file_names_file_and_field(tmp_path):
    data = make_record().to_dict()
    data["metrics"]["dev"]["semeval_f1"] = "high"
    bad = tmp_path / "results.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(DataFormatError) as err:
        read_results(bad)
    assert err.value.path == str(bad) and err.value.field == "metrics.dev.semeval_f1"


def test_malformed_json_names_file_and_line(tmp_path):
    bad = tmp_path / "results.json"
    bad.write_text('{\n  "project": "p",\n  oops\n}')
    with pytest.raises(DataFormatError) as err:
        read_results(bad)
    assert err.value.path == str(bad) and err.value.line == 3


def test_unknown_keys_are_kept_in_extra_with_a_warning(tmp_path):
    data = make_record().to_dict()
    data["gpu_name"] = "H100"
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    with pytest.warns(UserWarning, match="unknown key 'gpu_name'"):
        rec = read_results(path)
    assert rec.extra == {"best_ckpt": "best.ckpt", "epochs": 3, "gpu_name": "H100"}


def test_newer_schema_is_refused(tmp_path):
    data = make_record().to_dict()
    data["schema_version"] = 99
    with pytest.raises(DataFormatError, match="schema_version"):
        ResultRecord.from_dict(data, source="r.json")


# ---------------------------------------------------------------- provenance


def test_config_hash_is_canonical_and_sensitive():
    a = {"model": {"lr": 1e-3, "layers": [1, 2]}, "seed": 1}
    b = {"seed": 1, "model": {"layers": (1, 2), "lr": 0.001}}
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash({**a, "seed": 2})
    assert config_hash(a, ignore=("seed", "absent.key")) == config_hash({"model": a["model"]})
    assert a["seed"] == 1  # ignore does not mutate the input
    canonical = '{"model":{"layers":[1,2],"lr":0.001},"seed":1}'
    assert config_hash(a) == hashlib.sha256(canonical.encode()).hexdigest()
    assert config_hash({"p": Path("x/y")}) == config_hash({"p": "x/y"})
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        config_hash({"f": object()})


def test_sha256_file_streams_and_memoises(tmp_path, monkeypatch):
    f = tmp_path / "data.txt"
    f.write_bytes(b"hello\n" * 1000)
    expected = hashlib.sha256(b"hello\n" * 1000).hexdigest()
    checksum._sha256_cached.cache_clear()
    assert sha256_file(f) == expected
    assert sha256_file(str(f)) == expected
    assert checksum._sha256_cached.cache_info().hits == 1
    f.write_bytes(b"changed")
    assert sha256_file(f) == hashlib.sha256(b"changed").hexdigest()
    with pytest.raises(FileNotFoundError):
        sha256_file(tmp_path / "absent")


def test_git_info_outside_a_repo_is_unknown(tmp_path):
    assert git_info(tmp_path) == ("unknown", False)


def test_git_info_reads_sha_and_dirty_flag(tmp_path):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}

    def git(*args):
        return subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)

    try:
        git("init", "-q")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    (tmp_path / "a.txt").write_text("1")
    git("add", "a.txt")
    git("commit", "-q", "-m", "one")
    sha = git("rev-parse", "HEAD").stdout.strip()
    assert git_info(tmp_path) == (sha, False)
    (tmp_path / "a.txt").write_text("2")
    assert git_info(tmp_path) == (sha, True)


def test_package_versions_and_stamp(tmp_path):
    versions = package_versions(("pytest", "surely-not-installed-pkg"))
    assert versions["surely-not-installed-pkg"] == "not installed"
    assert versions["pytest"][0].isdigit() and versions["python"].count(".") == 2
    f = tmp_path / "d.txt"
    f.write_text("x")
    s = stamp({"a": 1}, data_files=[str(f)], packages=(), cwd=tmp_path)
    assert s["git_sha"] == "unknown" and s["git_dirty"] is False
    assert s["data_files"] == {str(f): hashlib.sha256(b"x").hexdigest()}
    assert s["config_hash"] == config_hash({"a": 1})
    rec = make_record(**s)
    assert rec.git_sha == "unknown"


def test_utc_now_is_iso_utc():
    now = utc_now()
    assert now.endswith("+00:00") and now[10] == "T" and len(now) == 25
