"""Ranker: weak supervision moves the good candidate up; BabbleLabble filters; the reference checker."""

from nle.logic.forms import Call, Lit, Var
from nle.parsing.parser import ParseCandidate, ParseFailure, parse
from nle.parsing.ranker import rerank, train_ranker
from nle.parsing.report import parse_explanations
from nle.rules.filters import babble_filters
from nle.rules.selfcheck import holds, make_checker
from nle.types import Example, Explanation


def _example(tokens, subj, obj):
    ex = Example.from_tokens("e", tokens)
    return Example(**{**ex.__dict__, "spans": (ex.make_span(subj, subj + 1, "subj"), ex.make_span(obj, obj + 1, "obj"))})


EX = _example(["the", "SUBJ-O", "was", "born", "in", "OBJ-O", "."], 1, 5)


def test_training_prefers_features_of_consistent_candidates():
    a = ParseCandidate(Var("A"), 0.0, "a", {"lex:x->p": 1.0})
    b = ParseCandidate(Var("B"), 0.0, "b", {"lex:x->q": 1.0})
    w = train_ranker([[a, b], [b, a]], [[False, True], [True, False]], init={}, epochs=40)
    assert w["lex:x->q"] > 0 > w["lex:x->p"]
    assert [c.derivation for c in rerank([a, b], w)] == ["b", "a"]


def test_reference_checker_semantics():
    s, o = Var("SUBJ"), Var("OBJ")
    assert holds(Call("between", (s, o, Lit("was born"))), EX)
    assert holds(Call("between", (o, s, Lit("born in"))), EX)  # order-free
    assert not holds(Call("sandwich", (s, o, Lit("was born"))), EX)
    assert holds(Call("sandwich", (s, o, Lit("was born in"))), EX)
    assert holds(Call("eq", (Call("count_between", (s, o)), Lit(3, "int"))), EX)
    assert holds(Call("left_within", (Lit("in"), o, Lit(1, "int"))), EX)
    assert holds(Call("directly_before", (Lit("in"), o)), EX)
    assert not holds(Call("left", (o, s)), EX)
    assert holds(Call("ner", (s, Lit("O", "ner"))), EX)


def test_parse_explanations_collects_failures_and_consistency():
    exps = [Explanation("a", 'The phrase "was born in" links SUBJ and OBJ', "r", EX),
            Explanation("b", "qqq zzz", "r", EX),
            Explanation("c", "OBJ is before SUBJ", "r", EX)]
    rep = parse_explanations(exps, domain="relation", is_consistent=make_checker(), train=True)
    assert (rep.n_explanations, rep.n_parsed, rep.n_consistent) == (3, 2, 1)
    assert [f.explanation_id for f in rep.failures] == ["b"]
    assert rep.failures[0].unrecognised == ("qqq zzz",)
    d = rep.to_dict()
    assert d["failures"][0]["text"] == "qqq zzz" and d["explanations"][0]["consistent"] is True


def test_parse_failure_names_id_and_spans():
    try:
        parse("SUBJ frobnicates OBJ", domain="relation", explanation_id="x7")
    except ParseFailure as err:
        assert err.explanation_id == "x7" and err.unrecognised == ("frobnicates",)
    else:
        raise AssertionError("expected ParseFailure")


def test_babble_filters():
    res = babble_filters([True, False, True, True, True], [(1, -1), (1, -1), (1, 1), (-1, -1), (1, -1)])
    assert res.kept == (0,)
    assert res.dropped == {1: "inconsistent", 2: "uniform", 3: "uniform", 4: "duplicate"}
