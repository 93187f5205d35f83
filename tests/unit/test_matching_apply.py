"""Label matrix, fault report, rule analysis (hand-checked numbers) and the aggregators."""

from __future__ import annotations

import numpy as np
import pytest

from nle.logic.forms import Call, Lit, Var, to_dict, to_json
from nle.matching.aggregate import accuracies_from_dev, fit_label_model, majority_vote
from nle.matching.analysis import analyse
from nle.matching.apply import apply_rules
from nle.matching.corpus import AnnotatedCorpus, AnnotatedExample
from nle.matching.semantics import ExecutionError
from nle.types import ABSTAIN, LabelingRule

S, O = Var("SUBJ"), Var("OBJ")  # noqa: E741


def corpus():
    exs = [AnnotatedExample.from_tags("a", "smoke caused by fire".split(), roles={"SUBJ": (0, 1), "OBJ": (3, 4)}),
           AnnotatedExample.from_tags("b", "fire of the smoke".split(), roles={"SUBJ": (0, 1), "OBJ": (3, 4)}),
           AnnotatedExample.from_tags("c", "no roles caused by here".split())]
    return AnnotatedCorpus.from_examples(exs)


def test_label_matrix_and_faults():
    rules = [LabelingRule("caused", 2, Call("between", (S, O, Lit("caused by")))),
             LabelingRule("of", 1, to_dict(Call("between", (S, O, Lit("of"))))),       # dict form
             LabelingRule("any", 0, to_json(Call("exists", (Lit("smoke"),))))]          # JSON form
    L = apply_rules(rules, corpus())
    assert L.labels.tolist() == [[2, ABSTAIN, 0], [ABSTAIN, 1, 0], [ABSTAIN, ABSTAIN, ABSTAIN]]
    assert L.faults.tolist() == [1, 1, 0]
    assert L.fault_report() == {"caused": 1, "of": 1}
    assert L.rule_names == ("caused", "of", "any") and L.example_ids == ("a", "b", "c")


def test_bad_rule_is_named():
    with pytest.raises(ExecutionError, match="rule 'bad'"):
        apply_rules([LabelingRule("bad", 0, Call("eval", ()))], corpus())


def test_analysis_hand_checked():
    L = np.array([[0, 0, -1],
                  [0, 1, -1],
                  [-1, 1, 1],
                  [-1, -1, -1]])
    gold = np.array([0, 1, 1, 0])
    a = analyse(L, gold, names=("r0", "r1", "r2"), faults=np.array([0, 2, 0]))
    r0, r1, r2 = a.rules
    assert (r0.coverage, r0.overlap, r0.conflict) == (0.5, 0.5, 0.25)
    assert (r1.coverage, r1.overlap, r1.conflict) == (0.75, 0.75, 0.25)
    assert (r2.coverage, r2.overlap, r2.conflict) == (0.25, 0.25, 0.0)
    assert (r0.correct, r0.incorrect, r0.accuracy) == (1, 1, 0.5)
    assert (r1.correct, r1.incorrect, r1.accuracy) == (3, 0, 1.0)
    assert r2.accuracy == 1.0 and r1.faults == 2 and r1.labels == (0, 1)
    assert (a.coverage, a.overlap, a.conflict) == (0.75, 0.75, 0.25)
    assert a.accuracy == pytest.approx(5 / 6)  # 6 votes, only r0's vote on row 1 is wrong
    md = a.to_markdown()
    assert "| r1 | 0,1 | 0.750 | 0.750 | 0.250 | 2 | 3 | 0 | 1.000 |" in md
    assert analyse(L).rules[0].accuracy is None


def test_majority_vote_ties_abstain():
    L = np.array([[0, 0, 1], [1, -1, -1], [0, 1, -1], [-1, -1, -1], [2, 2, 0]])
    assert majority_vote(L, n_classes=3).tolist() == [0, 1, ABSTAIN, ABSTAIN, 2]


def test_weighted_vote_from_dev_accuracies():
    # rule 0 is right 3/3 on dev, rules 1 and 2 are right 0/3: one vote of rule 0 outweighs two of the others
    L_dev = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]])
    model = accuracies_from_dev(L_dev, np.array([0, 1, 1]), n_classes=2)
    assert model.accuracies.tolist() == pytest.approx([0.8, 0.2, 0.2])  # (3 + 1) / (3 + 2), (0 + 1) / (3 + 2)
    L = np.array([[0, 1, 1], [-1, -1, -1]])
    assert model.predict(L).tolist() == [0, ABSTAIN]
    p = model.predict_proba(L)
    assert p.shape == (2, 2) and np.allclose(p.sum(1), 1) and np.allclose(p[1], model.prior)
    assert majority_vote(L, 2).tolist() == [1, ABSTAIN]


def test_em_label_model_recovers_a_bad_rule():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    good = [np.where(rng.random(2000) < 0.9, y, 1 - y) for _ in range(3)]
    bad = np.where(rng.random(2000) < 0.3, y, 1 - y)
    L = np.stack(good + [bad], axis=1)
    model = fit_label_model(L, n_classes=2)
    assert np.allclose(model.accuracies[:3], 0.9, atol=0.03)
    assert model.accuracies[3] == pytest.approx(0.3, abs=0.03)
    assert (model.predict(L) == y).mean() > (majority_vote(L, 2) == y).mean()
