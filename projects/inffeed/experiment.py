"""The InfFeed protocol: every arm of (a) feedback and (b) dataset extension, one Lightning fit per trained model.

(a) Feedback. A head trained on the whole training set predicts every dev target; influence scores of every
training point on the loss of each target's *predicted* label (``nle.influence``, exact inverse Hessian over the
head) feed the rules of ``feedback.py``. Arms: ``plain`` (no feedback), one per configured rule, and
``feedback_tuned`` (the rule grid tuned on one half of dev and applied to the other, both ways).

(b) Dataset extension (``extension.py``). Dev is split in two seeded halves: the influence half (its gold labels
give the influence of each silver point) and the report half (``dev`` in the records; ``dev_full`` is all of dev,
``dev_influence`` the half whose labels chose the points). Arms: ``gold_only``, ``silver_extension`` (no
correction), ``reannotate_harmful`` (InfFeed: the negative-influence points), ``reannotate_random`` (as many
random points), ``reannotate_all``, and the curve ``curve_{ranked,random}_<fraction>``.

Every arm writes ``<run_dir>/<arm>/results.json`` (a ``ResultRecord``: method = arm).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from torch import Tensor

from nle.influence import ClassificationTask, InverseHessian, influence_scores
from nle.results import ResultRecord, config_hash, git_info, package_versions, sha256_file, utc_now, write_results
from projects.inffeed.data import TensorData, concat, loader, relabel, subset
from projects.inffeed.extension import reannotate, select_reannotation, selection_report, split_gold_extension
from projects.inffeed.feedback import adjust_labels, cross_fit, rule_grid
from projects.inffeed.model import InfFeedClassifier
from projects.inffeed.settings import InfFeedSettings

TRAINER_KEYS = ("max_epochs", "max_steps", "accelerator", "devices", "precision", "limit_train_batches",
                "gradient_clip_val", "deterministic")


@dataclass(frozen=True)
class RunContext:
    """Where records go and what they are stamped with."""

    project: str
    experiment: str
    seed: int
    run_dir: Path
    config: dict[str, Any]
    config_files: list[str]
    data_files: list[str]
    task: str
    dev_source: str


# ---- training and scoring ------------------------------------------------------------------------------------
def fit(hparams: Mapping[str, Any], train: TensorData, batch_size: int, trainer_cfg: Mapping[str, Any],
        seed: int) -> InfFeedClassifier:
    """A fresh ``InfFeedClassifier(**hparams)`` fitted on ``train`` by a Lightning ``Trainer`` (no logger,
    no checkpoint: the final weights are used), seeded by ``seed``."""
    pl.seed_everything(seed, workers=True, verbose=False)
    model = InfFeedClassifier(**{k: v for k, v in hparams.items() if not k.startswith("_")})
    kwargs = {k: trainer_cfg[k] for k in TRAINER_KEYS if trainer_cfg.get(k) is not None}
    quiet = logging.getLogger("pytorch_lightning")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*(val_dataloader|LeafSpec|litlogger).*")
            trainer = pl.Trainer(**kwargs, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                                 enable_model_summary=False, num_sanity_val_steps=0, limit_val_batches=0)
            trainer.fit(model, train_dataloaders=loader(train, batch_size, shuffle=True, seed=seed))
    finally:
        quiet.setLevel(level)
    return model.cpu().eval()


def influence(model: InfFeedClassifier, train: TensorData, query: TensorData, settings: InfFeedSettings) -> Tensor:
    """(N_query, N_train) scores ∇ℓ(z_q)ᵀ (H + l2·I)⁻¹ ∇ℓ(z_t), H over ``train`` (positive = helpful)."""
    keys = [k for k in train if k != "index"]
    inverse = InverseHessian(settings.inverse, damping=float(model.hparams.l2))
    t = {k: train[k] for k in keys}
    return influence_scores(model, ClassificationTask(), t, {k: query[k] for k in keys}, hessian_data=t,
                            inverse=inverse, params=settings.influence_params,
                            batch_size=settings.influence_batch_size)


def halves(n: int, first_fraction: float, seed: int) -> tuple[Tensor, Tensor]:
    """Seeded disjoint (first, second) sorted row sets of ``range(n)``; ``first`` has round(fraction · n) rows."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = round(first_fraction * n)
    return order[:k].sort().values, order[k:].sort().values


# ---- records ---------------------------------------------------------------------------------------------------
def write_arm(ctx: RunContext, method: str, metrics: dict[str, dict[str, float]], extra: dict[str, Any],
              wall_time_s: float) -> ResultRecord:
    """``<run_dir>/<method>/results.json`` for one arm. Counts that tables show become pseudo-splits:
    ``selection`` (fraction re-annotated, wrong silver labels among them) and ``changes`` (feedback edits)."""
    metrics = dict(metrics)
    if "fraction_reannotated" in extra:
        sel = {"fraction_reannotated": float(extra["fraction_reannotated"])}
        if "selection" in extra:
            sel.update(n_reannotated=float(extra["selection"]["n_chosen"]),
                       wrong_among_reannotated=float(extra["selection"]["precision"]))
        metrics["selection"] = sel
    if "n_changed" in extra:
        metrics["changes"] = {k: float(extra[k]) for k in ("n_changed", "n_fixed", "n_broken")}
    sha, dirty = git_info()
    hashed = {k: v for k, v in ctx.config.items() if k not in {"ckpt_path", "config", "run_root"}}
    record = ResultRecord(
        project=ctx.project, experiment=ctx.experiment, method=method, seed=ctx.seed, metrics=metrics,
        config_hash=config_hash(hashed), config_files=ctx.config_files, config=ctx.config, git_sha=sha,
        git_dirty=dirty, data_files={p: sha256_file(p) for p in sorted(ctx.data_files)},
        versions=package_versions(), devices=1, accelerator="cpu", num_nodes=1,
        precision=str(ctx.config.get("trainer", {}).get("precision", "32-true")), wall_time_s=round(wall_time_s, 3),
        created=utc_now(), run_dir=str(ctx.run_dir / method),
        extra={"task": ctx.task, "dev_source": ctx.dev_source, **extra},
    )
    write_results(record, ctx.run_dir / method / "results.json")
    return record


# ---- (a) feedback ----------------------------------------------------------------------------------------------
def run_feedback(ctx: RunContext, hparams: Mapping[str, Any], train: TensorData, dev: TensorData,
                 settings: InfFeedSettings, batch_size: int, trainer_cfg: Mapping[str, Any],
                 score: Callable[[Tensor, Tensor], dict[str, float]]) -> list[ResultRecord]:
    t0 = time.time()
    model = fit(hparams, train, batch_size, trainer_cfg, ctx.seed)
    t_fit = time.time() - t0
    probs = model.predict_proba(dev)
    conf, pred = probs.max(1)
    t1 = time.time()
    scores = influence(model, train, relabel(dev, pred), settings)  # (N_dev, N_train)
    t_inf = time.time() - t1
    gold, labels, c = dev["labels"], train["labels"], probs.shape[1]
    common = {"part": "feedback", "n_train": len(labels), "n_dev": len(gold), "fit_s": round(t_fit, 2),
              "influence_s": round(t_inf, 2)}
    records = [write_arm(ctx, "plain", {"dev": score(gold, pred)}, {**common, "n_changed": 0, "n_fixed": 0,
                                                                      "n_broken": 0}, t_fit)]

    def changes(adjusted: Tensor) -> dict[str, int]:
        moved = adjusted != pred
        return {"n_changed": int(moved.sum()), "n_fixed": int((moved & (adjusted == gold)).sum()),
                "n_broken": int((moved & (pred == gold)).sum())}

    for rule in settings.rules:
        adjusted = adjust_labels(pred, conf, scores, labels, rule, c)
        records.append(write_arm(ctx, f"feedback_{rule.name}", {"dev": score(gold, adjusted)},
                                 {**common, "rule": vars(rule), **changes(adjusted)}, t_fit + t_inf))
    grid = rule_grid(settings.tune_k, settings.tune_rank_by, settings.tune_confidence)
    outs = [adjust_labels(pred, conf, scores, labels, r, c) for r in grid]
    a, b = halves(len(gold), 0.5, ctx.seed)
    chosen, applied = cross_fit(grid, [a, b], lambda r, rows: score(gold[rows], outs[grid.index(r)][rows])["macro_f1"])
    tuned = torch.stack(outs)[applied, torch.arange(len(gold))]
    records.append(write_arm(ctx, "feedback_tuned", {"dev": score(gold, tuned)},
                             {**common, "chosen_rules": {str(h): vars(r) for h, r in chosen.items()},
                              **changes(tuned)}, time.time() - t0))
    return records


# ---- (b) dataset extension -------------------------------------------------------------------------------------
def run_extension(ctx: RunContext, hparams: Mapping[str, Any], train: TensorData, dev: TensorData,
                  settings: InfFeedSettings, batch_size: int, trainer_cfg: Mapping[str, Any], split_seed: int,
                  score: Callable[[Tensor, Tensor], dict[str, float]]) -> list[ResultRecord]:
    gold_rows, ext_rows = split_gold_extension(len(train["labels"]), settings.extension_fraction, split_seed)
    inf_rows, rep_rows = halves(len(dev["labels"]), settings.influence_dev_fraction, split_seed)
    gold_part, ext = subset(train, gold_rows), subset(train, ext_rows)
    dev_inf, dev_rep = subset(dev, inf_rows), subset(dev, rep_rows)
    n_ext = len(ext_rows)
    records: list[ResultRecord] = []

    def evaluate(model: InfFeedClassifier) -> dict[str, dict[str, float]]:
        return {name: score(d["labels"], model.predict_proba(d).argmax(1))
                for name, d in (("dev", dev_rep), ("dev_full", dev), ("dev_influence", dev_inf))}

    def arm(method: str, data: TensorData, extra: dict[str, Any]) -> dict[str, dict[str, float]]:
        t0 = time.time()
        model = fit(hparams, data, batch_size, trainer_cfg, ctx.seed)
        metrics = evaluate(model)
        records.append(write_arm(ctx, method, metrics, {"part": "extension", "n_gold": len(gold_rows),
                                                        "n_extension": n_ext, **extra}, time.time() - t0))
        return metrics

    t0 = time.time()
    gold_model = fit(hparams, gold_part, batch_size, trainer_cfg, ctx.seed)
    silver = gold_model.predict_proba(ext).argmax(1)
    records.append(write_arm(ctx, "gold_only", evaluate(gold_model), {"part": "extension", "n_gold": len(gold_rows),
                             "n_extension": 0, "fraction_reannotated": 0.0}, time.time() - t0))
    silver_data = concat(gold_part, relabel(ext, silver))
    t1 = time.time()
    silver_model = fit(hparams, silver_data, batch_size, trainer_cfg, ctx.seed)
    base_metrics = evaluate(silver_model)
    t2 = time.time()
    infl = influence(silver_model, relabel(ext, silver), dev_inf, settings).sum(0)  # (N_ext,)
    t_inf = time.time() - t2
    truth = ext["labels"]
    report0 = selection_report(silver, truth, torch.zeros(0, dtype=torch.long))
    records.append(write_arm(ctx, "silver_extension", base_metrics, {
        "part": "extension", "n_gold": len(gold_rows), "n_extension": n_ext, "fraction_reannotated": 0.0,
        "silver_error_rate": report0["silver_error_rate"], "influence_s": round(t_inf, 2)}, t2 - t1))

    def with_labels(chosen: Tensor) -> TensorData:
        return concat(gold_part, relabel(ext, reannotate(silver, truth, chosen)))

    harmful = select_reannotation(infl, "harmful")
    budget = int(harmful.numel())
    for method, chosen in (("reannotate_harmful", harmful),
                           ("reannotate_random", select_reannotation(infl, "random", budget, seed=ctx.seed)),
                           ("reannotate_all", select_reannotation(infl, "all"))):
        arm(method, with_labels(chosen), {"fraction_reannotated": chosen.numel() / max(n_ext, 1),
                                          "selection": selection_report(silver, truth, chosen),
                                          "influence_s": round(t_inf, 2)})
    all_metrics = records[-1].metrics
    for fraction in settings.curve_fractions:
        k = round(fraction * n_ext)
        for strategy in ("ranked", "random"):
            method = f"curve_{strategy}_{fraction:g}"
            chosen = select_reannotation(infl, strategy, k, seed=ctx.seed)
            extra = {"curve": True, "strategy": strategy, "fraction_reannotated": k / max(n_ext, 1),
                     "selection": selection_report(silver, truth, chosen)}
            if k in (0, n_ext):  # the no-correction and all-gold models are already trained
                metrics = base_metrics if k == 0 else all_metrics
                records.append(write_arm(ctx, method, metrics, {"part": "extension", "n_gold": len(gold_rows),
                                                                "n_extension": n_ext, **extra}, 0.0))
            else:
                arm(method, with_labels(chosen), extra)
    return records
