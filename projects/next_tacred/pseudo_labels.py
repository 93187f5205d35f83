"""How good is NExT's soft-matching signal? Score the unlabelled pool of a run and measure its pseudo labels.

``python -m projects.next_tacred.pseudo_labels --run runs/next_tacred/semeval_next_bilstm/seed=1``

The unlabelled pool S_u is the training sentences no rule fires on; their gold labels are hidden from training
(``NextRelationData.hidden_gold``) and read here only to grade the pseudo labels. For the run's matcher (the learned
one from its checkpoint, or ``--matcher exact``) every rule is executed softly over S_u, and the report gives

* **coverage / accuracy**: sentences whose best rule scores above t, and how often that rule's label is gold;
* **the loss term's view**: S_u is cut into seeded random batches of the run's size (``--batches`` passes) and
  each row weighted as the run's ``unlabelled_weighting`` does (softmax(T · s) over the batch, or s / U); the
  *effective accuracy* is the weight-averaged accuracy and the *mass* the summed weight per batch -- what the
  γ-term actually pushes towards;
* **per class / per rule**: the share of that mass each pseudo label (and each rule) receives, its accuracy,
  the share of the mass that lands on sentences whose gold is that class (Other included: rules never label
  Other), and the class's share of gold in S_u: a rule whose keyword soft-matches everywhere shows up here.

* **against a classifier** (``--classifier RUN``, e.g. the γ = 0 control): that run's model (best checkpoint)
  labels the same pool sentences by its argmax; per score threshold, how often the rules' labels and the
  classifier's are right, and how often they are right where they agree -- whether the rules know anything about
  the pool that the model trained on the hard-matched rows does not already know.

Writes ``pseudo_labels.json`` and ``pseudo_labels.md`` (atomically) to ``--out`` (default: ``<run>/analysis``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml

from nle.atomic import write_text_atomic
from nle.logic.forms import render
from projects.next_tacred.data import UNLABELLED, NextRelationData
from projects.next_tacred.model import soft_matching, unlabelled_weights

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)


@dataclass(frozen=True)
class PoolScores:
    """Best-rule scores of the pool: ``score`` (U,), ``rule`` (U,) its index, ``pseudo`` (U,) its label, ``gold``."""

    score: torch.Tensor
    rule: torch.Tensor
    pseudo: torch.Tensor
    gold: torch.Tensor


def best_rules(scores: torch.Tensor, rule_labels: torch.Tensor, gold: torch.Tensor) -> PoolScores:
    """(U, R) soft scores -> the best rule of each sentence, its label and the gold (ties: the first rule)."""
    score, rule = scores.max(1)
    return PoolScores(score, rule, rule_labels[rule], gold)


def coverage_table(pool: PoolScores, thresholds: Sequence[float] = THRESHOLDS) -> list[dict[str, float]]:
    """For each t: sentences with best score > t, and the accuracy of their pseudo labels (nan when none)."""
    out = []
    for t in thresholds:
        keep = pool.score > t
        n = int(keep.sum())
        acc = float((pool.pseudo[keep] == pool.gold[keep]).float().mean()) if n else float("nan")
        out.append({"threshold": t, "sentences": n, "accuracy": acc})
    return out


def agreement_table(pool: PoolScores, predicted: torch.Tensor,
                    thresholds: Sequence[float] = THRESHOLDS) -> list[dict[str, float]]:
    """For each t, over the sentences whose best rule scores above t: the accuracy of the rules' labels and of a
    classifier's ``predicted`` (U,) labels, and the number and accuracy of those where both agree (nan when none)."""
    def acc(labels: torch.Tensor, keep: torch.Tensor) -> float:
        return float((labels[keep] == pool.gold[keep]).float().mean()) if bool(keep.any()) else float("nan")

    out = []
    for t in thresholds:
        keep = pool.score > t
        agree = keep & (pool.pseudo == predicted)
        out.append({"threshold": t, "sentences": int(keep.sum()), "rule_accuracy": acc(pool.pseudo, keep),
                    "classifier_accuracy": acc(predicted, keep), "agree": int(agree.sum()),
                    "agree_accuracy": acc(pool.pseudo, agree)})
    return out


def classifier_predictions(run: Path, examples: Sequence[Any], labels: Sequence[str],
                           checkpoint: str = "best", batch_size: int = 64) -> torch.Tensor:
    """(N,) argmax labels of the classifier of run folder ``run`` (its ``checkpoint``, loaded ``weights_only``) on
    ``examples``, encoded by that run's own data module; its label space must be ``labels``."""
    from nle.data.module import PadCollator
    from projects.next_tacred.model import NExTClassifier

    cfg, hp = _load_run(run)
    dm = _data_module(cfg, hp)
    if list(dm.labels) != list(labels):
        raise ValueError(f"{run}: the classifier's labels {dm.labels} differ from the pool's {list(labels)}")
    model = NExTClassifier(**{**hp, "num_labels": dm.num_labels, "labels": dm.labels, "vocab_size": dm.vocab_size,
                              "pretrained": False})
    state = torch.load(_checkpoint(run, checkpoint), map_location="cpu", weights_only=True)["state_dict"]
    model.load_state_dict({k: v for k, v in state.items() if not k.startswith("matcher.")})  # no matcher here
    model.eval()
    collate = PadCollator(dm.tokenizer.pad_token_id)
    out = []
    with torch.no_grad():
        for s in range(0, len(examples), batch_size):
            out.append(model(collate([dm.encode(ex) for ex in examples[s:s + batch_size]])).argmax(-1))
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.long)


def batch_weights(pool: PoolScores, batch_size: int, passes: int, scheme: str, temperature: float,
                  min_confidence: float = 0.0, seed: int = 0) -> torch.Tensor:
    """(passes, U) the weight each sentence gets in the soft term, over ``passes`` seeded random batchings."""
    gen = torch.Generator().manual_seed(seed)
    n = pool.score.numel()
    out = torch.zeros(passes, n)
    for p in range(passes):
        for rows in torch.randperm(n, generator=gen).split(batch_size):
            s = pool.score[rows]
            keep = s > min_confidence
            out[p, rows] = unlabelled_weights(s * keep, keep, scheme, temperature)
    return out


def mass_report(pool: PoolScores, weights: torch.Tensor, names: Sequence[str], batches_per_pass: int
                ) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Effective accuracy and mass per batch of the soft term; per pseudo label: mass share, accuracy, gold share."""
    w = weights.sum(0)  # (U,) summed over passes
    hit = (pool.pseudo == pool.gold).float()
    total = float(w.sum())
    summary = {"effective_accuracy": float((w * hit).sum()) / total if total else float("nan"),
               "mass_per_batch": total / (weights.shape[0] * batches_per_pass)}
    c = len(names)
    mass = torch.zeros(c).index_add_(0, pool.pseudo, w)
    right = torch.zeros(c).index_add_(0, pool.pseudo, w * hit)
    on_gold = torch.zeros(c).index_add_(0, pool.gold, w)
    gold_share = torch.bincount(pool.gold, minlength=c).float() / pool.gold.numel()
    rows = [{"label": names[k], "mass_share": float(mass[k]) / total if total else 0.0,
             "accuracy": float(right[k] / mass[k]) if mass[k] > 0 else float("nan"),
             "gold_mass_share": float(on_gold[k]) / total if total else 0.0,
             "gold_share": float(gold_share[k])} for k in range(c)]
    rows.sort(key=lambda r: -r["mass_share"])
    return summary, rows


def rule_report(pool: PoolScores, weights: torch.Tensor, forms: Sequence[str], names: Sequence[str],
                rule_labels: torch.Tensor, top: int = 10) -> list[dict[str, Any]]:
    """The ``top`` rules by share of the soft term's mass: their label, form, mass share and accuracy."""
    w = weights.sum(0)
    hit = (pool.pseudo == pool.gold).float()
    r = len(forms)
    mass = torch.zeros(r).index_add_(0, pool.rule, w)
    right = torch.zeros(r).index_add_(0, pool.rule, w * hit)
    total = float(w.sum()) or 1.0
    order = mass.argsort(descending=True)[:top]
    return [{"rule": int(j), "label": names[int(rule_labels[j])], "form": forms[j],
             "mass_share": float(mass[j]) / total,
             "accuracy": float(right[j] / mass[j]) if mass[j] > 0 else float("nan")} for j in order.tolist()]


def _load_run(run: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    cfg_path = run / "config.yaml"
    if not cfg_path.exists():
        raise FileNotFoundError(f"{cfg_path}: no config.yaml; --run must be a run folder written by the train command")
    cfg = yaml.safe_load(cfg_path.read_text())
    return cfg, cfg["model"]["init_args"]


def _data_module(cfg: dict[str, Any], hp: dict[str, Any]) -> NextRelationData:
    """The run's data module (not set up), encoding for the run's encoder."""
    data_args = dict(cfg["data"]["init_args"])
    data_args["encoder"] = hp.get("encoder", data_args.get("encoder", "minilm"))
    return NextRelationData(**data_args)


def _checkpoint(run: Path, which: str) -> Path:
    if which not in ("best", "last"):
        return Path(which)
    folder = run / "checkpoints"
    found = sorted(folder.glob("best*.ckpt" if which == "best" else "last*.ckpt"))
    if not found:
        raise FileNotFoundError(f"{folder}: no {which} checkpoint")
    return found[-1]


def analyse_run(run: Path, matcher: str = "run", checkpoint: str = "best", passes: int = 5,
                seed: int = 0, classifier: Path | None = None) -> dict[str, Any]:
    """The report of the module docstring for one run folder, as a JSON-ready dict."""
    cfg, hp = _load_run(run)
    dm = _data_module(cfg, hp)
    dm.setup("fit")
    if getattr(dm, "soft_corpus", None) is None:
        raise ValueError(f"{run}: the run has no unlabelled pool (train_subset must be explained+unlabelled)")
    kind = matcher if matcher != "run" else hp.get("matcher", "learned")
    rules, m = soft_matching(dm, kind, hp.get("matcher_hidden", 100), hp.get("matcher_vectors", "minilm"),
                             hp.get("count_window", 7), hp.get("count_value", 0.5))
    corpus = dm.soft_corpus
    ckpt = None
    if kind != "exact":
        ckpt = _checkpoint(run, checkpoint)
        state = torch.load(ckpt, map_location="cpu", weights_only=True)["state_dict"]
        m.load_state_dict({k[len("matcher."):]: v for k, v in state.items() if k.startswith("matcher.")})
        m.eval()
    rows = [i for i, x in enumerate(corpus.ids) if dm.kind.get(x) == UNLABELLED]
    gold = torch.tensor([dm.hidden_gold[corpus.ids[i]] for i in rows], dtype=torch.long)
    with torch.no_grad():
        scores = torch.cat([rules.execute(corpus.batch(torch.tensor(rows[s:s + 256])), m)
                            for s in range(0, len(rows), 256)])
    rule_labels = dm.rule_labels()
    pool = best_rules(scores, rule_labels, gold)
    bs = int(cfg["data"]["init_args"].get("batch_size", 32))
    scheme, temp = hp.get("unlabelled_weighting", "softmax"), float(hp.get("weight_temperature", 10.0))
    weights = batch_weights(pool, bs, passes, scheme, temp, float(hp.get("min_confidence", 0.0)), seed)
    per_pass = -(-len(rows) // bs)
    summary, classes = mass_report(pool, weights, dm.label_names, per_pass)
    forms = [render(f) for f in dm.soft_rules.forms]
    report = {"run": str(run), "checkpoint": str(ckpt) if ckpt else None, "matcher": kind,
              "weighting": {"scheme": scheme, "temperature": temp, "batch_size": bs, "passes": passes},
              "pool_size": len(rows), "coverage": coverage_table(pool), **summary,
              "classes": classes, "rules": rule_report(pool, weights, forms, dm.label_names, rule_labels)}
    if classifier is not None:
        train = {ex.id: ex for ex in dm.load_split("train")}
        predicted = classifier_predictions(classifier, [train[corpus.ids[i]] for i in rows], dm.label_names)
        report["classifier"] = {"run": str(classifier), "pool_accuracy": float((predicted == gold).float().mean()),
                                "agreement": agreement_table(pool, predicted)}
    return report


def to_markdown(report: dict[str, Any]) -> str:
    pct = lambda x: "–" if x != x else f"{100 * x:.1f}"  # noqa: E731  (nan -> dash)
    w = report["weighting"]
    lines = [f"# Pseudo labels of `{report['run']}` ({report['matcher']} matcher)", "",
             f"Unlabelled pool: {report['pool_size']} sentences (gold hidden from training, read here to grade).",
             "", "| best rule score > | sentences | pseudo-label accuracy (%) |", "|---:|---:|---:|"]
    lines += [f"| {r['threshold']:.1f} | {r['sentences']} | {pct(r['accuracy'])} |" for r in report["coverage"]]
    lines += ["", f"Soft term as trained (`{w['scheme']}`, temperature {w['temperature']}, batches of "
              f"{w['batch_size']}, {w['passes']} seeded passes): effective accuracy "
              f"**{pct(report['effective_accuracy'])}%**, weight mass per batch {report['mass_per_batch']:.3f}.",
              "", "| label | share of the term's mass as pseudo label (%) | its accuracy (%) "
              "| share of the mass on sentences of this gold label (%) | gold share of the pool (%) |",
              "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['label']} | {pct(r['mass_share'])} | {pct(r['accuracy'])} | {pct(r['gold_mass_share'])} "
              f"| {pct(r['gold_share'])} |" for r in report["classes"] if r["mass_share"] > 0 or r["gold_share"] > 0]
    lines += ["", "| rule | label | share of mass (%) | accuracy (%) | form |", "|---:|---|---:|---:|---|"]
    lines += [f"| {r['rule']} | {r['label']} | {pct(r['mass_share'])} | {pct(r['accuracy'])} | `{r['form']}` |"
              for r in report["rules"]]
    if "classifier" in report:
        c = report["classifier"]
        lines += ["", f"Against the classifier of `{c['run']}` (argmax; {pct(c['pool_accuracy'])}% right on the whole "
                  "pool):", "", "| best rule score > | sentences | rules right (%) | classifier right (%) "
                  "| both agree | right where they agree (%) |", "|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['threshold']:.1f} | {r['sentences']} | {pct(r['rule_accuracy'])} "
                  f"| {pct(r['classifier_accuracy'])} | {r['agree']} | {pct(r['agree_accuracy'])} |"
                  for r in c["agreement"]]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, type=Path, help="a NExT run folder (runs/next_tacred/<exp>/seed=S)")
    parser.add_argument("--matcher", default="run", choices=("run", "learned", "exact"),
                        help="the run's string matcher (default), or exact keywords")
    parser.add_argument("--checkpoint", default="best", help="best | last | a checkpoint path")
    parser.add_argument("--passes", type=int, default=5, help="seeded random batchings of the pool")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <run>/analysis)")
    parser.add_argument("--classifier", type=Path, default=None,
                        help="a run folder whose classifier (best checkpoint) labels the same pool, for comparison")
    args = parser.parse_args(argv)
    report = analyse_run(args.run, args.matcher, args.checkpoint, args.passes, classifier=args.classifier)
    out = args.out or args.run / "analysis"
    stem = f"pseudo_labels_{report['matcher']}"
    write_text_atomic(out / f"{stem}.json", json.dumps(report, indent=1))
    write_text_atomic(out / f"{stem}.md", to_markdown(report))
    print(to_markdown(report))
    return report


if __name__ == "__main__":
    main()
