"""One training run of a method: plain fine-tuning, the gradient-reversal adversary, or influence tuning.

All three share the task updates (Adam on mean cross-entropy over shuffled batches).

* ``adversarial``: each task update adds ``weight`` · CE(adversary(reverse(h)), token present) over the batch rows
  whose token status is known;
* ``influence``: after every ``every`` task updates, ``steps`` updates of ``influence_tuning_loss`` on freshly
  sampled probes and groups, with a separate Adam optimizer (the paper alternates the two objectives the same way).

Example::

    result = fit(Method.PLAIN, data, vocab, RunConfig(), seed=0)
    result.model, result.log["task_loss"][-1]
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor

from projects.inffeed.tuning.config import Method, RunConfig
from projects.inffeed.tuning.data import SpuriousData
from projects.inffeed.tuning.influence_loss import influence_tuning_loss, parameter_names, sample_groups
from projects.inffeed.tuning.model import Adversary, BagClassifier, Vocab


@dataclass
class FitResult:
    model: BagClassifier
    log: dict[str, list[float]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def encode_train(data: SpuriousData, vocab: Vocab, max_len: int) -> dict[str, Tensor]:
    """The training split as tensors: input_ids / attention_mask (N, T), labels (N,), confound (N,), access (N,)."""
    batch = vocab.batch(data.train.texts, max_len)
    batch["labels"] = torch.tensor(data.train.labels)
    batch["confound"] = torch.tensor(data.train.has_token, dtype=torch.long)
    batch["access"] = torch.tensor(data.access)
    return batch


def fit(method: Method, data: SpuriousData, vocab: Vocab, cfg: RunConfig, *, seed: int) -> FitResult:
    """Train a fresh ``BagClassifier`` with ``method``; ``seed`` fixes the initialisation, order and sampling."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = BagClassifier(len(vocab), cfg.model.embedding_dim, cfg.model.hidden)
    adversary = Adversary(cfg.model.hidden, cfg.adversary.width, cfg.adversary.scale)
    params = list(model.parameters()) + (list(adversary.parameters()) if method == Method.ADVERSARIAL else [])
    opt = torch.optim.Adam(params, lr=cfg.train.lr, weight_decay=cfg.train.weight_decay)
    inf_opt = torch.optim.Adam(model.parameters(), lr=cfg.influence.lr)
    names = parameter_names(model, list(cfg.influence.params))
    tensors = encode_train(data, vocab, cfg.data.max_len)
    model_inputs = {k: tensors[k] for k in ("input_ids", "attention_mask", "labels")}
    n = len(data.train)
    steps_per_epoch = (n + cfg.train.batch_size - 1) // cfg.train.batch_size
    total = steps_per_epoch * cfg.train.epochs
    result = FitResult(model, {"task_loss": [], "adv_loss": [], "inf_loss": [], "inf_gap": []},
                       {"task": 0.0, "influence": 0.0})
    step = 0
    model.train()
    for _ in range(cfg.train.epochs):
        order = torch.randperm(n)
        for start in range(0, n, cfg.train.batch_size):
            t0 = time.perf_counter()
            rows = order[start:start + cfg.train.batch_size]
            batch = {k: v[rows] for k, v in tensors.items()}
            h = model.encode(batch)  # (B, H)
            loss = F.cross_entropy(model.head(h), batch["labels"])
            result.log["task_loss"].append(loss.item())
            if method == Method.ADVERSARIAL and bool(batch["access"].any()):
                known = batch["access"]
                adv = F.cross_entropy(adversary(h[known]), batch["confound"][known])
                result.log["adv_loss"].append(adv.item())
                loss = loss + cfg.adversary.weight * adv
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            result.seconds["task"] += time.perf_counter() - t0
            if method == Method.INFLUENCE and step % cfg.influence.every == 0 and total - step > cfg.influence.every / 2:
                t0 = time.perf_counter()
                for _ in range(cfg.influence.steps):
                    _influence_step(model, model_inputs, data, names, cfg, rng, inf_opt, result)
                result.seconds["influence"] += time.perf_counter() - t0
    model.eval()
    return result


def _influence_step(model: BagClassifier, inputs: dict[str, Tensor], data: SpuriousData, names: list[str],
                    cfg: RunConfig, rng: random.Random, opt: torch.optim.Optimizer, result: FitResult) -> None:
    groups = sample_groups(data.train.labels, data.train.has_token, probes=cfg.influence.probes, k=cfg.influence.k,
                           rng=rng, eligible=data.access)
    loss, gap = influence_tuning_loss(model, inputs, groups, names, metric=cfg.influence.metric)
    opt.zero_grad()
    loss.backward()
    opt.step()
    result.log["inf_loss"].append(loss.item())
    result.log["inf_gap"].append(gap.mean().item())


def measured_gap(model: BagClassifier, data: SpuriousData, vocab: Vocab, cfg: RunConfig, *, seed: int) -> float:
    """Mean influence gap (same-confound minus other-confound gradient similarity) over ``eval_probes`` probes of
    the training split: how much the model's notion of "similar training example" follows the token."""
    tensors = encode_train(data, vocab, cfg.data.max_len)
    inputs = {k: tensors[k] for k in ("input_ids", "attention_mask", "labels")}
    groups = sample_groups(data.train.labels, data.train.has_token, probes=cfg.influence.eval_probes,
                           k=cfg.influence.k, rng=random.Random(10_000 + seed))
    names = parameter_names(model, list(cfg.influence.params))
    _, gap = influence_tuning_loss(model, inputs, groups, names, metric=cfg.influence.metric)
    return gap.mean().item()
