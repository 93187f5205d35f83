"""Readers for reading comprehension and explanation files: SQuAD, MRC explanations, REMOTE, NExT aspect files."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from nle.data.errors import DataFormatError
from nle.data.readers import (
    MPQAEntry,
    read_identity_lexicon,
    read_lexicon,
    read_mpqa_lexicon,
    read_mrc_explanations,
    read_next_explanations,
    read_remote_explanations,
    read_squad,
    squad_articles,
)
from nle.types import Span
from tests.helpers import check_span_invariants

_check_invariants = check_span_invariants


def _data_dir() -> Path:
    root = os.environ.get("NLE_DATA_DIR")
    if not root:
        pytest.skip("NLE_DATA_DIR is not set: real-data checks need the benchmark folder (export NLE_DATA_DIR=...)")
    return Path(root)


def _json(tmp_path: Path, name: str, obj: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def _expect_error(reader, path: Path, line: int, field: str) -> None:
    with pytest.raises(DataFormatError) as err:
        reader(path)
    msg = str(err.value)
    assert f"{path.name}:{line}:" in msg, msg
    assert f"field {field!r}" in msg, msg


# ---------------------------------------------------------------- SQuAD v1.1

def _squad() -> dict:
    return {"version": "1.1", "data": [
        {"title": "A_Title", "paragraphs": [{"context": "Denver Broncos won in the 1990s.", "qas": [
            {"id": "q1", "question": "Who won?", "answers": [{"answer_start": 0, "text": "Denver Broncos"},
                                                             {"answer_start": 7, "text": "Broncos"}]},
            {"id": "q2", "question": "When?", "answers": [{"answer_start": 26, "text": "1990"}]},
        ]}]},
        {"title": "B", "paragraphs": [{"context": "Hi there.", "qas": [
            {"id": "q3", "question": "What?", "answers": [{"answer_start": 3, "text": "there"}]}]}]},
    ]}


def test_read_squad(tmp_path):
    path = _json(tmp_path, "dev.json", _squad())
    q1, q2, q3 = read_squad(path)
    assert (q1.id, q1.question, q1.text, q1.label) == ("q1", "Who won?", "Denver Broncos won in the 1990s.", None)
    assert q1.tokens == ("Denver", "Broncos", "won", "in", "the", "1990s", ".")
    assert q1.spans == (Span(0, 2, 0, 14, "Denver Broncos", role="answer"), Span(1, 2, 7, 14, "Broncos", role="answer"))
    assert q1.meta == {"title": "A_Title", "article_index": 0, "paragraph_index": 0,
                       "answers": ["Denver Broncos", "Broncos"], "answer_starts": [0, 7]}
    # an answer ending inside a word: the span covers the word, the exact answer stays in meta
    assert q2.spans == (Span(5, 6, 26, 31, "1990s", role="answer"),)
    assert q2.meta["answers"] == ["1990"]
    assert q3.spans == (Span(1, 2, 3, 8, "there", role="answer"),)
    assert (q3.meta["article_index"], q3.meta["paragraph_index"], q3.meta["title"]) == (1, 0, "B")
    assert squad_articles(path) == ["A_Title", "B"]
    for ex in (q1, q2, q3):
        _check_invariants(ex)


def test_read_squad_malformed(tmp_path):
    data = _squad()
    data["data"][0]["paragraphs"][0]["qas"][1]["answers"][0]["answer_start"] = 20
    _expect_error(read_squad, _json(tmp_path, "bad_start.json", data), 2,
                  "data[0].paragraphs[0].qas[1].answers[0].answer_start")
    data = _squad()
    del data["data"][1]["paragraphs"][0]["qas"][0]["question"]
    _expect_error(read_squad, _json(tmp_path, "no_question.json", data), 3, "data[1].paragraphs[0].qas[0].question")
    _expect_error(read_squad, _json(tmp_path, "not_squad.json", [1, 2]), 1, "data")


# ---------------------------------------------------------------- MRC explanations (Ye et al. 2020)

MRC_HEADER = ["AssignmentStatus", "Input.question", "Input.context", "Input.answer", "Input.qas_id", "Answer.Exp",
              "Answer.X", "Answer.Y", "Answer.Z"]
MRC_ROWS = [
    ["Approved", "How long?", 'It has been neutral <font color="red">since 1515.</font> Yes.', "since 1515", "id1",
     ' X is before the answer. The answer starts with "since". ', "been neutral", "", ""],
    ["Approved", "Who?", "Bob met Bob , yes.", "Bob", "id2", "The answer is a person.", "", "", ""],
    ["Approved", "Where?", 'in <font color="red">Clarksburg, West Virginia.</font> Done', "Clarksburg , West Virginia.",
     "id3", "The answer starts with Clarksburg.", "", "", "Done"],
]


def _csv(tmp_path: Path, name: str, rows: list[list[str]], header: list[str] = MRC_HEADER) -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def test_read_mrc_explanations(tmp_path):
    first, second, third = read_mrc_explanations(_csv(tmp_path, "squad.csv", MRC_ROWS))
    assert (first.id, first.label) == ("mrc-0", "since 1515")
    assert first.text == 'X is before the answer. The answer starts with "since".'
    assert first.meta["explanation"] == MRC_ROWS[0][5]
    assert (first.meta["X"], first.meta["Y"], first.meta["qas_id"], first.meta["line"]) == ("been neutral", "", "id1", 2)
    ex = first.example
    assert (ex.id, ex.question, ex.label) == ("id1", "How long?", "since 1515")
    assert ex.text == "It has been neutral since 1515. Yes."
    assert ex.tokens == ("It", "has", "been", "neutral", "since", "1515", ".", "Yes", ".")
    assert ex.spans == (Span(4, 6, 20, 30, "since 1515", role="answer"),)
    assert first.meta["answer_located_by"] == "highlight" and first.meta["answer_start"] == 20
    # no highlight, two occurrences: the first
    assert second.example.spans == (Span(0, 1, 0, 3, "Bob", role="answer"),)
    assert second.meta["answer_located_by"] == "first"
    # annotator's spacing differs from the context: the span is the context's spelling
    assert third.example.spans == (Span(1, 6, 3, 29, "Clarksburg, West Virginia.", role="answer"),)
    assert third.label == "Clarksburg , West Virginia." and third.meta["Z"] == "Done"
    for e in (first, second, third):
        _check_invariants(e.example)


def test_read_mrc_explanations_malformed(tmp_path):
    rows = [MRC_ROWS[0], [*MRC_ROWS[1][:3], "Alice", *MRC_ROWS[1][4:]]]
    _expect_error(read_mrc_explanations, _csv(tmp_path, "no_answer.csv", rows), 3, "Input.answer")
    rows = [MRC_ROWS[0], [*MRC_ROWS[1][:5], "  ", *MRC_ROWS[1][6:]]]
    _expect_error(read_mrc_explanations, _csv(tmp_path, "no_exp.csv", rows), 3, "Answer.Exp")
    _expect_error(read_mrc_explanations, _csv(tmp_path, "bad_header.csv", MRC_ROWS, MRC_HEADER[::-1]), 1, "header")
    rows = [[*MRC_ROWS[0][:2], "a <font color=\"red\">b</font> <font color=\"red\">c</font>", "b", *MRC_ROWS[0][4:]]]
    _expect_error(read_mrc_explanations, _csv(tmp_path, "two_marks.csv", rows), 2, "Input.context")


# ---------------------------------------------------------------- REMOTE explanations and lexicons

REMOTE = {"annotations": [
    {"text_id": 1, "Text": "You talk too much faggot. Quit.", "Label": 1, "Part A": "X is pronoun. Y is faggot. ",
     "X": "You", "Y": "faggot", "Z": "", "Part B": "Attribution1 of Y should be increased.", "version": "hard-strict",
     "precision": 0.698},
    {"Text_id": "7", "Text": "#FUCKislam now", "Label": 1, "Part A": "X is fuck.", "X": "fuck", "Y": "gone", "Z": "",
     "Part B": "Attribution1 of X should be increased.", "version": "strict", "precision": 0.5},
    {"Text": "not much fun", "Label": 0, "Part A": "X is negation.", "X": "not", "Y": "", "Z": "",
     "Part B": "Attribution1 of X should be decreased.", "version": "strict"},
]}


def test_read_remote_explanations(tmp_path):
    first, second, third = read_remote_explanations(_json(tmp_path, "hateval_ghc_annotations", REMOTE))
    assert (first.id, first.text, first.label) == ("hateval_ghc-0", "X is pronoun. Y is faggot.", "1")
    assert first.example.tokens == ("You", "talk", "too", "much", "faggot", ".", "Quit", ".")
    assert first.example.spans == (Span(0, 1, 0, 3, "You", role="X"), Span(4, 5, 18, 24, "faggot", role="Y"))
    assert first.meta["part_b"] == "Attribution1 of Y should be increased."
    assert (first.meta["text_id"], first.meta["version"], first.meta["precision"]) == ("1", "hard-strict", 0.698)
    # a variable inside a word binds to that word; one absent from the text is unbound
    assert second.example.spans == (Span(1, 2, 1, 10, "FUCKislam", role="X"),)
    assert (second.meta["text_id"], second.meta["unbound"]) == ("7", ("Y",))
    assert (third.label, third.meta["text_id"], third.meta["precision"]) == ("0", None, None)
    assert third.example.span("X") == Span(0, 1, 0, 3, "not", role="X")
    named = read_remote_explanations(_json(tmp_path, "other", REMOTE), task="sst")
    assert [e.id for e in named] == ["sst-0", "sst-1", "sst-2"]
    for e in (first, second, third):
        _check_invariants(e.example)


def test_read_remote_malformed(tmp_path):
    bad = json.loads(json.dumps(REMOTE))
    bad["annotations"][1]["Label"] = "1"
    _expect_error(read_remote_explanations, _json(tmp_path, "bad_label", bad), 2, "annotations[1].Label")
    bad = json.loads(json.dumps(REMOTE))
    del bad["annotations"][2]["Part A"]
    _expect_error(read_remote_explanations, _json(tmp_path, "no_part_a", bad), 3, "annotations[2].Part A")
    _expect_error(read_remote_explanations, _json(tmp_path, "a_list", []), 1, "annotations")


def test_read_lexicons(tmp_path):
    neg = tmp_path / "negation.txt"
    neg.write_text("no\nnot\ndon't\n\n", encoding="utf-8")
    assert read_lexicon(neg) == frozenset({"no", "not", "don't"})
    ident = tmp_path / "identity.csv"
    ident.write_text("muslim\t3.161219\njew\t2.951848\nmen\t0\n", encoding="utf-8")
    assert read_identity_lexicon(ident) == {"muslim": 3.161219, "jew": 2.951848, "men": 0.0}
    assert read_lexicon(ident) == frozenset({"muslim", "jew", "men"})
    mpqa = tmp_path / "sentiment.csv"
    mpqa.write_text("type,len,word1,pos1,stemmed1,priorpolarity\nweaksubj,1,abandon,verb,y,negative\n"
                    "strongsubj,1,zest,noun,n,positive\n", encoding="utf-8")
    assert read_mpqa_lexicon(mpqa) == (MPQAEntry("abandon", "verb", "y", "weaksubj", "negative"),
                                       MPQAEntry("zest", "noun", "n", "strongsubj", "positive"))
    assert read_lexicon(mpqa) == frozenset({"abandon", "zest"})


def test_read_lexicons_malformed(tmp_path):
    ident = tmp_path / "identity.csv"
    ident.write_text("muslim\t3.16\njew\tabc\n", encoding="utf-8")
    _expect_error(read_identity_lexicon, ident, 2, "weight")
    mpqa = tmp_path / "sentiment.csv"
    mpqa.write_text("type,len,word1,pos1,stemmed1,priorpolarity\nweaksubj,1,abandon,verb,y,bad\n", encoding="utf-8")
    _expect_error(read_mpqa_lexicon, mpqa, 2, "priorpolarity")


# ---------------------------------------------------------------- NExT aspect-sentiment explanations

ASPECT = [
    {"term": "DVD drive", "exp": "The string 'annoying' occurs after $T$",
     "sent": "The $T$ randomly pops, which is annoying.", "label": -1},
    {"term": "designed", "exp": "'well' is directly before $T$", "sent": "Apparently well-$T$ and gorgeous.", "label": 1},
]


def test_read_next_aspect_explanations(tmp_path):
    first, second = read_next_explanations(_json(tmp_path, "laptop.json", ASPECT), task="laptop")
    assert (first.id, first.label, first.text) == ("laptop-0", "-1", "The string 'annoying' occurs after $T$")
    assert first.example.text == "The DVD drive randomly pops, which is annoying."
    assert first.example.span("term") == Span(1, 3, 4, 13, "DVD drive", role="term")
    assert first.meta == {"term": "DVD drive", "sent": ASPECT[0]["sent"], "index": 0}
    assert second.example.tokens == ("Apparently", "well", "-", "designed", "and", "gorgeous", ".")
    assert second.example.span("term") == Span(3, 4, 16, 24, "designed", role="term")
    assert second.label == second.example.label == "1"


def test_read_next_aspect_malformed(tmp_path):
    _expect_error(lambda p: read_next_explanations(p, task="restaurant"),
                  _json(tmp_path, "r.json", [ASPECT[0], {**ASPECT[1], "label": 0}]), 2, "[1].label")
    _expect_error(lambda p: read_next_explanations(p, task="restaurant"),
                  _json(tmp_path, "r2.json", [{**ASPECT[0], "sent": "$T$ and $T$"}]), 1, "[0].sent")


# ---------------------------------------------------------------- real data (NLE_DATA_DIR)

def test_real_squad_counts_and_spans():
    path = _data_dir() / "squad_v1.1/dev-v1.1.articles-00-31.json"
    examples = read_squad(path)
    titles = squad_articles(path)
    assert len(examples) == 7235 and len(titles) == 32 and titles[0] == "Super_Bowl_50"
    assert len({ex.id for ex in examples}) == 7235
    assert {ex.meta["article_index"] for ex in examples} == set(range(32))
    first = examples[0]
    assert first.question == "Which NFL team represented the AFC at Super Bowl 50?"
    assert first.spans[0] == Span(33, 35, 177, 191, "Denver Broncos", role="answer")
    n_answers = n_exact = 0
    for ex in examples:
        _check_invariants(ex)
        assert ex.spans and len(ex.spans) == len(ex.meta["answers"])
        for span, text, start in zip(ex.spans, ex.meta["answers"], ex.meta["answer_starts"]):
            assert ex.text[start:start + len(text)] == text
            assert span.char_start <= start and start + len(text) <= span.char_end
            n_answers += 1
            n_exact += span.text == text
    assert n_answers == 23396
    assert n_exact / n_answers > 0.98  # 228 answers start or end inside a word


def test_real_mrc_explanations():
    expls = read_mrc_explanations(_data_dir() / "mrc_explanation_squad/explanations/squad.csv")
    assert len(expls) == 164
    assert len({e.example.id for e in expls}) == 158
    assert Counter(e.meta["answer_located_by"] for e in expls) == {"highlight": 158, "unique": 6}
    assert sum(e.example.span("answer").text != e.label for e in expls) == 1
    for e in expls:
        _check_invariants(e.example)
        assert "<font" not in e.example.text and e.text and e.example.question
    assert expls[0].meta["X"] == "been neutral"


@pytest.mark.parametrize(("name", "count", "labels"), [
    ("hateval_ghc_annotations", 34, {"1": 34}),
    ("stormfront_ghc_explanations", 40, {"1": 40}),
    ("sentiment_analysis_explanations", 29, {"0": 19, "1": 10}),
])
def test_real_remote_explanations(name, count, labels):
    expls = read_remote_explanations(_data_dir() / "expl_refinement_remote/matcher/annotation" / name)
    assert len(expls) == count and Counter(e.label for e in expls) == labels
    for e in expls:
        _check_invariants(e.example)
        assert e.meta["unbound"] == ()
        assert {s.role for s in e.example.spans} == {v for v in "XYZ" if e.meta[v].strip()}


def test_real_remote_lexicons():
    root = _data_dir() / "expl_refinement_remote/matcher/data"
    assert len(read_lexicon(root / "negation.txt")) == 14
    identity = read_identity_lexicon(root / "identity.csv")
    assert len(identity) == 34 and identity["muslim"] == pytest.approx(3.161219)
    mpqa = read_mpqa_lexicon(root / "sentiment.csv")
    assert len(mpqa) == 8223
    assert Counter(e.polarity for e in mpqa) == {"negative": 4912, "positive": 2720, "neutral": 570, "both": 21}
    assert len(read_lexicon(root / "sentiment.csv")) == 6887


@pytest.mark.parametrize(("task", "count", "labels"), [("restaurant", 75, {"1": 55, "-1": 20}),
                                                       ("laptop", 70, {"1": 43, "-1": 27})])
def test_real_next_aspect(task, count, labels):
    expls = read_next_explanations(_data_dir() / f"next_explanations/OtherExplanations/{task}.json", task=task)
    assert len(expls) == count and Counter(e.label for e in expls) == labels
    for e in expls:
        _check_invariants(e.example)
        assert e.example.span("term").text == e.meta["term"]
