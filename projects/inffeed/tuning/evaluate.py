"""Scores of a trained classifier on the controlled splits, and how much it relies on the token.

* per split: ``accuracy`` and ``macro_f1`` (``nle.metrics.classification_scores``, labels {0, 1});
* reliance on the clean split: ``flip_rate`` = fraction of rows whose predicted class changes when the token is
  inserted once, and ``prob_shift`` = mean change of P(y = 1) it causes; ``flip_rate_remove`` = the same for
  removing the token from the anti split's token-bearing rows.

Example::

    probs = predict(model, vocab, ["good film"])      # (1, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from nle.metrics.classification import classification_scores
from nle.training.module import prediction_row
from projects.inffeed.tuning.model import BagClassifier, Vocab
from projects.inffeed.tuning.spurious import SpuriousSplit, with_token_everywhere, without_token


@torch.no_grad()
def predict(model: BagClassifier, vocab: Vocab, texts: Sequence[str], *, max_len: int = 64,
            batch_size: int = 512) -> Tensor:
    """(N, C) class probabilities, in eval mode."""
    was = model.training
    model.eval()
    out = [model(vocab.batch(texts[i:i + batch_size], max_len)).softmax(-1) for i in range(0, len(texts), batch_size)]
    model.train(was)
    return torch.cat(out)


def split_scores(split: SpuriousSplit, probs: Tensor) -> dict[str, float]:
    """``accuracy`` and ``macro_f1`` of the split from the model's probabilities (N, C) (``predict``)."""
    s = classification_scores(list(split.labels), probs.argmax(-1).tolist(), labels=[0, 1])
    return {"accuracy": s["accuracy"], "macro_f1": s["macro_f1"]}


def prediction_rows(split: SpuriousSplit, probs: Tensor, labels: Sequence[str]) -> list[dict]:
    """``predictions/<split>.jsonl``: the shared prediction row of each example plus whether it carries the token."""
    pred = probs.argmax(-1).tolist()
    return [prediction_row(split.ids[i], labels[split.labels[i]], labels[pred[i]], list(labels), p,
                           has_token=bool(split.has_token[i])) for i, p in enumerate(probs.tolist())]


def reliance(model: BagClassifier, vocab: Vocab, clean: SpuriousSplit, anti: SpuriousSplit, *, seed: int,
             max_len: int) -> dict[str, float]:
    """Token reliance: ``flip_rate`` / ``prob_shift`` on adding it to clean rows, ``flip_rate_remove`` on removing it."""
    base = predict(model, vocab, clean.texts, max_len=max_len)
    added = predict(model, vocab, with_token_everywhere(clean, seed=seed).texts, max_len=max_len)
    bearing = [t for t, has in zip(anti.texts, anti.has_token) if has]
    out = {"flip_rate": (base.argmax(-1) != added.argmax(-1)).float().mean().item(),
           "prob_shift": (added[:, 1] - base[:, 1]).mean().item()}
    if bearing:
        sub = SpuriousSplit("bearing", tuple(bearing), (0,) * len(bearing), (True,) * len(bearing),
                            tuple(str(i) for i in range(len(bearing))), anti.token)
        with_tok = predict(model, vocab, sub.texts, max_len=max_len).argmax(-1)
        without = predict(model, vocab, without_token(sub).texts, max_len=max_len).argmax(-1)
        out["flip_rate_remove"] = (with_tok != without).float().mean().item()
    return out
