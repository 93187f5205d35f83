"""``InfFeedClassifier``: a classifier head over frozen sentence features (default), or over a fine-tuned encoder.

    logits = head(x),  head = Linear(H, C)                      (head="linear": multinomial logistic regression)
                       head = Linear(hidden, C) ∘ ReLU ∘ Linear(H, hidden)                         (head="mlp")
    loss   = (1/B) Σ_i CE(logits_i, y_i) + (l2 / 2) ‖θ_head‖²

The explicit L2 term makes the trained linear head the minimiser of a strongly convex objective, so the
influence estimate ∇m(z_q)ᵀ (H + l2·I)⁻¹ ∇ℓ(z_t) over the head (``nle.influence``, ``damping = l2``) is exact
up to optimisation error. With ``encoder_trainable=True`` the batch holds token ids and the encoder (mean pooling)
is fine-tuned with the head (the paper's setting; for GPU users). Evaluation gathers the whole split and computes
the metrics once (``nle.metrics``); the first metric is the one a checkpoint would be selected by.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nle.metrics import compute_metrics
from nle.training.encoder import DEFAULT_ENCODER, load_encoder
from nle.training.module import SelectsByFirstMetric, masked_mean
from projects.inffeed.settings import InfFeedSettings


class InfFeedClassifier(SelectsByFirstMetric, pl.LightningModule):
    """Head (and optionally encoder) of the InfFeed experiments.

    Args:
        encoder: encoder name (features were computed with it; loaded only when ``encoder_trainable``).
        encoder_trainable: fine-tune the encoder (batches of token ids) instead of reading cached features.
        feature_dim: H of the cached features (384 for MiniLM-L6).
        head: ``linear`` | ``mlp``; ``hidden``: width of the MLP.
        lr, l2: Adam learning rate and the L2 coefficient of the loss (the damping of the influence Hessian).
        num_labels, labels, vocab_size: linked from the data module by the CLI (vocab_size unused).
        metrics: ``nle.metrics`` names; the first selects checkpoints.
        protocol: the InfFeed protocol run by ``train.py`` (``settings.InfFeedSettings``; None: its defaults).
    """

    def __init__(self, encoder: str = DEFAULT_ENCODER, encoder_trainable: bool = False, feature_dim: int = 384,
                 head: str = "linear", hidden: int = 256, dropout: float = 0.0, lr: float = 1e-2, l2: float = 1e-3,
                 num_labels: int = 2, labels: list[str] | None = None, vocab_size: int | None = None,
                 metrics: list[str] | None = None, protocol: InfFeedSettings | None = None):
        super().__init__()
        if head not in ("linear", "mlp"):
            raise ValueError(f"head must be 'linear' or 'mlp', got {head!r}")
        self.save_hyperparameters()
        self.protocol = protocol if protocol is not None else InfFeedSettings()
        self.labels = list(labels) if labels is not None else [str(i) for i in range(num_labels)]
        self.metric_names = list(metrics or ["macro_f1", "accuracy"])
        self.encoder = load_encoder(encoder) if encoder_trainable else None
        dim = self.encoder.config.hidden_size if self.encoder is not None else feature_dim
        self.dropout = nn.Dropout(dropout)
        self.head: nn.Module = (nn.Linear(dim, num_labels) if head == "linear" else
                                nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, num_labels)))
        self.split_metrics: dict[str, dict[str, float]] = {}
        self._outputs: list[tuple[Tensor, Tensor]] = []

    def represent(self, batch: dict[str, Tensor]) -> Tensor:
        """(B, H) sentence representation: the cached features, or the encoder's masked mean."""
        if self.encoder is None:
            return batch["features"].float()
        h = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        return masked_mean(h, batch["attention_mask"])

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        """Logits (B, C)."""
        return self.head(self.dropout(self.represent(batch)))

    def l2_penalty(self) -> Tensor:
        return 0.5 * self.hparams.l2 * sum((p.float() ** 2).sum() for p in self.head.parameters())

    def training_step(self, batch: dict[str, Tensor], batch_idx: int) -> Tensor:
        loss = F.cross_entropy(self(batch).float(), batch["labels"]) + self.l2_penalty()
        self.log("train/loss", loss, batch_size=batch["labels"].shape[0])
        return loss

    def on_validation_epoch_start(self) -> None:
        self._outputs = []

    def validation_step(self, batch: dict[str, Tensor], batch_idx: int) -> None:
        self._outputs.append((batch["labels"], self(batch).float().argmax(-1)))

    def on_validation_epoch_end(self) -> None:
        if not self._outputs:
            return
        gold, pred = (torch.cat(x) for x in zip(*self._outputs))
        self._outputs = []
        metrics = self.score(gold, pred)
        for name, value in metrics.items():
            self.log(f"dev/{name}", value, prog_bar=name == self.metric_names[0])
        self.split_metrics["dev"] = metrics

    def score(self, gold: Tensor, pred: Tensor) -> dict[str, float]:
        """The configured metrics of label ids ``pred`` (N,) against ``gold`` (N,), on label names."""
        names = self.labels
        return {k: float(v) for k, v in compute_metrics(self.metric_names, [names[i] for i in gold.tolist()],
                                                         [names[i] for i in pred.tolist()]).items()}

    @torch.no_grad()
    def predict_proba(self, data: dict[str, Tensor], batch_size: int = 512) -> Tensor:
        """(N, C) class probabilities of a mapping of stacked tensors, in eval mode."""
        was = self.training
        self.eval()
        out = [self({k: v[i:i + batch_size].to(self.device) for k, v in data.items()}).float().softmax(-1).cpu()
               for i in range(0, len(data["labels"]), batch_size)]
        self.train(was)
        return torch.cat(out)

    def configure_optimizers(self) -> Any:
        return torch.optim.Adam([p for p in self.parameters() if p.requires_grad], lr=self.hparams.lr)
