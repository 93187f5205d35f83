"""The hate_refine data module: the built-in sample, encoding equal to the attribution encoder's, real HateXplain."""

from __future__ import annotations

import os
from collections import Counter

import pytest

from nle.attribution.words import encode_words
from nle.data.errors import DataNotFoundError
from nle.data.readers.hatexplain import read_hatexplain
from projects.hate_refine.data import SAMPLE_DIR, HateXplainData, MovieReviewData, default_files

needs_data = pytest.mark.skipif(not os.environ.get("NLE_DATA_DIR"), reason="NLE_DATA_DIR is not set (real HateXplain)")


def test_sample_has_every_label_and_rationales_for_non_normal_posts() -> None:
    train, dev = read_hatexplain(SAMPLE_DIR / "train.jsonl"), read_hatexplain(SAMPLE_DIR / "dev.jsonl")
    assert Counter(e.label for e in train) == {"hatespeech": 12, "normal": 12, "offensive": 6}
    assert Counter(e.label for e in dev) == {"hatespeech": 6, "normal": 6, "offensive": 6}
    for ex in train + dev:
        assert (ex.rationale is None) == (ex.label == "normal")
    first = dev[0]  # "all mervs are filthy vermin and must be kicked out": 2 of 3 annotators mark 4 words
    assert first.tokens[3:5] == ("filthy", "vermin") and first.rationale[3:5] == (2 / 3, 1.0)
    assert not any("mervs" in e.tokens for e in train) and sum("mervs" in e.tokens for e in dev) == 8  # unseen group


def test_sample_module_encodes_as_the_attribution_encoder_does() -> None:
    data = HateXplainData(source="sample", max_length=64)
    data.setup()
    assert len(data.datasets["train"]) == 30 and len(data.datasets["dev"]) == 18
    assert not data.has_split("test") and data.n_undecided == {"train": 0, "dev": 0}
    ex, feat = data.datasets["dev"].examples[0], data.datasets["dev"].features[0]
    assert feat["labels"] == data.label_names.index("hatespeech") == 0
    assert feat["input_ids"] == encode_words(data.tokenizer, [ex.tokens])["input_ids"][0].tolist()
    assert data.num_labels == 3 and data.labels == ["hatespeech", "normal", "offensive"]
    assert any(p.endswith("sample/dev.jsonl") for p in data.data_files)


def test_truncation_keeps_cls_and_sep_and_is_counted() -> None:
    data = HateXplainData(source="sample", max_length=5)
    data.setup()
    tok = data.tokenizer
    ids = data.datasets["dev"].features[0]["input_ids"]
    assert len(ids) == 5 and ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id
    assert tok.convert_ids_to_tokens(ids[1:4]) == ["all", "mer", "##vs"]
    assert data.n_truncated == 48  # every sample post is longer than 3 word pieces


def test_unknown_source_and_missing_data_dir_fail_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="source must be one of"):
        default_files("gab")
    monkeypatch.delenv("NLE_DATA_DIR", raising=False)
    data = HateXplainData(source="hatexplain")
    with pytest.raises(DataNotFoundError, match="NLE_DATA_DIR"):
        data.load_split("dev")


@needs_data
def test_real_hatexplain_splits() -> None:
    data = HateXplainData(source="hatexplain")
    train, dev = data.load_split("train"), data.load_split("dev")
    assert len(train) == 15383 and len(dev) == 1922 and data.n_undecided == {"train": 0, "dev": 0}
    assert Counter(e.label for e in train) == {"hatespeech": 4748, "normal": 6251, "offensive": 4384}
    assert data.load_split("test") is None  # blind
    assert sum(e.rationale is not None for e in dev) == 1141


def test_movie_reviews_are_read_through_their_last_words(tmp_path) -> None:
    import json

    recs = [{"doc_id": f"{lab}R_00{i}.txt", "label": lab, "fold": 0, "has_rationales": True,
             "tokens": ["the", "plot", "drags", "but", "the", "ending", "is", "great" if lab == "pos" else "awful"],
             "rationale_token_spans": [[6, 8]]} for i, lab in enumerate(["neg", "pos"])]
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    data = MovieReviewData(tail_words=3, train_file=str(path), dev_file=str(path), max_length=16)
    data.setup()
    assert data.labels == ["neg", "pos"] and not data.has_split("test")
    ex, feat = data.datasets["dev"].examples[1], data.datasets["dev"].features[1]
    assert ex.tokens == ("ending", "is", "great") and ex.rationale == (0.0, 1.0, 1.0) and feat["labels"] == 1
    assert feat["input_ids"] == encode_words(data.tokenizer, [ex.tokens])["input_ids"][0].tolist()
    whole = MovieReviewData(tail_words=None, train_file=str(path), dev_file=str(path))
    whole.setup()
    assert len(whole.datasets["train"].examples[0].tokens) == 8 and str(path.resolve()) in whole.data_files


@needs_data
def test_real_movie_review_folds_through_the_last_100_words() -> None:
    data = MovieReviewData(tail_words=100)
    train, dev = data.load_split("train"), data.load_split("dev")
    assert len(train) == 1600 and len(dev) == 200 and data.load_split("test") is None
    assert Counter(e.label for e in train) == {"neg": 800, "pos": 800} and dev[0].id == "negR_800.txt"
    windows = [e.meta["window"] for e in train + dev]
    assert all(len(e.tokens) == end - start for e, (start, end) in zip(train + dev, windows))
    assert sum(end - start == 100 for start, end in windows) == 1798  # two reviews are shorter (17, 94 words)
    assert all(start == 0 for start, end in windows if end - start < 100)
    assert sum(any(r >= 0.5 for r in e.rationale) for e in dev) == 171  # dev reviews with a rationale in the window
