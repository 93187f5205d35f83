"""Parse a batch of explanations without stopping on failures, and say what came of each.

>>> from nle.types import Explanation
>>> rep = parse_explanations([Explanation("e1", "SUBJ precedes OBJ", "r"), Explanation("e2", "zzz qqq", "r")],
...                          domain="relation")
>>> rep.n_explanations, rep.n_parsed, [f.explanation_id for f in rep.failures]
(2, 1, ['e2'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nle.logic.forms import LogicalForm, render, to_dict
from nle.parsing.parser import ParseCandidate, ParseFailure, parse
from nle.parsing.ranker import label_candidates, rerank, train_ranker
from nle.types import Explanation


@dataclass(frozen=True)
class ParsedExplanation:
    """The candidates of one explanation (best first), which of them are consistent, and the chosen one."""

    explanation: Explanation
    candidates: tuple[ParseCandidate, ...]
    consistent: tuple[bool, ...] | None
    chosen: ParseCandidate

    @property
    def is_consistent(self) -> bool:
        """The chosen form labels its own example correctly (not merely some candidate of the beam)."""
        if not self.consistent:
            return False
        return any(g for c, g in zip(self.candidates, self.consistent) if c is self.chosen)

    @property
    def any_consistent(self) -> bool:
        """Some candidate of the beam labels its own example correctly."""
        return bool(self.consistent) and any(self.consistent)


@dataclass(frozen=True)
class ParseReport:
    """Every explanation of a batch: parsed ones with their candidates, and every failure."""

    parsed: tuple[ParsedExplanation, ...]
    failures: tuple[ParseFailure, ...]
    texts: Mapping[str, str]
    weights: Mapping[str, float] | None = None

    @property
    def n_explanations(self) -> int:
        return len(self.parsed) + len(self.failures)

    @property
    def n_parsed(self) -> int:
        return len(self.parsed)

    @property
    def n_consistent(self) -> int:
        return sum(p.is_consistent for p in self.parsed)

    def to_dict(self) -> dict[str, Any]:
        """The report JSON: counts, failures (id, text, unrecognised spans) and the chosen form per explanation."""
        return {
            "n_explanations": self.n_explanations, "n_parsed": self.n_parsed, "n_consistent": self.n_consistent,
            "n_any_consistent": sum(p.any_consistent for p in self.parsed),
            "failures": [{**f.to_dict(), "text": self.texts.get(f.explanation_id, "")} for f in self.failures],
            "explanations": [{
                "id": p.explanation.id, "text": p.explanation.text, "label": p.explanation.label,
                "logical_form": to_dict(p.chosen.logical_form), "rendered": render(p.chosen.logical_form),
                "score": p.chosen.score, "consistent": p.is_consistent, "n_candidates": len(p.candidates),
            } for p in self.parsed],
        }


UNEXPLAINED: tuple[str, ...] = ("skip:content", "skip:kw", "skip:int", "skip:str", "skip:span", "skip:type")
"""Skip features of words that carry meaning: a candidate with more of them leaves part of the explanation out."""


def unexplained(c: ParseCandidate) -> float:
    """How many meaningful words of the explanation the candidate's derivation skips."""
    return sum(c.features.get(f, 0.0) for f in UNEXPLAINED)


def choose(candidates: Sequence[ParseCandidate], consistent: Sequence[bool] | None) -> ParseCandidate:
    """The candidate the pipeline uses: among those that explain the most of the text (fewest meaningful words
    skipped), the best-scored consistent one, else the best-scored of them. A consistent candidate that drops a
    condition, a number or a negation never wins over one that keeps it (it would be a different rule); when only
    such distortions are consistent, the faithful form is chosen and reported as inconsistent.

    >>> from nle.logic.forms import Var
    >>> full = ParseCandidate(Var("A"), 0.0, "full", {}); part = ParseCandidate(Var("B"), -1.0, "part", {"skip:content": 1.0})
    >>> choose([full, part], [False, True]).derivation
    'full'
    """
    best = min(unexplained(c) for c in candidates)
    eligible = [(c, g) for c, g in zip(candidates, consistent or [False] * len(candidates)) if unexplained(c) == best]
    return next((c for c, g in eligible if g), eligible[0][0])


def parse_explanations(explanations: Sequence[Explanation], *, domain: str, beam: int = 12,
                       weights: Mapping[str, float] | None = None,
                       is_consistent: Callable[[Explanation, LogicalForm], bool] | None = None,
                       train: bool = False) -> ParseReport:
    """Parse every explanation; failures are collected, never raised.

    With ``is_consistent`` each candidate is checked on its own example and the chosen form is :func:`choose`'s
    (the best consistent candidate among those that explain the most of the text); with ``train`` the ranker is first fitted on these consistency labels
    (weak supervision, ``nle.parsing.ranker``) and the candidates reranked.
    """
    done: list[tuple[Explanation, list[ParseCandidate]]] = []
    failures: list[ParseFailure] = []
    for e in explanations:
        try:
            done.append((e, parse(e.text, domain=domain, beam=beam, weights=weights, explanation_id=e.id)))
        except ParseFailure as err:
            failures.append(err)
    good: list[list[bool]] | None = None
    w = weights
    if is_consistent is not None:
        good = label_candidates([e for e, _ in done], [c for _, c in done], is_consistent)
        if train:
            w = train_ranker([c for _, c in done], good, init=weights)
            reranked = []
            for (e, cs), gs in zip(done, good):
                flag = {id(c): g for c, g in zip(cs, gs)}
                new = rerank(cs, w)
                by_key = {render(c.logical_form): flag[id(c)] for c in cs}
                reranked.append(((e, new), [by_key[render(c.logical_form)] for c in new]))
            done, good = [d for d, _ in reranked], [g for _, g in reranked]
    parsed = []
    for i, (e, cs) in enumerate(done):
        gs = good[i] if good is not None else None
        parsed.append(ParsedExplanation(e, tuple(cs), tuple(gs) if gs is not None else None, choose(cs, gs)))
    return ParseReport(tuple(parsed), tuple(failures), {e.id: e.text for e in explanations}, w)
