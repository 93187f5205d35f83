"""Per-example gradients, batched (one forward + backward with hooks on Linear / LayerNorm layers,
or ``torch.func`` ``vmap(grad(...))`` for any parameters), flattened over selected parameters.

For a batch of B examples and selected parameters θ_S (D numbers in all) this returns G (B, D) with
G_i = ∇_{θ_S} f(z_i; θ), where f is a task's ``train_loss`` or ``measurement``. The model runs in eval mode
(dropout off), in fp32 under ``torch.autocast(..., enabled=False)`` (half-precision parameters and inputs are
upcast; float64 stays float64), with ``vmap`` chunked over examples (``chunk_size``) to bound memory. Parameters
outside the selection are constants. ``projection`` (``RandomProjection``) maps each row to d dims on the fly.

Example::

    space = ParamSpace.of(select_parameters(model, ["head"]))
    G = per_example_grads(model, task.train_loss, data, space, batch_size=32)   # (N, space.numel)
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap
from tqdm.auto import tqdm

from nle.influence.hf import vmap_friendly
from nle.influence.layers import UnsupportedModel, capture, find_layers, layer_dots, write_layer_grads
from nle.influence.projection import RandomProjection
from nle.influence.task import Batch, LossFn

State = Mapping[str, Tensor] | None
"""Weights to differentiate at: None = the model's own; else a state dict (e.g. a loaded checkpoint) whose
tensors replace the model's parameters and buffers by name inside the computation, the model itself untouched."""

Data = Batch | Iterable[Batch]
"""Either one mapping of stacked tensors (N, ...), cut into ``batch_size`` rows, or batches as given."""


@dataclass(frozen=True)
class ParamSpace:
    """Names and shapes of the selected parameters; flattening order is the order of ``names``."""

    names: tuple[str, ...]
    shapes: tuple[torch.Size, ...]

    @classmethod
    def of(cls, params: Mapping[str, Tensor]) -> ParamSpace:
        if not params:
            raise ValueError("the parameter selection is empty")
        return cls(tuple(params), tuple(p.shape for p in params.values()))

    @property
    def numel(self) -> int:
        return sum(s.numel() for s in self.shapes)

    def flatten(self, tensors: Mapping[str, Tensor], batch_dims: int = 0) -> Tensor:
        """{name: (*batch, *shape)} -> (*batch, D)."""
        parts = [tensors[n].reshape(*tensors[n].shape[:batch_dims], -1) for n in self.names]
        return torch.cat(parts, dim=-1)

    def unflatten(self, flat: Tensor) -> dict[str, Tensor]:
        """(D,) -> {name: shape}."""
        sizes = [s.numel() for s in self.shapes]
        return {n: t.view(s) for n, t, s in zip(self.names, flat.split(sizes), self.shapes)}

    def values(self, model: nn.Module, state: State = None) -> Tensor:
        """The selected parameters of ``model`` (or their entries in ``state``), flattened (D,), detached, ≥ fp32."""
        named = dict(model.named_parameters()) if state is None else state
        return self.flatten({n: _fp32(named[n].detach()) for n in self.names})


def _fp32(t: Tensor) -> Tensor:
    return t.float() if t.is_floating_point() and t.element_size() < 4 else t


def iter_batches(data: Data, batch_size: int) -> Iterator[Batch]:
    """Batches of ``data``: a mapping of (N, ...) tensors is cut into consecutive ``batch_size`` rows."""
    if isinstance(data, Mapping):
        n = num_examples(data)
        for start in range(0, n, batch_size):
            yield {k: v[start:start + batch_size] for k, v in data.items()}
    else:
        yield from data


def num_examples(data: Batch) -> int:
    sizes = {k: v.shape[0] for k, v in data.items() if isinstance(v, Tensor) and v.dim() > 0}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"batch tensors disagree on the example axis: {sizes}")
    return next(iter(sizes.values()))


class BoundLoss(nn.Module):
    """``fn(model, batch)`` as a module, so ``functional_call`` can swap the parameters of ``model`` inside it."""

    def __init__(self, model: nn.Module, fn: LossFn):
        super().__init__()
        self.model = model
        self.fn = fn

    def forward(self, batch: Batch) -> Tensor:
        return self.fn(self.model, batch)


@contextlib.contextmanager
def influence_mode(model: nn.Module) -> Iterator[None]:
    """Eval mode, autocast off, HF attention vmap-friendly; the previous training flags are restored on exit."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    device_type = next(iter(model.parameters())).device.type
    try:
        with torch.autocast(device_type=device_type, enabled=False), vmap_friendly(model):
            yield
    finally:
        for m, flag in modes:
            m.training = flag


def check_state(model: nn.Module, state: Mapping[str, Tensor], where: str) -> None:
    """Every parameter of ``model`` must be in ``state`` with its shape, and ``state`` must name nothing else."""
    own = model.state_dict(keep_vars=True)
    missing = [k for k, _ in model.named_parameters() if k not in state]
    extra = [k for k in state if k not in own]
    bad = [k for k in state if k in own and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or extra or bad:
        raise ValueError(f"{where}: state dict does not fit {type(model).__name__}: missing {missing[:5]}, "
                         f"unexpected {extra[:5]}, wrong shape {bad[:5]}")


def functional_loss(model: nn.Module, fn: LossFn, space: ParamSpace,
                    state: State = None) -> Callable[[dict[str, Tensor], Batch], Tensor]:
    """``f(selected_params, batch) -> (B,)`` with every other parameter and buffer a detached ≥fp32 constant
    (taken from ``state`` where it has them)."""
    wrapper = BoundLoss(model, fn)
    src = dict(state or {})
    fixed = {f"model.{k}": _fp32(src.get(k, v).detach()) for k, v in model.named_parameters()
             if k not in set(space.names)}
    fixed.update({f"model.{k}": _fp32(src.get(k, v).detach()) for k, v in model.named_buffers()})

    def f(params: dict[str, Tensor], batch: Batch) -> Tensor:
        values = {**fixed, **{f"model.{k}": v for k, v in params.items()}}
        return functional_call(wrapper, values, (batch,), strict=False)

    return f


def _as_inputs(batch: Batch) -> dict[str, Tensor]:
    return {k: _fp32(v) for k, v in batch.items() if isinstance(v, Tensor)}


METHODS = ("auto", "hooks", "vmap")


OutFor = Callable[[int, int, Tensor], Tensor | None]
"""``out_for(start, n, like)``: where to write the gradients of rows start..start+n (a (n, D) tensor), or None."""


def _hooks_fn(model: nn.Module, fn: LossFn, space: ParamSpace,
              state: State) -> Callable[[dict[str, Tensor], Batch, Tensor | None], Tensor] | None:
    layers = find_layers(model, space.names)
    if layers is None:
        return None
    f = functional_loss(model, fn, space, state)
    offsets = dict(zip(space.names, itertools.accumulate((s.numel() for s in space.shapes), initial=0)))

    def grads(params: dict[str, Tensor], batch: Batch, out: Tensor | None) -> Tensor:
        leaves = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
        calls = capture(model, layers, lambda: f(leaves, batch))
        first = next(iter(leaves.values()))
        if out is None:
            out = torch.empty(num_examples(batch), space.numel, dtype=first.dtype, device=first.device)
        return write_layer_grads(model, layers, calls, offsets, out)  # (B, D)

    return grads


def _iter_grads(model: nn.Module, fn: LossFn, data: Data, space: ParamSpace, *, batch_size: int,
                chunk_size: int | None, projection: RandomProjection | None, method: str, progress: bool, desc: str,
                out_for: OutFor, state: State) -> Iterator[Tensor]:
    if method not in METHODS:
        raise ValueError(f"per-example gradient method must be one of {METHODS}, got {method!r}")
    hooks = _hooks_fn(model, fn, space, state) if method != "vmap" else None
    if method == "hooks" and hooks is None:
        raise ValueError("method='hooks' needs every selected parameter to be a Linear / LayerNorm weight or bias")
    f = functional_loss(model, fn, space, state)

    def one(params: dict[str, Tensor], example: dict[str, Tensor]) -> Tensor:
        return f(params, {k: v.unsqueeze(0) for k, v in example.items()})[0]

    per_ex = vmap(grad(one), in_dims=(None, 0), chunk_size=chunk_size)
    start = 0
    with influence_mode(model):
        params = space.unflatten(space.values(model, state))
        like = next(iter(params.values()))
        for batch in tqdm(iter_batches(data, batch_size), desc=desc, disable=not progress, leave=False):
            inputs = _as_inputs(batch)
            n = num_examples(inputs)
            out = out_for(start, n, like) if projection is None else None
            g = None
            if hooks is not None:
                try:
                    g = hooks(params, inputs, out)
                except UnsupportedModel:
                    if method == "hooks":
                        raise
                    hooks = None  # fall back to vmap for the rest of the data
            if g is None:
                g = space.flatten(per_ex(params, inputs), batch_dims=1)  # (B, D)
                g = out.copy_(g) if out is not None else g
            start += n
            yield projection(g) if projection is not None else g


def iter_per_example_grads(model: nn.Module, fn: LossFn, data: Data, space: ParamSpace, *, batch_size: int = 32,
                           chunk_size: int | None = None, projection: RandomProjection | None = None,
                           method: str = "auto", progress: bool = False, desc: str = "per-example gradients",
                           reuse: bool = False, state: State = None) -> Iterator[Tensor]:
    """Per batch of ``data``, in order: G_b (B, D) (or (B, d) with ``projection``), row i = ∇_θS fn(z_i).

    ``method``: ``"hooks"`` (one batched forward + backward, per-example gradients of Linear / LayerNorm layers
    from their inputs and output gradients, ``layers.py``), ``"vmap"`` (``vmap(grad(...))``, any parameters), or
    ``"auto"`` (hooks when every selected parameter is a Linear / LayerNorm weight or bias and the model lets the
    hooks follow it, else vmap). Both equal ``per_example_grads_loop`` up to float rounding. With ``reuse=True``
    every batch is written into one buffer (large fresh allocations are slow on CPU): use each yielded tensor
    before asking for the next. ``state``: differentiate at these weights instead of the model's (``State``).
    """
    buffers: dict[int, Tensor] = {}

    def out_for(start: int, n: int, like: Tensor) -> Tensor | None:
        if not reuse:
            return None
        if n not in buffers:
            buffers.clear()
            buffers[n] = like.new_empty(n, space.numel)
        return buffers[n]

    yield from _iter_grads(model, fn, data, space, batch_size=batch_size, chunk_size=chunk_size, projection=projection,
                           method=method, progress=progress, desc=desc, out_for=out_for, state=state)


def per_example_grads(model: nn.Module, fn: LossFn, data: Data, space: ParamSpace, *, batch_size: int = 32,
                      chunk_size: int | None = None, projection: RandomProjection | None = None,
                      method: str = "auto", progress: bool = False, desc: str = "per-example gradients",
                      state: State = None) -> Tensor:
    """G (N, D) (or (N, d) with ``projection``): row i is ∇_θS fn(z_i), for every example of ``data`` in order.

    All batches of ``iter_per_example_grads`` stacked (written in place when ``data`` is one mapping of
    tensors); see there for ``method``.
    """
    result: list[Tensor] = []

    def out_for(start: int, n: int, like: Tensor) -> Tensor | None:
        if not isinstance(data, Mapping):
            return None
        if not result:
            result.append(like.new_empty(num_examples(data), space.numel))
        return result[0][start:start + n]

    parts = list(_iter_grads(model, fn, data, space, batch_size=batch_size, chunk_size=chunk_size,
                             projection=projection, method=method, progress=progress, desc=desc, out_for=out_for,
                             state=state))
    if result and projection is None:
        return result[0]
    return torch.cat(parts)


def iter_grad_dots(model: nn.Module, fn: LossFn, data: Data, space: ParamSpace, vectors: Tensor, *,
                   batch_size: int = 32, chunk_size: int | None = None, method: str = "auto", progress: bool = False,
                   desc: str = "gradient dot products", state: State = None) -> Iterator[Tensor]:
    """Per batch of ``data``: vectors @ G_bᵀ (K, B), the dot products of fixed rows ``vectors`` (K, D) with the
    per-example gradients, without forming G_b where the hook method can avoid it (``layers.layer_dots``).

    Equal to ``vectors @ per_example_grads(...).T`` up to float rounding; this is the training-side loop of TracIn
    (vectors = query gradients) and influence functions (vectors = inverse-HVPs of query gradients).
    """
    if method not in METHODS:
        raise ValueError(f"per-example gradient method must be one of {METHODS}, got {method!r}")
    layers = find_layers(model, space.names) if method != "vmap" else None
    if method == "hooks" and layers is None:
        raise ValueError("method='hooks' needs every selected parameter to be a Linear / LayerNorm weight or bias")
    if layers is None:
        for g in iter_per_example_grads(model, fn, data, space, batch_size=batch_size, chunk_size=chunk_size,
                                        method="vmap", progress=progress, desc=desc, reuse=True, state=state):
            yield vectors @ g.T
        return
    f = functional_loss(model, fn, space, state)
    offsets = dict(zip(space.names, itertools.accumulate((s.numel() for s in space.shapes), initial=0)))
    with influence_mode(model):
        params = space.unflatten(space.values(model, state))
        for batch in tqdm(iter_batches(data, batch_size), desc=desc, disable=not progress, leave=False):
            inputs = _as_inputs(batch)
            leaves = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
            try:
                calls = capture(model, layers, lambda p=leaves, b=inputs: f(p, b))
                yield layer_dots(model, layers, calls, offsets, vectors.to(next(iter(leaves.values())).dtype))
            except UnsupportedModel:
                if method == "hooks":
                    raise
                grads = per_example_grads(model, fn, inputs, space, batch_size=batch_size, chunk_size=chunk_size,
                                          method="vmap", state=state)
                yield vectors @ grads.T


def per_example_grads_loop(model: nn.Module, fn: LossFn, data: Data, space: ParamSpace, *,
                           batch_size: int = 32) -> Tensor:
    """The naive reference for ``per_example_grads``: one forward and one backward per example (N, D)."""
    rows: list[Tensor] = []
    named = dict(model.named_parameters())
    with influence_mode(model):
        for batch in iter_batches(data, batch_size):
            inputs = _as_inputs(batch)
            for i in range(num_examples(inputs)):
                loss = fn(model, {k: v[i:i + 1] for k, v in inputs.items()})[0]
                gs = torch.autograd.grad(loss, [named[n] for n in space.names], allow_unused=True)
                gs = [torch.zeros_like(named[n]) if g is None else g for n, g in zip(space.names, gs)]
                rows.append(torch.cat([_fp32(g).reshape(-1) for g in gs]))
    return torch.stack(rows)
