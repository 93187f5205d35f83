"""Per-example gradients of linear and layer-norm layers from one batched forward and one backward (hooks).

Forward hooks record each selected layer's input x and output y; one backward of Σ_i f_i gives the output
gradients g = ∂(Σ_j f_j)/∂y. When f_i depends on example i alone (eval mode, no cross-example operations), the
rows of g that belong to example i are ∂f_i/∂y, so per example (tokens t; a layer called several times sums
over calls too)::

    linear      y = x Wᵀ + b          ∇_W f_i = Σ_t g_it x_itᵀ  (O, I)      ∇_b f_i = Σ_t g_it  (O,)
    layer norm  y = x̂ ⊙ w + b         ∇_w f_i = Σ_t g_it ⊙ x̂_it           ∇_b f_i = Σ_t g_it

This is the "sample-wise trick" (Goodfellow 2015) used by Opacus and captum; it needs one batched forward and one
backward, where ``vmap`` traces the model once per example. Only the layers holding selected parameters are
differentiated: everything upstream is a constant, so autograd stops at the first selected layer.

The recorded activations and output gradients are also what K-FAC needs (``kfac.py``): ``capture`` returns them.
``layer_dots`` gives ⟨q_j, ∇f_i⟩ for fixed vectors q without forming ∇f_i where that is cheaper (TracIn,
influence). Users call these through ``grads.per_example_grads(..., method="hooks" | "auto")`` and
``grads.iter_grad_dots``.

Example::

    layers = find_layers(model, space.names)           # None if some parameter is not in a Linear / LayerNorm
    calls = capture(model, layers, lambda: f(params, batch))          # f: functional_loss, params require grad
    g = write_layer_grads(model, layers, calls, offsets, torch.empty(B, space.numel))   # (B, D)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class UnsupportedModel(RuntimeError):
    """The model does something the hook method cannot follow (the caller may fall back to ``vmap``)."""


@dataclass(frozen=True)
class Layer:
    """A module holding selected parameters: its path, kind, and the full names of its selected weight / bias."""

    path: str
    kind: str  # "linear" | "layernorm"
    weight: str | None
    bias: str | None


def find_layers(model: nn.Module, names: tuple[str, ...]) -> tuple[Layer, ...] | None:
    """The Linear / LayerNorm layers owning the parameters ``names``; None if one is owned by anything else."""
    modules = dict(model.named_modules())
    found: dict[str, dict[str, str]] = {}
    for name in names:
        path, _, leaf = name.rpartition(".")
        module = modules.get(path)
        kind = "linear" if isinstance(module, nn.Linear) else None
        if isinstance(module, nn.LayerNorm) and len(module.normalized_shape) == 1:
            kind = "layernorm"
        if kind is None or leaf not in {"weight", "bias"}:
            return None
        found.setdefault(path, {"kind": kind})[leaf] = name
    return tuple(Layer(p, d["kind"], d.get("weight"), d.get("bias")) for p, d in found.items())


@dataclass(frozen=True)
class Call:
    """One call of a layer: its input (B, T, I) and output gradients per pass (K, B, T, O) (T = 1 for 2-D inputs)."""

    x: Tensor
    g: Tensor


@contextlib.contextmanager
def _recording(model: nn.Module, layers: tuple[Layer, ...]) -> Iterator[dict[str, list[tuple[Tensor, Tensor, int]]]]:
    modules = dict(model.named_modules())
    records: dict[str, list[tuple[Tensor, Tensor, int]]] = {layer.path: [] for layer in layers}

    def hook(path: str) -> Callable[..., None]:
        def record(_: nn.Module, inputs: tuple[Tensor, ...], output: Tensor) -> None:
            records[path].append((inputs[0].detach(), output, output._version))
        return record

    handles = [modules[layer.path].register_forward_hook(hook(layer.path)) for layer in layers]
    try:
        yield records
    finally:
        for h in handles:
            h.remove()


def _per_example(t: Tensor, n: int, what: str) -> Tensor:
    if t.dim() == 0 or t.shape[0] != n:
        raise UnsupportedModel(f"{what} has shape {tuple(t.shape)}: its first axis is not the {n} examples")
    return t.reshape(n, -1, t.shape[-1])  # (B, T, F)


def capture(model: nn.Module, layers: tuple[Layer, ...], forward: Callable[[], Tensor]) -> dict[str, list[Call]]:
    """Run ``forward() -> (B,) or (B, K)`` with hooks on ``layers``; backward of each column's sum.

    Returns, for every layer path, one ``Call`` per time the layer ran: x (B, T, I) and g (K, B, T, O), where
    g[k] = ∂(Σ_i out[i, k]) / ∂y. Layers whose output does not reach ``out`` get zero gradients.
    """
    with _recording(model, layers) as records, torch.enable_grad():
        out = forward()
        n = out.shape[0]
        cols = out.reshape(n, -1)  # (B, K)
        flat = [(path, x, y) for path, calls in records.items() for x, y, _ in calls]
        if any(y._version != v for calls in records.values() for _, y, v in calls):
            raise UnsupportedModel("a recorded layer output was modified in place after the layer ran")
        ys = [y for _, _, y in flat]
        grads: list[list[Tensor]] = [[] for _ in flat]
        for k in range(cols.shape[1]):
            gs = torch.autograd.grad(cols[:, k].sum(), ys, retain_graph=k + 1 < cols.shape[1], allow_unused=True)
            for j, (g, y) in enumerate(zip(gs, ys)):
                grads[j].append(torch.zeros_like(y) if g is None else g)
    result: dict[str, list[Call]] = {path: [] for path in records}
    for (path, x, _), gs in zip(flat, grads):
        g = torch.stack([_per_example(gk.detach(), n, f"the output of {path!r}") for gk in gs])  # (K, B, T, O)
        result[path].append(Call(_per_example(x, n, f"the input of {path!r}"), g))
    return result


def normalized(x: Tensor, module: nn.LayerNorm) -> Tensor:
    """x̂ = (x − mean) / √(var + eps) over the last axis (a layer norm without its affine part)."""
    return F.layer_norm(x, module.normalized_shape, None, None, module.eps)


def write_layer_grads(model: nn.Module, layers: tuple[Layer, ...], calls: Mapping[str, list[Call]],
                      offsets: Mapping[str, int], out: Tensor, k: int = 0) -> Tensor:
    """Write the per-example gradients of pass ``k`` into ``out`` (B, D) at column ``offsets[name]`` per parameter.

    Products go straight into strided views of ``out`` (no per-layer temporaries: large fresh allocations are
    what costs most on CPU here). Returns ``out``.
    """
    modules = dict(model.named_modules())
    n = out.shape[0]
    for layer in layers:
        module = modules[layer.path]
        if not calls[layer.path]:
            raise UnsupportedModel(f"layer {layer.path!r} never ran in the forward pass")
        for j, call in enumerate(calls[layer.path]):
            g = call.g[k]  # (B, T, O)
            if layer.weight is not None:
                o = offsets[layer.weight]
                if layer.kind == "linear":
                    dest = out[:, o:o + g.shape[2] * call.x.shape[2]].view(n, g.shape[2], call.x.shape[2])
                    gt, x = g.transpose(1, 2), call.x.to(g.dtype)
                    torch.bmm(gt, x, out=dest) if j == 0 else dest.baddbmm_(gt, x)  # (B, O, I)
                else:
                    part = (g * normalized(call.x.to(g.dtype), module)).sum(1)  # (B, O)
                    dest = out[:, o:o + part.shape[1]]
                    dest.copy_(part) if j == 0 else dest.add_(part)
            if layer.bias is not None:
                o = offsets[layer.bias]
                dest = out[:, o:o + g.shape[2]]
                dest.copy_(g.sum(1)) if j == 0 else dest.add_(g.sum(1))  # (B, O)
    return out


def layer_dots(model: nn.Module, layers: tuple[Layer, ...], calls: Mapping[str, list[Call]],
               offsets: Mapping[str, int], q: Tensor, k: int = 0) -> Tensor:
    """⟨q_j, ∇f_i⟩ (Nq, B) for fixed vectors q (Nq, D) without forming the per-example gradients when cheaper.

    Tokens whose output gradient is zero for the whole batch (e.g. every token but the pooled one after the last
    attention) are dropped first. For a linear weight with T' tokens left, ⟨Q_j, Σ_t g_it x_itᵀ⟩ =
    Σ_t g_itᵀ (Q_j x_it) costs B·T'·Nq·O·I; forming the gradient first costs B·T'·O·I + B·Nq·O·I (and writes B·O·I
    numbers): the contraction is used when T'·Nq ≤ T' + Nq (one token left, or one query).
    """
    modules = dict(model.named_modules())
    nq = q.shape[0]
    dots = q.new_zeros(nq, 0)
    for layer in layers:
        module = modules[layer.path]
        if not calls[layer.path]:
            raise UnsupportedModel(f"layer {layer.path!r} never ran in the forward pass")
        for call in calls[layer.path]:
            g, x = call.g[k], call.x.to(call.g.dtype)  # (B, T, O), (B, T, I)
            n, o = g.shape[0], g.shape[2]
            keep = g.ne(0).any(dim=2).any(dim=0)  # (T,) tokens with a gradient anywhere in the batch
            if not bool(keep.all()):
                g, x = g[:, keep], x[:, keep]
            t = g.shape[1]
            part = q.new_zeros(nq, n)
            if layer.weight is not None:
                w = q[:, offsets[layer.weight]:offsets[layer.weight] + module.weight.numel()]  # (Nq, O*I)
                if layer.kind == "linear":
                    i = x.shape[2]
                    if t * nq <= t + nq:
                        z = (x.reshape(n * t, i) @ w.reshape(nq * o, i).T).view(n, t, nq, o)  # (B, T', Nq, O)
                        part += torch.einsum("btjo,bto->jb", z, g)
                    else:
                        part += w @ torch.bmm(g.transpose(1, 2), x).reshape(n, o * i).T  # (Nq, B)
                else:
                    part += w @ (g * normalized(x, module)).sum(1).T
            if layer.bias is not None:
                part += q[:, offsets[layer.bias]:offsets[layer.bias] + o] @ g.sum(1).T
            dots = part if dots.shape[1] == 0 else dots + part
    return dots
