"""Interpreter tests: every registered predicate on tiny hand-annotated examples, vectorised == per-example oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nle.logic import registry as P
from nle.logic.forms import Call, Lit, Var
from nle.matching.corpus import AnnotatedCorpus, AnnotatedExample
from nle.matching.execute import Executor, execute
from nle.matching.reference import execute_one
from nle.matching.semantics import ExecutionError, phrase_tokens

S, O, X = Var("SUBJ"), Var("OBJ"), Var("X")  # noqa: E741


def C(op, *args):
    return Call(op, tuple(args))


def n(v):
    return Lit(v, "int")


# "The smoke was caused by a big fire in Paris ."  SUBJ = smoke (1), OBJ = fire (7)
SMOKE = AnnotatedExample.from_tags(
    "smoke", "The smoke was caused by a big fire in Paris .".split(),
    lemmas="the smoke be cause by a big fire in paris .".split(),
    pos="DET NOUN AUX VERB ADP DET ADJ NOUN ADP PROPN PUNCT".split(),
    ner="O O O O O O O O O GPE O".split(),
    heads=[1, 3, 3, 3, 3, 7, 7, 4, 7, 8, 3],
    noun_chunks=[0, 0, -1, -1, -1, 1, 1, 1, -1, 2, -1],
    roles={"SUBJ": (1, 2), "OBJ": (7, 8)})
# "SUBJ-PERSON 's daughter OBJ-PERSON said IBM"  (NExT placeholders), X unbound
NEXT = AnnotatedExample.from_tags(
    "next", "SUBJ-PERSON 's daughter OBJ-PERSON said IBM".split(),
    pos="PROPN PART NOUN PROPN VERB PROPN".split(), ner="O O O O O ORG".split(),
    roles={"SUBJ": (0, 1), "OBJ": (3, 4)})
QUESTION = AnnotatedExample.from_tags("q", "when was Paris burnt ?".split())
MRC = AnnotatedExample.from_tags(
    "mrc", "Paris burnt in 1871 . Rome did not".split(), ner="GPE O O DATE O GPE O O".split(),
    sentences=[0, 0, 0, 0, 0, 1, 1, 1], roles={"X": (0, 1), "ANS": (3, 4)}, question=QUESTION)
EXAMPLES = [SMOKE, NEXT, MRC]
LEX = {"negation": ["not", "never"], "identity": ["big fire", "paris"]}


def both(lf):
    """(fires, faults) per example from the oracle and from the vectorised interpreter; they must agree."""
    oracle = [execute_one(lf, ex, LEX) for ex in EXAMPLES]
    got = execute(lf, AnnotatedCorpus.from_examples(EXAMPLES), LEX)
    assert got.fires.tolist() == [f for f, _ in oracle], lf
    assert got.faults.tolist() == [f for _, f in oracle], lf
    return [f for f, _ in oracle]


CASES = [  # (logical form, fires on [SMOKE, NEXT, MRC]) -- hand-checked against the registry's semantics
    (C("and", C("left", S, O), C("exists", Lit("fire"))), [True, False, False]),
    (C("or", C("exists", Lit("daughter")), C("exists", Lit("rome"))), [False, True, True]),
    (C("not", C("exists", Lit("paris"))), [False, True, False]),
    (C("all", C("exists", Lit("the")), C("exists", Lit("smoke"))), [True, False, False]),
    (C("any", C("exists", Lit("ibm")), C("exists", Lit("did"))), [False, True, True]),
    (C("none", C("exists", Lit("ibm")), C("exists", Lit("did"))), [True, False, False]),
    (C("eq", C("count_between", S, O), n(5)), [True, False, False]),
    (C("ne", C("count_between", S, O), n(5)), [False, True, False]),   # MRC: unbound -> undefined -> false
    (C("lt", C("count_between", S, O), n(3)), [False, True, False]),
    (C("le", C("count_between", S, O), n(2)), [False, True, False]),
    (C("gt", C("count", Lit("a")), n(0)), [True, False, False]),
    (C("ge", C("length", S), n(1)), [True, True, False]),
    (C("eq", C("count", Lit("in")), n(1)), [True, False, True]),
    (C("eq", C("length", Lit("was caused by")), n(3)), [True, True, True]),
    (C("left", Lit("the"), S), [True, False, False]),
    (C("right", O, Lit("caused")), [True, False, False]),
    (C("directly_before", Lit("big"), O), [True, False, False]),
    (C("directly_after", Lit("daughter"), Lit("'s")), [False, True, False]),
    (C("left_within", Lit("caused by"), O, n(3)), [True, False, False]),   # 'by' ... 'fire': gap 2, distance 3
    (C("left_within", Lit("caused by"), O, n(2)), [False, False, False]),
    (C("right_within", Lit("paris"), O, n(2)), [True, False, False]),
    (C("within", O, S, n(6)), [True, True, False]),
    (C("within", O, S, n(5)), [False, True, False]),
    (C("apart", S, O, n(2)), [False, True, False]),
    (C("between", S, O, Lit("caused by")), [True, False, False]),
    (C("between", O, S, Lit("'s daughter")), [False, True, False]),
    (C("sandwich", S, O, Lit("'s daughter")), [False, True, False]),
    (C("sandwich", S, O, Lit("caused by")), [False, False, False]),
    (C("equals", O, Lit("Fire")), [True, False, False]),
    (C("contains", Var("Sentence"), Lit("did not")), [False, False, False]),  # MRC Sentence = sentence of ANS
    (C("contains", Var("Context"), Lit("did not")), [False, False, True]),
    (C("in", Lit("paris"), Var("Question")), [False, False, True]),
    (C("in", X, Var("Question")), [False, False, True]),
    (C("in", Lit("fire"), Var("Sentence")), [True, False, False]),
    (C("starts_with", Var("Sentence"), Lit("the smoke")), [True, False, False]),
    (C("ends_with", Var("Context"), Lit("did not")), [False, False, True]),
    (C("exists", Lit("'s")), [False, True, False]),
    (C("is_upper", Lit("ibm")), [False, True, False]),
    (C("is_lower", S), [True, False, False]),
    (C("is_capitalized", Lit("paris")), [True, False, True]),
    (C("ner", S, Lit("PERSON", "ner")), [False, True, False]),       # placeholder SUBJ-PERSON
    (C("ner", Lit("paris"), Lit("LOCATION", "ner")), [True, False, True]),  # GPE matches LOCATION
    (C("ner", Lit("ibm"), Lit("ORGANIZATION", "ner")), [False, True, False]),
    (C("pos", O, Lit("NOUN", "pos")), [True, False, False]),
    (C("pos", Lit("'s daughter"), Lit("NOUN", "pos")), [False, True, False]),
    (C("pos", Lit("caused by"), Lit("ADP", "pos")), [True, False, False]),  # a phrase's last word
    (C("chunk", Lit("big fire"), Lit("NP", "chunk")), [True, False, False]),
    (C("chunk", Lit("caused"), Lit("VP", "chunk")), [True, False, False]),
    (C("chunk", Lit("in paris"), Lit("PP", "chunk")), [True, False, False]),
    (C("lexicon", Lit("not"), Lit("negation", "lexicon")), [False, False, True]),
    (C("lexicon", Lit("big fire"), Lit("identity", "lexicon")), [True, False, False]),
    (C("le", C("dep_distance", S, O), n(3)), [True, False, False]),  # smoke->caused->by->fire
    (C("eq", C("dep_distance", S, O), n(3)), [True, False, False]),
    (C("at", Var("Question"), C("directly_before", Lit("was"), X)), [False, False, True]),
    (C("at", Var("Sentence"), C("exists", Lit("rome"))), [False, False, False]),
    (C("at", Var("Context"), C("exists", Lit("rome"))), [False, False, True]),
]


def test_every_registered_predicate_has_a_case():
    used = set()

    def walk(lf):
        if isinstance(lf, Call):
            used.add(lf.op)
            for a in lf.args:
                walk(a)
    for lf, _ in CASES:
        walk(lf)
    assert set(P.PREDICATES) <= used, set(P.PREDICATES) - used


@pytest.mark.parametrize("lf,expected", CASES, ids=[f"{i}-{lf.op}" for i, (lf, _) in enumerate(CASES)])
def test_predicate(lf, expected):
    assert both(lf) == expected


def test_faults_are_counted_not_swallowed():
    lf = C("left", X, Lit("burnt"))
    r = execute(lf, AnnotatedCorpus.from_examples(EXAMPLES), LEX)
    assert r.fires.tolist() == [False, False, True]
    assert r.faults.tolist() == [True, True, False]  # X unbound in SMOKE and NEXT
    assert execute_one(lf, SMOKE) == (False, True)
    # every argument is evaluated: a fault in the second conjunct counts even when the first is false
    assert execute_one(C("and", C("exists", Lit("zzz")), C("exists", X)), SMOKE) == (False, True)


def test_unknown_predicate_and_bad_types_raise():
    corpus = AnnotatedCorpus.from_examples(EXAMPLES)
    with pytest.raises(ExecutionError, match="unknown predicate 'exec'"):
        execute(C("exec", Lit("import os")), corpus)
    with pytest.raises(ExecutionError, match="expects int"):
        execute(C("le", Lit("two"), n(2)), corpus)
    with pytest.raises(ExecutionError, match="lexicon 'hate' not loaded"):
        execute(C("lexicon", S, Lit("hate", "lexicon")), corpus, LEX)
    with pytest.raises(ExecutionError, match="unknown variable"):
        execute_one(C("exists", Var("W")), SMOKE)


def test_phrase_tokens_follow_the_text_tokenisation():
    assert phrase_tokens("'s daughter") == ("'s", "daughter")
    assert phrase_tokens("Was born, in") == ("was", "born", ",", "in")


# ---- vectorised == oracle on random logical forms and random examples --------------------------------------------
WORDS = ["a", "b", "c", "A", "B"]
PHRASES = ["a", "b", "a b", "b a", "c", "a a"]


@st.composite
def examples(draw, i):
    n_tok = draw(st.integers(0, 7))
    toks = draw(st.lists(st.sampled_from(WORDS), min_size=n_tok, max_size=n_tok))
    heads = [draw(st.integers(0, k)) for k in range(n_tok)]  # head at or before the word: always a tree
    roles = {}
    for r in ("SUBJ", "OBJ", "X"):
        if n_tok and draw(st.booleans()):
            s = draw(st.integers(0, n_tok - 1))
            roles[r] = (s, draw(st.integers(s + 1, n_tok)))
    return AnnotatedExample.from_tags(
        f"r{i}", toks, pos=[draw(st.sampled_from(["NOUN", "VERB", "ADP"])) for _ in toks],
        ner=[draw(st.sampled_from(["O", "GPE", "PERSON"])) for _ in toks], heads=heads,
        noun_chunks=[draw(st.sampled_from([-1, 0, 1])) for _ in toks], roles=roles)


SPAN = st.one_of(st.sampled_from([S, O, X, Var("Sentence")]), st.sampled_from(PHRASES).map(Lit))
INT = st.one_of(st.integers(0, 4).map(n), st.builds(lambda op, a, b: Call(op, (a, b)),
                                                    st.sampled_from(["count_between", "dep_distance"]), SPAN, SPAN),
                st.builds(lambda op, a: Call(op, (a,)), st.sampled_from(["count", "length"]), SPAN))
ATOM = st.one_of(
    st.builds(lambda op, a, b: Call(op, (a, b)), st.sampled_from(
        ["left", "right", "directly_before", "directly_after", "equals", "contains", "in", "starts_with", "ends_with"]),
        SPAN, SPAN),
    st.builds(lambda op, a, b, k: Call(op, (a, b, k)), st.sampled_from(["left_within", "right_within", "within",
                                                                        "apart"]), SPAN, SPAN, INT),
    st.builds(lambda op, a, b, c: Call(op, (a, b, c)), st.sampled_from(["between", "sandwich"]), SPAN, SPAN, SPAN),
    st.builds(lambda op, a: Call(op, (a,)), st.sampled_from(["exists", "is_upper", "is_lower", "is_capitalized"]),
              SPAN),
    st.builds(lambda op, a, b: Call(op, (a, b)), st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]), INT, INT),
    st.builds(lambda a, t: Call("ner", (a, Lit(t, "ner"))), SPAN, st.sampled_from(["GPE", "LOCATION", "PERSON"])),
    st.builds(lambda a, t: Call("pos", (a, Lit(t, "pos"))), SPAN, st.sampled_from(["NOUN", "VERB"])),
    st.builds(lambda a, t: Call("chunk", (a, Lit(t, "chunk"))), SPAN, st.sampled_from(["NP", "VP", "PP"])),
    st.builds(lambda a: Call("lexicon", (a, Lit("lex", "lexicon"))), SPAN),
)
FORMULA = st.recursive(ATOM, lambda inner: st.one_of(
    st.builds(lambda op, xs: Call(op, tuple(xs)), st.sampled_from(["and", "or", "any", "all", "none"]),
              st.lists(inner, min_size=2, max_size=3)),
    st.builds(lambda x: Call("not", (x,)), inner),
    st.builds(lambda v, x: Call("at", (v, x)), st.sampled_from([X, Var("Sentence")]), inner)), max_leaves=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exs=st.lists(st.integers(0, 10**6), min_size=1, max_size=5).flatmap(
    lambda ids: st.tuples(*[examples(i) for i in range(len(ids))])), lfs=st.lists(FORMULA, min_size=1, max_size=4))
def test_vectorised_equals_oracle(exs, lfs):
    lex = {"lex": ["a", "b a", "c"]}
    run = Executor(AnnotatedCorpus.from_examples(list(exs)), lex)  # one executor: memoised sub-formulas shared
    for lf in lfs:
        got = run(lf)
        want = [execute_one(lf, ex, lex) for ex in exs]
        assert got.fires.tolist() == [f for f, _ in want], lf
        assert got.faults.tolist() == [f for _, f in want], lf


def test_corpus_round_trip():
    corpus = AnnotatedCorpus.from_examples(EXAMPLES)
    assert [corpus.example(i) for i in range(corpus.n)] == EXAMPLES
    assert corpus.offsets.tolist() == [0, 11, 17, 25]
    assert np.array_equal(corpus.roles["SUBJ"], [[1, 2], [0, 1], [-1, -1]])


def test_a_phrase_as_the_second_argument_of_a_string_predicate_is_a_pattern():
    """``starts_with(Question, "how long")`` reads the question's words against the phrase; the phrase need not
    occur in the context (it once had to, so every such MRC rule failed on contexts without it)."""
    from nle.logic.forms import from_text
    from nle.matching.reference import execute_one

    q = AnnotatedExample.from_tags("q", "how long did it last ?".split())
    ex = AnnotatedExample.from_tags("c", "it lasted ten years .".split(), roles={"ANS": (2, 4), "X": (0, 1)},
                                    question=q)
    corpus = AnnotatedCorpus.from_examples([ex])
    cases = {'starts_with(Question, "how long")': True, 'starts_with(Question, "how much")': False,
             'contains(Question, "did it")': True, 'ends_with(ANS, "years")': True, 'equals(ANS, "ten years")': True,
             'equals(ANS, "ten")': False, 'contains(ANS, "ten years .")': False,
             'equals("lasted", "lasted")': True, 'equals("never", "never")': False}
    for text, want in cases.items():
        lf = from_text(text)
        assert execute(lf, corpus).fires.tolist() == [want], text
        assert execute_one(lf, ex) == (want, False), text
