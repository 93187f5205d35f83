"""The attribution benchmark's four comparisons run and agree on a tiny model (the timed run uses MiniLM)."""

from __future__ import annotations

import pytest

from benchmarks.attribution import (
    bench_all_classes,
    bench_ig,
    bench_regularised_step,
    bench_soc,
    posts,
    tiny_classifier,
)
from nle.training.encoder import load_tokenizer


@pytest.fixture(scope="module")
def setup():
    mp = pytest.MonkeyPatch()
    mp.delenv("NLE_DATA_DIR", raising=False)
    words = posts(4)  # the built-in sentences
    mp.undo()
    return tiny_classifier(), load_tokenizer("minilm"), words


def test_benchmark_comparisons_are_equal_on_a_tiny_model(setup) -> None:
    model, tok, words = setup
    ig = bench_ig(model, tok, words, steps=3, repeats=1)
    assert ig.equal and ig.details["max_abs_diff"] <= 1e-4 and ig.ours_s > 0 and ig.peer_s > 0
    soc = bench_soc(model, tok, words[:2], samples=2, nb_range=1, repeats=1, label="tiny")
    assert soc.equal and "tiny" in soc.comparison
    step = bench_regularised_step(model, tok, words, steps=1)
    assert step.equal and step.details["marked_spans"] == 3  # "people", "jews", "women"
    assert step.details["slowdown"] == pytest.approx(step.ours_s / step.peer_s)
    every = bench_all_classes(model, tok, words[:2], repeats=1)
    assert every.equal and every.details["max_abs_diff"] <= 1e-4
