"""Benchmark declarations: well-formed, files present with matching sha256, readers importable, errors that help."""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

import pytest

from nle.data import benchmarks as bm
from nle.data.__main__ import main as cli_main
from nle.data.errors import DataNotFoundError

NO_FILES_HERE = {"tacred"}
"""Declared sets whose files are not in the shared folder (licensed)."""


@pytest.fixture
def data() -> Path:
    root = os.environ.get("NLE_DATA_DIR")
    if not root:
        pytest.skip("NLE_DATA_DIR is not set: benchmark file checks need the shared benchmark folder")
    return Path(root)


def test_declarations_are_well_formed() -> None:
    assert len(bm.BENCHMARKS) >= 25
    for name, b in bm.BENCHMARKS.items():
        assert b.name == name and b.license and b.files
        assert not set(b.blind_splits) & set(b.files)
        for rel in b.all_files():
            assert not Path(rel).is_absolute() and ".." not in Path(rel).parts
        for rel, digest in b.sha256.items():
            assert len(digest) == 64 and int(digest, 16) >= 0, (name, rel)
        if name not in NO_FILES_HERE:
            assert set(b.sha256) >= {p for s in b.splits for p in b.paths(s)}
    assert bm.get_benchmark("tacred").sha256 == {}
    assert bm.get_benchmark("tacred").license.startswith("LDC2018T24")
    assert bm.get_benchmark("semeval2010_task8").blind_splits == ("test",)
    assert bm.get_benchmark("semeval2010_task8").reader == "nle.data.readers.semeval2010:read_semeval2010"


def test_declarations_are_immutable() -> None:
    b = bm.get_benchmark("hateval2019")
    with pytest.raises(TypeError):
        b.files["extra"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        b.name = "other"  # type: ignore[misc]


def test_bad_declarations_are_refused() -> None:
    with pytest.raises(ValueError, match="reader"):
        bm.Benchmark("x", {"train": "a"}, {"a": "0" * 64}, "nle.data.readers.hate.read_ghc", "MIT")
    with pytest.raises(ValueError, match="sha256"):
        bm.Benchmark("x", {"train": "a"}, {"b": "0" * 64}, "m:f", "MIT")
    with pytest.raises(ValueError, match="blind"):
        bm.Benchmark("x", {"test": "a"}, {}, "m:f", "MIT", blind_splits=("test",))


def test_readers_resolve_to_functions() -> None:
    for name, b in bm.BENCHMARKS.items():
        if not b.reader:
            continue
        module, func = b.reader.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            pytest.skip(f"{module} is not written yet (declared by {name})")
        assert callable(getattr(mod, func)), b.reader


def test_lookup_errors() -> None:
    with pytest.raises(KeyError, match="known"):
        bm.get_benchmark("no_such_set")
    with pytest.raises(KeyError, match="splits"):
        bm.get_benchmark("hateval2019").paths("validation")
    with pytest.raises(DataNotFoundError, match="blind"):
        bm.get_benchmark("ghc").paths("test")
    with pytest.raises(NotImplementedError, match="no reader"):
        bm.reader_function("esnli")


def test_missing_file_message_names_nle_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataNotFoundError) as err:
        bm.benchmark_path("hateval2019", "train")
    msg = str(err.value)
    assert "NLE_DATA_DIR" in msg and str(tmp_path / "hateval2019_en/original_copy/hateval2019_en_train.csv") in msg
    monkeypatch.delenv("NLE_DATA_DIR")
    with pytest.raises(DataNotFoundError, match="NLE_DATA_DIR"):
        bm.benchmark_path("hateval2019", "train")


def test_multi_file_split_needs_benchmark_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLE_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="benchmark_paths"):
        bm.benchmark_path("tweeteval_hate", "train")


def test_sha256_file_and_cache(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    assert bm.sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    path.write_bytes(b"abcd")
    assert bm.sha256_file(path) == hashlib.sha256(b"abcd").hexdigest()


def test_verify_and_load_on_a_fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rel = "kennedy2020_contextualizing_hate_speech/data/identity_ws_new.csv"
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text("jew\t1.5\n")
    monkeypatch.setenv("NLE_DATA_DIR", str(tmp_path))
    result = bm.verify("kennedy2020_identity_terms")
    assert result == {rel: False, "kennedy2020_contextualizing_hate_speech/data/identity.csv": False}
    assert bm.load_split("kennedy2020_identity_terms", "stormfront") == {"jew": 1.5}
    assert cli_main(["verify", "kennedy2020_identity_terms"]) == 1


# ---------------------------------------------------------------- real data (NLE_DATA_DIR)

@pytest.mark.parametrize("name", sorted(bm.BENCHMARKS))
def test_declared_files_exist_and_match(data: Path, name: str) -> None:
    b = bm.get_benchmark(name)
    if name in NO_FILES_HERE:
        assert not any((data / rel).exists() for rel in b.all_files())
        return
    for split in b.splits:
        assert all(p.is_file() for p in bm.benchmark_paths(name, split))
    result = bm.verify(name)
    assert result and all(result.values()), {k: v for k, v in result.items() if not v}


def test_every_shared_data_file_is_declared(data: Path) -> None:
    declared = {rel for b in bm.BENCHMARKS.values() for rel in b.all_files()}
    docs = ("SOURCE.md", "README", "LICENSE")
    on_disk = {str(p.relative_to(data)) for p in data.rglob("*") if p.is_file() and not any(d in p.name for d in docs)}
    assert on_disk - declared == set()


@pytest.mark.parametrize(("name", "split", "n", "label"), [
    ("hateval2019", "dev", 1000, "0"), ("ghc", "dev", 2581, "0"), ("stormfront", "train", 1914, "noHate"),
    ("hatexplain", "val", 1922, "normal"), ("tweeteval_stance_hillary", "val", 69, "favor"),
    ("movie_rationales", "val", 200, "neg"), ("semeval2018_task3_irony", "train_taskB", 3834, "1"),
])
def test_load_split_real(data: Path, name: str, split: str, n: int, label: str) -> None:
    exs = bm.load_split(name, split)
    assert len(exs) == n and exs[0].label == label


def test_cli_verify_all(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["verify"]) == 0
    assert "all declared files verified" in capsys.readouterr().out
