"""Training throughput of an ``NLEModule`` under the Lightning Trainer vs a plain PyTorch loop.

Same model (MiniLM relation classifier, entity markers, dropout 0 so both runs are comparable step for step),
same data (the built-in relation sample, same shuffled order), same batch size, same precision (``32-true``, or
``bf16-mixed``: Lightning's autocast vs ``torch.autocast`` around the plain loop's forward), same optimiser and
schedule. Time is measured from the start of step ``warmup`` to the end of the last step (steady state; on a GPU
each step's loss is read back, which synchronises both sides alike). ``ratio = plain_seconds / lightning_seconds``
(goal ≥ 0.97); ``equal``: the per-step losses agree within 1e-4 (1e-3 under bf16-mixed).

    python -m benchmarks.training_throughput [--quick] [--out FILE] [--device cuda] [--precision bf16-mixed]
        [--batch-size 16]
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


def lightning_run(model: NLEModule, data: RelationDataModule, steps: int, warmup: int, device: torch.device,
                  precision: str) -> tuple[float, list[float]]:
    clock = StepClock(warmup)
    accelerator = "cpu" if device.type == "cpu" else "gpu"
    devices = [device.index or 0] if accelerator == "gpu" else 1
    trainer = pl.Trainer(max_steps=steps, max_epochs=-1, accelerator=accelerator, devices=devices, precision=precision,
                         logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, limit_val_batches=0, num_sanity_val_steps=0,
                         use_distributed_sampler=False, callbacks=[clock])
    trainer.fit(model, train_dataloaders=data.train_dataloader())
    return clock.t1 - clock.t0, clock.losses


def plain_run(model: NLEModule, data: RelationDataModule, steps: int, warmup: int, device: torch.device,
              precision: str) -> tuple[float, list[float]]:
    model.to(device).train()
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16-mixed")
    opt, sched = build_optimizer(model, lr=model.hparams.lr, weight_decay=model.hparams.weight_decay,
                                 warmup_ratio=model.hparams.warmup_ratio, total_steps=steps)
    loader, losses, step, epoch, t0 = data.train_dataloader(), [], 0, 0, 0.0
    while step < steps:
        loader.sampler.set_epoch(epoch)
        for batch in loader:
            if step == warmup:
                t0 = time.perf_counter()
            batch = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
            with autocast:
                logits = model(batch)
            loss = F.cross_entropy(logits.float(), batch["labels"])
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
    def extra(parser):
        parser.add_argument("--precision", default="32-true", choices=["32-true", "bf16-mixed"])
        parser.add_argument("--batch-size", type=int, default=16)

    args = parse_args(__doc__.splitlines()[0], argv, extra)
    device, precision = torch.device(args.device), args.precision
    steps, warmup, repeats = (8, 2, 2) if args.quick else (40, 4, 3)
    pl.seed_everything(1, workers=True, verbose=False)
    data = RelationDataModule(format="semeval2010", train_file=str(SAMPLE), max_length=64, batch_size=args.batch_size)
    data.setup()
    base = NLEModule(pooling="entity_start", num_labels=data.num_labels, labels=data.labels,
                     vocab_size=data.vocab_size, encoder_overrides=NO_DROPOUT, dropout=0.0, lr=5e-5)
    ours, peer = float("inf"), float("inf")
    for _ in range(repeats):  # interleaved, best of each
        t, peer_losses = plain_run(copy.deepcopy(base), data, steps, warmup, device, precision)
        peer = min(peer, t)
        t, our_losses = lightning_run(copy.deepcopy(base), data, steps, warmup, device, precision)
        ours = min(ours, t)
    tol = 1e-3 if precision == "bf16-mixed" else 1e-4
    equal = len(our_losses) == len(peer_losses) and torch.allclose(
        torch.tensor(our_losses), torch.tensor(peer_losses), atol=tol, rtol=tol)
    seqs = (steps - warmup) * data.batch_size
    comparison = Comparison(f"training_throughput lightning vs plain loop (MiniLM, batch {data.batch_size}, {precision}, "
                            f"{device})", ours, peer, bool(equal),
                            {"precision": precision, "device": str(device), "lightning_seq_per_s": seqs / ours,
                             "plain_seq_per_s": seqs / peer, "steps": steps,
                             "max_loss_diff": max(abs(a - b) for a, b in zip(our_losses, peer_losses))})
    report([comparison], args.out)
    print(f"  lightning {seqs / ours:.1f} seq/s, plain {seqs / peer:.1f} seq/s")
    return [comparison]


if __name__ == "__main__":
    main()
