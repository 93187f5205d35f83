"""The golden table: explanation -> expected logical form, grouped by phenomenon; every predicate appears."""

import json
from pathlib import Path

import pytest

from nle.logic import registry as P
from nle.logic.forms import Call, from_dict, render
from nle.parsing.parser import parse

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "parsing" / "golden.json").read_text())
ROWS = [(group, row) for group, rows in GOLDEN.items() for row in rows]


def _ops(lf):
    if isinstance(lf, Call):
        yield lf.op
        for a in lf.args:
            yield from _ops(a)


@pytest.mark.parametrize("group,row", ROWS, ids=[f"{g}:{r['text'][:40]}" for g, r in ROWS])
def test_golden_top_parse(group, row):
    lf = parse(row["text"], domain=row["domain"])[0].logical_form
    assert render(lf) == row["expected"]
    assert lf == from_dict(row["logical_form"])


def test_every_predicate_is_in_the_golden_table():
    used = {op for _, row in ROWS for op in _ops(from_dict(row["logical_form"]))}
    assert set(P.PREDICATES) - used == set()


def test_registry_is_consistent_and_lexicon_derived():
    P.check_registry()
    lex = P.lexicon()
    assert {e.name for e in lex["precedes"]} >= {"left"}
    assert all(e.name in P.PREDICATES or e.name in P.MACROS for entries in lex.values() for e in entries)
    assert not set(P.MACROS) & set(P.PREDICATES) and all(m.startswith("~") for m in P.MACROS)
