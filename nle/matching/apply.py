"""Apply R labeling rules to N annotated examples: the N x R label matrix (ABSTAIN = -1) and per-rule faults.

Every rule runs once over the whole corpus (vectorised, :class:`~nle.matching.execute.Executor`); sub-formulas
shared by several rules are computed once. A rule whose variable is unbound on an example abstains there and the
example is counted as a fault of that rule (snorkel's fault counting), reported in ``LabelMatrix.fault_report``.

>>> from nle.types import LabelingRule
>>> L = apply_rules([LabelingRule("r0", 3, lf)], corpus)  # doctest: +SKIP
>>> L.labels.shape, L.faults  # doctest: +SKIP
((8000, 1), array([0]))
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nle.logic.forms import Call, Lit, LogicalForm, Var, from_dict, from_json
from nle.matching.corpus import AnnotatedCorpus
from nle.matching.execute import Executor
from nle.types import ABSTAIN, LabelingRule


@dataclass(frozen=True, eq=False)
class LabelMatrix:
    """``labels`` (N, R) int64 with ABSTAIN = -1; ``fault_mask`` (N, R) bool; rule names and example ids."""

    labels: np.ndarray
    fault_mask: np.ndarray
    rule_names: tuple[str, ...]
    example_ids: tuple[str, ...]

    @property
    def faults(self) -> np.ndarray:
        """(R,) number of examples on which each rule faulted."""
        return self.fault_mask.sum(axis=0)

    def fault_report(self) -> dict[str, int]:
        """``{rule name: number of faulted examples}`` for every rule that faulted at least once."""
        return {n: int(c) for n, c in zip(self.rule_names, self.faults) if c}


def logical_form_of(rule: LabelingRule) -> LogicalForm:
    """A rule's logical form: a ``Call``/``Var``/``Lit`` tree, its ``to_dict`` form, or its JSON text."""
    lf: Any = rule.logical_form
    if isinstance(lf, Call | Var | Lit):
        return lf
    if isinstance(lf, dict):
        return from_dict(lf, where=f"rule {rule.name}")
    if isinstance(lf, str):
        return from_json(lf)
    raise TypeError(f"rule {rule.name}: logical_form must be a logical form, a dict or JSON, got {type(lf).__name__}")


def apply_rules(rules: Sequence[LabelingRule], corpus: AnnotatedCorpus, *,
                lexicons: Mapping[str, Collection[str]] | None = None) -> LabelMatrix:
    """Run every rule on every example: ``labels[i, j] = rules[j].label`` where rule j fires on example i.

    Shapes: N = ``corpus.n``, R = ``len(rules)``; ``labels`` and ``fault_mask`` are (N, R).
    An ill-formed rule (unknown predicate, wrong types) raises ``ExecutionError`` naming it.
    """
    run = Executor(corpus, lexicons)
    labels = np.full((corpus.n, len(rules)), ABSTAIN, dtype=np.int64)
    faults = np.zeros((corpus.n, len(rules)), dtype=bool)
    for j, rule in enumerate(rules):
        try:
            res = run(logical_form_of(rule))
        except ValueError as err:
            raise type(err)(f"rule {rule.name!r}: {err}") from err
        labels[res.fires, j] = rule.label
        faults[:, j] = res.faults
    return LabelMatrix(labels, faults, tuple(r.name for r in rules), corpus.ids)
