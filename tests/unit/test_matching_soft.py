"""Soft execution: the exact-match limit equals hard execution; soft counting, soft logic, batching, the matcher."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nle.logic.forms import Call, Lit, Var
from nle.matching.corpus import AnnotatedCorpus, AnnotatedExample
from nle.matching.execute import Executor
from nle.matching.neural import LearnedMatcher
from nle.matching.soft import ExactMatcher, SoftConfig, SoftCorpus, SoftRules, Vocab, exact_match
from tests.unit.test_matching_execute import FORMULA, examples

S, O = Var("SUBJ"), Var("OBJ")  # noqa: E741
HARD = SoftConfig(count_window=0)


def C(op, *args):
    return Call(op, tuple(args))


def n(v):
    return Lit(v, "int")


def corpus_of(*sentences: tuple[str, tuple[int, int], tuple[int, int]]) -> AnnotatedCorpus:
    return AnnotatedCorpus.from_examples([
        AnnotatedExample.from_tags(f"s{i}", text.split(), roles={"SUBJ": s, "OBJ": o})
        for i, (text, s, o) in enumerate(sentences)])


def soft(lfs, corpus, matcher=None, config=None):
    rules = SoftRules(lfs, config or SoftConfig(), lexicons={"lex": ["a", "b a", "c"]})
    data = SoftCorpus.build(corpus, rules)
    return rules.execute(data.batch(range(corpus.n)), matcher or ExactMatcher())


def _negation_free(lf) -> bool:
    return not (isinstance(lf, Call) and (lf.op in ("not", "none") or not all(_negation_free(a) for a in lf.args)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exs=st.lists(st.integers(0, 10**6), min_size=1, max_size=5).flatmap(
    lambda ids: st.tuples(*[examples(i) for i in range(len(ids))])), lfs=st.lists(FORMULA, min_size=1, max_size=4))
def test_exact_limit_equals_hard_execution(exs, lfs):
    corpus = AnnotatedCorpus.from_examples(list(exs))
    hard = Executor(corpus, {"lex": ["a", "b a", "c"]})
    got = soft(lfs, corpus, config=HARD)
    for j, lf in enumerate(lfs):
        assert got[:, j].tolist() == hard(lf).fires.astype(float).tolist(), lf
    # with soft counting on: the score is 1 exactly where the hard rule fires (rules without negation)
    counted = soft(lfs, corpus)
    for j, lf in enumerate(lfs):
        if _negation_free(lf):
            assert (counted[:, j] == 1).tolist() == hard(lf).fires.tolist(), lf
        assert ((counted[:, j] >= 0) & (counted[:, j] <= 1)).all()


def test_soft_counting_and_lukasiewicz_logic():
    corpus = corpus_of(("a x b", (0, 1), (2, 3)),  # 1 word between
                       ("a x x x x b", (0, 1), (5, 6)),  # 4 words between
                       ("a " + "x " * 12 + "b", (0, 1), (13, 14)))  # 12 words between
    le2 = C("le", C("count_between", S, O), n(2))
    assert soft([le2], corpus)[:, 0].tolist() == [1.0, 0.5, 0.0]
    assert soft([le2], corpus, config=SoftConfig(count_window=20, count_value=0.25))[:, 0].tolist() == [1, 0.25, 0.25]
    within = C("left_within", S, O, n(2))  # distance = gap + 1
    assert soft([within], corpus)[:, 0].tolist() == [1.0, 0.5, 0.0]
    # and(0.5, 0.5) = max(0.5 + 0.5 - 1, 0) = 0; or = max; not = 1 - x
    got = soft([C("and", le2, within), C("or", le2, within), C("not", le2)], corpus)
    assert got.tolist() == [[1.0, 1.0, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]]


class ConstantMatcher:
    """Scores every window that fits at ``value`` (a stand-in for a learned matcher)."""

    def __init__(self, value: float):
        self.value = value

    def __call__(self, words, lengths, keywords, keyword_lengths):
        from nle.matching.soft import window_fits

        return window_fits(lengths, keyword_lengths, words.shape[1]).float() * self.value


def test_soft_string_matching_takes_the_best_window_that_meets_the_constraint():
    corpus = corpus_of(("smoke was caused by fire", (0, 1), (4, 5)),  # gap of 3 words
                       ("smoke fire", (0, 1), (1, 2)))  # no gap: no 2-word window between
    between = C("between", S, O, Lit("triggered by"))
    exact = soft([between], corpus)
    assert exact[:, 0].tolist() == [0.0, 0.0]
    assert soft([between], corpus, ConstantMatcher(0.3))[:, 0].tolist() == pytest.approx([0.3, 0.0])
    hit = soft([C("between", S, O, Lit("caused by"))], corpus)
    assert hit[:, 0].tolist() == [1.0, 0.0]
    sandwich = C("sandwich", S, O, Lit("was caused by"))
    assert soft([sandwich], corpus)[:, 0].tolist() == [1.0, 0.0]


def test_fallbacks_and_keywords_are_collected_once():
    lfs = [C("and", C("between", S, O, Lit("caused by")), C("ner", S, Lit("PERSON", "ner"))),
           C("and", C("left", S, O), C("ner", S, Lit("PERSON", "ner"))),
           C("between", S, O, Lit("Caused By"))]
    rules = SoftRules(lfs)
    assert rules.keywords == [("caused", "by")]
    assert rules.fallbacks == [C("ner", S, Lit("PERSON", "ner"))]


def test_batched_equals_one_sentence_at_a_time_and_any_order():
    corpus = corpus_of(("a b c d", (0, 1), (3, 4)), ("d c b a x y", (3, 4), (0, 1)), ("b c", (0, 1), (1, 2)))
    lfs = [C("between", S, O, Lit("b c")), C("left", S, O), C("le", C("count_between", S, O), n(0)),
           C("exists", Lit("c"))]
    rules = SoftRules(lfs)
    data = SoftCorpus.build(corpus, rules)
    torch.manual_seed(0)
    vocab = data.vocab
    matcher = LearnedMatcher(torch.randn(len(vocab), 8), hidden=4, dropout=0.0).eval()
    with torch.no_grad():
        full = rules.execute(data.batch([0, 1, 2]), matcher)
        rev = rules.execute(data.batch([2, 1, 0]), matcher)
        one = torch.cat([rules.execute(data.batch([i]), matcher, rules=[j]) for i in range(3) for j in range(4)])
    assert torch.allclose(full, rev.flip(0), atol=1e-6)
    assert torch.allclose(full.flatten(), one.flatten(), atol=1e-6)


def test_learned_matcher_keeps_exact_matches_and_its_losses_train():
    torch.manual_seed(0)
    vocab = Vocab.build("the smoke was caused by a fire in paris".split())
    words = torch.tensor([vocab.ids("the smoke was caused by a fire".split()) + [-1, -1],
                          vocab.ids("fire in paris".split()) + [-1] * 6])
    lengths = torch.tensor([7, 3])
    kw = torch.tensor([vocab.ids(["caused", "by"]), vocab.ids(["paris"]) + [-1]])
    kw_len = torch.tensor([2, 1])
    m = LearnedMatcher(torch.randn(len(vocab), 16), hidden=8, dropout=0.0)
    out = m(words, lengths, kw, kw_len)
    assert out.shape == (2, 2, 9)
    exact = exact_match(words, lengths, kw, kw_len)
    assert (out[exact] == 1).all() and ((out >= 0) & (out <= 1)).all()
    assert (out[0, 0, 6:] == 0).all()  # windows past the end score 0
    gen = torch.Generator().manual_seed(1)
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=0.05)
    first = None
    for _ in range(40):
        loss = m.find_loss(words, lengths, generator=torch.Generator().manual_seed(1)) + \
            m.sim_loss(kw, kw_len, torch.tensor([0, 1]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
    assert loss.item() < first
    assert torch.isfinite(m.find_loss(words, lengths, generator=gen))
