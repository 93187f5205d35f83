"""The one coupling between explainers and models: a forward function over ids or embeddings, and what it scores.

``TextClassifier.forward(input_ids=None, inputs_embeds=None, attention_mask=...)`` returns logits (B, C); exactly one
of ``input_ids`` (B, T) and ``inputs_embeds`` (B, T, H) is given, where ``inputs_embeds`` replaces the word-piece
embedding lookup (Hugging Face semantics: position and segment embeddings are still added by the model).
``as_classifier(NLEModule)`` builds one from the project's module; any other model is wrapped by hand:

>>> clf = TextClassifier(forward=my_fn, embedding=my_model.embeddings.word_embeddings, pad_id=0, mask_id=103)  # doctest: +SKIP

The explained quantity ``f`` is a function of the logits and the target class (``output``):
``logit`` z_y, ``log_prob`` log softmax(z)_y, ``prob`` softmax(z)_y, ``log_odds`` log p_y − log(1 − p_y)
= z_y − logsumexp_{c≠y} z_c (natural log; Kim et al. 2020 write log2, a constant factor).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.attention import SDPBackend, sdpa_kernel

ForwardFn = Callable[..., Tensor]
OUTPUTS = ("logit", "log_prob", "prob", "log_odds")


@dataclass(frozen=True)
class TextClassifier:
    """A forward function (ids or embeddings → logits (B, C)) with its word-piece embedding table and special ids."""

    forward: ForwardFn
    embedding: nn.Embedding
    pad_id: int = 0
    mask_id: int | None = None

    def __call__(self, input_ids: Tensor | None = None, inputs_embeds: Tensor | None = None,
                 attention_mask: Tensor | None = None) -> Tensor:
        return self.forward(input_ids=input_ids, inputs_embeds=inputs_embeds, attention_mask=attention_mask)

    def embed(self, input_ids: Tensor) -> Tensor:
        """Word-piece embeddings (B, T, H) of ids (B, T)."""
        return self.embedding(input_ids)


def as_classifier(model: Any, tokenizer: Any = None) -> TextClassifier:
    """A ``TextClassifier`` over an ``NLEModule`` (``cls`` or ``mean`` pooling); passes a ``TextClassifier`` through.

    ``mask_id`` comes from ``tokenizer`` when given, else from the encoder config's vocabulary convention
    (``None`` when unknown: ``replace="mask"`` then fails loudly).
    """
    if isinstance(model, TextClassifier):
        return model
    if not (hasattr(model, "encoder") and hasattr(model, "head") and hasattr(model, "pool")):
        raise TypeError(f"as_classifier expects an NLEModule or a TextClassifier, got {type(model).__name__}")
    if model.hparams.get("pooling") == "entity_start":
        raise ValueError("as_classifier: entity_start pooling needs pool_index; wrap the model in a TextClassifier")

    def forward(input_ids: Tensor | None = None, inputs_embeds: Tensor | None = None,
                attention_mask: Tensor | None = None) -> Tensor:
        hidden = model.encoder(input_ids=input_ids, inputs_embeds=inputs_embeds,
                               attention_mask=attention_mask).last_hidden_state  # (B, T, H)
        return model.head(model.dropout(model.pool(hidden, {"attention_mask": attention_mask})))

    pad = model.encoder.config.pad_token_id
    mask = getattr(tokenizer, "mask_token_id", None) if tokenizer is not None else None
    return TextClassifier(forward=forward, embedding=model.encoder.get_input_embeddings(),
                          pad_id=0 if pad is None else int(pad), mask_id=mask)


def target_score(logits: Tensor, target: Tensor, output: str = "logit") -> Tensor:
    """The explained score f (N,) of each row's target class from logits (N, C), in fp32 or finer (see the module doc).

    ``target`` (N, K) explains K classes per row at once: f is then (N, K), column k that of ``target[:, k]``.
    """
    if target.dim() == 2:
        return torch.stack([target_score(logits, target[:, k], output) for k in range(target.shape[1])], 1)
    z = logits if logits.dtype == torch.float64 else logits.float()
    y = target.view(-1, 1)
    if output == "logit":
        return z.gather(1, y).squeeze(1)
    if output == "log_prob":
        return z.log_softmax(-1).gather(1, y).squeeze(1)
    if output == "prob":
        return z.softmax(-1).gather(1, y).squeeze(1)
    if output == "log_odds":
        others = z.scatter(1, y, float("-inf"))
        return z.gather(1, y).squeeze(1) - others.logsumexp(-1)
    raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")


def resolve_target(clf: TextClassifier, batch: dict[str, Tensor], target: int | Tensor | None,
                   several: bool = False) -> Tensor:
    """Target class per example (B,): an int for all, a tensor, or ``None`` for the predicted class.

    ``several``: a (B, K) tensor (K classes per example) is kept as it is.
    """
    n = batch["input_ids"].shape[0]
    if target is None:
        with torch.no_grad():
            return clf(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).argmax(-1)
    if isinstance(target, int):
        return torch.full((n,), target, dtype=torch.long, device=batch["input_ids"].device)
    target = torch.as_tensor(target, device=batch["input_ids"].device).long()
    if several and target.dim() == 2:
        if target.shape[0] != n:
            raise ValueError(f"target (B, K) has {target.shape[0]} rows for a batch of {n}")
        return target
    target = target.view(-1)
    if target.shape[0] != n:
        raise ValueError(f"target has {target.shape[0]} entries for a batch of {n}")
    return target


def trim(input_ids: Tensor, attention_mask: Tensor) -> tuple[Tensor, Tensor]:
    """Cut right padding shared by all rows: (N, T) → (N, T') with T' the last attended position + 1."""
    attended = attention_mask.any(0).nonzero()
    length = int(attended.max()) + 1 if attended.numel() else 1
    return input_ids[:, :length], attention_mask[:, :length]


def double_backward_safe(create_graph: bool) -> AbstractContextManager[object]:
    """The SDPA math kernel when a gradient must itself be differentiated (the fused CPU/GPU attention kernels have
    no double backward), else nothing."""
    return sdpa_kernel([SDPBackend.MATH]) if create_graph else nullcontext()


def attributable(batch: dict[str, Tensor]) -> Tensor:
    """Pieces that receive attribution (B, T): attended, and not special when ``word_ids`` marks specials with -1."""
    keep = batch["attention_mask"].bool()
    if "word_ids" in batch:
        keep = keep & (batch["word_ids"] >= 0)
    return keep
