"""``attribute``: one verb for every explainer, captum style.

>>> from nle.attribution import attribute, encode_words
>>> batch = encode_words(tokenizer, [["you", "are", "kind"]])  # doctest: +SKIP
>>> a = attribute(model, batch, method="integrated_gradients", target=1, steps=32)  # doctest: +SKIP
>>> a.pieces.shape, a.words.shape  # (B, T), (B, W)  # doctest: +SKIP

``model`` is a ``TextClassifier`` (a forward function over ``input_ids | inputs_embeds`` and ``attention_mask``, with
its embedding table) or an ``NLEModule`` (adapted by ``as_classifier``). ``batch`` holds ``input_ids`` and
``attention_mask`` (B, T), and ``word_ids`` (B, T) for word- and span-level scores (``encode_words``).
``spans``: word spans per example ``[[(start, end), ...], ...]`` or word masks (B, S, W) (default for span
methods: every word). ``differentiable=True`` keeps the graph (``create_graph`` for gradient methods) so a loss
on the scores trains the model; otherwise the scores are detached and computed without a graph where possible.

Methods (options): ``gradient`` / ``gradient_norm`` (alias ``saliency``) and ``input_x_gradient`` (``output``);
``integrated_gradients`` (``steps``, ``rule``, ``baseline``, ``batch_tokens``, ``output``); ``occlusion``
(``replace``, ``chunk_size``, ``output``); ``soc`` (``sampler``, ``nb_range``, ``n_samples``, ``seed``,
``uniforms``, ``chunk_size``, ``output``); ``marginalization`` (``lm``, ``top_k``, ``banned_ids``, ``chunk_size``).
"""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from typing import Any

import torch
from torch import Tensor

from nle.attribution.input_x_gradient import input_x_gradient
from nle.attribution.integrated_gradients import integrated_gradients
from nle.attribution.marginalization import input_marginalization
from nle.attribution.model import as_classifier, attributable, resolve_target
from nle.attribution.occlusion import occlusion
from nle.attribution.result import Attribution
from nle.attribution.saliency import gradient, gradient_norm
from nle.attribution.soc import soc
from nle.attribution.words import WordSpans, aggregate_words, count_words, piece_masks, span_masks, span_sums
from nle.attribution.words import word_spans as every_word


class Method(StrEnum):
    GRADIENT = "gradient"
    GRADIENT_NORM = "gradient_norm"
    INPUT_X_GRADIENT = "input_x_gradient"
    INTEGRATED_GRADIENTS = "integrated_gradients"
    OCCLUSION = "occlusion"
    SOC = "soc"
    MARGINALIZATION = "marginalization"


ALIASES = {"saliency": "gradient_norm", "ig": "integrated_gradients", "leave_one_out": "occlusion",
           "input_marginalization": "marginalization"}
SPAN_METHODS = frozenset({Method.OCCLUSION, Method.SOC})
"""Methods that score a span by occluding it as a whole (the others score pieces, and spans by summing)."""


SEVERAL_TARGETS = frozenset({*SPAN_METHODS, Method.MARGINALIZATION})
"""Methods that explain several classes per example from the same forward passes (a (B, K) ``target``)."""


def resolve_method(method: str) -> Method:
    name = ALIASES.get(method, method)
    if name not in Method._value2member_map_:
        raise ValueError(f"unknown attribution method {method!r}; known: {sorted(Method)} and aliases {sorted(ALIASES)}")
    return Method(name)


def as_word_masks(spans: WordSpans | Tensor | None, word_ids: Tensor) -> Tensor | None:
    """Word masks (B, S, W) from word spans or masks; ``None`` stays ``None``."""
    if spans is None:
        return None
    if isinstance(spans, Tensor):
        if spans.dim() != 3 or spans.shape[0] != word_ids.shape[0]:
            raise ValueError(f"span masks must be (B, S, W) with B={word_ids.shape[0]}, got {tuple(spans.shape)}")
        return spans.bool().to(word_ids.device)
    return span_masks(spans, count_words(word_ids)).to(word_ids.device)


def attribute(model: Any, batch: dict[str, Tensor], method: str = "integrated_gradients",
              target: int | Tensor | None = None, *, spans: WordSpans | Tensor | None = None,
              differentiable: bool = False, **options: Any) -> Attribution:
    """Explain ``model`` on ``batch`` for ``target`` (int, (B,) tensor, or ``None``: the predicted class).

    The perturbation methods (occlusion, SOC, input marginalization) also take a (B, K) ``target``: K classes per
    example explained from one set of perturbed forward passes, scores with a trailing K axis ((B, W, K) words).
    """
    clf = as_classifier(model)
    name = resolve_method(method)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    target = resolve_target(clf, batch, target, several=name in SEVERAL_TARGETS)
    has_words = "word_ids" in batch
    positions = torch.arange(ids.shape[1], device=ids.device)
    word_ids = batch["word_ids"] if has_words else torch.where(mask.bool(), positions, -1)  # pieces as words
    masks = as_word_masks(spans, word_ids)
    if spans is not None and not has_words and not isinstance(spans, Tensor):
        raise ValueError("word spans need batch['word_ids'] (see encode_words)")
    grad_ctx = nullcontext() if differentiable else torch.no_grad()

    if name in SPAN_METHODS:
        scored = masks if masks is not None else every_word(word_ids)  # (B, S, W)
        with grad_ctx:
            if name == Method.OCCLUSION:
                phi = occlusion(clf, ids, mask, piece_masks(scored, word_ids), target, **options)
            else:
                phi = soc(clf, ids, mask, word_ids, scored, target, **options)
        return Attribution(str(name), target, words=phi if masks is None else None,
                           spans=phi if masks is not None else None, word_ids=word_ids if has_words else None)

    raw = None
    if name == Method.MARGINALIZATION:
        with grad_ctx:
            pieces = input_marginalization(clf, ids, mask, target, attributable(batch), **options)
    elif name == Method.INTEGRATED_GRADIENTS:
        pieces, raw = integrated_gradients(clf, ids, mask, target, attributable(batch), create_graph=differentiable,
                                           **options)
    else:
        fn = {Method.GRADIENT: gradient, Method.GRADIENT_NORM: gradient_norm,
              Method.INPUT_X_GRADIENT: input_x_gradient}[name]
        pieces, raw = fn(clf, ids, mask, target, create_graph=differentiable, **options)
    if not differentiable:
        pieces, raw = pieces.detach(), raw.detach() if raw is not None else None
    words = aggregate_words(pieces, word_ids) if has_words else None
    span_scores = span_sums(pieces, piece_masks(masks, word_ids)) if masks is not None else None
    return Attribution(str(name), target, pieces=pieces, words=words, spans=span_scores, embeddings=raw,
                       word_ids=word_ids if has_words else None)
