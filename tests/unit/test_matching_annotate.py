"""spaCy annotation into the columnar corpus, role mapping, and the content-hash cache (npz + JSON, no pickle)."""

from __future__ import annotations

import numpy as np
import pytest

from nle.matching.annotate import annotate, content_hash, default_cache_dir, load_columns, save_columns
from nle.matching.corpus import AnnotatedCorpus, AnnotatedExample, TokenColumns
from nle.types import Example


def test_cache_round_trip_without_pickle(tmp_path):
    exs = [AnnotatedExample.from_tags("a", ["Big", "fire"], pos=["ADJ", "NOUN"], ner=["O", "EVENT"], heads=[1, 1]),
           AnnotatedExample.from_tags("b", [])]
    cols = TokenColumns.from_examples(exs)
    save_columns(cols, tmp_path / "k", model="m-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json", "k.npz"]
    with np.load(tmp_path / "k.npz", allow_pickle=False) as z:  # no object arrays inside
        assert all(z[f].dtype != object for f in z.files)
    back = load_columns(tmp_path / "k")
    assert all(np.array_equal(a, b) for a, b in zip(back.arrays().values(), cols.arrays().values()))
    assert back.vocabs() == cols.vocabs()
    corpus = AnnotatedCorpus.assemble(back, ["a", "b"], [None, None], [{}, {}], [{}, {}])
    assert corpus.example(0) == exs[0]


def test_content_hash_depends_on_tokens_and_model():
    h = content_hash([["a", "b"]], "m-1")
    assert h == content_hash([["a", "b"]], "m-1")
    assert h != content_hash([["a b"]], "m-1") and h != content_hash([["a", "b"]], "m-2")


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NLE_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "annotations"


def test_spacy_annotation_keeps_the_tokens_and_maps_roles(tmp_path):
    pytest.importorskip("spacy")
    ex = Example.from_tokens("s1", ["The", "smoke", "was", "caused", "by", "a", "fire", "in", "Paris", "."])
    ex = Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label="Cause-Effect(e2,e1)",
                 spans=(ex.make_span(1, 2, role="e1"), ex.make_span(6, 7, role="e2")))
    corpus = annotate([ex], cache_dir=tmp_path)
    got = corpus.example(0)
    assert got.tokens == ex.tokens and got.roles == {"SUBJ": (1, 2), "OBJ": (6, 7)}
    assert got.pos[1] == "NOUN" and got.lemmas[3] == "cause" and got.ner[8] == "GPE"
    assert got.noun_chunks[1] == got.noun_chunks[0] >= 0 and got.verb_phrases[2] == got.verb_phrases[3] >= 0
    assert got.heads[1] == 3  # smoke <- nsubjpass of caused
    assert len(list(tmp_path.glob("*.npz"))) == 1
    again = annotate([ex], cache_dir=tmp_path)  # from the cache
    assert again.example(0) == got
