"""Per-example gradients, batched with ``torch.func`` (``vmap(grad(...))``), flattened over selected parameters.

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap
from tqdm.auto import tqdm

from nle.influence.hf import vmap_friendly
from nle.influence.projection import RandomProjection
from nle.influence.task import Batch, LossFn

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

    def values(self, model: nn.Module) -> Tensor:
        """The current values of the selected parameters of ``model``, flattened (D,), detached, ≥ fp32."""
        named = dict(model.named_parameters())
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


class _Call(nn.Module):
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


def functional_loss(model: nn.Module, fn: LossFn, space: ParamSpace) -> Callable[[dict[str, Tensor], Batch], Tensor]:
    """``f(selected_params, batch) -> (B,)`` with every other parameter and buffer a detached ≥fp32 constant."""
    wrapper = _Call(model, fn)
    fixed = {f"model.{k}": _fp32(v.detach()) for k, v in model.named_parameters() if k not in set(space.names)}
    fixed.update({f"model.{k}": _fp32(v.detach()) for k, v in model.named_buffers()})

    def f(params: dict[str, Tensor], batch: Batch) -> Tensor:
        values = {**fixed, **{f"model.{k}": v for k, v in params.items()}}
        return functional_call(wrapper, values, (batch,), strict=False)

    return f


def _as_inputs(batch: Batch) -> dict[str, Tensor]:
    return {k: _fp32(v) for k, v in batch.items() if isinstance(v, Tensor)}


def per_example_grads(model: nn.Module, fn: LossFn, data: Data, space: ParamSpace, *, batch_size: int = 32,
                      chunk_size: int | None = None, projection: RandomProjection | None = None,
                      progress: bool = False, desc: str = "per-example gradients") -> Tensor:
    """G (N, D) (or (N, d) with ``projection``): row i is ∇_θS fn(z_i), for every example of ``data`` in order."""
    f = functional_loss(model, fn, space)

    def one(params: dict[str, Tensor], example: dict[str, Tensor]) -> Tensor:
        return f(params, {k: v.unsqueeze(0) for k, v in example.items()})[0]

    per_ex = vmap(grad(one), in_dims=(None, 0), chunk_size=chunk_size)
    rows: list[Tensor] = []
    with influence_mode(model):
        params = space.unflatten(space.values(model))
        for batch in tqdm(iter_batches(data, batch_size), desc=desc, disable=not progress, leave=False):
            g = space.flatten(per_ex(params, _as_inputs(batch)), batch_dims=1)  # (B, D)
            rows.append(projection(g) if projection is not None else g)
    return torch.cat(rows)


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
