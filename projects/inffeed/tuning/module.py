"""``InfluenceTuning``: plain fine-tuning, the gradient-reversal adversary, or influence tuning, as one
LightningModule with manual optimization and two Adam optimizers (task, influence).

Every method takes the same task updates (Adam on mean cross-entropy over shuffled batches):

* ``adversarial``: each task update adds ``adversary.weight`` · CE(adversary(reverse(h)), token present) over the
  batch rows whose token status is known (``access``);
* ``influence``: after every ``influence.every`` task updates (not in the last ``every / 2``), ``influence.steps``
  updates of ``influence_tuning_loss`` on freshly sampled probes and groups, with the second Adam optimizer (the
  paper alternates the two objectives the same way).

The adversary is built for every method (trained only by ``adversarial``), so the three methods start from the same
weights and see the same batch orders for a seed. Validation scores the whole evaluation splits (``evaluate.py``)
and the influence gap over ``influence.eval_probes`` probes; no checkpoint is selected on them (the last one is
evaluated); the last validation writes ``predictions/<split>.jsonl``. Under DDP the task batches are sharded across
ranks (``ShardSampler(seed=None)``: each epoch's global-generator permutation, rank r of W taking rows r::W);
every rank draws the same influence probes and computes the gradients of its share of them (probes r::W), and one
all-reduce per influence update sums the shares. Checkpoints carry the RNG states, the probe sampler's state and the training log, so ``--ckpt_path last``
continues an interrupted run to the same metrics; they hold only tensors and plain values (``weights_only=True``).

Example (what ``python -m projects.inffeed.tuning.train`` builds from ``configs/sample.yaml``)::

    dm = SpuriousDataModule(source="sample")
    module = InfluenceTuning(method="influence", vocab_size=dm.vocab_size)
    pl.Trainer(max_epochs=10).fit(module, datamodule=dm)
    module.split_metrics["reliance"]["influence_gap"]
"""

from __future__ import annotations

import contextlib
import random
import time
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

from nle.atomic import write_jsonl
from nle.data.module import rank_and_world
from nle.training.module import python_rng_state, restore_rng_states, save_rng_states, set_python_rng_state
from projects.inffeed.tuning.config import METHODS, AdversaryConfig, InfluenceConfig, Method, to_dict
from projects.inffeed.tuning.data import SpuriousData
from projects.inffeed.tuning.evaluate import predict, prediction_rows, reliance, split_scores
from projects.inffeed.tuning.influence_loss import Groups, influence_tuning_loss, parameter_names, sample_groups
from projects.inffeed.tuning.model import Adversary, BagClassifier
from projects.inffeed.tuning.spurious import token_stats


def measured_gap(model: BagClassifier, inputs: dict[str, Tensor], data: SpuriousData, cfg: InfluenceConfig, *,
                 seed: int) -> float:
    """Mean influence gap (same-confound minus other-confound gradient similarity) over ``cfg.eval_probes`` probes
    of the training split (drawn with ``random.Random(10_000 + seed)``): how much the model's notion of "similar
    training example" follows the token. ``inputs``: the training split as tensors (N, ...)."""
    groups = sample_groups(data.train.labels, data.train.has_token, probes=cfg.eval_probes, k=cfg.k,
                           rng=random.Random(10_000 + seed))
    names = parameter_names(model, list(cfg.params))
    _, gap = influence_tuning_loss(model, inputs, groups, names, metric=cfg.metric)
    return gap.mean().item()


def _sum_across_ranks(model: nn.Module, values: Tensor) -> Tensor:
    """Sum ``model``'s parameter gradients (missing ones as zeros) and the vector ``values`` over all ranks, in one
    all-reduce; returns the summed ``values``."""
    params = list(model.parameters())
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    flat = torch.cat([*(p.grad.reshape(-1) for p in params), values.reshape(-1)])
    torch.distributed.all_reduce(flat)
    offset = 0
    for p in params:
        p.grad.copy_(flat[offset:offset + p.numel()].view_as(p))
        offset += p.numel()
    return flat[offset:]


class _OnDevice(nn.Module):
    """``model`` called with a CPU batch (as ``evaluate.predict`` builds it), moved to the model's device first."""

    def __init__(self, model: nn.Module, device: torch.device):
        super().__init__()
        self.model, self.device = model, device

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        return self.model({k: v.to(self.device) for k, v in batch.items()})


class InfluenceTuning(pl.LightningModule):
    """A ``BagClassifier`` trained by one of the three methods (see the module doc).

    Args:
        method: ``plain`` | ``adversarial`` | ``influence``.
        embedding_dim, hidden: sizes of the bag-of-embeddings classifier.
        lr, weight_decay: the task optimizer (Adam).
        adversary: the gradient-reversal baseline (``config.AdversaryConfig``).
        influence: the influence-tuning schedule and objective (``config.InfluenceConfig``).
        seed: seed of the probe sampler and of the reported gap's probes (None: ``torch.initial_seed()``, i.e.
            ``--seed_everything``).
        vocab_size, num_labels, labels: linked from the data module by the CLI.
    """

    def __init__(self, method: Method = "plain", embedding_dim: int = 64, hidden: int = 64, lr: float = 5e-3,
                 weight_decay: float = 0.0, adversary: AdversaryConfig | None = None,
                 influence: InfluenceConfig | None = None, seed: int | None = None, vocab_size: int | None = None,
                 num_labels: int = 2, labels: list[str] | None = None):
        super().__init__()
        if method not in METHODS:
            raise ValueError(f"model.init_args.method must be one of {list(METHODS)}, got {method!r}")
        if vocab_size is None:
            raise ValueError("vocab_size is required (the CLI links it from the data module)")
        self.method = method
        self.adversary_config = adversary or AdversaryConfig()
        self.influence_config = influence or InfluenceConfig()
        self.seed = int(torch.initial_seed() if seed is None else seed)
        self.save_hyperparameters({
            "method": method, "embedding_dim": embedding_dim, "hidden": hidden, "lr": lr,
            "weight_decay": weight_decay, "adversary": to_dict(self.adversary_config),
            "influence": to_dict(self.influence_config), "seed": self.seed, "vocab_size": vocab_size,
            "num_labels": num_labels, "labels": list(labels) if labels is not None else None,
        })
        self.automatic_optimization = False
        self.net = BagClassifier(vocab_size, embedding_dim, hidden, num_labels)
        a = self.adversary_config
        self.adversary = Adversary(hidden, a.width, a.scale)
        self.adversary.requires_grad_(method == "adversarial")  # DDP: every parameter that needs a gradient gets one
        self.influence_names = parameter_names(self.net, list(self.influence_config.params))
        self.rng = random.Random(self.seed)  # probes and groups of the influence updates
        self.train_log: dict[str, Any] = {"task_loss": float("nan"), "task_updates": 0, "influence_gap": [],
                                          "seconds": {"task": 0.0, "influence": 0.0}}
        self.split_metrics: dict[str, dict[str, float]] = {}
        self.extra_results: dict[str, Any] = {}

    # ---- what NLECLI asks: no checkpoint selection, the last one is evaluated -------------------
    monitor: str | None = None
    monitor_mode: str = "min"
    prediction_dir: Path | None = None  # set by ``run_experiment`` before the final evaluation

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        """Logits (B, C)."""
        return self.net(batch)

    def configure_optimizers(self) -> list[torch.optim.Optimizer]:
        trained = [*self.net.parameters(), *(self.adversary.parameters() if self.method == "adversarial" else [])]
        task = torch.optim.Adam(trained, lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        influence = torch.optim.Adam(self.net.parameters(), lr=self.influence_config.lr)
        return [task, influence]

    # ---- training --------------------------------------------------------------------------------
    def training_step(self, batch: dict[str, Tensor], batch_idx: int) -> None:
        task_opt, influence_opt = self.optimizers()
        t0 = time.perf_counter()
        n = batch["labels"].shape[0]
        h = self.net.encode(batch)  # (B, H)
        task_loss = F.cross_entropy(self.net.head(h).float(), batch["labels"])
        loss = task_loss
        if self.method == "adversarial":  # mean over the rows whose token status is known (0 if none: under DDP
            known = batch["access"].float()  # every rank must still use the adversary's parameters)
            ce = F.cross_entropy(self.adversary(h).float(), batch["confound"], reduction="none")
            adv = (ce * known).sum() / known.sum().clamp_min(1.0)
            self.log("train/adversary_loss", adv, batch_size=max(1, int(known.sum())))
            loss = loss + self.adversary_config.weight * adv
        task_opt.zero_grad()
        self.manual_backward(loss)
        task_opt.step()
        self.log("train/task_loss", task_loss, prog_bar=True, batch_size=n)
        log = self.train_log
        log["task_loss"] = task_loss.item()
        log["task_updates"] += 1
        log["seconds"]["task"] += time.perf_counter() - t0
        step = self.current_epoch * self.trainer.num_training_batches + batch_idx + 1  # task updates so far
        total = int(self.trainer.estimated_stepping_batches)
        every = self.influence_config.every
        if self.method == "influence" and step % every == 0 and total - step > every / 2:
            self._influence_round(influence_opt)

    def _influence_round(self, opt: Any) -> None:
        """``influence.steps`` Adam updates of L_inf, each on freshly drawn probes and groups (fp32).

        Under DDP every rank draws the same probes and groups (same seed, the whole training split, the same
        weights); rank r of W computes the per-example gradients of probes r::W and their groups only, back-propagates
        its share ``sum_local gap^2 / P`` under ``no_sync``, and one all-reduce sums the shares, so each rank steps
        with the gradient of the whole round's ``mean gap^2`` at 1 / W of the cost."""
        t0 = time.perf_counter()
        cfg, data = self.influence_config, self.trainer.datamodule.data
        inputs = self._train_inputs()
        rank, world = rank_and_world()
        wrapped = self.trainer.strategy.model
        local = wrapped.no_sync() if isinstance(wrapped, DistributedDataParallel) else contextlib.nullcontext()
        with local, torch.autocast(self.device.type, enabled=False):
            for _ in range(cfg.steps):
                groups = sample_groups(data.train.labels, data.train.has_token, probes=cfg.probes, k=cfg.k,
                                       rng=self.rng, eligible=data.access)
                total = len(groups.probes)
                mine = Groups(groups.probes[rank::world], groups.same[rank::world], groups.other[rank::world])
                opt.zero_grad()
                sums = torch.zeros(2, device=self.device)  # (sum of gaps, sum of squared gaps) over my probes
                if len(mine.probes):
                    loss, gap = influence_tuning_loss(self.net, inputs, mine, self.influence_names,
                                                      metric=cfg.metric)
                    self.manual_backward(loss * (len(mine.probes) / total))
                    sums = torch.stack([gap.sum(), gap.pow(2).sum()])
                if world > 1:
                    sums = _sum_across_ranks(self.net, sums)
                opt.step()
                self.train_log["influence_gap"].append(sums[0].item() / total)
                self.log("train/influence_loss", sums[1] / total, batch_size=total)
        self.train_log["seconds"]["influence"] += time.perf_counter() - t0

    def _train_inputs(self) -> dict[str, Tensor]:
        """The whole training split (N, ...) on this device: what probes and groups index into."""
        tensors = self.trainer.datamodule.train_tensors
        return {k: tensors[k].to(self.device) for k in ("input_ids", "attention_mask", "labels")}

    # ---- evaluation: whole splits, once per validation ------------------------------------------
    def validation_step(self, batch: Any, batch_idx: int) -> None:
        """Nothing per batch: ``on_validation_epoch_end`` scores the whole evaluation splits."""

    def on_validation_epoch_end(self) -> None:
        dm = self.trainer.datamodule
        data, vocab, max_len = dm.data, dm.vocab, dm.config.max_len
        scored = _OnDevice(self.net, self.device)
        probs = {name: predict(scored, vocab, split.texts, max_len=max_len) for name, split in data.eval_splits().items()}
        metrics: dict[str, dict[str, float]] = {
            name: split_scores(split, probs[name]) for name, split in data.eval_splits().items()}
        metrics["reliance"] = reliance(scored, vocab, data.clean, data.anti, seed=dm.config.seed + 5, max_len=max_len)
        with torch.inference_mode(False), torch.enable_grad(), torch.autocast(self.device.type, enabled=False):
            metrics["reliance"]["influence_gap"] = measured_gap(self.net, self._train_inputs(), data,
                                                                self.influence_config, seed=self.seed)
        metrics["train"] = {"final_task_loss": self.train_log["task_loss"]}
        for split, values in metrics.items():
            for name, value in values.items():  # equal on every rank (each scores the whole splits)
                self.log(f"{split}/{name}", float(value), sync_dist=True)
        if self.trainer.sanity_checking:
            return
        self.split_metrics = metrics
        if self.prediction_dir is not None and self.trainer.is_global_zero:
            for name, split in data.eval_splits().items():
                write_jsonl(self.prediction_dir / f"{name}.jsonl", prediction_rows(split, probs[name], dm.labels))
        gaps = self.train_log["influence_gap"]
        self.extra_results.update({
            "seconds": dict(self.train_log["seconds"]), "task_updates": self.train_log["task_updates"],
            "influence_updates": len(gaps), "influence_gap_log": gaps[:: max(1, len(gaps) // 50)],
            "token_stats": {n: token_stats(s) for n, s in [("train", data.train), *data.eval_splits().items()]},
            "vocab_size": len(vocab), "torch_threads": torch.get_num_threads(),
        })

    # ---- exact resumption ------------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        save_rng_states(checkpoint)  # the global torch / python / numpy RNG states
        log = self.train_log
        checkpoint["tuning"] = {"probe_rng": python_rng_state(self.rng), "task_loss": log["task_loss"],
                                "task_updates": log["task_updates"], "influence_gap": list(log["influence_gap"]),
                                "seconds": dict(log["seconds"])}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        restore_rng_states(checkpoint)
        state = checkpoint["tuning"]
        set_python_rng_state(state["probe_rng"], self.rng)
        self.train_log = {"task_loss": state["task_loss"], "task_updates": state["task_updates"],
                          "influence_gap": list(state["influence_gap"]), "seconds": dict(state["seconds"])}
