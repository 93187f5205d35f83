"""Rank candidate parses with a log-linear model trained by weak supervision, and BabbleLabble's filters.

Model: ``p(c | x) = exp(w . phi(c)) / sum_c' exp(w . phi(c'))`` over the candidates ``c`` of explanation ``x``, with
``phi`` the derivation features (predicate and lexical-entry indicators, skipped-token classes, lists, ...).
Weak supervision (NExT, BabbleLabble): a candidate is *good* when it labels its own example correctly
(``is_consistent``). Training maximises the marginal log-likelihood of the good candidates,

    L(w) = sum_x log sum_{c good} p(c | x) - l2 / 2 * ||w - w0||^2,
    dL/dw = sum_x (E_{p(c | x, good)}[phi] - E_{p(c | x)}[phi]) - l2 * (w - w0),

by full-batch gradient ascent. Explanations with no good candidate, or only good ones, carry no signal.
BabbleLabble's rule filters live in :mod:`nle.rules.filters` (they need label matrices, not parses).

>>> from nle.parsing.parser import ParseCandidate
>>> from nle.logic.forms import Var
>>> a = ParseCandidate(Var("A"), 0.0, "a", {"f": 1.0}); b = ParseCandidate(Var("B"), 0.0, "b", {"g": 1.0})
>>> w = train_ranker([[a, b]], [[False, True]], epochs=50)
>>> rerank([a, b], w)[0].derivation
'b'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from nle.logic.forms import LogicalForm
from nle.parsing.parser import DEFAULT_WEIGHTS, ParseCandidate
from nle.types import Explanation


def score(features: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """``w . phi``."""
    return sum(weights.get(f, 0.0) * v for f, v in features.items())


def rerank(candidates: Sequence[ParseCandidate], weights: Mapping[str, float]) -> list[ParseCandidate]:
    """The candidates rescored under ``weights``, best first (ties keep the parser's order)."""
    rescored = [replace(c, score=score(c.features, weights)) for c in candidates]
    return sorted(rescored, key=lambda c: -c.score)


def _softmax(xs: Sequence[float]) -> list[float]:
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    z = sum(e)
    return [v / z for v in e]


def train_ranker(candidates: Sequence[Sequence[ParseCandidate]], good: Sequence[Sequence[bool]], *,
                 init: Mapping[str, float] | None = None, epochs: int = 30, lr: float = 0.2,
                 l2: float = 0.01) -> dict[str, float]:
    """Weights maximising the marginal likelihood of the good candidates (module doc); ``good[i][j]`` marks
    candidate ``j`` of explanation ``i``. ``init`` (default ``DEFAULT_WEIGHTS``) is also the prior mean."""
    if len(candidates) != len(good) or any(len(c) != len(g) for c, g in zip(candidates, good)):
        raise ValueError("candidates and good must have the same shape")
    w0 = dict(DEFAULT_WEIGHTS if init is None else init)
    w = dict(w0)
    useful = [(cs, gs) for cs, gs in zip(candidates, good) if any(gs) and not all(gs)]
    for _ in range(epochs):
        grad: dict[str, float] = {}
        for cs, gs in useful:
            s = [score(c.features, w) for c in cs]
            p_all = _softmax(s)
            p_good = _softmax([x if g else -math.inf for x, g in zip(s, gs)]) if any(gs) else p_all
            for c, pa, pg in zip(cs, p_all, p_good):
                for f, v in c.features.items():
                    grad[f] = grad.get(f, 0.0) + (pg - pa) * v
        for f in set(grad) | set(w):
            w[f] = w.get(f, 0.0) + lr * (grad.get(f, 0.0) - l2 * (w.get(f, 0.0) - w0.get(f, 0.0)))
    return w


def label_candidates(explanations: Sequence[Explanation], candidates: Sequence[Sequence[ParseCandidate]],
                     is_consistent: Callable[[Explanation, LogicalForm], bool]) -> list[list[bool]]:
    """``good[i][j] = is_consistent(explanations[i], candidates[i][j].logical_form)``."""
    return [[bool(is_consistent(e, c.logical_form)) for c in cs] for e, cs in zip(explanations, candidates)]
