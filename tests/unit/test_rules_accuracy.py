"""Parse accuracy against gold forms: the gold reader's errors, denotations, exact / accurate / beam counts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nle.logic.forms import from_text
from nle.matching.corpus import AnnotatedCorpus
from nle.parsing.parser import ParseCandidate
from nle.parsing.report import ParsedExplanation, ParseReport, choose
from nle.rules.accuracy import evaluate_set, markdown, phenomena, summarise
from nle.rules.denotation import RelationDenoter, jaccard
from nle.rules.gold import GoldFormatError, GoldRecord, GoldSet, heldout_start, read_gold
from nle.types import Explanation
from tests.unit.test_matching_execute import EXAMPLES, LEX


def _write(tmp_path, data):
    p = tmp_path / "g.json"
    p.write_text(data if isinstance(data, str) else json.dumps(data))
    return p


GOOD = {"set": "t", "domain": "relation", "sources": [{"path": "x.json", "format": "next", "task": "semeval"}],
        "records": [{"id": f"e{i}", "text": "SUBJ precedes OBJ", "gold": "left(SUBJ, OBJ)"} for i in range(6)]}


def test_gold_reader_splits_off_the_last_third(tmp_path):
    g = read_gold(_write(tmp_path, GOOD))
    assert [r.heldout for r in g.records] == [False] * 4 + [True] * 2
    assert len(g.part("dev")) == 4 and len(g.part("heldout")) == 2 and heldout_start(6) == 4


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["records"][2].update(gold="left(SUBJ, OBJ"), r"records\[2\] \(e2\)\.gold"),
    (lambda d: d["records"][1].update(gold="left(SUBJ, 3)"), r"records\[1\] \(e1\)\.gold"),
    (lambda d: d["records"][3].update(id="e0"), r"records\[3\]\.id: duplicate"),
    (lambda d: d["records"][0].pop("text"), r"records\[0\]: field 'text' is missing"),
    (lambda d: d.update(domain="vision"), r"\$\.domain"),
    (lambda d: d["sources"][0].update(format="csv"), r"\$\.sources\[0\]"),
])
def test_gold_reader_names_file_record_and_field(tmp_path, mutate, message):
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    p = _write(tmp_path, data)
    with pytest.raises(GoldFormatError, match=message) as err:
        read_gold(p)
    assert str(p) in str(err.value)


def test_gold_reader_rejects_non_json_with_the_line(tmp_path):
    with pytest.raises(GoldFormatError, match="line 2"):
        read_gold(_write(tmp_path, '{"set": "t",\n oops}'))


def test_jaccard_of_denotations():
    a, b = np.array([1, 1, 0, 0], bool), np.array([1, 0, 1, 0], bool)
    assert jaccard(a, b) == pytest.approx(1 / 3)
    assert jaccard(np.zeros(3, bool), np.zeros(3, bool)) == 1.0
    assert jaccard(frozenset({(0, 1, 2)}), frozenset({(0, 1, 2), (1, 1, 2)})) == 0.5


def test_phenomena_of_forms():
    assert phenomena(from_text('not(ner(OBJ, ner:CITY))')) == ("negation", "NER/chunk types")
    assert "dependency distance" in phenomena(from_text('lt(dep_distance(X, Y), 3)'))
    assert "counting/distance" not in phenomena(from_text('lt(dep_distance(X, Y), 3)'))
    assert phenomena(from_text('at(Question, starts_with(Question, "when"))')) == (
        "quoted phrases", "strings", "question/context scope")


def _cand(text, score=0.0, **features):
    return ParseCandidate(from_text(text), score, text, features)


def test_choose_prefers_a_form_that_explains_every_word():
    full, drop = _cand('and(left(SUBJ, OBJ), exists("of"))', -1.0), _cand('left(SUBJ, OBJ)', 0.0, **{"skip:str": 1.0})
    assert choose([drop, full], [True, False]) is full  # the faithful form, reported inconsistent
    assert choose([drop, full], [True, True]) is full
    other = _cand('right(SUBJ, OBJ)', -2.0)
    assert choose([full, other], [False, True]) is other  # among equally faithful forms a consistent one wins


def test_evaluate_set_counts_exact_accurate_and_beam(tmp_path):
    corpus = AnnotatedCorpus.from_examples(EXAMPLES)  # SMOKE: SUBJ smoke ... OBJ fire; NEXT: SUBJ 's daughter OBJ
    denote = RelationDenoter(corpus, LEX)
    gold_texts = ['left(SUBJ, OBJ)', 'exists("daughter")', 'between(SUBJ, OBJ, "caused")']
    records = tuple(GoldRecord(f"e{i}", "text", from_text(t), i, i >= 2) for i, t in enumerate(gold_texts))
    gold = GoldSet("t", "relation", (), records)
    exps = [Explanation(f"e{i}", "text", "r", example=EXAMPLES[0]) for i in range(3)]
    beams = [
        [_cand('right(OBJ, SUBJ)')],  # exact (same up to direction)
        [_cand('exists("said")'), _cand('exists("daughter")')],  # denotes the same, not exact; gold at rank 1
        [_cand('exists("burnt")'), _cand('between(SUBJ, OBJ, "was")')],  # neither; the second is accurate
    ]
    parsed = tuple(ParsedExplanation(e, tuple(b), (True,) * len(b), b[0]) for e, b in zip(exps, beams))
    res = evaluate_set(gold, exps, ParseReport(parsed, (), {}), denote)
    assert [r.exact for r in res] == [True, False, False]
    assert [r.accurate for r in res] == [True, True, False]
    assert [r.beam_exact for r in res] == [True, True, False]
    assert [r.gold_rank for r in res] == [0, 1, None]
    assert [r.beam_accurate for r in res] == [True, True, True]
    assert [r.part for r in res] == ["dev", "dev", "heldout"]
    s = summarise(res)
    assert (s["dev"]["n"], s["dev"]["n_accurate"], s["heldout"]["n_accurate"], s["all"]["n_beam_accurate"]) == \
        (2, 2, 0, 3)
    assert s["all"]["phenomena"]["direction"] == {"n": 1, "n_exact": 1, "n_accurate": 1, "n_beam_accurate": 1}
    assert "| t heldout | 1 | 1 | 1 | 0 | 0 | 0 | 1 |" in markdown("t", s)


def test_unparsed_records_count_as_wrong():
    corpus = AnnotatedCorpus.from_examples(EXAMPLES)
    gold = GoldSet("t", "relation", (), (GoldRecord("e0", "x", from_text('left(SUBJ, OBJ)'), 0, False),))
    res = evaluate_set(gold, [Explanation("e0", "x", "r")], ParseReport((), (), {}), RelationDenoter(corpus, LEX))
    assert not res[0].parsed and not res[0].accurate and res[0].n_gold == 2
