"""``NLEModule``: a Hugging Face encoder with a classification head, trained and evaluated the same way everywhere.

Pooling: ``cls`` (first token), ``mean`` (masked mean) or ``entity_start`` (the hidden states at the two entity
start markers, concatenated: the "entity start" representation of Baldini Soares et al. 2019) or ``attention``
(Zhou et al. 2016: α = softmax(wᵀ tanh(H)) over the real tokens, r = tanh(Σ_t α_t h_t), w a learned vector of
size H; with ``encoder="bilstm"`` this is the NExT relation encoder). Evaluation
collects every prediction of the split, gathers them across processes, removes the sampler's padding and
computes the metrics once on the whole split (never an average of per-batch scores). Checkpoints carry the
RNG states, so ``--ckpt_path last`` continues an interrupted run on the same random stream.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from nle.atomic import write_jsonl
from nle.metrics import compute_metrics, higher_is_better
from nle.training.distributed import dedupe_by_index, gather_varlen
from nle.training.encoder import DEFAULT_ENCODER, load_encoder
from nle.training.optim import build_optimizer

STAGE_SPLIT = {"validate": "dev", "fit": "dev", "sanity_check": "dev", "test": "test"}


def masked_mean(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """(B, T, H) states and a (B, T) mask -> (B, H) mean over the attended positions (0 for a row with none)."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    return (hidden * mask).sum(1) / mask.sum(1).clamp_min(1.0)


class SelectsByFirstMetric:
    """``monitor`` / ``monitor_mode`` (what the training entry point selects checkpoints by) of a module whose
    first entry of ``metric_names`` is the dev metric that selects."""

    metric_names: list[str]

    @property
    def monitor(self) -> str:
        return f"dev/{self.metric_names[0]}"

    @property
    def monitor_mode(self) -> str:
        return "max" if higher_is_better(self.metric_names[0]) else "min"


class NLEModule(SelectsByFirstMetric, pl.LightningModule):
    """Encoder + dropout + linear head over a pooled representation.

    Args:
        encoder: Hugging Face name or local path (``"minilm"``: the offline all-MiniLM-L6-v2; ``"bilstm"``: the
            NExT BiLSTM over MiniLM word pieces, see ``nle.training.encoder``).
        num_labels, labels: the label space (linked from the data module by the CLI).
        vocab_size: tokenizer size after added special tokens (linked from the data module).
        pooling: ``cls`` | ``mean`` | ``entity_start`` | ``attention``.
        metrics: metric names from ``nle.metrics``; the first one selects the checkpoint on dev.
        lr, weight_decay, warmup_ratio: AdamW with linear warm-up and linear decay.
        pretrained: False initialises the encoder randomly (tests); ``encoder_overrides`` edits its config.
    """

    def __init__(
        self,
        encoder: str = DEFAULT_ENCODER,
        num_labels: int = 2,
        labels: list[str] | None = None,
        vocab_size: int | None = None,
        pooling: str = "cls",
        metrics: list[str] | None = None,
        lr: float = 3e-5,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        dropout: float = 0.1,
        pretrained: bool = True,
        encoder_overrides: dict[str, Any] | None = None,
    ):
        super().__init__()
        if pooling not in {"cls", "mean", "entity_start", "attention"}:
            raise ValueError(f"pooling must be 'cls', 'mean', 'entity_start' or 'attention', got {pooling!r}")
        self.save_hyperparameters()
        self.labels = list(labels) if labels is not None else [str(i) for i in range(num_labels)]
        if len(self.labels) != num_labels:
            raise ValueError(f"num_labels={num_labels} but {len(self.labels)} label names given")
        self.metric_names = list(metrics or ["accuracy", "macro_f1"])
        self.encoder = load_encoder(encoder, pretrained=pretrained, overrides=encoder_overrides, vocab_size=vocab_size)
        hidden = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden * (2 if pooling == "entity_start" else 1), num_labels)
        if pooling == "attention":
            self.attention_query = nn.Parameter(torch.zeros(hidden))  # w (H,); zero: uniform α at the start
        self.split_metrics: dict[str, dict[str, float]] = {}
        self.prediction_dir: Path | None = None
        self.extra_results: dict[str, Any] = {}
        self._outputs: list[tuple[torch.Tensor, ...]] = []
        self.train()  # from_pretrained returns eval mode; Lightning keeps submodule modes as they are

    # ---- model ---------------------------------------------------------------------------------
    def pool(self, hidden: torch.Tensor, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, T, H) hidden states -> (B, H) or (B, 2H) pooled representation."""
        if self.hparams.pooling == "attention":
            mask = batch["attention_mask"].bool()  # (B, T)
            scores = torch.tanh(hidden.float()) @ self.attention_query.float()  # (B, T): wᵀ tanh(h_t)
            scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
            alpha = scores.softmax(-1).to(hidden.dtype)  # (B, T)
            return torch.tanh(torch.einsum("bt,bth->bh", alpha, hidden))  # (B, H)
        if self.hparams.pooling == "cls":
            return hidden[:, 0]
        if self.hparams.pooling == "mean":
            return masked_mean(hidden, batch["attention_mask"])
        idx = batch["pool_index"]  # (B, 2): positions of the two entity start markers
        picked = hidden.gather(1, idx.unsqueeze(-1).expand(-1, -1, hidden.shape[-1]))  # (B, 2, H)
        return picked.flatten(1)  # (B, 2H)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits (B, C)."""
        hidden = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        return self.head(self.dropout(self.pool(hidden, batch)))

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        logits = self(batch)
        loss = F.cross_entropy(logits.float(), batch["labels"])
        self.log("train/loss", loss, prog_bar=True, batch_size=batch["labels"].shape[0])
        return loss

    # ---- evaluation --------------------------------------------------------------------------
    def _eval_step(self, batch: dict[str, torch.Tensor]) -> None:
        probs = self(batch).float().softmax(-1)  # (B, C)
        self._outputs.append((batch["index"], batch["labels"], probs.argmax(-1), probs))

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        self._eval_step(batch)

    def test_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        self._eval_step(batch)

    def on_validation_epoch_start(self) -> None:
        self._outputs = []

    on_test_epoch_start = on_validation_epoch_start

    def _eval_epoch_end(self, split: str) -> None:
        if not self._outputs:
            return
        index, gold, pred, probs = (torch.cat(x) for x in zip(*self._outputs))
        index, gold, pred, probs = (gather_varlen(self, t) for t in (index, gold, pred, probs))
        index, gold, pred, probs = dedupe_by_index(index, gold, pred, probs)
        self._outputs = []
        pred = self.decide(split, gold, probs)
        gold_names = [self.labels[i] if i >= 0 else None for i in gold.tolist()]
        pred_names = [self.labels[i] for i in pred.tolist()]
        metrics = compute_metrics(self.metric_names, [g for g in gold_names], pred_names) if gold.min() >= 0 else {}
        for name, value in metrics.items():
            self.log(f"{split}/{name}", float(value), prog_bar=name == self.metric_names[0])
        if not self.trainer.sanity_checking:
            self.split_metrics[split] = {k: float(v) for k, v in metrics.items()}
            if self.prediction_dir is not None and self.trainer.is_global_zero:
                self.write_predictions(split, index.tolist(), gold_names, pred_names, probs)

    def decide(self, split: str, gold: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        """(N,) predicted label ids of a whole split from (N, C) probabilities: the argmax (subclasses add
        decision rules, e.g. a threshold tuned on dev; ``gold`` is -100 where unknown)."""
        return probs.argmax(-1)

    def on_validation_epoch_end(self) -> None:
        self._eval_epoch_end("dev")

    def on_test_epoch_end(self) -> None:
        self._eval_epoch_end("test")

    def write_predictions(self, split: str, index: list[int], gold: list[str | None], pred: list[str],
                          probs: torch.Tensor) -> Path:
        """``<prediction_dir>/<split>.jsonl``: one row per example with id, gold, prediction and label scores."""
        assert self.prediction_dir is not None
        ids = self.trainer.datamodule.example_ids(split) if self.trainer.datamodule is not None else None
        rows = (prediction_row(ids[i] if ids else i, g, p, self.labels, probs[row].tolist())
                for row, (i, g, p) in enumerate(zip(index, gold, pred)))
        return write_jsonl(self.prediction_dir / f"{split}.jsonl", rows)

    # ---- optimisation ------------------------------------------------------------------------
    def configure_optimizers(self) -> Any:
        opt, sched = build_optimizer(self, lr=self.hparams.lr, weight_decay=self.hparams.weight_decay,
                                     warmup_ratio=self.hparams.warmup_ratio,
                                     total_steps=int(self.trainer.estimated_stepping_batches))
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    # ---- exact resumption --------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        save_rng_states(checkpoint)

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        restore_rng_states(checkpoint)


def prediction_row(example_id: Any, gold: str | None, pred: str, labels: list[str], probs: list[float],
                   **extra: Any) -> dict[str, Any]:
    """One line of ``predictions/<split>.jsonl``: id, gold and predicted label names, label scores (6 decimals),
    then any ``extra`` fields."""
    scores = {lab: round(float(p), 6) for lab, p in zip(labels, probs)}
    return {"id": example_id, "gold": gold, "pred": pred, "scores": scores, **extra}


def python_rng_state(rng: Any = random) -> list[int]:
    """The Mersenne-Twister state of ``rng`` (the ``random`` module or a ``random.Random``) as plain ints, which a
    ``weights_only=True`` checkpoint can hold."""
    return [int(x) for x in rng.getstate()[1]]


def set_python_rng_state(state: list[int], rng: Any = random) -> None:
    """Inverse of ``python_rng_state``."""
    rng.setstate((3, tuple(state), None))


def save_rng_states(checkpoint: dict[str, Any]) -> None:
    """Store the global torch / python / numpy RNG states in ``checkpoint["nle_rng"]`` (tensors and ints only), so
    a resumed run draws what the uninterrupted one would have drawn."""
    np_state = np.random.get_state()
    checkpoint["nle_rng"] = {
        "torch": torch.get_rng_state(),
        "python": python_rng_state(),
        "numpy": torch.from_numpy(np_state[1].astype(np.int64)),
        "numpy_pos": int(np_state[2]),
    }


def restore_rng_states(checkpoint: dict[str, Any]) -> None:
    """Inverse of ``save_rng_states``; a checkpoint without them is left as is."""
    state = checkpoint.get("nle_rng")
    if state is None:
        return
    torch.set_rng_state(state["torch"])
    set_python_rng_state(state["python"])
    np.random.set_state(("MT19937", state["numpy"].numpy().astype(np.uint32), state["numpy_pos"], 0, 0.0))


class PositionalForward(nn.Module):
    """``NLEModule`` called positionally, ``model(input_ids, attention_mask) -> logits (B, C)``, as captum's
    influence and attribution classes call a model."""

    def __init__(self, module: NLEModule):
        super().__init__()
        self.m = module

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.m({"input_ids": input_ids, "attention_mask": attention_mask})
