"""Small callbacks: a simulated interruption (to test resumption) and a training-throughput meter."""

from __future__ import annotations

import time
from typing import Any

import pytorch_lightning as pl


class SimulatedInterruption(RuntimeError):
    """Raised by ``InterruptAt`` to stop a run the way a killed job stops: no final checkpoint, no results."""


class InterruptAt(pl.Callback):
    """Raise ``SimulatedInterruption`` when training epoch ``epoch`` starts (its predecessor's checkpoint exists)."""

    def __init__(self, epoch: int = 1):
        self.epoch = epoch

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.current_epoch == self.epoch:
            raise SimulatedInterruption(f"simulated interruption at the start of epoch {self.epoch}")


class Throughput(pl.Callback):
    """Training sequences per second (all processes), excluding validation; stored in ``pl_module.extra_results``."""

    def __init__(self) -> None:
        self.seconds, self.sequences, self._t0 = 0.0, 0, 0.0

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any, batch_idx: int) -> None:
        self._t0 = time.perf_counter()

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        self.seconds += time.perf_counter() - self._t0
        self.sequences += int(batch["input_ids"].shape[0]) * trainer.world_size

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        extra = getattr(pl_module, "extra_results", {})
        extra["train_sequences_per_s"] = round(self.sequences / max(self.seconds, 1e-9), 2)
        pl_module.extra_results = extra
