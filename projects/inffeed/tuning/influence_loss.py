"""The influence-tuning objective (Han & Tsvetkov 2021), differentiable with respect to the model's parameters.

Influence of a training example z on a probe z_t is the gradient similarity over the selected parameters θ_S

    I(z, z_t) = cos(∇_θS ℓ(z), ∇_θS ℓ(z_t))          (``metric="cosine"``; ``"dot"`` drops the norms)

For a probe with label y_t and confound value s_t, group A holds k training examples with label y_t and the same
confound value, group B k examples with label y_t and the other value. A model that relies on the confound finds
A more influential than B; influence tuning drives the gap to zero:

    L_inf = mean_t ( mean_{a∈A_t} I(a, z_t) − mean_{b∈B_t} I(b, z_t) )²

Unlike ``nle.influence.per_example_grads`` (which detaches), the per-example gradients here keep their graph
(``torch.func.vmap(grad(...))`` over live parameters), so ∂L_inf/∂θ includes the second-order terms
(Hessian-gradient products) the paper computes by hand. The gradient reaches every parameter the loss depends on,
also those outside θ_S (e.g. the word embeddings when θ_S is the layers above them).

Example::

    groups = sample_groups(labels, has_token, probes=8, k=4, rng=random.Random(0))
    loss, gap = influence_tuning_loss(model, data, groups, ["hidden", "head"])
    loss.backward()
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap

from nle.influence.grads import BoundLoss
from nle.influence.task import Batch, ClassificationTask, LossFn, select_parameters

cross_entropy_loss: LossFn = ClassificationTask().train_loss
"""(B,) cross-entropy of ``model(batch)`` against ``batch["labels"]`` (the core's classification loss)."""


def parameter_names(model: nn.Module, include: Sequence[str] | None) -> list[str]:
    """Names of the parameters under the given module / parameter prefixes (all trainable ones for ``None``),
    in ``named_parameters`` order (``nle.influence.select_parameters``)."""
    return list(select_parameters(model, include))


def per_example_grads_with_graph(model: nn.Module, fn: LossFn, batch: Batch, names: Sequence[str]) -> Tensor:
    """G (B, D): row i is ∇_θS fn(z_i) flattened over ``names`` (in that order), still attached to the graph of
    every live parameter of ``model``, so a scalar built from G can be back-propagated to them.

    The model runs in eval mode (restored afterwards).
    """
    wrapper = BoundLoss(model, fn)
    params = {f"model.{k}": v for k, v in model.named_parameters()}
    params.update({f"model.{k}": v for k, v in model.named_buffers()})
    chosen = {f"model.{n}": params.pop(f"model.{n}") for n in names}

    def one(selected: dict[str, Tensor], example: dict[str, Tensor]) -> Tensor:
        single = {k: v.unsqueeze(0) for k, v in example.items()}
        return functional_call(wrapper, {**params, **selected}, (single,), strict=False)[0]

    was_training = model.training
    model.eval()
    try:
        grads = vmap(grad(one), in_dims=(None, 0))(chosen, dict(batch))  # {name: (B, *shape)}
    finally:
        model.train(was_training)
    return torch.cat([grads[f"model.{n}"].flatten(1) for n in names], dim=1)  # (B, D)


@dataclass(frozen=True)
class Groups:
    """Row indices into the training data: probes (P,), same-confound group (P, k), other-confound group (P, k)."""

    probes: Tensor
    same: Tensor
    other: Tensor


def sample_groups(labels: Sequence[int], confound: Sequence[bool], *, probes: int, k: int, rng: random.Random,
                  eligible: Sequence[bool] | None = None) -> Groups:
    """Draw ``probes`` probes among rows that have a same-label same-confound partner and a same-label
    other-confound row, then k rows of each group per probe (without replacement when the group is large enough,
    with replacement otherwise). ``eligible`` restricts probes and groups to rows whose confound is known.
    """
    n = len(labels)
    known = [True] * n if eligible is None else list(eligible)
    pools: dict[tuple[int, bool], list[int]] = {}
    for i in range(n):
        if known[i]:
            pools.setdefault((int(labels[i]), bool(confound[i])), []).append(i)
    candidates = [i for i in range(n) if known[i] and len(pools.get((int(labels[i]), bool(confound[i])), [])) > 1
                  and pools.get((int(labels[i]), not confound[i]))]
    if not candidates:
        raise ValueError("no probe has both a same-confound and an other-confound training example of its label")
    chosen = rng.sample(candidates, min(probes, len(candidates)))
    same, other = [], []
    for t in chosen:
        mates = [i for i in pools[(int(labels[t]), bool(confound[t]))] if i != t]
        rivals = pools[(int(labels[t]), not confound[t])]
        same.append(_draw(mates, k, rng))
        other.append(_draw(rivals, k, rng))
    return Groups(torch.tensor(chosen), torch.tensor(same), torch.tensor(other))


def _draw(pool: list[int], k: int, rng: random.Random) -> list[int]:
    return rng.sample(pool, k) if len(pool) >= k else rng.choices(pool, k=k)


def influence_gap(g_probe: Tensor, g_same: Tensor, g_other: Tensor, metric: str = "cosine") -> Tensor:
    """(P,) mean_a I(a, t) − mean_b I(b, t) from gradients g_probe (P, D), g_same (P, k, D), g_other (P, k', D)."""
    if metric == "cosine":
        sim_same = F.cosine_similarity(g_probe.unsqueeze(1), g_same, dim=-1, eps=1e-12)  # (P, k)
        sim_other = F.cosine_similarity(g_probe.unsqueeze(1), g_other, dim=-1, eps=1e-12)  # (P, k')
    elif metric == "dot":
        sim_same = (g_probe.unsqueeze(1) * g_same).sum(-1)
        sim_other = (g_probe.unsqueeze(1) * g_other).sum(-1)
    else:
        raise ValueError(f"influence metric must be 'cosine' or 'dot', got {metric!r}")
    return sim_same.mean(1) - sim_other.mean(1)  # (P,)


def influence_tuning_loss(model: nn.Module, data: Batch, groups: Groups, names: Sequence[str], *,
                          fn: LossFn = cross_entropy_loss, metric: str = "cosine") -> tuple[Tensor, Tensor]:
    """``(L_inf, gap)``: the scalar loss mean_t gap_t² (differentiable) and the detached per-probe gaps (P,).

    ``data`` holds the whole training set as tensors with a leading example axis (N, ...); the probes and their
    groups are rows of it. One vmapped pass computes the gradients of all P (1 + 2k) rows.
    """
    p, k = groups.same.shape
    rows = torch.cat([groups.probes, groups.same.flatten(), groups.other.flatten()])  # (P + 2Pk,)
    batch = {key: value[rows] for key, value in data.items()}
    g = per_example_grads_with_graph(model, fn, batch, names)  # (P + 2Pk, D)
    g_probe, g_same, g_other = g[:p], g[p:p + p * k].view(p, k, -1), g[p + p * k:].view(p, k, -1)
    gap = influence_gap(g_probe, g_same, g_other, metric)  # (P,)
    return gap.pow(2).mean(), gap.detach()
