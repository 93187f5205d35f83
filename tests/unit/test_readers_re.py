"""Readers for relation extraction: SemEval-2010 Task 8, TACRED, NExT explanations (+ the word tokenizer)."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from nle.data.errors import DataFormatError
from nle.data.readers import (
    SEMEVAL2010_LABELS,
    TACRED_LABELS,
    link_semeval_explanations,
    read_next_explanations,
    read_semeval2010,
    read_semeval2010_keys,
    read_tacred,
)
from nle.data.tokenize import covering_words, tokenize
from nle.types import Example, Span
from tests.helpers import check_span_invariants

_check_invariants = check_span_invariants


def _write(tmp_path: Path, name: str, text: str, newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def _data_dir() -> Path:
    root = os.environ.get("NLE_DATA_DIR")
    if not root:
        pytest.skip("NLE_DATA_DIR is not set: real-data checks need the benchmark folder (export NLE_DATA_DIR=...)")
    return Path(root)


# ---------------------------------------------------------------- tokenizer

def test_tokenize_splits_punctuation_and_clitics_with_offsets():
    tokens, offsets = tokenize("The bird's nest, isn't it... $41,000 U.S. well-known")
    assert tokens == ("The", "bird", "'s", "nest", ",", "is", "n't", "it", "...", "$", "41,000", "U.S.", "well-known")
    assert offsets[:4] == ((0, 3), (4, 8), (8, 10), (11, 15))


def test_tokenize_breaks_are_word_boundaries_and_every_character_is_covered():
    text = "dovesmoles a-b"
    tokens, offsets = tokenize(text, breaks=[5, 12])
    assert tokens == ("doves", "moles", "a", "-", "b")
    assert all(text[s:e] == t for t, (s, e) in zip(tokens, offsets))
    assert covering_words(offsets, 6, 7) == (1, 2)
    assert covering_words(offsets, 5, 5) == (1, 2)


# ---------------------------------------------------------------- SemEval-2010 Task 8

SEMEVAL_TRAIN = (
    '1\t"The <e1>child</e1> was wrapped into the <e2>cradle</e2>."\n'
    "Other\n"
    "Comment:\n"
    "\n"
    '2\t"The<e1>staff</e1> of a <e2>bird\'s nest</e2>, isn\'t it."\n'
    "Component-Whole(e1,e2)\n"
    "Comment: a note\n"
    "\n"
)


def test_semeval_labels_are_the_19_with_other_first():
    assert len(SEMEVAL2010_LABELS) == 19 == len(set(SEMEVAL2010_LABELS))
    assert SEMEVAL2010_LABELS[0] == "Other"
    assert SEMEVAL2010_LABELS[1:3] == ("Cause-Effect(e1,e2)", "Cause-Effect(e2,e1)")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_read_semeval_labelled_blocks(tmp_path, newline):
    examples = read_semeval2010(_write(tmp_path, "TRAIN.TXT", SEMEVAL_TRAIN, newline))
    assert [ex.id for ex in examples] == ["1", "2"]
    first, second = examples
    assert first.text == "The child was wrapped into the cradle."
    assert first.tokens == ("The", "child", "was", "wrapped", "into", "the", "cradle", ".")
    assert first.label == "Other"
    assert first.span("e1") == Span(1, 2, 4, 9, "child", role="e1")
    assert first.span("e2") == Span(6, 7, 31, 37, "cradle", role="e2")
    assert first.meta == {"line": 1, "comment": ""}
    # a tag that glued two words ("The<e1>staff") becomes one space
    assert second.text == "The staff of a bird's nest, isn't it."
    assert second.tokens == ("The", "staff", "of", "a", "bird", "'s", "nest", ",", "is", "n't", "it", ".")
    assert second.span("e1") == Span(1, 2, 4, 9, "staff", role="e1")
    assert second.span("e2") == Span(4, 7, 15, 26, "bird's nest", role="e2")
    assert second.label == "Component-Whole(e1,e2)"
    assert second.meta == {"line": 5, "comment": "a note"}
    for ex in examples:
        _check_invariants(ex)


def test_read_semeval_unlabelled_test_format(tmp_path):
    path = _write(tmp_path, "TEST_FILE.txt",
                  '8001\t"A <e1>cat</e1> in a <e2>box</e2>."\n8002\t"The <e1>a</e1> of <e2>b</e2>"\n')
    examples = read_semeval2010(path)
    assert [(ex.id, ex.label) for ex in examples] == [("8001", None), ("8002", None)]
    assert examples[0].span("e1") == Span(1, 2, 2, 5, "cat", role="e1")
    assert examples[0].span("e2") == Span(4, 5, 11, 14, "box", role="e2")
    assert examples[1].meta["line"] == 2


def test_read_semeval_keys(tmp_path):
    path = _write(tmp_path, "TEST_FILE_KEY.TXT", "8001\tMessage-Topic(e1,e2)\n8002\tOther\n", "\r\n")
    assert read_semeval2010_keys(path) == {"8001": "Message-Topic(e1,e2)", "8002": "Other"}


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (SEMEVAL_TRAIN.replace("</e2>.", "."), 1, "e2"),                      # missing tag
        (SEMEVAL_TRAIN.replace("<e1>child</e1>", "child"), 1, "e1"),           # missing tags
        (SEMEVAL_TRAIN.replace("Component-Whole(e1,e2)", "Component-Whole"), 6, "label"),  # bad label
        (SEMEVAL_TRAIN.replace("Other\n", "Foo(e1,e2)\n"), 2, "label"),        # unknown label
        (SEMEVAL_TRAIN.replace("Comment: a note\n", ""), 7, "comment"),        # wrong block structure
        (SEMEVAL_TRAIN.replace("Comment:\n\n", "Comment:\nextra\n"), 4, "blank"),
        (SEMEVAL_TRAIN.replace("1\t\"The <e1>child", "1 \"The <e1>child"), 1, "sentence"),
        (SEMEVAL_TRAIN.replace("2\t", "1\t"), 5, "id"),                        # duplicate id
    ],
)
def test_read_semeval_malformed_names_file_line_field(tmp_path, text, line, field):
    path = _write(tmp_path, "BAD_TRAIN.TXT", text)
    with pytest.raises(DataFormatError) as err:
        read_semeval2010(path)
    assert f"BAD_TRAIN.TXT:{line}:" in str(err.value)
    assert f"field {field!r}" in str(err.value)
    assert (err.value.line, err.value.field) == (line, field)


def test_read_semeval_keys_malformed(tmp_path):
    path = _write(tmp_path, "KEY.TXT", "8001\tOther\n8002\tFoo(e1,e2)\n")
    with pytest.raises(DataFormatError, match=r"KEY\.TXT:2: field 'label'"):
        read_semeval2010_keys(path)


# ---------------------------------------------------------------- TACRED

def _tacred_record(**over):
    rec = {
        "id": "t1", "docid": "d1", "token": ["Bill", "Gates", "founded", "Microsoft", "."],
        "relation": "org:founded_by", "subj_start": 3, "subj_end": 3, "obj_start": 0, "obj_end": 1,
        "subj_type": "ORGANIZATION", "obj_type": "PERSON",
        "stanford_pos": ["NNP", "NNP", "VBD", "NNP", "."], "stanford_ner": ["PERSON", "PERSON", "O", "ORGANIZATION", "O"],
        "stanford_head": [2, 3, 0, 3, 3], "stanford_deprel": ["compound", "nsubj", "ROOT", "dobj", "punct"],
    }
    rec.update(over)
    return rec


def test_tacred_labels():
    assert len(TACRED_LABELS) == 42 == len(set(TACRED_LABELS))
    assert TACRED_LABELS[0] == "no_relation"
    assert sum(lab.startswith("org:") for lab in TACRED_LABELS) == 16
    assert sum(lab.startswith("per:") for lab in TACRED_LABELS) == 25


def test_read_tacred(tmp_path):
    second = _tacred_record(id="t2", relation="no_relation", subj_start=0, subj_end=0, obj_start=2, obj_end=2,
                            subj_type="PERSON", obj_type="O")
    path = _write(tmp_path, "dev.json", json.dumps([_tacred_record(), second]))
    first, other = read_tacred(path)
    assert first.id == "t1" and first.label == "org:founded_by"
    assert first.text == "Bill Gates founded Microsoft ."
    assert first.tokens == ("Bill", "Gates", "founded", "Microsoft", ".")
    assert first.span("subj") == Span(3, 4, 19, 28, "Microsoft", role="subj", label="ORGANIZATION")
    assert first.span("obj") == Span(0, 2, 0, 10, "Bill Gates", role="obj", label="PERSON")  # obj_end inclusive
    assert first.meta["stanford_head"] == (2, 3, 0, 3, 3)
    assert first.meta["docid"] == "d1" and first.meta["record"] == 0
    assert other.span("subj") == Span(0, 1, 0, 4, "Bill", role="subj", label="PERSON")
    assert other.label == "no_relation"
    _check_invariants(first)
    _check_invariants(other)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"subj_end": 7}, "[1].subj_end"),
        ({"obj_start": 2, "obj_end": 1}, "[1].obj_end"),
        ({"relation": "per:favourite_food"}, "[1].relation"),
        ({"stanford_pos": ["NNP"]}, "[1].stanford_pos"),
        ({"subj_start": "3"}, "[1].subj_start"),
    ],
)
def test_read_tacred_malformed_names_file_record_field(tmp_path, over, field):
    path = _write(tmp_path, "bad_tacred.json", json.dumps([_tacred_record(), _tacred_record(**over)]))
    with pytest.raises(DataFormatError) as err:
        read_tacred(path)
    assert "bad_tacred.json:2:" in str(err.value)  # line = 1-based record number
    assert f"field {field!r}" in str(err.value)


def test_read_tacred_missing_key(tmp_path):
    rec = _tacred_record()
    del rec["obj_type"]
    path = _write(tmp_path, "t.json", json.dumps([rec]))
    with pytest.raises(DataFormatError, match=r"t\.json:1: field '\[0\]\.obj_type'"):
        read_tacred(path)


# ---------------------------------------------------------------- NExT relation explanations

NEXT_SEMEVAL = [
    {"rel": "Other", "pat": ["SUBJ-O was wrapped into the OBJ-O"],
     "exp": "The phrase \"was wrapped into\" links SUBJ and OBJ", "sent": "The SUBJ-O was wrapped into the OBJ-O ."},
    {"rel": "Component-Whole(e1,e2)", "pat": ["SUBJ-O of a OBJ-O"],
     "exp": "SUBJ and OBJ sandwich \"of a\"", "sent": "The SUBJ-TITLE of a OBJ-O , is n't it"},
    {"rel": "Cause-Effect(e2,e1)", "pat": ["SUBJ-O from OBJ-O"], "exp": "x", "sent": "A SUBJ-O from OBJ-O ."},
]
NEXT_TACRED = [
    {"relation": "per:children", "sent": "SUBJ-PERSON 's daughter OBJ-PERSON said .",
     "exp": "The phrase \"'s daughter\" links SUBJ and OBJ", "pattern": "SUBJ-PERSON 's daughter OBJ-PERSON"},
    {"rel": "org:founded", "sent": "OBJ-DATE , SUBJ-ORGANIZATION was founded", "exp": "e", "pat": ["a", "b"]},
]


def test_read_next_semeval(tmp_path):
    path = _write(tmp_path, "semeval.json", json.dumps(NEXT_SEMEVAL))
    expls = read_next_explanations(path, task="semeval")
    assert [e.id for e in expls] == ["semeval-0", "semeval-1", "semeval-2"]
    first = expls[0]
    assert first.text == 'The phrase "was wrapped into" links SUBJ and OBJ'
    assert first.label == first.example.label == "Other"
    assert first.meta["pattern"] == ("SUBJ-O was wrapped into the OBJ-O",)
    assert first.example.id == "semeval-0"
    assert first.example.text == "The SUBJ-O was wrapped into the OBJ-O ."
    assert first.example.tokens == ("The", "SUBJ-O", "was", "wrapped", "into", "the", "OBJ-O", ".")
    assert first.example.span("subj") == Span(1, 2, 4, 10, "SUBJ-O", role="subj", label="O")
    assert first.example.span("obj") == Span(6, 7, 32, 37, "OBJ-O", role="obj", label="O")
    assert expls[1].example.span("subj").label == "TITLE"
    for e in expls:
        _check_invariants(e.example)


def test_read_next_tacred_accepts_both_key_spellings(tmp_path):
    path = _write(tmp_path, "all_exp_add.json", json.dumps(NEXT_TACRED))
    first, second = read_next_explanations(path, task="tacred")
    assert first.label == "per:children" and first.meta["pattern"] == ("SUBJ-PERSON 's daughter OBJ-PERSON",)
    assert first.example.span("obj") == Span(3, 4, 24, 34, "OBJ-PERSON", role="obj", label="PERSON")
    assert second.id == "tacred-1" and second.label == "org:founded" and second.meta["pattern"] == ("a", "b")
    assert second.example.span("subj") == Span(2, 3, 11, 28, "SUBJ-ORGANIZATION", role="subj", label="ORGANIZATION")
    assert second.example.span("obj") == Span(0, 1, 0, 8, "OBJ-DATE", role="obj", label="DATE")


def test_read_next_accepts_a_record_without_a_pattern(tmp_path):
    """A user's own explanations have no gold surface pattern."""
    own = {k: v for k, v in NEXT_TACRED[0].items() if k != "pattern"}
    (e,) = read_next_explanations(_write(tmp_path, "mine.json", json.dumps([own])), task="tacred")
    assert e.meta["pattern"] == () and e.text == own["exp"] and e.example.span("subj") is not None


@pytest.mark.parametrize(
    ("task", "record", "field"),
    [
        ("semeval", {**NEXT_SEMEVAL[0], "sent": "SUBJ-O and SUBJ-O OBJ-O"}, "[1].sent"),
        ("semeval", {**NEXT_SEMEVAL[0], "rel": "per:children"}, "[1].rel"),
        ("tacred", {**NEXT_TACRED[0], "pattern": 3}, "[1].pattern"),
        ("tacred", {k: v for k, v in NEXT_TACRED[0].items() if k != "exp"}, "[1].exp"),
    ],
)
def test_read_next_malformed(tmp_path, task, record, field):
    good = NEXT_SEMEVAL[0] if task == "semeval" else NEXT_TACRED[0]
    path = _write(tmp_path, "next.json", json.dumps([good, record]))
    with pytest.raises(DataFormatError) as err:
        read_next_explanations(path, task=task)
    assert "next.json:2:" in str(err.value) and f"field {field!r}" in str(err.value)


def test_read_next_unknown_task(tmp_path):
    with pytest.raises(ValueError, match="task must be one of"):
        read_next_explanations(_write(tmp_path, "x.json", "[]"), task="semeval2010")


def test_link_semeval_explanations(tmp_path):
    train = read_semeval2010(_write(tmp_path, "TRAIN.TXT", SEMEVAL_TRAIN))
    records = NEXT_SEMEVAL[:2] + [
        {**NEXT_SEMEVAL[0], "sent": "SUBJ-O was wrapped into the OBJ-O"},  # cut short, no period
        NEXT_SEMEVAL[2],                                              # no such train sentence
    ]
    expls = read_next_explanations(_write(tmp_path, "semeval.json", json.dumps(records)), task="semeval")
    pairs = link_semeval_explanations(expls, train)
    assert [(e.id, None if ex is None else ex.id) for e, ex in pairs] == [
        ("semeval-0", "1"), ("semeval-1", "2"), ("semeval-2", "1"), ("semeval-3", None)]


# ---------------------------------------------------------------- real data (NLE_DATA_DIR)

SEMEVAL_DIR = "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training"


@pytest.fixture(scope="module")
def semeval_train() -> list[Example]:
    return read_semeval2010(_data_dir() / SEMEVAL_DIR / "TRAIN_FILE.TXT")


def test_real_semeval_train_counts_match_official_distribution(semeval_train):
    assert len(semeval_train) == 8000
    assert [ex.id for ex in semeval_train[:2]] == ["1", "2"] and semeval_train[-1].id == "8000"
    distrib = (_data_dir() / SEMEVAL_DIR / "TRAIN_DISTRIB.TXT").read_text(encoding="utf-8")
    block = distrib.split("<<<")[1]
    official = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*([A-Za-z-]+) :\s+(\d+) \(", block, re.M)}
    assert official["Other"] == 1410 and sum(official.values()) == 8000
    assert Counter(ex.label.split("(")[0] for ex in semeval_train) == official
    assert set(Counter(ex.label for ex in semeval_train)) == set(SEMEVAL2010_LABELS)
    first = semeval_train[0]
    assert first.label == "Component-Whole(e2,e1)"
    assert (first.span("e1").text, first.span("e2").text, first.tokens[-2:]) == ("configuration", "elements",
                                                                                  ("elements", "."))


def test_real_semeval_span_invariant(semeval_train):
    for ex in semeval_train:
        _check_invariants(ex)
        assert ex.span("e1").end <= ex.span("e2").start


@pytest.fixture(scope="module")
def next_semeval() -> list:
    return read_next_explanations(_data_dir() / "next_explanations/OtherExplanations/semeval.json", task="semeval")


def test_real_next_counts_and_labels(next_semeval):
    tacred = read_next_explanations(_data_dir() / "next_explanations/tacred/all_exp_add.json", task="tacred")
    assert len(next_semeval) == 203 and len(tacred) == 170
    assert len({e.label for e in next_semeval}) == 17
    assert all(e.label in TACRED_LABELS for e in tacred)
    for e in next_semeval + tacred:
        _check_invariants(e.example)
        assert e.meta["pattern"] and all(isinstance(p, str) for p in e.meta["pattern"])
    assert all(e.example.span("subj").start < e.example.span("obj").start for e in next_semeval)


def test_real_next_semeval_links_all_203(semeval_train, next_semeval):
    pairs = link_semeval_explanations(next_semeval, semeval_train)
    linked = [(e, ex) for e, ex in pairs if ex is not None]
    assert len(linked) == 203
    assert all(e.label == ex.label for e, ex in linked)
    assert len({ex.id for _, ex in linked}) == 203
    assert pairs[0][1].id == "7017" and pairs[0][1].span("e1").text == "resolution"
