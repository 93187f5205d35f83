"""InfFeed's dataset extension: which silver-labelled points to send back to annotators.

The training set is split into a gold part G and an extension set E (``split_gold_extension``). A model trained on
G labels E (silver labels); a model trained on G ∪ E_silver gives every silver point e its influence on the loss
of the gold dev set D (positive = helpful, ``nle.influence`` convention)::

    I(e) = Σ_{q ∈ D} ∇ℓ(z_q)ᵀ (H + λI)⁻¹ ∇ℓ(e)

InfFeed re-annotates exactly the points with I(e) < 0 (harmful: removing them would lower the dev loss). The
controls re-annotate the same number of random points, or every point; the curve ranks points from the most
harmful up and re-annotates a growing fraction. Re-annotation is simulated with the gold labels.

>>> import torch
>>> select_reannotation(torch.tensor([0.3, -0.2, 0.0, -0.5]), "harmful")
tensor([1, 3])
>>> select_reannotation(torch.tensor([0.3, -0.2, 0.0, -0.5]), "ranked", budget=3)
tensor([1, 2, 3])
"""

from __future__ import annotations

import torch
from torch import Tensor

STRATEGIES = ("none", "harmful", "ranked", "random", "all")


def split_gold_extension(n: int, extension_fraction: float, seed: int) -> tuple[Tensor, Tensor]:
    """Seeded (gold rows, extension rows), each sorted: ``round(extension_fraction · n)`` rows form the extension.

    >>> g, e = split_gold_extension(10, 0.3, 0)
    >>> len(g), len(e), sorted(torch.cat([g, e]).tolist()) == list(range(10))
    (7, 3, True)
    """
    if not 0.0 < extension_fraction < 1.0:
        raise ValueError(f"extension_fraction must be in (0, 1), got {extension_fraction}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_ext = round(extension_fraction * n)
    return order[n_ext:].sort().values, order[:n_ext].sort().values


def select_reannotation(influence: Tensor, strategy: str, budget: int | None = None, seed: int = 0) -> Tensor:
    """Sorted indices of the extension points to re-annotate, from their influence (N,) on the gold dev set.

    ``harmful``: every point with negative influence (``budget`` ignored); ``ranked``: the ``budget`` lowest
    influences (most harmful first; ties by index); ``random``: ``budget`` points drawn with ``seed``;
    ``all`` / ``none``: every point / no point.
    """
    n = influence.shape[0]
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if strategy in ("ranked", "random") and (budget is None or not 0 <= budget <= n):
        raise ValueError(f"strategy {strategy!r} needs a budget in [0, {n}], got {budget}")
    if strategy == "none":
        chosen = torch.zeros(0, dtype=torch.long)
    elif strategy == "all":
        chosen = torch.arange(n)
    elif strategy == "harmful":
        chosen = torch.nonzero(influence < 0).flatten()
    elif strategy == "ranked":
        chosen = torch.sort(influence, stable=True).indices[:budget]
    else:
        chosen = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:budget]
    return chosen.sort().values


def reannotate(silver: Tensor, gold: Tensor, chosen: Tensor) -> Tensor:
    """(N,) labels: ``gold`` at the ``chosen`` rows, ``silver`` elsewhere (the simulated annotator).

    >>> reannotate(torch.tensor([1, 1, 0]), torch.tensor([0, 1, 1]), torch.tensor([0]))
    tensor([0, 1, 0])
    """
    out = silver.clone()
    out[chosen] = gold[chosen]
    return out


def selection_report(silver: Tensor, gold: Tensor, chosen: Tensor) -> dict[str, float]:
    """How well a selection finds wrong silver labels: ``n_chosen``, ``n_wrong_chosen``, ``precision`` (wrong
    among chosen), ``recall`` (chosen among wrong), ``silver_error_rate`` (wrong among all)."""
    wrong = silver != gold
    hit = int(wrong[chosen].sum())
    return {"n_chosen": int(chosen.numel()), "n_wrong_chosen": hit,
            "precision": hit / max(int(chosen.numel()), 1), "recall": hit / max(int(wrong.sum()), 1),
            "silver_error_rate": float(wrong.float().mean()) if wrong.numel() else 0.0}
