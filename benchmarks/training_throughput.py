"""Training throughput of an ``NLEModule`` under the Lightning Trainer vs a plain PyTorch loop.

Same model (MiniLM relation classifier, entity markers, dropout 0 so both runs are comparable step for step),
same data (the built-in relation sample, same shuffled order), same batch size, fp32, same optimiser and schedule.
Time is measured from the start of step ``warmup`` to the end of the last step (steady state).
``ratio = plain_seconds / lightning_seconds`` (goal ≥ 0.97); ``equal``: the per-step losses agree within 1e-4.

    python -m benchmarks.training_throughput [--quick] [--out FILE]
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F

from benchmarks.common import Comparison, parse_args, report
from nle.data.relation import RelationDataModule
from nle.training.module import NLEModule
from nle.training.optim import build_optimizer

SAMPLE = Path(__file__).resolve().parents[1] / "projects" / "next_tacred" / "sample" / "train.txt"
NO_DROPOUT = {"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}


class StepClock(pl.Callback):
    """Losses of every step, and the steady-state time from step ``warmup`` to the last."""

    def __init__(self, warmup: int):
        self.warmup, self.losses, self.t0, self.t1 = warmup, [], 0.0, 0.0

    def on_train_batch_start(self, trainer: pl.Trainer, module: pl.LightningModule, batch: Any, i: int) -> None:
        if trainer.global_step == self.warmup:
            self.t0 = time.perf_counter()

    def on_train_batch_end(self, trainer: pl.Trainer, module: pl.LightningModule, out: Any, batch: Any, i: int) -> None:
        self.losses.append(float(out["loss"]))
        self.t1 = time.perf_counter()


def lightning_run(model: NLEModule, data: RelationDataModule, steps: int, warmup: int) -> tuple[float, list[float]]:
    clock = StepClock(warmup)
    trainer = pl.Trainer(max_steps=steps, max_epochs=-1, accelerator="cpu", devices=1, precision="32-true",
                         logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, limit_val_batches=0, num_sanity_val_steps=0,
                         use_distributed_sampler=False, callbacks=[clock])
    trainer.fit(model, train_dataloaders=data.train_dataloader())
    return clock.t1 - clock.t0, clock.losses


def plain_run(model: NLEModule, data: RelationDataModule, steps: int, warmup: int) -> tuple[float, list[float]]:
    model.train()
    opt, sched = build_optimizer(model, lr=model.hparams.lr, weight_decay=model.hparams.weight_decay,
                                 warmup_ratio=model.hparams.warmup_ratio, total_steps=steps)
    loader, losses, step, epoch, t0 = data.train_dataloader(), [], 0, 0, 0.0
    while step < steps:
        loader.sampler.set_epoch(epoch)
        for batch in loader:
            if step == warmup:
                t0 = time.perf_counter()
            loss = F.cross_entropy(model(batch).float(), batch["labels"])
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(float(loss))
            step += 1
            if step == steps:
                break
        epoch += 1
    return time.perf_counter() - t0, losses


def main(argv: Sequence[str] | None = None) -> list[Comparison]:
    args = parse_args(__doc__.splitlines()[0], argv)
    steps, warmup, repeats = (8, 2, 2) if args.quick else (40, 4, 3)
    pl.seed_everything(1, workers=True, verbose=False)
    data = RelationDataModule(format="semeval2010", train_file=str(SAMPLE), max_length=64, batch_size=16)
    data.setup()
    base = NLEModule(pooling="entity_start", num_labels=data.num_labels, labels=data.labels,
                     vocab_size=data.vocab_size, encoder_overrides=NO_DROPOUT, dropout=0.0, lr=5e-5)
    ours, peer = float("inf"), float("inf")
    for _ in range(repeats):  # interleaved, best of each
        t, peer_losses = plain_run(copy.deepcopy(base), data, steps, warmup)
        peer = min(peer, t)
        t, our_losses = lightning_run(copy.deepcopy(base), data, steps, warmup)
        ours = min(ours, t)
    equal = len(our_losses) == len(peer_losses) and torch.allclose(
        torch.tensor(our_losses), torch.tensor(peer_losses), atol=1e-4, rtol=1e-4)
    seqs = (steps - warmup) * data.batch_size
    comparison = Comparison("training_throughput lightning vs plain loop (MiniLM, batch 16, fp32)", ours, peer, bool(equal),
                            {"lightning_seq_per_s": seqs / ours, "plain_seq_per_s": seqs / peer, "steps": steps,
                             "max_loss_diff": max(abs(a - b) for a, b in zip(our_losses, peer_losses))})
    report([comparison], args.out)
    print(f"  lightning {seqs / ours:.1f} seq/s, plain {seqs / peer:.1f} seq/s")
    return [comparison]


if __name__ == "__main__":
    main()
