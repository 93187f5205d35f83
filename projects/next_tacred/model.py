"""Relation classifiers of the NExT project: the supervised classifier and NExT's objective (Wang et al. 2020).

``RelationClassifier``: encoder + entity markers + entity-start pooling (``NLEModule``).

``NExTClassifier`` adds the paper's training objective and decision rule. ``method``:

- ``supervised``: cross-entropy on every labelled row (gold, or hard-matched when the data says so); the
  labels-only, hard-matching-only and full-supervision rows of the comparison;
- ``self_training``: plus pseudo-labelling of the unlabelled rows by the model itself (its argmax, kept when
  its probability is at least ``self_training_threshold``, after ``warmup_epochs`` epochs), weighted by ``gamma``;
- ``next``: the NExT objective

      L = L_labelled + gamma * L_soft + alpha * L_find + beta * L_sim

  where ``L_labelled`` is the mean cross-entropy over the batch's labelled rows, ``L_soft`` the weighted sum over
  its unlabelled rows of the cross-entropy on each unlabelled sentence towards the label of the rule that
  soft-matches it best (``nle.matching.soft``; scores ``s`` taken without gradient). ``unlabelled_weighting``:
  ``softmax`` (default, as the authors' released implementation) weights row ``i`` by
  ``softmax_j(temperature * s_j)_i`` over the batch's unlabelled rows (temperature 10), so the weights sum to 1
  and the best-matched sentences of each batch carry the term; ``linear`` weights it by ``s_i / U`` (the mean of
  score times cross-entropy). ``L_find`` /
  ``L_sim`` train the learned string matcher (``nle.matching.neural``). ``matcher: exact`` is "NExT without soft
  string matching" (exact keywords, soft counting and soft logic kept; no L_find / L_sim).
  ``oracle_pseudo_labels`` (a diagnostic, never a method row): the soft term keeps its rule-score weights but
  trains towards the hidden gold label of each unlabelled row, which bounds what better pseudo labels could give
  under the same weighting.

``tune_other``: Other / no_relation is predicted where the entropy of the predicted distribution exceeds a
threshold tuned on dev (maximising the first metric) each validation; the threshold is a buffer, so the
best checkpoint carries the one chosen with it and the test split uses it unchanged. ``other_label``: the class
predicted there (default: ``Other`` for SemEval, ``no_relation`` for TACRED, whichever the labels hold).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from nle.metrics import compute_metrics, higher_is_better
from nle.training.module import NLEModule

METHODS = ("supervised", "self_training", "next")
UNLABELLED = 2


class RelationClassifier(NLEModule):
    """``NLEModule`` with entity-start pooling and the official relation metric first (it selects checkpoints)."""

    def __init__(self, pooling: str = "entity_start", metrics: list[str] | None = None, **kwargs: Any):
        super().__init__(pooling=pooling, metrics=metrics or ["semeval_f1", "accuracy"], **kwargs)


def entropy(probs: torch.Tensor) -> torch.Tensor:
    """(N, C) -> (N,) Shannon entropy in nats."""
    return -(probs * probs.clamp_min(1e-12).log()).sum(-1)


def unlabelled_weights(score: torch.Tensor, keep: torch.Tensor, scheme: str = "softmax",
                       temperature: float = 10.0) -> torch.Tensor:
    """Weights of a batch's unlabelled rows in NExT's soft-matching term from their best rule score ``score``
    (``keep``: rows above ``min_confidence``). ``softmax``: ``softmax(temperature * score)`` over the kept rows
    (they sum to 1; all zero when no row is kept); ``linear``: ``score / U`` (kept rows only)."""
    if scheme == "softmax":
        if not bool(keep.any()):
            return torch.zeros_like(score)
        return torch.softmax((temperature * score).masked_fill(~keep, float("-inf")), 0)
    if scheme == "linear":
        return score * keep / score.numel()
    raise ValueError(f"unlabelled_weighting must be 'softmax' or 'linear', got {scheme!r}")


def soft_matching(dm: Any, matcher: str = "learned", hidden: int = 100, vectors: str = "minilm",
                  count_window: int = 7, count_value: float = 0.5) -> tuple[Any, Any]:
    """The soft rules of a NExT data module (``dm.soft_rules``, after ``setup``) and a fresh string matcher:
    ``learned`` (``LearnedMatcher`` over ``vectors`` word vectors of the soft corpus' vocabulary) or ``exact``."""
    from nle.matching.neural import LearnedMatcher, word_vectors
    from nle.matching.soft import ExactMatcher, SoftConfig, SoftRules

    rules = SoftRules(dm.soft_rules.forms, SoftConfig(count_window, count_value))
    if matcher == "exact":
        return rules, ExactMatcher()
    return rules, LearnedMatcher(word_vectors(dm.soft_corpus.vocab.words, vectors), hidden=hidden)


class NExTClassifier(RelationClassifier):
    """The relation classifier trained with NExT's objective or a baseline's (see the module docstring)."""

    def __init__(self, method: str = "supervised", alpha: float = 0.2, beta: float = 0.5, gamma: float = 0.7,
                 matcher: str = "learned", matcher_hidden: int = 100, matcher_vectors: str = "minilm",
                 count_window: int = 7, count_value: float = 0.5, min_confidence: float = 0.0,
                 unlabelled_weighting: str = "softmax", weight_temperature: float = 10.0,
                 self_training_threshold: float = 0.9, warmup_epochs: int = 1, tune_other: bool = False,
                 other_label: str | None = None, matcher_pretrain_steps: int = 300, oracle_pseudo_labels: bool = False,
                 **kwargs: Any):
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if unlabelled_weighting not in ("softmax", "linear"):
            raise ValueError(f"unlabelled_weighting must be 'softmax' or 'linear', got {unlabelled_weighting!r}")
        if matcher not in ("learned", "exact"):
            raise ValueError(f"matcher must be 'learned' or 'exact', got {matcher!r}")
        super().__init__(**kwargs)
        self.save_hyperparameters()
        self.register_buffer("other_tau", torch.tensor(float("inf")))
        self.register_buffer("matcher_pretrained", torch.tensor(False))
        self.matcher: Any = None
        self._soft: Any = None

    # ---- set-up: the rules and the matcher come from the data module ----------------------------------------------
    def setup(self, stage: str) -> None:
        hp = self.hparams
        dm = self.trainer.datamodule
        if hp.tune_other:
            self.other_class()  # a missing Other label fails here, not after training
        if stage == "fit" and hasattr(dm, "annotation_budget"):
            self.extra_results.update(dm.annotation_budget())  # n_explanations / n_labels: the x of the curves
        if hp.method != "next" or self._soft is not None:
            return
        if getattr(dm, "soft_corpus", None) is None:
            raise ValueError("method 'next' needs rules and an unlabelled pool: "
                             "set data.init_args.train_subset: explained+unlabelled")
        rules, matcher = soft_matching(dm, hp.matcher, hp.matcher_hidden, hp.matcher_vectors, hp.count_window,
                                       hp.count_value)
        self._soft = (rules, dm.soft_corpus)
        self.register_buffer("rule_labels", dm.rule_labels(), persistent=False)
        pairs = sorted({(k, int(label)) for ks, label in zip(rules.rule_keywords, dm.rule_labels().tolist())
                        for k in ks})
        self.register_buffer("sim_keywords", torch.tensor([k for k, _ in pairs], dtype=torch.long), persistent=False)
        self.register_buffer("sim_labels", torch.tensor([y for _, y in pairs], dtype=torch.long), persistent=False)
        self.matcher = matcher.to(self.device) if isinstance(matcher, torch.nn.Module) else matcher
        self.extra_results["rules"] = dict(dm.coverage)

    def on_fit_start(self) -> None:
        """The keyword-span pretraining of the learned matcher (``L_find + L_sim``, ``matcher_pretrain_steps``
        Adam steps on the training sentences) before the joint objective; skipped when resuming."""
        hp = self.hparams
        if not isinstance(self.matcher, torch.nn.Module) or bool(self.matcher_pretrained) or not hp.matcher_pretrain_steps:
            return
        from tqdm.auto import tqdm

        rules, corpus = self._soft
        gen = torch.Generator().manual_seed(int(torch.initial_seed()) % 2**31)
        opt = torch.optim.Adam([p for p in self.matcher.parameters() if p.requires_grad], lr=1e-3)
        self.matcher.train()
        for _ in tqdm(range(hp.matcher_pretrain_steps), desc="matcher pretraining (L_find + L_sim)", leave=False):
            rows = torch.randint(len(corpus), (64,), generator=gen)
            find, sim = self._matcher_losses(corpus.batch(rows).to(self.device), generator=gen)
            loss = find + sim
            opt.zero_grad()
            loss.backward()
            opt.step()
        self.matcher_pretrained.fill_(True)
        self.extra_results["matcher_pretrain_loss"] = float(loss.detach())

    # ---- training -------------------------------------------------------------------------------------------------
    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        hp = self.hparams
        logits = self(batch).float()
        labels = batch["labels"]
        labelled = labels != -100
        n = labels.shape[0]
        loss = F.cross_entropy(logits[labelled], labels[labelled]) if labelled.any() else logits.sum() * 0.0
        self.log("train/loss_labelled", loss, batch_size=n)
        unl = ~labelled
        if hp.method == "self_training" and self.current_epoch >= hp.warmup_epochs and unl.any():
            with torch.no_grad():
                conf, pseudo = logits[unl].softmax(-1).max(-1)
            keep = (conf >= hp.self_training_threshold).float()
            self._log_pseudo_accuracy(batch, unl, pseudo, keep, n)
            soft = (F.cross_entropy(logits[unl], pseudo, reduction="none") * keep).mean()
            loss = loss + hp.gamma * soft
            self.log("train/pseudo_kept", keep.mean(), batch_size=n)
        elif hp.method == "next":
            loss = loss + self._next_terms(batch, logits, unl, n)
        self.log("train/loss", loss, prog_bar=True, batch_size=n)
        return loss

    def _next_terms(self, batch: dict[str, torch.Tensor], logits: torch.Tensor, unl: torch.Tensor,
                    n: int) -> torch.Tensor:
        hp = self.hparams
        rules, corpus = self._soft
        sb = corpus.batch(batch["soft_row"].cpu()).to(self.device)
        out = logits.new_zeros(())
        if unl.any():
            learned = isinstance(self.matcher, torch.nn.Module)
            was = learned and self.matcher.training
            if learned:
                self.matcher.eval()
            with torch.no_grad():
                scores = rules.execute(sb.select(unl.nonzero().squeeze(1)), self.matcher)  # (U, R)
            if learned and was:
                self.matcher.train()
            conf, best = scores.max(1)
            keep = conf > hp.min_confidence
            conf = conf * keep
            pseudo = self.rule_labels[best]
            if hp.oracle_pseudo_labels:  # diagnostic only: the same weights, the hidden gold as targets
                if "hidden_gold" not in batch:
                    raise ValueError("oracle_pseudo_labels needs the data module's hidden gold of the unlabelled pool")
                pseudo = batch["hidden_gold"][unl]
            ce = F.cross_entropy(logits[unl], pseudo, reduction="none")
            weight = unlabelled_weights(conf, keep, hp.unlabelled_weighting, hp.weight_temperature)
            out = out + hp.gamma * (ce * weight).sum()
            self.log("train/soft_confidence", conf.mean(), batch_size=n)
            self._log_pseudo_accuracy(batch, unl, pseudo, weight, n)
        if isinstance(self.matcher, torch.nn.Module):
            find, sim = self._matcher_losses(sb)
            out = out + hp.alpha * find + hp.beta * sim
            self.log_dict({"train/l_find": find, "train/l_sim": sim}, batch_size=n)
        return out

    def _matcher_losses(self, sb: Any, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(L_find, L_sim)`` of the learned matcher: L_find on the batch's sentences, L_sim on the rules'
        (keyword, label) pairs."""
        kw, kw_len = sb.keywords[self.sim_keywords], sb.keyword_lengths[self.sim_keywords]
        return (self.matcher.find_loss(sb.words, sb.lengths, generator=generator),
                self.matcher.sim_loss(kw, kw_len, self.sim_labels))

    def _log_pseudo_accuracy(self, batch: dict[str, torch.Tensor], unl: torch.Tensor, pseudo: torch.Tensor,
                             weight: torch.Tensor, n: int) -> None:
        """Weight-averaged accuracy of the pseudo labels against the hidden gold (a diagnostic, never a loss)."""
        if "hidden_gold" in batch and float(weight.sum()) > 0:
            hit = (pseudo == batch["hidden_gold"][unl]).float()
            self.log("train/pseudo_label_accuracy", (hit * weight).sum() / weight.sum(), batch_size=n)

    # ---- the Other decision -------------------------------------------------------------------------------------
    def decide(self, split: str, gold: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        pred = probs.argmax(-1)
        hp = self.hparams
        if not hp.tune_other:
            return pred
        other = self.labels.index(self.other_class())
        h = entropy(probs)
        if split == "dev" and bool((gold >= 0).all()):
            self.other_tau.fill_(self._tune_tau(gold, pred, h, other))
        self.extra_results["other_entropy_threshold"] = float(self.other_tau)
        return torch.where(h > self.other_tau, torch.full_like(pred, other), pred)

    def other_class(self) -> str:
        """The label ``tune_other`` predicts: ``other_label``, else ``Other`` or ``no_relation`` (ValueError if the
        labels hold none of them)."""
        wanted = [self.hparams.other_label] if self.hparams.other_label else ["Other", "no_relation"]
        for name in wanted:
            if name in self.labels:
                return name
        raise ValueError(f"tune_other: other_label {' / '.join(map(repr, wanted))} is not one of the labels "
                         f"{list(self.labels)}; set model.init_args.other_label")

    def _tune_tau(self, gold: torch.Tensor, pred: torch.Tensor, h: torch.Tensor, other: int) -> float:
        name = self.metric_names[0]
        sign = 1.0 if higher_is_better(name) else -1.0
        gold_names = [self.labels[i] for i in gold.tolist()]
        grid = torch.linspace(0, 1, 41, dtype=torch.double, device=h.device)
        candidates = [float("inf"), *torch.quantile(h.double(), grid).tolist()]
        best, best_tau = None, float("inf")
        for tau in candidates:
            p = torch.where(h > tau, torch.full_like(pred, other), pred)
            value = sign * float(compute_metrics([name], gold_names, [self.labels[i] for i in p.tolist()])[name])
            if best is None or value > best:
                best, best_tau = value, tau
        return best_tau

