"""Golden tests for nle.metrics: hand-computed numbers on tiny hand-made prediction sets.

The SemEval golden numbers were computed by hand below, following the arithmetic of the official
``semeval2010_task8_scorer-v1.2.pl`` (read via code search; not vendored), and cross-checked by running that
arithmetic in Perl outside the repository on this set and on 300 random sets.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction

import numpy as np
import pytest

from nle.metrics import (
    METRICS,
    SEMEVAL_LABELS,
    Metric,
    classification_scores,
    compute_metrics,
    confusion_matrix,
    exact_match_score,
    f1_score,
    get_metric,
    higher_is_better,
    normalize_answer,
    semeval2010_official,
    squad_scores,
    tacred_f1,
)

# ----------------------------------------------------------------------------------------------------------------
# SemEval-2010 Task 8: 25 hand-made (gold, pred) pairs.
# ----------------------------------------------------------------------------------------------------------------
CE12, CE21 = "Cause-Effect(e1,e2)", "Cause-Effect(e2,e1)"
CW12, CW21 = "Component-Whole(e1,e2)", "Component-Whole(e2,e1)"
ED12, ED21 = "Entity-Destination(e1,e2)", "Entity-Destination(e2,e1)"
MT12, MT21 = "Message-Topic(e1,e2)", "Message-Topic(e2,e1)"
MC12, MC21 = "Member-Collection(e1,e2)", "Member-Collection(e2,e1)"
EO12, EO21 = "Entity-Origin(e1,e2)", "Entity-Origin(e2,e1)"
CC12, CC21 = "Content-Container(e1,e2)", "Content-Container(e2,e1)"
IA12, IA21 = "Instrument-Agency(e1,e2)", "Instrument-Agency(e2,e1)"
OTHER = "Other"

SEMEVAL_GOLDEN = [  # (gold, pred)                 what it exercises
    (CE12, CE12),  # 1  correct
    (CE12, CE12),  # 2  correct
    (CE21, CE21),  # 3  correct, other direction
    (CE21, CE12),  # 4  right relation, wrong direction (xDIRx)
    (CE12, OTHER),  # 5  relation missed as Other
    (CW12, CW12),  # 6  correct
    (CW21, CW21),  # 7  correct
    (CW12, MC12),  # 8  wrong relation
    (ED12, ED12),  # 9  correct
    (ED12, ED21),  # 10 wrong direction
    (MT12, OTHER),  # 11 Message-Topic: in gold, never predicted
    (MT21, CE12),  # 12 wrong relation
    (MC21, MC21),  # 13 correct
    (OTHER, OTHER),  # 14 Other correct (not averaged)
    (OTHER, OTHER),  # 15
    (OTHER, OTHER),  # 16
    (OTHER, CE12),  # 17 Other predicted as a relation
    (OTHER, IA21),  # 18 Instrument-Agency: predicted, never in gold
    (OTHER, CW12),  # 19
    (OTHER, OTHER),  # 20
    (EO12, EO21),  # 21 Entity-Origin: its only prediction has the wrong direction
    (EO12, OTHER),  # 22
    (CC12, CC12),  # 23 correct
    (CC21, CC21),  # 24 correct
    (OTHER, IA12),  # 25 Instrument-Agency again
]
# Hand computation, score (iii) "(9+1)-way with direction", per relation present in gold (Other excluded):
#   c = exact matches, p = predictions of the relation in either direction (xDIRx included), a = gold count.
#   relation            c  p  a   P      R      F1
#   Cause-Effect        3  6  5   3/6    3/5    2*(1/2)(3/5)/(1/2+3/5) = 6/11      (p: items 1,2,3,4,12,17)
#   Component-Whole     2  3  3   2/3    2/3    2/3                                (p: 6,7,19)
#   Content-Container   2  2  2   1      1      1
#   Entity-Destination  1  2  2   1/2    1/2    1/2                                (item 10 is xDIRx)
#   Entity-Origin       0  1  2   0      0      0                                  (only item 21, xDIRx)
#   Member-Collection   1  2  1   1/2    1      2/3                                (p: 8, 13)
#   Message-Topic       0  0  2   0      0      0                                  (never predicted)
#   Instrument-Agency, Product-Producer, ...: not in gold -> not averaged; items 18, 25 count nowhere.
# 7 gold relations, so the macro mean divides by 7 (not 9):
#   macro P  = (1/2 + 2/3 + 1 + 1/2 + 0 + 1/2 + 0) / 7 = (19/6) / 7 = 19/42 = 0.452381  (scorer: 45.24%)
#   macro R  = (3/5 + 2/3 + 1 + 1/2 + 0 + 1 + 0) / 7 = (113/30) / 7 = 113/210 = 0.538095
#   macro F1 = (6/11 + 2/3 + 1 + 1/2 + 0 + 2/3 + 0) / 7 = (223/66) / 7 = 223/462 = 0.482684  (scorer: 48.27%)
# Note macro F1 (0.4827) != F1 of macro P and R (2*0.4524*0.5381/(0.4524+0.5381) = 0.4915).
# Micro over the gold relations: c = 3+2+2+1+0+1+0 = 9, p = 6+3+2+2+1+2+0 = 16, a = 5+3+2+2+2+1+2 = 17:
#   micro P = 9/16, micro R = 9/17, micro F1 = 2*9/(16+17) = 6/11.
# Score (ii), direction ignored: correct = same relation name. Cause-Effect c=4 (items 1-4) -> P 4/6, R 4/5,
#   F1 8/11; Entity-Destination c=2 -> 1; Entity-Origin c=1, p=1, a=2 -> P 1, R 1/2, F1 2/3; others as above:
#   (8/11 + 2/3 + 1 + 1 + 2/3 + 2/3 + 0) / 7 = (52/11) / 7 = 52/77 = 0.675325.
# Score (i) accuracy over 19 labels: exact matches = items 1,2,3,6,7,9,13,23,24 + Other 14,15,16,20 = 13/25.
SEMEVAL_EXPECTED = {
    "f1": Fraction(223, 462),
    "precision": Fraction(19, 42),
    "recall": Fraction(113, 210),
    "f1_undirected": Fraction(52, 77),
    "micro_precision": Fraction(9, 16),
    "micro_recall": Fraction(9, 17),
    "micro_f1": Fraction(6, 11),
    "accuracy_18plus1": Fraction(13, 25),
}


def test_semeval_golden_matches_hand_computation() -> None:
    gold, pred = zip(*SEMEVAL_GOLDEN)
    scores = semeval2010_official(list(gold), list(pred))
    assert set(scores) == set(SEMEVAL_EXPECTED)
    for key, value in SEMEVAL_EXPECTED.items():
        assert scores[key] == pytest.approx(float(value), abs=1e-12), key
    assert f"{100 * scores['f1']:.2f}%" == "48.27%"  # the line the Perl scorer prints


def test_semeval_wrong_direction_is_wrong_but_counted_as_predicted() -> None:
    gold = [CE12, CE12, OTHER]
    # One correct, one wrong-direction: P = 1/2 (wrong direction counts in the denominator), R = 1/2.
    s = semeval2010_official(gold, [CE12, CE21, OTHER])
    assert (s["precision"], s["recall"], s["f1"]) == (0.5, 0.5, 0.5)
    assert s["f1_undirected"] == 1.0
    # Predicting Other instead: P = 1/1, R = 1/2, F1 = 2/3 -- the scorer favours Other over a wrong direction.
    assert semeval2010_official(gold, [CE12, OTHER, OTHER])["f1"] == pytest.approx(2 / 3)


def test_semeval_perfect_and_relations_absent_from_gold() -> None:
    gold = [CE12, MT21, OTHER]
    assert semeval2010_official(gold, gold)["f1"] == 1.0
    # A relation never in gold (Product-Producer) predicted for Other costs nothing, as in the official scorer.
    assert semeval2010_official(gold, [CE12, MT21, "Product-Producer(e1,e2)"])["f1"] == 1.0


def test_semeval_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"pred\[1\].*'Cause-Effect'"):
        semeval2010_official([CE12, OTHER], [CE12, "Cause-Effect"])
    with pytest.raises(ValueError, match="aligned"):
        semeval2010_official([CE12], [CE12, OTHER])
    with pytest.raises(ValueError, match="only 'Other'|other than 'Other'"):
        semeval2010_official([OTHER, OTHER], [CE12, OTHER])
    assert len(SEMEVAL_LABELS) == 19


# ----------------------------------------------------------------------------------------------------------------
# TACRED
# ----------------------------------------------------------------------------------------------------------------
NA = "no_relation"
TACRED_GOLDEN = [  # (gold, pred)
    ("per:title", "per:title"),  # correct
    ("per:title", "per:title"),  # correct
    ("org:founded", "org:founded"),  # correct
    ("per:title", "org:founded"),  # wrong relation: guessed and gold, not correct
    ("per:age", NA),  # missed: gold only
    (NA, "per:age"),  # false positive: guessed only
    (NA, NA),  # ignored
    (NA, NA),  # ignored
    ("org:members", "org:members"),  # correct
    ("per:age", "per:age"),  # correct
    (NA, "org:founded"),  # false positive
]
# correct = 5 (rows 1,2,3,9,10); guessed (pred != NA) = 8 (rows 1,2,3,4,6,9,10,11); gold != NA = 7 (1,2,3,4,5,9,10)
# P = 5/8 = 0.625, R = 5/7, F1 = 2*5/(8+7) = 2/3.


def test_tacred_golden() -> None:
    gold, pred = zip(*TACRED_GOLDEN)
    s = tacred_f1(list(gold), list(pred))
    assert s["precision"] == 0.625
    assert s["recall"] == pytest.approx(5 / 7)
    assert s["f1"] == pytest.approx(2 / 3)


def test_tacred_empty_denominators_follow_official_script() -> None:
    # Nothing predicted as a relation: the official scorer sets precision to 1.0, recall 0, F1 0.
    assert tacred_f1(["per:age", NA], [NA, NA]) == {"precision": 1.0, "recall": 0.0, "f1": 0.0}
    # No relation in gold: recall 0.0; precision 0 / 1.
    assert tacred_f1([NA, NA], ["per:age", NA]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert tacred_f1(["O", "r"], ["r", "r"], negative_label="O")["precision"] == 0.5


# ----------------------------------------------------------------------------------------------------------------
# SQuAD v1.1
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Denver Broncos", "denver broncos"),  # article + case
        ("an apple a day", "apple day"),  # all three articles
        ("Theatre of the Absurd", "theatre of absurd"),  # 'the' only as a whole word
        ("  Super   Bowl\n50 ", "super bowl 50"),  # whitespace
        ("A.B.C.", "abc"),  # punctuation removed before articles: 'a.b.c.' -> 'abc'
        ("rock-n-roll, (1950s)!", "rocknroll 1950s"),  # punctuation removed, not replaced by spaces
        ("a", ""),
    ],
)
def test_squad_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


def test_squad_token_f1_by_hand() -> None:
    # 'cat sat on mat' (4) vs 'cat sat on red mat' (5): overlap 4, P = 1, R = 4/5, F1 = 8/9.
    assert f1_score("the cat sat on the mat", "a cat sat on a red mat") == pytest.approx(8 / 9)
    # Multiset overlap: {dog:2, cat:1} & {dog:1, cat:2} = 2 tokens, P = R = 2/3.
    assert f1_score("dog dog cat", "dog cat cat") == pytest.approx(2 / 3)
    assert f1_score("", "x") == 0.0
    # v1.1 quirk: both normalise to '' -> EM 1 but F1 0 (no common token).
    assert exact_match_score("The", "a") == 1.0
    assert f1_score("The", "a") == 0.0


def test_squad_scores_max_over_answers_and_missing_predictions() -> None:
    answers = {
        "q1": ["Denver Broncos", "Broncos", "the Denver Broncos team"],
        "q2": ["Denver Broncos", "Broncos team"],
        "q3": ["Santa Clara"],
    }
    predictions = {
        "q1": "broncos.",  # EM 1 against 'Broncos'; F1 1
        "q2": "Denver",  # EM 0; F1 vs 'denver broncos' = P 1, R 1/2 -> 2/3; vs 'broncos team' 0
        # q3 missing: scores 0 and counts in the mean
        "extra": "ignored",
    }
    s = squad_scores(predictions, answers)
    assert s["exact_match"] == pytest.approx(1 / 3)
    assert s["f1"] == pytest.approx((1 + 2 / 3 + 0) / 3)  # 5/9
    with pytest.raises(ValueError, match="q1"):
        squad_scores({"q1": "x"}, {"q1": []})


# ----------------------------------------------------------------------------------------------------------------
# Classification
# ----------------------------------------------------------------------------------------------------------------
def test_classification_hand_golden() -> None:
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    # a: tp 1, t 2, p 2 -> F1 2/4;  b: tp 2, t 2, p 3 -> 4/5;  c: tp 0, t 1, p 0 -> 0
    s = classification_scores(gold, pred, positive="b")
    assert s["accuracy"] == 0.6
    assert s["macro_f1"] == pytest.approx((0.5 + 0.8 + 0) / 3)
    assert s["micro_f1"] == pytest.approx(0.6)
    assert s["weighted_f1"] == pytest.approx((0.5 * 2 + 0.8 * 2 + 0 * 1) / 5)
    assert (s["precision"], s["recall"], s["f1"]) == (pytest.approx(2 / 3), 1.0, pytest.approx(0.8))
    # With an explicit label set including a class 'd' nobody uses: it scores 0 and is averaged in.
    s4 = classification_scores(gold, pred, labels=["a", "b", "c", "d"])
    assert s4["macro_f1"] == pytest.approx(1.3 / 4)
    # Restricting to ['a', 'b']: micro over those labels = 2*3 / (t 4 + p 5) = 2/3; accuracy still over all.
    s2 = classification_scores(gold, pred, labels=["a", "b"])
    assert s2["micro_f1"] == pytest.approx(2 / 3)
    assert s2["accuracy"] == 0.6
    assert confusion_matrix(gold, pred, ["a", "b", "c"]).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_classification_equals_sklearn(seed: int) -> None:
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 300)), int(rng.integers(2, 8))
    gold = [f"c{x}" for x in rng.integers(0, k, size=n)]
    pred = [f"c{x}" for x in rng.integers(0, k + 1, size=n)]  # may predict an unseen class
    ours = classification_scores(gold, pred, positive="c0")
    assert ours["accuracy"] == pytest.approx(skm.accuracy_score(gold, pred))
    for avg in ("macro", "micro", "weighted"):
        assert ours[f"{avg}_f1"] == pytest.approx(skm.f1_score(gold, pred, average=avg, zero_division=0)), avg
    labels = [f"c{x}" for x in rng.permutation(k + 2)[: max(1, k - 1)]]  # a subset, maybe with absent classes
    sub = classification_scores(gold, pred, labels=labels)
    for avg in ("macro", "micro", "weighted"):
        expected = skm.f1_score(gold, pred, labels=labels, average=avg, zero_division=0)
        assert sub[f"{avg}_f1"] == pytest.approx(expected), (avg, labels)
    ints_g, ints_p = rng.integers(0, 2, size=n).tolist(), rng.integers(0, 2, size=n).tolist()
    binary = classification_scores(ints_g, ints_p, positive=1)
    assert binary["f1"] == pytest.approx(skm.f1_score(ints_g, ints_p, pos_label=1, zero_division=0))
    assert binary["precision"] == pytest.approx(skm.precision_score(ints_g, ints_p, zero_division=0))
    assert binary["recall"] == pytest.approx(skm.recall_score(ints_g, ints_p, zero_division=0))


def test_classification_fast_on_100k() -> None:
    rng = random.Random(0)
    gold = [rng.choice("abcdefghij") for _ in range(100_000)]
    pred = [g if rng.random() < 0.7 else rng.choice("abcdefghij") for g in gold]
    start = time.perf_counter()
    s = classification_scores(gold, pred)
    assert time.perf_counter() - start < 2.0  # ~0.05 s; a loose bound against an accidental O(N K) Python loop
    assert s["accuracy"] == pytest.approx(sum(g == p for g, p in zip(gold, pred)) / len(gold))


# ----------------------------------------------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------------------------------------------
def test_every_metric_declares_higher_is_better() -> None:
    expected = {"semeval_f1", "tacred_f1", "squad_em", "squad_f1", "accuracy", "macro_f1", "micro_f1", "weighted_f1"}
    assert expected <= set(METRICS)
    for name, metric in METRICS.items():
        assert isinstance(metric, Metric) and metric.name == name
        assert isinstance(metric.higher_is_better, bool)
        assert metric.description


def test_higher_is_better_accepts_split_prefixes() -> None:
    for name in ("semeval_f1", "dev/semeval_f1", "test.macro_f1", "val_squad_f1", "train/dev_accuracy"):
        assert higher_is_better(name) is True
    with pytest.raises(KeyError, match="known metrics: .*semeval_f1"):
        higher_is_better("dev/bleu")
    with pytest.raises(KeyError, match="known metrics"):
        get_metric("dev/semeval_f1")  # get_metric is exact


def test_compute_metrics_maps_names_to_the_right_keys() -> None:
    gold, pred = zip(*SEMEVAL_GOLDEN)
    out = compute_metrics(["semeval_f1", "accuracy"], list(gold), list(pred))
    assert out == {"semeval_f1": pytest.approx(223 / 462), "accuracy": pytest.approx(13 / 25)}
    tg, tp = zip(*TACRED_GOLDEN)
    assert compute_metrics(["tacred_f1"], list(tg), list(tp))["tacred_f1"] == pytest.approx(2 / 3)
    answers, predictions = {"q1": ["Broncos"], "q2": ["Denver Broncos"]}, {"q1": "the Broncos", "q2": "Denver"}
    squad = compute_metrics(["squad_em", "squad_f1"], answers, predictions)
    assert squad == {"squad_em": 0.5, "squad_f1": pytest.approx((1 + 2 / 3) / 2)}
    cls = compute_metrics(["macro_f1", "micro_f1", "weighted_f1"], ["a", "a", "b", "b", "c"], ["a", "b", "b", "b", "a"])
    assert cls == {
        "macro_f1": pytest.approx(1.3 / 3),
        "micro_f1": pytest.approx(0.6),
        "weighted_f1": pytest.approx(0.52),
    }
