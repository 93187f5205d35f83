"""The influence task contract: what is differentiated, and with respect to which parameters.

An influence estimate needs two scalar functions per example (the kronfluence contract):

* ``train_loss(model, batch) -> (B,)``: the per-example training loss ℓ(z; θ) whose removal is simulated;
* ``measurement(model, batch) -> (B,)``: the per-example quantity m(z_q; θ) whose change is explained
  (by default the loss of the query example itself).

``model`` is the module itself; while gradients are taken its parameters are swapped for functional copies
(``torch.func.functional_call``), so a task may call ``model(batch)`` or any of its methods, but must not keep
references to parameters across calls. A *batch* is a mapping of tensors whose first dimension is the example
axis (B, ...), e.g. ``{"input_ids": (B, T), "attention_mask": (B, T), "labels": (B,)}``.

Example::

    task = ClassificationTask()
    params = select_parameters(model, ["head"])      # {"head.weight": (C, H), "head.bias": (C,)}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch.nn.functional as F
from torch import Tensor, nn

Batch = Mapping[str, Tensor]
"""Tensors with a leading example axis (B, ...)."""

LossFn = Callable[[nn.Module, Batch], Tensor]
"""``fn(model, batch) -> (B,)`` per-example scalars."""


@runtime_checkable
class InfluenceTask(Protocol):
    """The two per-example functions an influence estimator differentiates."""

    def train_loss(self, model: nn.Module, batch: Batch) -> Tensor:
        """(B,) per-example training losses ℓ(z_i; θ)."""
        ...

    def measurement(self, model: nn.Module, batch: Batch) -> Tensor:
        """(B,) per-example measurements m(z_q; θ) (usually the loss of the query)."""
        ...


@dataclass(frozen=True)
class ClassificationTask:
    """Cross-entropy of ``model(batch)`` logits (B, C) against ``batch[label_key]`` (B,); the measurement is the same loss.

    Example::

        ClassificationTask().train_loss(lambda b: b["logits"], {"logits": torch.zeros(2, 2), "labels": torch.tensor([0, 1])})
        # tensor([0.6931, 0.6931])
    """

    label_key: str = "labels"

    def logits(self, model: nn.Module, batch: Batch) -> Tensor:
        """(B, C) logits of the predictive distribution (what K-FAC's true Fisher samples labels from)."""
        return model(batch)

    def train_loss(self, model: nn.Module, batch: Batch) -> Tensor:
        logits = self.logits(model, batch)  # (B, C)
        logits = logits.float() if logits.element_size() < 4 else logits  # fp16/bf16 -> fp32; float64 stays
        return F.cross_entropy(logits, batch[self.label_key], reduction="none")  # (B,)

    def measurement(self, model: nn.Module, batch: Batch) -> Tensor:
        return self.train_loss(model, batch)


def select_parameters(model: nn.Module, include: Sequence[str] | None = None) -> dict[str, Tensor]:
    """The parameters influence is taken over, in ``named_parameters`` order.

    ``include=None``: every parameter with ``requires_grad``. Otherwise each entry is a module or parameter name
    (``"head"``, ``"encoder.encoder.layer.5"``, ``"head.weight"``) and selects that parameter or every parameter
    below that module, trainable or not. An entry that selects nothing is an error naming the available prefixes.
    """
    named = dict(model.named_parameters())
    if include is None:
        return {k: p for k, p in named.items() if p.requires_grad}
    chosen: dict[str, Tensor] = {}
    for prefix in include:
        hits = [k for k in named if k == prefix or k.startswith(prefix + ".")]
        if not hits:
            tops = sorted({k.rsplit(".", 1)[0] for k in named})[:20]
            raise KeyError(f"parameter selection {prefix!r} matches no parameter of {type(model).__name__}; "
                           f"modules with parameters include {tops}")
        chosen.update({k: named[k] for k in hits})
    return {k: named[k] for k in named if k in chosen}
