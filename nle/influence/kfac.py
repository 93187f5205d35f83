"""K-FAC and EK-FAC curvature on Linear layers, and their damped inverse-HVPs (Martens & Grosse 2015; George et
al. 2018; Grosse et al. 2023).

The curvature is the Fisher of the mean training loss, F = (1/N) Σ_i E_y[∇ℓ(z_i, y) ∇ℓ(z_i, y)ᵀ], block-diagonal
over layers. ``fisher`` chooses y:

* ``"expected"``: the exact expectation over the model's predictive distribution (one backward per class,
  weighted by √p_c). For a softmax cross-entropy this true Fisher *equals the Gauss–Newton matrix* (GGN).
* ``"sampled"``: one y per example drawn from the predictive distribution (the Monte-Carlo true Fisher of
  Grosse et al. 2023; samples are seeded per batch, so they depend on the batch size).
* ``"empirical"``: the training labels, i.e. the task's own ``train_loss`` (the empirical Fisher).

``"expected"`` and ``"sampled"`` need the task to expose ``logits(model, batch) -> (B, C)``.

For a Linear layer with input a (homogeneous: ā = [a, 1] when its bias is selected) and pre-activation gradient
g, both summed over the T tokens of an example (K-FAC-expand, Eschenhagen et al. 2023)::

    A = (1 / (N T)) Σ_{i,t} ā_it ā_itᵀ   (I', I')        G = (1 / N) Σ_{i,t} g_it g_itᵀ   (O, O)
    K-FAC:   F_l ≈ G ⊗ A = (Q_G ⊗ Q_A) diag(λ_G ⊗ λ_A) (Q_G ⊗ Q_A)ᵀ     (eigendecompositions of G and A)
    EK-FAC:  F_l ≈ (Q_G ⊗ Q_A) diag(Λ) (Q_G ⊗ Q_A)ᵀ,    Λ_oj = (1/N) Σ_i E_y[(Q_Gᵀ DW_i Q_A)_oj²]

where DW_i (O, I') = Σ_t g_it ā_itᵀ is example i's gradient: the eigenvalue correction makes the diagonal in the
Kronecker eigenbasis exact. The inverse-HVP of a layer's part V (O, I') of a vector is
Q_G [(Q_Gᵀ V Q_A) / (Λ + λ)] Q_Aᵀ. Layer-norm weights and biases (no Kronecker structure) get the diagonal Fisher.
Activations of padded tokens are counted in A (their g is zero); everything is fp32 (float64 stays float64).

Example::

    kfac = fit_kfac(model, ClassificationTask(), train, space, fisher="expected", corrected=True)
    x = kfac.ihvp(query_grads, damping=1e-3)            # (K, D) ≈ (F + λI)⁻¹ query_grads
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from nle.influence.grads import (
    Data,
    ParamSpace,
    _as_inputs,
    functional_loss,
    influence_mode,
    iter_batches,
    num_examples,
)
from nle.influence.layers import Call, Layer, capture, find_layers, normalized
from nle.influence.task import Batch, InfluenceTask

FISHERS = ("expected", "sampled", "empirical")


@dataclass(frozen=True)
class KroneckerBlock:
    """One Linear layer: eigenvectors of A (I', I') and G (O, O), and the eigenvalues Λ (O, I') in their basis."""

    layer: Layer
    qa: Tensor
    qg: Tensor
    eig: Tensor


@dataclass(frozen=True)
class DiagonalBlock:
    """A parameter without Kronecker structure (layer-norm weight or bias): its diagonal Fisher, same shape."""

    name: str
    diag: Tensor


@dataclass(frozen=True)
class KFAC:
    """A fitted (E)K-FAC curvature over the parameters of ``space``; see the module docstring."""

    space: ParamSpace
    kron: tuple[KroneckerBlock, ...]
    diag: tuple[DiagonalBlock, ...]
    settings: dict[str, object]

    def _offsets(self) -> dict[str, int]:
        sizes = (s.numel() for s in self.space.shapes)
        return dict(zip(self.space.names, itertools.accumulate(sizes, initial=0)))

    def _apply(self, v: Tensor, scale: Callable[[Tensor], Tensor]) -> Tensor:
        """Q diag(scale(Λ)) Qᵀ applied to each row of v (K, D) or (D,)."""
        vs = v.reshape(-1, self.space.numel)  # (K, D)
        out = torch.empty_like(vs)
        shapes = dict(zip(self.space.names, self.space.shapes))
        off = self._offsets()
        for block in self.kron:
            m = _to_matrix(vs, block.layer, off, shapes)  # (K, O, I')
            rotated = block.qg.T @ m @ block.qa  # (K, O, I')
            _from_matrix(block.qg @ (rotated * scale(block.eig)) @ block.qa.T, block.layer, off, shapes, out)
        for d in self.diag:
            n = d.diag.numel()
            out[:, off[d.name]:off[d.name] + n] = vs[:, off[d.name]:off[d.name] + n] * scale(d.diag.reshape(-1))
        return out.reshape(v.shape)

    def hvp(self, v: Tensor) -> Tensor:
        """F v for each row of v (K, D): multiplication by the curvature matrix this object represents."""
        return self._apply(v, lambda eig: eig)

    def ihvp(self, v: Tensor, damping: float) -> Tensor:
        """(F + λI)⁻¹ v for each row of v (K, D), λ = ``damping`` (> 0 unless F is non-singular)."""
        return self._apply(v, lambda eig: 1.0 / (eig + damping))

    def dense(self) -> Tensor:
        """F (D, D) as a dense matrix (for tests on small models)."""
        eye = torch.eye(self.space.numel, dtype=self.kron[0].qa.dtype if self.kron else self.diag[0].diag.dtype)
        return self.hvp(eye)


def _to_matrix(vs: Tensor, layer: Layer, off: dict[str, int], shapes: dict) -> Tensor:
    """(K, D) -> (K, O, I'): the layer's weight columns, then its bias as the last column."""
    parts = []
    if layer.weight is not None:
        o, i = shapes[layer.weight]
        parts.append(vs[:, off[layer.weight]:off[layer.weight] + o * i].reshape(-1, o, i))
    if layer.bias is not None:
        o = shapes[layer.bias][0]
        parts.append(vs[:, off[layer.bias]:off[layer.bias] + o].reshape(-1, o, 1))
    return torch.cat(parts, dim=2)


def _from_matrix(m: Tensor, layer: Layer, off: dict[str, int], shapes: dict, out: Tensor) -> None:
    if layer.weight is not None:
        o, i = shapes[layer.weight]
        out[:, off[layer.weight]:off[layer.weight] + o * i] = m[:, :, :i].reshape(m.shape[0], -1)
    if layer.bias is not None:
        o = shapes[layer.bias][0]
        out[:, off[layer.bias]:off[layer.bias] + o] = m[:, :, -1]


def _fisher_outputs(model: nn.Module, task: InfluenceTask, fisher: str,
                    gen: torch.Generator) -> Callable[[nn.Module, Batch], Tensor]:
    """``fn(model, batch) -> (B, K)``: K scalars per example whose gradients' outer products sum to the Fisher."""
    if fisher == "empirical":
        return lambda m, b: task.train_loss(m, b)[:, None]
    logits_fn = getattr(task, "logits", None)
    if logits_fn is None:
        raise TypeError(f"fisher={fisher!r} needs a task with logits(model, batch) -> (B, C); "
                        f"{type(task).__name__} has none (use fisher='empirical')")

    def outputs(m: nn.Module, b: Batch) -> Tensor:
        logits = logits_fn(m, b)
        logp = F.log_softmax(logits.float() if logits.element_size() < 4 else logits, dim=-1)  # (B, C)
        p = logp.detach().exp()
        if fisher == "expected":
            return -logp * p.sqrt()  # column c: √p_c · CE(logits, c)
        y = torch.multinomial(p, 1, generator=gen)  # (B, 1)
        return -logp.gather(1, y)

    return outputs


def _with_ones(x: Tensor, layer: Layer) -> Tensor:
    """(B, T, I) -> (B, T, I') with the homogeneous coordinate for a selected bias (weight columns dropped if unselected)."""
    ones = x.new_ones(*x.shape[:2], 1)
    if layer.weight is None:
        return ones
    return torch.cat([x, ones], dim=2) if layer.bias is not None else x


def _passes(model: nn.Module, task: InfluenceTask, data: Data, space: ParamSpace, layers: tuple[Layer, ...],
            fisher: str, batch_size: int, seed: int, progress: bool, desc: str) -> Iterator[tuple[int, dict]]:
    """Per batch: (number of examples, {layer path: [Call]}) with g of shape (K, B, T, O)."""
    with influence_mode(model):
        params = space.unflatten(space.values(model))
        for j, batch in enumerate(tqdm(iter_batches(data, batch_size), desc=desc, disable=not progress, leave=False)):
            gen = torch.Generator().manual_seed(seed * 1_000_003 + j)
            f = functional_loss(model, _fisher_outputs(model, task, fisher, gen), space)
            leaves = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
            inputs = _as_inputs(batch)
            yield num_examples(inputs), capture(model, layers, lambda f=f, p=leaves, b=inputs: f(p, b))


def fit_kfac(model: nn.Module, task: InfluenceTask, data: Data, space: ParamSpace, *, fisher: str = "expected",
             corrected: bool = True, batch_size: int = 64, seed: int = 0, progress: bool = False) -> KFAC:
    """Fit K-FAC (``corrected=False``) or EK-FAC over ``data`` for the parameters of ``space``.

    Every selected parameter must be a weight / bias of an ``nn.Linear`` (Kronecker block) or ``nn.LayerNorm``
    (diagonal block). Two passes over ``data`` for EK-FAC (factors, then the eigenvalue correction), one for K-FAC.
    """
    if fisher not in FISHERS:
        raise ValueError(f"fisher must be one of {FISHERS}, got {fisher!r}")
    layers = find_layers(model, space.names)
    if layers is None:
        raise ValueError("K-FAC needs every selected parameter to be a Linear or LayerNorm weight / bias; "
                         f"selected: {list(space.names)}")
    linear = [layer for layer in layers if layer.kind == "linear"]
    norms = [layer for layer in layers if layer.kind == "layernorm"]
    modules = dict(model.named_modules())
    a_sum: dict[str, Tensor] = {}
    g_sum: dict[str, Tensor] = {}
    d_sum: dict[str, Tensor] = {}
    n_tok: dict[str, int] = {}
    n = 0
    for b, calls in _passes(model, task, data, space, layers, fisher, batch_size, seed, progress, "K-FAC factors"):
        n += b
        for layer in linear:
            for call in calls[layer.path]:
                a = _with_ones(call.x.to(call.g.dtype), layer).flatten(0, 1)  # (B T, I')
                g = call.g.flatten(0, 2)  # (K B T, O)
                a_sum[layer.path] = a_sum.get(layer.path, 0) + a.T @ a
                g_sum[layer.path] = g_sum.get(layer.path, 0) + g.T @ g
                n_tok[layer.path] = n_tok.get(layer.path, 0) + a.shape[0]
        for layer in norms:
            for name, sq in _norm_grads_sq(modules[layer.path], layer, calls[layer.path]).items():
                d_sum[name] = d_sum.get(name, 0) + sq
    if n == 0:
        raise ValueError("fit_kfac: the data is empty")
    kron = []
    for layer in linear:
        if layer.path not in a_sum:
            raise ValueError(f"layer {layer.path!r} never ran in the forward pass")
        la, qa = _eigh(a_sum[layer.path] / n_tok[layer.path])
        lg, qg = _eigh(g_sum[layer.path] / n)
        kron.append(KroneckerBlock(layer, qa, qg, torch.outer(lg, la)))
    if corrected and kron:
        kron = _correct(model, task, data, space, layers, tuple(kron), fisher, batch_size, seed, progress, n)
    diag = tuple(DiagonalBlock(name, d_sum[name] / n) for name in space.names if name in d_sum)
    settings = {"fisher": fisher, "corrected": corrected, "batch_size": batch_size, "seed": seed}
    return KFAC(space, tuple(kron), diag, settings)


def _eigh(m: Tensor) -> tuple[Tensor, Tensor]:
    """Eigenvalues (clamped at 0) and eigenvectors of a symmetric PSD matrix, computed in float64."""
    vals, vecs = torch.linalg.eigh(((m + m.T) / 2).double())
    return vals.clamp_min(0).to(m.dtype), vecs.to(m.dtype)


def _norm_grads_sq(module: nn.Module, layer: Layer, calls: list[Call]) -> dict[str, Tensor]:
    """Σ_{k,i} (per-example gradient)² of a layer norm's selected weight / bias (summed over calls)."""
    w = b = None
    for call in calls:
        g = call.g  # (K, B, T, O)
        if layer.weight is not None:
            part = (g * normalized(call.x.to(g.dtype), module)).sum(2)  # (K, B, O)
            w = part if w is None else w + part
        if layer.bias is not None:
            part = g.sum(2)
            b = part if b is None else b + part
    out = {}
    if layer.weight is not None and w is not None:
        out[layer.weight] = (w ** 2).sum((0, 1))
    if layer.bias is not None and b is not None:
        out[layer.bias] = (b ** 2).sum((0, 1))
    return out


def _correct(model: nn.Module, task: InfluenceTask, data: Data, space: ParamSpace, layers: tuple[Layer, ...],
             kron: tuple[KroneckerBlock, ...], fisher: str, batch_size: int, seed: int, progress: bool,
             n: int) -> list[KroneckerBlock]:
    """EK-FAC: Λ = (1/N) Σ_i Σ_k (Q_Gᵀ DW_ik Q_A)², from a second pass with the same seeds (same sampled labels)."""
    sums = {block.layer.path: torch.zeros_like(block.eig) for block in kron}
    by_path = {block.layer.path: block for block in kron}
    for _, calls in _passes(model, task, data, space, layers, fisher, batch_size, seed, progress, "EK-FAC eigenvalues"):
        for path, block in by_path.items():
            rotated = None
            for call in calls[path]:
                a = _with_ones(call.x.to(call.g.dtype), block.layer) @ block.qa  # (B, T, I')
                g = call.g @ block.qg  # (K, B, T, O)
                k, b, t, o = g.shape
                part = torch.bmm(g.reshape(k * b, t, o).transpose(1, 2), a.repeat(k, 1, 1))  # (K B, O, I')
                rotated = part if rotated is None else rotated + part
            if rotated is not None:
                sums[path] += (rotated ** 2).sum(0)
    return [KroneckerBlock(block.layer, block.qa, block.qg, sums[block.layer.path] / n) for block in kron]
