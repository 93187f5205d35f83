"""Metrics by name, for tables and configs: one ``Metric`` entry each, with ``higher_is_better``.

Every registered ``compute`` has the signature ``compute(gold, pred) -> float``. For SQuAD, ``gold`` is the
mapping question id -> gold answers and ``pred`` the mapping question id -> predicted text.

>>> compute_metrics(["accuracy", "macro_f1"], ["a", "b"], ["a", "a"])
{'accuracy': 0.5, 'macro_f1': 0.3333333333333333}
>>> higher_is_better("dev/semeval_f1")
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any

from nle.metrics.classification import classification_scores
from nle.metrics.relation import semeval2010_official, tacred_f1
from nle.metrics.squad import squad_scores


@dataclass(frozen=True)
class Metric:
    """A named score: ``compute(gold, pred)`` and whether a larger value is better."""

    name: str
    higher_is_better: bool
    compute: Callable[..., float | dict[str, float]]
    description: str


def _key(scores: Callable[..., Mapping[str, float]], key: str, gold: Any, pred: Any) -> float:
    return float(scores(gold, pred)[key])


def _squad(gold: Mapping[str, Sequence[str]], pred: Mapping[str, str]) -> dict[str, float]:
    return squad_scores(predictions=pred, answers=gold)


def _entry(name: str, scores: Callable[..., Mapping[str, float]], key: str, description: str) -> Metric:
    return Metric(name=name, higher_is_better=True, compute=partial(_key, scores, key), description=description)


METRICS: Mapping[str, Metric] = MappingProxyType(
    {
        m.name: m
        for m in (
            _entry("semeval_f1", semeval2010_official, "f1",
                   "SemEval-2010 Task 8 official: macro F1 over the gold relations, (9+1)-way with direction"),
            _entry("tacred_f1", tacred_f1, "f1", "TACRED official: micro F1 over relations other than no_relation"),
            _entry("squad_em", _squad, "exact_match", "SQuAD v1.1 official exact match (fraction, not percent)"),
            _entry("squad_f1", _squad, "f1", "SQuAD v1.1 official token F1 (fraction, not percent)"),
            _entry("accuracy", classification_scores, "accuracy", "fraction of items with pred == gold"),
            _entry("macro_f1", classification_scores, "macro_f1", "mean per-class F1 over labels in gold or pred"),
            _entry("micro_f1", classification_scores, "micro_f1", "F1 of pooled per-class counts"),
            _entry("weighted_f1", classification_scores, "weighted_f1", "per-class F1 weighted by gold support"),
        )
    }
)
"""Every metric by name; the only place a metric is declared."""

_SPLIT_PREFIX = re.compile(r"^(train|dev|val|valid|validation|test)[_-]")


def get_metric(name: str) -> Metric:
    """The registered metric called exactly ``name``; ``KeyError`` lists the known names."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known metrics: {', '.join(sorted(METRICS))}") from None


def resolve_metric_name(name: str) -> str:
    """The registered name inside a logged name: ``"dev/semeval_f1"``, ``"test.macro_f1"``, ``"val_squad_f1"``.

    Tries the name as is, then its last ``/``- or ``.``-separated part, then that part without a split prefix
    (``train_``, ``dev_``, ``val_``, ``valid_``, ``validation_``, ``test_``). Raises ``KeyError`` otherwise.
    """
    last = re.split(r"[/.]", name)[-1]
    for candidate in (name, last, _SPLIT_PREFIX.sub("", last)):
        if candidate in METRICS:
            return candidate
    raise KeyError(f"unknown metric {name!r}; known metrics: {', '.join(sorted(METRICS))}")


def higher_is_better(name: str) -> bool:
    """Whether larger values of the metric ``name`` (possibly ``"<split>/<metric>"``) are better."""
    return METRICS[resolve_metric_name(name)].higher_is_better


def compute_metrics(names: Sequence[str], gold: Any, pred: Any) -> dict[str, float]:
    """``{name: get_metric(name).compute(gold, pred)}`` for each name, in order; each value a float."""
    out: dict[str, float] = {}
    for name in names:
        value = get_metric(name).compute(gold, pred)
        if not isinstance(value, float):
            raise TypeError(f"metric {name!r} returned {type(value).__name__}, expected float")
        out[name] = value
    return out
