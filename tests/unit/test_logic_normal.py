"""Logical-form text syntax and canonical forms: equal meaning ⇔ equal canonical form, on hand-annotated examples."""

from __future__ import annotations

import pytest

from nle.logic.forms import from_text, render
from nle.logic.normal import canonical, same
from nle.matching.corpus import AnnotatedCorpus
from nle.matching.execute import execute
from tests.unit.test_matching_execute import EXAMPLES, LEX

TEXTS = [
    'and(left(SUBJ, OBJ), le(count_between(SUBJ, OBJ), 3))',
    'sandwich(SUBJ, OBJ, "was born in")',
    'at(Question, starts_with(Question, "how long"))',
    'ner(ANS, ner:DATE)',
    'not(or(exists("never"), lexicon(X, lexicon:negation)))',
    'lt(dep_distance(X, Y), 3)',
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_syntax_round_trips(text):
    assert render(from_text(text)) == text
    assert from_text(render(from_text(text))) == from_text(text)


@pytest.mark.parametrize("bad,where", [("left(SUBJ, OBJ", "expected"), ("left(SUBJ OBJ)", "offset"),
                                       ('exists("open)', "offset"), ("", "expected")])
def test_text_syntax_errors_name_the_offset(bad, where):
    with pytest.raises(ValueError, match=where):
        from_text(bad)


EQUAL = [  # pairs of forms that mean the same thing and must share a canonical form
    ('and(left(SUBJ, OBJ), exists("of"))', 'and(exists("of"), right(OBJ, SUBJ))'),
    ('all(left(SUBJ, OBJ), and(exists("a"), exists("b")))', 'and(exists("b"), left(SUBJ, OBJ), exists("a"))'),
    ('directly_after(OBJ, SUBJ)', 'directly_before(SUBJ, OBJ)'),
    ('right_within(OBJ, SUBJ, 3)', 'left_within(SUBJ, OBJ, 3)'),
    ('lt(count_between(SUBJ, OBJ), 4)', 'le(count_between(OBJ, SUBJ), 3)'),
    ('gt(5, count_between(SUBJ, OBJ))', 'le(count_between(SUBJ, OBJ), 4)'),
    ('none(exists("a"), exists("b"))', 'not(any(exists("b"), exists("a")))'),
    ('not(not(exists("a")))', 'exists("a")'),
    ('between(SUBJ, OBJ, "Of")', 'between(OBJ, SUBJ, "of")'),
    ('contains(Question, "money")', 'in("money", Question)'),
    ('in(X, Question)', 'at(Question, exists(X))'),
    ('at(Question, and(exists(X), exists(Y)))', 'and(at(Question, exists(Y)), at(Question, exists(X)))'),
    ('ner(OBJ, ner:COUNTRY)', 'ner(OBJ, ner:GPE)'),
]
DIFFERENT = [  # near misses the comparison must tell apart
    ('left(SUBJ, OBJ)', 'left(OBJ, SUBJ)'),
    ('directly_before(SUBJ, OBJ)', 'left(SUBJ, OBJ)'),
    ('le(count_between(SUBJ, OBJ), 3)', 'le(count_between(SUBJ, OBJ), 4)'),
    ('sandwich(SUBJ, OBJ, "of")', 'between(SUBJ, OBJ, "of")'),
    ('and(exists("a"), exists("b"))', 'or(exists("a"), exists("b"))'),
    ('left_within(SUBJ, OBJ, 3)', 'within(SUBJ, OBJ, 3)'),
    ('at(Question, exists(X))', 'exists(X)'),
]


@pytest.mark.parametrize("a,b", EQUAL)
def test_equal_meanings_have_one_canonical_form(a, b):
    assert same(from_text(a), from_text(b), domain="mrc")


@pytest.mark.parametrize("a,b", DIFFERENT)
def test_different_meanings_stay_different(a, b):
    assert not same(from_text(a), from_text(b), domain="mrc")


def test_context_scope_is_the_main_text_only_in_mrc():
    a, b = from_text('at(Context, exists(X))'), from_text('exists(X)')
    assert same(a, b, domain="mrc")
    assert not same(a, b, domain="relation")


RUNNABLE = [  # forms the interpreter runs on test_matching_execute's examples; canonical must keep their denotation
    'and(right(OBJ, SUBJ), lt(count_between(OBJ, SUBJ), 6))',
    'directly_after(ANS, "in")',
    'gt(7, count_between(OBJ, SUBJ))',
    'none(exists("fire"), exists("daughter"))',
    'right_within(ANS, X, 3)',
    'contains(Sentence, "burnt")',
    'in(X, Question)',
    'at(Question, or(exists("when"), exists("why")))',
    'between(OBJ, SUBJ, "caused")',
    'ner(ANS, ner:DATE)',
]


@pytest.mark.parametrize("text", RUNNABLE)
def test_canonical_keeps_the_denotation(text):
    corpus = AnnotatedCorpus.from_examples(EXAMPLES)
    lf = from_text(text)
    c = canonical(lf, "mrc")
    assert canonical(c, "mrc") == c  # idempotent
    got, want = execute(c, corpus, LEX), execute(lf, corpus, LEX)
    assert got.fires.tolist() == want.fires.tolist(), (text, render(c))
    assert want.fires.any() or text.startswith("none")  # the case exercises a firing form
