"""Phrasings beyond the NExT templates (passives, negated verb phrases, relative clauses, anaphora, bounded
distances, exclusivity, positions): the top parse must mean what the text says (equal canonical forms).

These were written while developing the grammar (not taken from any gold set); each row is
``explanation<TAB>expected form``."""

from __future__ import annotations

from pathlib import Path

import pytest

from nle.logic.forms import from_text, render
from nle.logic.normal import same
from nle.parsing.parser import parse

ROWS = [line.split("\t") for line in
        (Path(__file__).parent / "fixtures" / "parsing" / "phrasings.tsv").read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("text,want", ROWS, ids=[r[0][:50] for r in ROWS])
def test_top_parse_means_the_text(text, want):
    got = parse(text, domain="relation")[0].logical_form
    assert same(got, from_text(want)), f"{text!r}: got {render(got)}, want {want}"
