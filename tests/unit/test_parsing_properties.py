"""Property tests: the parser raises nothing but ParseFailure and never executes code."""

import builtins
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from nle.parsing import predicates as P
from nle.parsing.logical_form import Call, Lit, Var, from_json, to_json
from nle.parsing.parser import ParseFailure, parse

PHRASES = sorted({ph.text for p in P.PREDICATES.values() for ph in p.phrases})
VARS = ["SUBJ", "OBJ", "X", "Y", "the answer", "the question"]
WORDS = PHRASES + VARS + ['"of"', "'was born'", "3", "two", "words", "and", "or", "the", "is", "__import__('os')"]


def _try(text, domain):
    try:
        cands = parse(text, domain=domain, beam=4)
    except ParseFailure as err:
        assert err.explanation_id == "" and isinstance(err.unrecognised, tuple)
        return
    for c in cands:
        assert from_json(to_json(c.logical_form)) == c.logical_form
        _well_typed(c.logical_form)


def _well_typed(lf):
    if isinstance(lf, Call):
        pred = P.get(lf.op)
        assert pred.variadic or len(lf.args) == pred.arity
        for a in lf.args:
            _well_typed(a)
    else:
        assert isinstance(lf, (Var, Lit))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80), st.sampled_from(["relation", "mrc", "remote"]))
def test_random_strings_only_raise_parse_failure(text, domain):
    _try(text, domain)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), st.sampled_from(["relation", "mrc", "remote"]))
def test_random_registry_sentences_only_raise_parse_failure(words, domain):
    _try(" ".join(words), domain)


def test_no_code_is_executed(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("code execution")
    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    monkeypatch.setattr(builtins, "__import__", builtins.__import__)
    rnd = random.Random(0)
    for _ in range(50):
        _try(" ".join(rnd.choice(WORDS) for _ in range(8)) + ' "__import__(\'os\').system(\'x\')"', "relation")
    lf = parse('"__import__(\'os\')" is between SUBJ and OBJ', domain="relation")[0].logical_form
    assert lf.args[2] == Lit("__import__('os')", "str")
