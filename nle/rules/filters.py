"""BabbleLabble's filters over parsed rules: inconsistent, uniform (fires everywhere or nowhere), duplicate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FilterResult:
    """Indices of the rules kept, and for each dropped index the filter that dropped it."""

    kept: tuple[int, ...]
    dropped: Mapping[int, str]


def babble_filters(consistent: Sequence[bool], signatures: Sequence[Sequence[int]]) -> FilterResult:
    """BabbleLabble's three filters over R rules, in order.

    ``consistent[r]``: rule r labels its own example correctly (else dropped: ``"inconsistent"``).
    ``signatures[r]``: its label vector on a sample of unlabelled examples (ABSTAIN = -1); a rule that fires on
    every example or on none is dropped (``"uniform"``); of rules with the same vector only the first is kept
    (``"duplicate"``).

    >>> babble_filters([True, False, True, True, True], [(1, -1), (1, -1), (1, 1), (-1, -1), (1, -1)]).dropped
    {1: 'inconsistent', 2: 'uniform', 3: 'uniform', 4: 'duplicate'}
    """
    if len(consistent) != len(signatures):
        raise ValueError(f"{len(consistent)} consistency flags for {len(signatures)} signatures")
    kept: list[int] = []
    dropped: dict[int, str] = {}
    seen: set[tuple[int, ...]] = set()
    for r, (ok, sig) in enumerate(zip(consistent, signatures)):
        sig_t = tuple(sig)
        if not ok:
            dropped[r] = "inconsistent"
        elif sig_t and (all(v != -1 for v in sig_t) or all(v == -1 for v in sig_t)):
            dropped[r] = "uniform"
        elif sig_t in seen:
            dropped[r] = "duplicate"
        else:
            seen.add(sig_t)
            kept.append(r)
    return FilterResult(tuple(kept), dropped)
