"""Classification readers: tiny hand-written files with exact expected records, malformed input, real-data counts."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from nle.data.errors import DataFormatError
from nle.data.readers.hate import (
    read_ghc,
    read_hateval2019,
    read_identity_terms,
    read_iptts_madlibs,
    read_stormfront,
)
from nle.data.readers.hatexplain import read_hatexplain
from nle.data.readers.irony import read_semeval2018_irony
from nle.data.readers.movies import read_movie_rationales
from nle.data.readers.sarcasm import read_isarcasmeval
from nle.data.readers.stance import read_semeval2016_stance
from nle.data.readers.tweeteval import read_tweeteval
from nle.types import Example


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def assert_offsets(ex: Example) -> None:
    assert all(ex.text[s:e] == tok for tok, (s, e) in zip(ex.tokens, ex.token_offsets))


def assert_bad(err: pytest.ExceptionInfo[DataFormatError], path: Path, line: int | None, field: str) -> None:
    msg = str(err.value)
    assert str(path) in msg and repr(field) in msg
    assert err.value.line == line and err.value.field == field
    if line is not None:
        assert f"{path}:{line}" in msg


# ---------------------------------------------------------------- HatEval 2019

HATEVAL = 'id,text,HS,TR,AG\n201,"Hurray, saving us $$$",1,0,0\n202,"two\nlines",0,1,1\n'


def test_hateval_fixture(tmp_path: Path) -> None:
    exs = read_hateval2019(write(tmp_path, "hateval2019_en_dev.csv", HATEVAL))
    assert [e.id for e in exs] == ["201", "202"]
    assert [e.label for e in exs] == ["1", "0"]
    assert exs[0].tokens == ("Hurray", ",", "saving", "us", "$$$")
    assert exs[1].text == "two\nlines" and exs[1].tokens == ("two", "lines")
    assert dict(exs[1].meta) == {"TR": 1, "AG": 1, "line": 3}
    for e in exs:
        assert_offsets(e)


def test_hateval_relabeled(tmp_path: Path) -> None:
    orig = write(tmp_path, "a.csv", HATEVAL)
    fix = write(tmp_path, "b.csv", "id,HS,TR,AG,HS_original\n201,0,0,0,1\n202,1,1,0,0\n")
    exs = read_hateval2019(orig, fix)
    assert [e.label for e in exs] == ["0", "1"]
    assert exs[0].meta["HS_original"] == 1 and exs[1].meta["AG"] == 0
    partial = write(tmp_path, "c.csv", "id,HS,TR,AG,HS_original\n201,0,0,0,1\n")
    with pytest.raises(DataFormatError) as err:
        read_hateval2019(orig, partial)
    assert_bad(err, partial, None, "id")


def test_hateval_malformed(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.csv", 'id,text,HS,TR,AG\n201,"ok",1,0,0\n202,"x",2,0,0\n')
    with pytest.raises(DataFormatError) as err:
        read_hateval2019(bad)
    assert_bad(err, bad, 3, "HS")
    short = write(tmp_path, "short.csv", 'id,text,HS,TR,AG\n201,"ok",1,0\n')
    with pytest.raises(DataFormatError) as err:
        read_hateval2019(short)
    assert_bad(err, short, 2, "row")
    header = write(tmp_path, "header.csv", "id,tweet,HS,TR,AG\n")
    with pytest.raises(DataFormatError) as err:
        read_hateval2019(header)
    assert_bad(err, header, 1, "header")


def test_encoding_error_names_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "enc.csv", b'id,text,HS,TR,AG\n201,"ok",1,0,0\n202,"caf\xe9",1,0,0\n')
    with pytest.raises(DataFormatError) as err:
        read_hateval2019(bad)
    assert_bad(err, bad, 3, "encoding")


# ---------------------------------------------------------------- GHC

def test_ghc_tsv(tmp_path: Path) -> None:
    path = write(tmp_path, "ghc_train.tsv", 'text\thd\tcv\tvo\n"He said ""hi"" ."\t0\t0\t1\nKill them\t0\t1\t0\n')
    exs = read_ghc(path)
    assert [e.id for e in exs] == ["ghc_train:2", "ghc_train:3"]
    assert exs[0].text == 'He said "hi" .' and exs[0].label == "0"
    assert exs[1].label == "1" and dict(exs[1].meta) == {"hd": 0, "cv": 1, "vo": 0, "line": 3}


def test_ghc_jsonl(tmp_path: Path) -> None:
    recs = [{"text_id": 7, "Text": "a b", "hd": 1, "cv": 0, "vo": 0, "care": 1},
            {"text_id": 8, "Text": "c", "hd": 0, "cv": 0, "vo": 1, "care": 0}]
    exs = read_ghc(write(tmp_path, "dev.jsonl", "".join(json.dumps(r) + "\n" for r in recs)))
    assert [(e.id, e.label, e.tokens) for e in exs] == [("7", "1", ("a", "b")), ("8", "0", ("c",))]
    assert exs[0].meta["care"] == 1 and exs[1].meta["line"] == 2


def test_ghc_malformed(tmp_path: Path) -> None:
    tsv = write(tmp_path, "g.tsv", "text\thd\tcv\tvo\nx\t0\tyes\t0\n")
    with pytest.raises(DataFormatError) as err:
        read_ghc(tsv)
    assert_bad(err, tsv, 2, "cv")
    jsonl = write(tmp_path, "g.jsonl", '{"text_id": 1, "Text": "a", "hd": 0, "cv": 0}\n{"text_id": 2, "hd": 0, "cv": 0}\n')
    with pytest.raises(DataFormatError) as err:
        read_ghc(jsonl)
    assert_bad(err, jsonl, 2, "Text")
    broken = write(tmp_path, "h.jsonl", '{"text_id": 1, "Text": "a", "hd": 0, "cv": 0}\n{"text_id": 2,\n')
    with pytest.raises(DataFormatError) as err:
        read_ghc(broken)
    assert_bad(err, broken, 2, "json")


# ---------------------------------------------------------------- Stormfront

SF_TSV = ("file_id\tuser_id\tsubforum_id\tnum_contexts\tlabel\tsampled_split\ttext\n"
          "1_1\t5\t9\t0\tnoHate\t\tAs of 2014 , ok .\n"
          '1_2\t5\t9\t1\thate\ttrain\t"They said ""go"" ."\n'
          "2_1\t6\t9\t0\trelation\ttest\tIt is .\n")


def test_stormfront_tsv(tmp_path: Path) -> None:
    path = write(tmp_path, "derived.tsv", SF_TSV)
    exs = read_stormfront(path)
    assert [(e.id, e.label) for e in exs] == [("1_1", "noHate"), ("1_2", "hate"), ("2_1", "relation")]
    assert exs[1].text == 'They said "go" .'
    assert dict(exs[1].meta) == {"user_id": "5", "subforum_id": "9", "num_contexts": "1", "sampled_split": "train",
                                 "line": 3}
    assert [e.id for e in read_stormfront(path, split="train")] == ["1_2"]
    assert [e.id for e in read_stormfront(path, split="test")] == ["2_1"]


def test_stormfront_files(tmp_path: Path) -> None:
    folder = tmp_path / "all_files"
    write(folder, "1_2.txt", "Second one .")
    write(folder, "1_1.txt", "First one .")
    ann = write(tmp_path, "annotations_metadata.csv",
                "file_id,user_id,subforum_id,num_contexts,label\n1_1,5,9,0,noHate\n3_1,7,9,0,hate\n1_2,5,9,2,hate\n")
    exs = read_stormfront(folder, annotations=ann)
    assert [(e.id, e.text, e.label, e.meta["line"]) for e in exs] == [
        ("1_1", "First one .", "noHate", 2), ("1_2", "Second one .", "hate", 4)]
    write(folder, "9_9.txt", "orphan")
    with pytest.raises(DataFormatError) as err:
        read_stormfront(folder, annotations=ann)
    assert_bad(err, ann, None, "file_id")


def test_stormfront_malformed(tmp_path: Path) -> None:
    path = write(tmp_path, "d.tsv", SF_TSV.replace("\trelation\t", "\tHATE\t"))
    with pytest.raises(DataFormatError) as err:
        read_stormfront(path)
    assert_bad(err, path, 4, "label")
    with pytest.raises(ValueError, match="split"):
        read_stormfront(path, split="dev")


# ---------------------------------------------------------------- IPTTS, identity terms

def test_iptts(tmp_path: Path) -> None:
    path = write(tmp_path, "bias_madlibs_77k.csv", 'Text,Label,Template\n"murder american",BAD,verb_adj\n'
                                                   "respect trans,NOT_BAD,verb_adj\n")
    exs = read_iptts_madlibs(path)
    assert [(e.id, e.text, e.label, e.meta["template"]) for e in exs] == [
        ("bias_madlibs_77k:2", "murder american", "BAD", "verb_adj"),
        ("bias_madlibs_77k:3", "respect trans", "NOT_BAD", "verb_adj")]
    bad = write(tmp_path, "b.csv", "Text,Label,Template\nx,GOOD,t\n")
    with pytest.raises(DataFormatError) as err:
        read_iptts_madlibs(bad)
    assert_bad(err, bad, 2, "Label")


def test_identity_terms(tmp_path: Path) -> None:
    assert read_identity_terms(write(tmp_path, "identity.csv", "muslim\t3.161219\njew\t2.951848")) == {
        "muslim": 3.161219, "jew": 2.951848}
    bad = write(tmp_path, "bad.csv", "muslim\t3.1\njew\theavy\n")
    with pytest.raises(DataFormatError) as err:
        read_identity_terms(bad)
    assert_bad(err, bad, 2, "weight")


# ---------------------------------------------------------------- HateXplain

HX_HF = [
    {"id": "p1_gab", "annotators": {"label": [0, 2, 0], "annotator_id": [4, 3, 5],
                                    "target": [["African"], ["African"], ["None"]]},
     "rationales": [[0, 1, 1], [0, 1, 0]], "post_tokens": ["you", "nasty", "people"]},
    {"id": "p2_twitter", "annotators": {"label": [1, 1, 2], "annotator_id": [1, 2, 3], "target": [["None"]] * 3},
     "rationales": [], "post_tokens": ["<user>", "hello"]},
    {"id": "p3_gab", "annotators": {"label": [0, 1, 2], "annotator_id": [1, 2, 3], "target": [[], [], []]},
     "rationales": [], "post_tokens": ["hm"]},
]


def test_hatexplain_hf(tmp_path: Path) -> None:
    exs = read_hatexplain(write(tmp_path, "val.json", "".join(json.dumps(r) + "\n" for r in HX_HF)))
    assert [(e.id, e.label) for e in exs] == [("p1_gab", "hatespeech"), ("p2_twitter", "normal"), ("p3_gab", None)]
    assert exs[0].text == "you nasty people" and exs[0].rationale == (0.0, 1.0, 0.5)
    assert exs[0].meta["annotator_labels"] == ("hatespeech", "offensive", "hatespeech")
    assert exs[0].meta["targets"] == (("African",), ("African",), ("None",)) and exs[0].meta["n_rationales"] == 2
    assert exs[1].rationale is None and exs[1].tokens == ("<user>", "hello")
    for e in exs:
        assert_offsets(e)


def test_hatexplain_original_and_train_formats(tmp_path: Path) -> None:
    original = {"24198545_gab": {"post_id": "24198545_gab", "annotators": [
        {"label": "hatespeech", "annotator_id": 4, "target": ["African"]},
        {"label": "offensive", "annotator_id": 3, "target": ["African"]},
        {"label": "Hatespeech", "annotator_id": 5, "target": ["African"]}],
        "rationales": [[1, 0], [1, 1], [0, 0]], "post_tokens": ["bad", "word"]}}
    ex = read_hatexplain(write(tmp_path, "dataset.json", json.dumps(original, indent=2)))[0]
    assert (ex.id, ex.label, ex.rationale) == ("24198545_gab", "hatespeech", (2 / 3, 1 / 3))
    train = {"id": "9_gab", "annotators": {"label": [0, 2, 2], "annotator_id": [1, 2, 3]},
             "targets_union": ["Islam", "Hindu"], "majority_label": 2, "post_tokens": ["a", "b"]}
    ex = read_hatexplain(write(tmp_path, "train.jsonl", json.dumps(train) + "\n"))[0]
    assert (ex.label, ex.rationale, ex.meta["targets"]) == ("offensive", None, ("Islam", "Hindu"))


def test_hatexplain_malformed(tmp_path: Path) -> None:
    recs = [HX_HF[0], {**HX_HF[0], "id": "x", "rationales": [[0, 1]]}]
    path = write(tmp_path, "v.json", "".join(json.dumps(r) + "\n" for r in recs))
    with pytest.raises(DataFormatError) as err:
        read_hatexplain(path)
    assert_bad(err, path, 2, "rationales[0]")
    bad_label = write(tmp_path, "w.json", json.dumps({**HX_HF[1], "annotators": {"label": [1, 7, 1]}}) + "\n")
    with pytest.raises(DataFormatError) as err:
        read_hatexplain(bad_label)
    assert_bad(err, bad_label, 1, "annotators.label")
    wrong_majority = write(tmp_path, "t.jsonl", json.dumps(
        {"id": "1", "annotators": {"label": [0, 0, 1]}, "majority_label": 1, "post_tokens": ["a"]}) + "\n")
    with pytest.raises(DataFormatError) as err:
        read_hatexplain(wrong_majority)
    assert_bad(err, wrong_majority, 1, "majority_label")


# ---------------------------------------------------------------- TweetEval

def test_tweeteval_with_parent_mapping(tmp_path: Path) -> None:
    write(tmp_path, "stance/mapping.txt", "0\tnone\n1\tagainst\n2\tfavor")
    text = write(tmp_path, "stance/abortion/train_text.txt", "@user no way \n#prolife yes\nok\n")
    labels = write(tmp_path, "stance/abortion/train_labels.txt", "1\n2\n0\n")
    exs = read_tweeteval(text, labels)
    assert [(e.id, e.label, e.meta["label_id"]) for e in exs] == [
        ("abortion/train_text:1", "against", 1), ("abortion/train_text:2", "favor", 2),
        ("abortion/train_text:3", "none", 0)]
    assert exs[0].text == "@user no way " and exs[0].tokens == ("@", "user", "no", "way")
    assert [e.label for e in read_tweeteval(text, None)] == [None, None, None]


def test_tweeteval_without_mapping_and_explicit(tmp_path: Path) -> None:
    text = write(tmp_path, "hate/val_text.txt", "a\nb\n")
    labels = write(tmp_path, "hate/val_labels.txt", "0\n1\n")
    assert [e.label for e in read_tweeteval(text, labels)] == ["0", "1"]
    mapping = write(tmp_path, "m.txt", "0\tnot-hate\n1\thate\n")
    assert [e.label for e in read_tweeteval(text, labels, mapping)] == ["not-hate", "hate"]


def test_tweeteval_malformed(tmp_path: Path) -> None:
    text = write(tmp_path, "t/val_text.txt", "a\nb\nc\n")
    short = write(tmp_path, "t/val_labels.txt", "0\n1\n")
    with pytest.raises(DataFormatError) as err:
        read_tweeteval(text, short)
    assert_bad(err, short, 3, "label")
    mapping = write(tmp_path, "m.txt", "0\tno\n1\tyes\n")
    bad = write(tmp_path, "t/bad_labels.txt", "0\n5\n1\n")
    with pytest.raises(DataFormatError) as err:
        read_tweeteval(text, bad, mapping)
    assert_bad(err, bad, 2, "label")


# ---------------------------------------------------------------- SemEval-2016 stance, 2018 irony, iSarcasmEval

def test_stance_cp1252_crlf(tmp_path: Path) -> None:
    raw = (b"ID\tTarget\tTweet\tStance\r\n101\tAtheism\tdear lord \x91thanks\x92 #SemST\tAGAINST\r\n"
           b"102\tHillary Clinton\tvote \"now\"\tUNKNOWN\r\n")
    exs = read_semeval2016_stance(write(tmp_path, "train.txt", raw))
    assert [(e.id, e.label, e.meta["target"]) for e in exs] == [("101", "AGAINST", "Atheism"),
                                                                ("102", None, "Hillary Clinton")]
    assert exs[0].text == "dear lord \u2018thanks\u2019 #SemST" and exs[1].text == 'vote "now"'
    bad = write(tmp_path, "bad.txt", "ID\tTarget\tTweet\tStance\n1\tAtheism\tx\tMAYBE\n2\tAtheism\ty\n")
    with pytest.raises(DataFormatError) as err:
        read_semeval2016_stance(bad)
    assert_bad(err, bad, 2, "Stance")


def test_irony(tmp_path: Path) -> None:
    path = write(tmp_path, "taskB.txt", "Tweet Index\tLabel\tTweet text\n1\t1\tSweet video . #imagine\n2\t3\tx\ty\n")
    exs = read_semeval2018_irony(path)
    assert [(e.id, e.label, e.text) for e in exs] == [("1", "1", "Sweet video . #imagine"), ("2", "3", "x\ty")]
    test_input = write(tmp_path, "input.txt", "tweet index\ttweet text\n1\thello\n")
    assert [(e.id, e.label) for e in read_semeval2018_irony(test_input)] == [("1", None)]
    bad = write(tmp_path, "bad.txt", "Tweet index\tLabel\tTweet text\n1\t0\tok\n2\t7\tno\n")
    with pytest.raises(DataFormatError) as err:
        read_semeval2018_irony(bad)
    assert_bad(err, bad, 3, "Label")


ISARC = (",tweet,sarcastic,rephrase,sarcasm,irony,satire,understatement,overstatement,rhetorical_question\n"
         '0,Love mondays,1,"Mondays are hard, honestly. ",1,0,0,0,0,1\n'
         "1,Nice day,0,,,,,,,\n")


def test_isarcasmeval(tmp_path: Path) -> None:
    exs = read_isarcasmeval(write(tmp_path, "train.En.csv", ISARC))
    assert [(e.id, e.label, e.text) for e in exs] == [("0", "1", "Love mondays"), ("1", "0", "Nice day")]
    assert exs[0].meta["rephrase"] == "Mondays are hard, honestly. "
    assert exs[0].meta["categories"] == {"sarcasm": 1, "irony": 0, "satire": 0, "understatement": 0,
                                         "overstatement": 0, "rhetorical_question": 1}
    assert exs[1].meta["rephrase"] is None and exs[1].meta["categories"] is None
    test_a = read_isarcasmeval(write(tmp_path, "task_A_En_test.csv", 'text,sarcastic\n"so\ngreat",1\n'))
    assert [(e.id, e.label, e.text) for e in test_a] == [("task_A_En_test:2", "1", "so\ngreat")]
    bad = write(tmp_path, "bad.csv", ISARC + "2,x,1,r,1,0,2,0,0,0\n")
    with pytest.raises(DataFormatError) as err:
        read_isarcasmeval(bad)
    assert_bad(err, bad, 4, "satire")


# ---------------------------------------------------------------- movie rationales

def test_movie_rationales(tmp_path: Path) -> None:
    recs = [{"doc_id": "negR_000.txt", "label": "neg", "fold": 0, "has_rationales": True,
             "tokens": ["plot", ":", "bad", "movie", "."], "rationale_token_spans": [[2, 4]]},
            {"doc_id": "pos_900.txt", "label": "pos", "fold": 9, "has_rationales": False,
             "tokens": ["fine"], "rationale_token_spans": []}]
    path = write(tmp_path, "m.jsonl", "".join(json.dumps(r) + "\n" for r in recs))
    exs = read_movie_rationales(path)
    assert exs[0].text == "plot : bad movie ." and exs[0].rationale == (0.0, 0.0, 1.0, 1.0, 0.0)
    span = exs[0].span("rationale")
    assert (span.start, span.end, span.char_start, span.char_end, span.text) == (2, 4, 7, 16, "bad movie")
    assert exs[1].rationale is None and exs[1].spans == () and exs[1].label == "pos"
    assert [e.id for e in read_movie_rationales(path, folds={9})] == ["pos_900.txt"]
    bad = write(tmp_path, "bad.jsonl", json.dumps({**recs[0], "rationale_token_spans": [[3, 9]]}) + "\n")
    with pytest.raises(DataFormatError) as err:
        read_movie_rationales(bad)
    assert_bad(err, bad, 1, "rationale_token_spans")


def test_window_cuts_text_offsets_rationale_and_clips_spans(tmp_path: Path) -> None:
    recs = [{"doc_id": "negR_000.txt", "label": "neg", "fold": 0, "has_rationales": True,
             "tokens": ["plot", ":", "a", "bad", "movie", ",", "sadly", "."],
             "rationale_token_spans": [[0, 2], [3, 7]]}]
    ex = read_movie_rationales(write(tmp_path, "m.jsonl", json.dumps(recs[0]) + "\n"))[0]
    cut = ex.window(2, 5)  # "a bad movie": the first span is dropped, the second clipped to "bad movie"
    assert cut.text == "a bad movie" and cut.tokens == ("a", "bad", "movie") and cut.rationale == (0.0, 1.0, 1.0)
    assert_offsets(cut)
    (span,) = cut.spans
    assert (span.start, span.end, span.char_start, span.char_end, span.text) == (1, 3, 2, 11, "bad movie")
    assert cut.label == "neg" and cut.meta["window"] == (2, 5) and cut.meta["fold"] == 0
    assert ex.window(-4, 99).tokens == ex.tokens  # clipped to the example
    assert ex.window(5, 8).text == ", sadly ."
    with pytest.raises(ValueError, match="empty window"):
        ex.window(8, 12)


# ---------------------------------------------------------------- real data (NLE_DATA_DIR)

@pytest.fixture(scope="module")
def data() -> Path:
    root = os.environ.get("NLE_DATA_DIR")
    if not root:
        pytest.skip("NLE_DATA_DIR is not set: real-data checks need the shared benchmark folder")
    return Path(root)


def test_real_hateval(data: Path) -> None:
    for split, n, n_hate in (("train", 9000, 3783), ("dev", 1000, 427), ("test", 3000, 1260)):
        exs = read_hateval2019(data / f"hateval2019_en/original_copy/hateval2019_en_{split}.csv")
        assert (len(exs), Counter(e.label for e in exs)["1"]) == (n, n_hate)
        assert {e.label for e in exs} == {"0", "1"} and len({e.id for e in exs}) == n


def test_real_ghc(data: Path) -> None:
    train = read_ghc(data / "gab_hate_corpus/osf_release_copy/ghc_train.tsv")
    assert len(train) == 22036
    assert sum(1 for e in train if e.meta["hd"] or e.meta["cv"] or e.meta["vo"]) == 2670
    dev = read_ghc(data / "gab_hate_corpus/kennedy2020_majority_gab_dataset_25k/dev.jsonl")
    assert (len(dev), Counter(e.label for e in dev)["1"]) == (2581, 233)


def test_real_stormfront(data: Path) -> None:
    tsv = data / "stormfront_hate_speech/derived_stormfront_all.tsv"
    exs = read_stormfront(tsv)
    assert len(exs) == 10944
    assert Counter(e.label for e in exs) == {"noHate": 9507, "hate": 1196, "relation": 168, "idk/skip": 73}
    assert Counter(e.label for e in read_stormfront(tsv, split="train")) == {"hate": 957, "noHate": 957}
    assert Counter(e.label for e in read_stormfront(tsv, split="test")) == {"hate": 239, "noHate": 239}


def test_real_iptts_and_identity(data: Path) -> None:
    exs = read_iptts_madlibs(data / "iptts_bias_madlibs_77k/bias_madlibs_77k.csv")
    assert len(exs) == 76564 and Counter(e.label for e in exs) == {"BAD": 38282, "NOT_BAD": 38282}
    gab = read_identity_terms(data / "kennedy2020_contextualizing_hate_speech/data/identity.csv")
    assert len(gab) == 25 and gab["muslim"] == 3.161219
    assert len(read_identity_terms(data / "kennedy2020_contextualizing_hate_speech/data/identity_ws_new.csv")) == 10


def test_real_hatexplain(data: Path) -> None:
    val = read_hatexplain(data / "hatexplain/hf_format/hatexplain_validation.json")
    assert len(val) == 1922 and sum(e.rationale is not None for e in val) == 1141
    assert {e.label for e in val} == {"hatespeech", "normal", "offensive"}
    assert all(e.label != "normal" for e in val if e.rationale is not None)
    train = read_hatexplain(data / "hatexplain/train_labels_text_no_rationales/derived_hatexplain_train_with_ids.jsonl")
    assert len(train) == 15383 and all(e.rationale is None for e in train)
    assert Counter(e.label for e in train) == {"hatespeech": 4748, "normal": 6251, "offensive": 4384}
    divisions = json.loads((data / "hatexplain/original_repo/post_id_divisions.json").read_text())
    assert [e.id for e in train] == divisions["train"] and [e.id for e in val] == divisions["val"]


TWEETEVAL_SIZES = {"hate": (9000, 1000), "irony": (2862, 955), "stance/abortion": (587, 66),
                   "stance/atheism": (461, 52), "stance/climate": (355, 40), "stance/feminist": (597, 67),
                   "stance/hillary": (620, 69)}


@pytest.mark.parametrize("task", sorted(TWEETEVAL_SIZES))
def test_real_tweeteval(data: Path, task: str) -> None:
    folder = data / "tweeteval/datasets" / task
    names = {"hate": {"not-hate", "hate"}, "irony": {"non_irony", "irony"}}.get(task, {"none", "against", "favor"})
    for split, n in zip(("train", "val"), TWEETEVAL_SIZES[task]):
        exs = read_tweeteval(folder / f"{split}_text.txt", folder / f"{split}_labels.txt")
        assert len(exs) == n and {e.label for e in exs} == names


def test_real_stance_irony_sarcasm(data: Path) -> None:
    stance = read_semeval2016_stance(data / "semeval2016_task6_stance/data/semeval2016-task6-trainingdata.txt")
    assert len(stance) == 2814 and Counter(e.label for e in stance) == {"AGAINST": 1342, "NONE": 741, "FAVOR": 731}
    assert Counter(e.meta["target"] for e in stance)["Atheism"] == 513
    train = data / "semeval2018_task3_irony/datasets/train"
    a = read_semeval2018_irony(train / "SemEval2018-T3-train-taskA_emoji.txt")
    assert len(a) == 3834 and Counter(e.label for e in a) == {"1": 1911, "0": 1923}
    b = read_semeval2018_irony(train / "SemEval2018-T3-train-taskB.txt")
    assert Counter(e.label for e in b) == {"0": 1923, "1": 1390, "2": 316, "3": 205}
    sarc = read_isarcasmeval(data / "isarcasmeval_semeval2022_task6/train/train.En.csv")
    assert len(sarc) == 3468 and Counter(e.label for e in sarc) == {"1": 867, "0": 2601}
    assert all(e.meta["rephrase"] for e in sarc if e.label == "1")


def test_real_movie_rationales(data: Path) -> None:
    exs = read_movie_rationales(data / "movie_rationales_zaidan2007/derived_movie_rationales.jsonl")
    assert len(exs) == 2000 and Counter(e.label for e in exs) == {"neg": 1000, "pos": 1000}
    assert sum(len(e.tokens) for e in exs) == 1487776
    assert sum(sum(e.rationale) for e in exs if e.rationale is not None) == 111744
    assert sum(1 for e in exs if e.spans) == 1799
