"""Diagnostics of attribution methods (Atanasova et al., EMNLP 2020), one YAML config per model.

    python -m nle.attribution.diagnose --config configs/attribution/hatexplain_minilm.yaml [--out DIR]
        [--seeds S ...] [--part I/N]

For every model (one architecture, one or more training seeds) and every method, on the words of every example:
agreement with human rationales (token AUPRC and F1, ``nle.attribution.agreement``), faithfulness by deletion
(AOPC of comprehensiveness and sufficiency over ``fractions``, ``nle.attribution.faithfulness``), confidence
indication, dataset consistency and, with ≥ 2 seeds, rationale consistency (``nle.attribution.diagnostics``), and
the seconds per explanation. The explained class is ``target``: the predicted class (default), the gold label, or
a fixed label name. Activations (for the consistency diagnostics) are the pooled representation the head reads.

Writes under ``out_dir``: ``records/<method>/seed=<s>/results.json`` (one ``ResultRecord`` per method and seed:
project ``attribution``, experiment = config ``name``, metrics under the split name), ``tables/<name>.md`` and
``.tex`` (rows: methods; cells: mean ± std over seeds), ``heatmaps/seed=<s>.html`` (the first ``heatmaps``
examples, one row per method and the human rationale), and a TensorBoard log ``tb/`` (scalars
``<split>/<metric>/<method>`` at step = seed, text ``top_words/<method>``: the top words of the first examples).

Long runs resume and split (``nle.attribution.diagnose_store``): every chunk of ``batch_size`` examples of every
model is cached under ``out_dir/cache/`` as soon as it is explained (the fitted LSTM LMs too), so an interrupted
call continues where it stopped, and N processes started with ``--part 0/N`` ... ``--part N-1/N`` (and / or
``--seeds``) share the work with the numbers of one process. Whichever call finds every chunk cached writes the
outputs; until then a call prints what is left. A model whose checkpoint does not exist yet is skipped.

Config (relative paths are read from the working directory)::

    name: hatexplain_minilm          # experiment name: records, table title and file names
    out_dir: runs/attribution/hatexplain_minilm
    data: {dataset: hatexplain | movie_rationales, split: val, path: null, limit: 200, max_length: 128,
           require_rationale: true, rationale_threshold: 0.5,
           tail_words: null}              # N: explain only each document's last N words (what a model trained
                                          # on such windows read; rationales are cut to the same window)
    models:                          # one entry per training seed of the same model
      - {seed: 1, checkpoint: runs/.../last.ckpt}                      # an NLEModule Lightning checkpoint
      - {seed: 3, checkpoint: runs/.../checkpoints/best-*.ckpt}        # or a glob matching exactly one
      - {seed: 2, module: {encoder: minilm, pretrained: false, num_labels: 3}}  # or a module built here
    methods:                         # any ``attribute`` method or alias; ``label`` names the table row
      - {method: saliency}
      - {method: integrated_gradients, label: IG (16 steps), options: {steps: 16}}
      - {method: soc, options: {nb_range: 5, n_samples: 10}, lm: {kind: lstm, steps: 200}}
    target: predicted                # | gold | a label name of the model
    label_map: {}                    # data label -> model label (for target: gold)
    batch_size: 8
    fractions: [0.01, 0.05, 0.1, 0.2, 0.5]
    heatmaps: 20                     # examples in the HTML and TensorBoard text
    top_words: 5
    max_pairs: 2000                  # instance pairs sampled for dataset consistency
    device: cpu

``data.path`` reads a file in the data set's format instead of the declared split (``movie_rationales`` keeps
the split's ERASER folds); ``require_rationale`` keeps only examples with a human rationale word (HateXplain:
``normal`` posts have none). A checkpoint is read with ``torch.load(weights_only=True)``: its
``hyper_parameters`` build a fresh module (``class_path``, default ``nle.training.module.NLEModule``) with
``pretrained=False`` and its ``state_dict`` is loaded strictly. ``lm`` (SOC with ``nb_range > 0``, input
marginalization): ``{kind: lstm, steps, lr, embedding_dim, hidden_size, seed}`` trains a bidirectional LSTM LM
on the diagnosed examples' text (the SOC paper trains on the task corpus), or ``{kind: hf, name: ...}`` loads a
masked LM. Span interactions have no per-word scores and are not diagnosed here.
"""

from __future__ import annotations

import argparse
import functools
import glob
import importlib
import inspect
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from torch import Tensor, nn

from nle.atomic import atomic_open, write_text_atomic
from nle.attribution.agreement import token_auprc, token_f1
from nle.attribution.api import SEVERAL_TARGETS, attribute, resolve_method
from nle.attribution.diagnose_store import ChunkStore, Explained, ModelRun, fingerprint
from nle.attribution.diagnostics import (
    confidence_indication,
    dataset_consistency,
    instance_pairs,
    rationale_consistency,
    saliency_distance_features,
    word_bag,
)
from nle.attribution.faithfulness import ERASER_FRACTIONS, aopc, erasure_scores
from nle.attribution.html import write_heatmaps
from nle.attribution.lm import ContextSampler, HFMaskedLM, LSTMLanguageModel, corpus_vocabulary, train_lm
from nle.attribution.model import as_classifier
from nle.attribution.words import encode_words
from nle.data.errors import DataFormatError
from nle.results.provenance import stamp
from nle.results.record import ResultRecord, write_results
from nle.results.tables import Column, Row, TableSpec, render_latex, render_markdown
from nle.types import Example

PROJECT = "attribution"
DATASETS = ("hatexplain", "movie_rationales")
COLUMNS: tuple[tuple[str, str, bool, int], ...] = (
    ("AUPRC", "token_auprc", True, 3), ("Token F1", "token_f1", True, 3),
    ("Comp. AOPC", "aopc_comprehensiveness", True, 3), ("Suff. AOPC", "aopc_sufficiency", False, 3),
    ("CI MAE", "confidence_mae", False, 3), ("Rat. cons.", "rationale_consistency", True, 3),
    ("Data cons.", "dataset_consistency", True, 3), ("s / expl.", "seconds_per_example", False, 4),
)
"""Table columns: (label, metric, higher_is_better, precision)."""


# ---------------------------------------------------------------- config


@dataclass(frozen=True)
class DataSpec:
    dataset: str
    split: str
    path: str | None = None
    limit: int | None = None
    max_length: int = 128
    require_rationale: bool = True
    rationale_threshold: float = 0.5
    tail_words: int | None = None


@dataclass(frozen=True)
class ModelSpec:
    seed: int
    checkpoint: str | None = None
    module: Mapping[str, Any] | None = None
    class_path: str = "nle.training.module.NLEModule"


@dataclass(frozen=True)
class LMSpec:
    kind: str = "lstm"
    name: str | None = None
    steps: int = 200
    lr: float = 1e-3
    embedding_dim: int = 128
    hidden_size: int = 256
    seed: int = 0


@dataclass(frozen=True)
class MethodSpec:
    method: str
    label: str
    options: Mapping[str, Any] = field(default_factory=dict)
    lm: LMSpec | None = None


@dataclass(frozen=True)
class DiagnoseConfig:
    name: str
    out_dir: str
    data: DataSpec
    models: tuple[ModelSpec, ...]
    methods: tuple[MethodSpec, ...]
    target: str = "predicted"
    label_map: Mapping[str, str] = field(default_factory=dict)
    batch_size: int = 8
    fractions: tuple[float, ...] = ERASER_FRACTIONS
    heatmaps: int = 20
    top_words: int = 5
    max_pairs: int = 2000
    device: str = "cpu"
    source: str = "<config>"
    raw: Mapping[str, Any] = field(default_factory=dict)


def _build(cls: type, node: Any, where: str, source: str, required: Sequence[str] = ()) -> Any:
    """``cls(**node)`` with unknown / missing keys reported as ``DataFormatError`` naming the file and key path."""
    if not isinstance(node, Mapping):
        raise DataFormatError(source, None, where, "a mapping", node)
    allowed = {p for p in inspect.signature(cls).parameters}
    for key in node:
        if key not in allowed:
            raise DataFormatError(source, None, f"{where}.{key}", f"one of {sorted(allowed)}", key)
    for key in required:
        if key not in node:
            raise DataFormatError(source, None, f"{where}.{key}", "a required key", "nothing (key missing)")
    return cls(**node)


def parse_config(raw: Mapping[str, Any], source: str = "<config>") -> DiagnoseConfig:
    """A checked ``DiagnoseConfig`` from a parsed YAML mapping (see the module doc for the schema)."""
    if not isinstance(raw, Mapping):
        raise DataFormatError(source, None, "<root>", "a mapping", raw)
    top = {k: v for k, v in raw.items() if k not in {"data", "models", "methods", "fractions"}}
    for key in ("name", "out_dir", "data", "models", "methods"):
        if key not in raw:
            raise DataFormatError(source, None, key, "a required key", "nothing (key missing)")
    data = _build(DataSpec, raw["data"], "data", source, ("dataset", "split"))
    if data.dataset not in DATASETS:
        raise DataFormatError(source, None, "data.dataset", f"one of {list(DATASETS)}", data.dataset)
    for key in ("models", "methods"):
        if not isinstance(raw[key], list) or not raw[key]:
            raise DataFormatError(source, None, key, "a non-empty list", raw[key])
    models = tuple(_build(ModelSpec, m, f"models[{i}]", source, ("seed",)) for i, m in enumerate(raw["models"]))
    for i, m in enumerate(models):
        if (m.checkpoint is None) == (m.module is None):
            raise DataFormatError(source, None, f"models[{i}]", "exactly one of checkpoint and module", m)
    if len({m.seed for m in models}) != len(models):
        raise DataFormatError(source, None, "models", "one entry per seed (seeds must differ)", [m.seed for m in models])
    methods = []
    for i, node in enumerate(raw["methods"]):
        node = dict(node) if isinstance(node, Mapping) else node
        if isinstance(node, dict):
            node.setdefault("label", str(node.get("method", "")))
            if node.get("lm") is not None:
                node["lm"] = _build(LMSpec, node["lm"], f"methods[{i}].lm", source)
        spec = _build(MethodSpec, node, f"methods[{i}]", source, ("method",))
        try:
            resolve_method(spec.method)
        except ValueError as err:
            raise DataFormatError(source, None, f"methods[{i}].method", "an attribute() method", str(err)) from None
        methods.append(spec)
    if len({m.label for m in methods}) != len(methods):
        raise DataFormatError(source, None, "methods", "a unique label per method", [m.label for m in methods])
    fractions = tuple(float(f) for f in raw.get("fractions", ERASER_FRACTIONS))
    cfg = _build(DiagnoseConfig, {**top, "data": data, "models": models, "methods": tuple(methods),
                                  "fractions": fractions}, "<root>", source)
    return DiagnoseConfig(**{**cfg.__dict__, "source": source, "raw": dict(raw)})


def load_config(path: str | Path) -> DiagnoseConfig:
    path = Path(path)
    return parse_config(yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))


# ---------------------------------------------------------------- data and models


def load_examples(spec: DataSpec) -> tuple[list[Example], list[str]]:
    """The examples to diagnose (filtered and limited) and the data files read (for the record's checksums)."""
    from nle.data.benchmarks import benchmark_paths, get_benchmark, load_split, reader_function

    if spec.path is not None:
        kwargs = dict(get_benchmark(spec.dataset).split_kwargs.get(spec.split, {}))
        examples, files = reader_function(spec.dataset)(spec.path, **kwargs), [spec.path]
    else:
        examples, files = load_split(spec.dataset, spec.split), [str(p) for p in benchmark_paths(spec.dataset,
                                                                                                 spec.split)]
    if spec.tail_words is not None:
        examples = [ex.tail(spec.tail_words) for ex in examples]
    if spec.require_rationale:
        examples = [ex for ex in examples if ex.rationale is not None
                    and any(r >= spec.rationale_threshold for r in ex.rationale)]
    return list(examples[:spec.limit] if spec.limit is not None else examples), files


def _import(class_path: str) -> type:
    module, _, name = class_path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def checkpoint_path(pattern: str) -> str:
    """The one file a checkpoint entry names: a path, or a glob such as ``.../checkpoints/best-*.ckpt`` (the
    dev-selected checkpoint, whose name carries its epoch and step) that must match exactly one file."""
    if not glob.has_magic(pattern):
        return pattern
    found = sorted(glob.glob(pattern))
    if len(found) != 1:
        raise FileNotFoundError(f"checkpoint {pattern!r} must match exactly one file, matched {found or 'none'}")
    return found[0]


def load_model(spec: ModelSpec) -> nn.Module:
    """An ``NLEModule`` (or ``class_path``) in eval mode: from a checkpoint, or built from ``module`` kwargs after
    ``torch.manual_seed(seed)``."""
    cls = _import(spec.class_path)
    if spec.module is not None:
        torch.manual_seed(spec.seed)
        return cls(**dict(spec.module)).eval()
    assert spec.checkpoint is not None
    path = checkpoint_path(spec.checkpoint)
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("hyper_parameters", "state_dict"):
        if key not in ckpt:
            raise DataFormatError(path, None, key, "a Lightning checkpoint key", sorted(ckpt))
    accepted = inspect.signature(cls.__init__).parameters
    hparams = {k: v for k, v in ckpt["hyper_parameters"].items() if k in accepted}
    if "pretrained" in accepted:
        hparams["pretrained"] = False  # every weight comes from the state dict
    module = cls(**hparams)
    module.load_state_dict(ckpt["state_dict"])
    return module.eval()


def build_lm(spec: LMSpec, tokenizer: Any, batches: Sequence[dict[str, Tensor]],
             cache: str | Path | None = None) -> nn.Module:
    """The language model a method needs: an LSTM LM fitted on ``batches`` or a Hugging Face masked LM.

    ``cache``: where the fitted LSTM LM's state dict is kept (read with ``weights_only=True``; the caller keys
    the file name by everything the fit depends on), so that a resumed or parallel run explains with the same LM
    without fitting it again."""
    if spec.kind == "hf":
        if not spec.name:
            raise ValueError("lm kind 'hf' needs a name (a masked LM name or path)")
        return HFMaskedLM(spec.name).eval()
    if spec.kind != "lstm":
        raise ValueError(f"lm kind must be 'lstm' or 'hf', got {spec.kind!r}")
    torch.manual_seed(spec.seed)
    lm = LSTMLanguageModel(len(tokenizer), mask_token_id=tokenizer.mask_token_id, pad_token_id=tokenizer.pad_token_id,
                           embedding_dim=spec.embedding_dim, hidden_size=spec.hidden_size,
                           vocab_ids=corpus_vocabulary(batches))
    if cache is not None and Path(cache).is_file():
        lm.load_state_dict(torch.load(cache, map_location="cpu", weights_only=True))
        return lm.eval()
    train_lm(lm, [{k: b[k] for k in ("input_ids", "attention_mask")} for b in batches], steps=spec.steps, lr=spec.lr,
             seed=spec.seed, special_ids=tokenizer.all_special_ids)
    if cache is not None:
        with atomic_open(cache, "wb") as fh:
            torch.save(lm.state_dict(), fh)
    return lm.eval()


def method_options(spec: MethodSpec, tokenizer: Any, lm: nn.Module | None) -> dict[str, Any]:
    """``attribute`` options of a method, with its language model wired in."""
    options = dict(spec.options)
    name = resolve_method(spec.method)
    banned = tuple(tokenizer.all_special_ids)
    if name == "soc" and int(options.get("nb_range", 10)) > 0:
        if lm is None:
            raise ValueError(f"method {spec.label!r}: soc with nb_range > 0 needs an lm (see the config schema)")
        options["sampler"] = ContextSampler(lm, banned_ids=banned)
    if name == "marginalization":
        if lm is None:
            raise ValueError(f"method {spec.label!r}: input marginalization needs an lm (see the config schema)")
        options.setdefault("banned_ids", banned)
        options["lm"] = lm
    return options


# ---------------------------------------------------------------- one model


def _targets(cfg: DiagnoseConfig, labels: Sequence[str], examples: Sequence[Example], probs: Tensor) -> Tensor:
    if cfg.target == "predicted":
        return probs.argmax(-1)
    if cfg.target == "gold":
        out = []
        for ex in examples:
            name = cfg.label_map.get(str(ex.label), ex.label)
            if name not in labels:
                raise ValueError(f"{cfg.source}: example {ex.id} has label {ex.label!r}, not a model label {labels}; "
                                 "set label_map")
            out.append(labels.index(name))
        return torch.tensor(out, device=probs.device)
    if cfg.target not in labels:
        raise ValueError(f"{cfg.source}: target {cfg.target!r} is not 'predicted', 'gold' or a model label {labels}")
    return torch.full((probs.shape[0],), labels.index(cfg.target), device=probs.device)


def explain_chunk(cfg: DiagnoseConfig, module: nn.Module, tokenizer: Any, examples: Sequence[Example],
                  lms: Mapping[str, nn.Module | None]) -> ModelRun:
    """Explain every example of ``examples`` (one chunk: one batch of ``cfg.batch_size`` in ``diagnose``) with
    every method; erasure faithfulness per example."""
    device = torch.device(cfg.device)
    module = module.to(device)
    clf = as_classifier(module, tokenizer)
    labels = list(module.labels)
    n_classes = len(labels)
    options = {m.label: method_options(m, tokenizer, lms.get(m.label)) for m in cfg.methods}
    tokens, targets, confs, acts = [], [], [], []
    parts: dict[str, dict[str, list[Any]]] = {m.label: {"w": [], "cw": [], "c": [], "s": []} for m in cfg.methods}
    seconds = {m.label: 0.0 for m in cfg.methods}
    for start in range(0, len(examples), cfg.batch_size):
        chunk = examples[start:start + cfg.batch_size]
        batch = {k: v.to(device) for k, v in encode_words(tokenizer, [ex.tokens for ex in chunk],
                                                          max_length=cfg.data.max_length).items()}
        covered = (batch["word_ids"].max(1).values + 1).tolist()
        with torch.no_grad():
            hidden = module.encoder(input_ids=batch["input_ids"],
                                    attention_mask=batch["attention_mask"]).last_hidden_state  # (B, T, H)
            pooled = module.pool(hidden, batch)  # (B, D)
            probs = module.head(pooled).float().softmax(-1)  # (B, C)
        target = _targets(cfg, labels, chunk, probs)
        tokens += [list(ex.tokens[:n]) for ex, n in zip(chunk, covered)]
        targets.append(target.cpu())
        confs.append(probs.gather(1, target.view(-1, 1)).squeeze(1).cpu())
        acts.append(pooled.float().cpu())
        for spec in cfg.methods:
            t0 = time.perf_counter()
            if resolve_method(spec.method) in SEVERAL_TARGETS:  # every class from one set of perturbed passes
                every = torch.arange(n_classes, device=device).expand(len(chunk), n_classes)  # (B, C)
                words = attribute(clf, batch, spec.method, target=every, **options[spec.label]).words  # (B, W, C)
                stacked = words.detach().float().transpose(1, 2)  # (B, C, W)
            else:
                stacked = torch.stack([attribute(clf, batch, spec.method, target=c, **options[spec.label])
                                       .words.detach().float() for c in range(n_classes)], 1)  # (B, C, W)
            seconds[spec.label] += time.perf_counter() - t0
            main = stacked[torch.arange(len(chunk), device=device), target]  # (B, W)
            comp, suff = erasure_scores(clf, batch, main, target, cfg.fractions)
            p = parts[spec.label]
            p["w"] += [main[b, :n].cpu().numpy() for b, n in enumerate(covered)]
            p["cw"] += [stacked[b, :, :n].cpu().numpy() for b, n in enumerate(covered)]
            p["c"].append(aopc(comp).cpu())
            p["s"].append(aopc(suff).cpu())
    explained = {label: Explained(p["w"], p["cw"], torch.cat(p["c"]).numpy(), torch.cat(p["s"]).numpy(),
                                  seconds[label], len(examples) * n_classes) for label, p in parts.items()}
    return ModelRun(tokens, torch.cat(targets).numpy(), torch.cat(confs).numpy(), torch.cat(acts).numpy(), explained,
                    tuple(labels))


def _nanmean(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return float(np.mean(kept)) if kept else float("nan")


def model_metrics(cfg: DiagnoseConfig, examples: Sequence[Example], run: ModelRun, label: str) -> dict[str, float]:
    """Every single-model diagnostic of one method (rationale consistency is added across seeds)."""
    ex = run.explained[label]
    auprc, f1 = [], []
    for example, scores in zip(examples, ex.words):
        if example.rationale is None:
            continue
        gold = list(example.rationale[:len(scores)])
        auprc.append(token_auprc(scores.tolist(), gold, cfg.data.rationale_threshold))
        f1.append(token_f1(scores.tolist(), gold, cfg.data.rationale_threshold))
    features = np.stack([saliency_distance_features(cw, int(t)) for cw, t in zip(ex.class_words, run.target)])
    fit = confidence_indication(features, run.confidence)
    pairs = instance_pairs(len(examples), cfg.max_pairs)
    bags = [word_bag(words, scores.tolist()) for words, scores in zip(run.tokens, ex.words)]
    return {"token_auprc": _nanmean(auprc), "token_f1": _nanmean(f1),
            "aopc_comprehensiveness": float(ex.comprehensiveness.mean()),
            "aopc_sufficiency": float(ex.sufficiency.mean()),
            "confidence_mae": fit.mae, "confidence_baseline_mae": fit.baseline_mae,
            "dataset_consistency": dataset_consistency(run.activations, bags, pairs),
            "seconds_per_example": ex.seconds / max(ex.calls, 1)}


# ---------------------------------------------------------------- outputs


def table_spec(cfg: DiagnoseConfig) -> TableSpec:
    """The per-model table: one row per method, one column per diagnostic."""
    return TableSpec(
        title=f"Attribution diagnostics: {cfg.name} ({cfg.data.dataset} {cfg.data.split})",
        rows=[Row(m.label, {"method": m.label}) for m in cfg.methods],
        columns=[Column(lab, cfg.data.split, metric, hib, prec) for lab, metric, hib, prec in COLUMNS],
        where={"project": PROJECT, "experiment": cfg.name}, name=cfg.name, row_header="Method",
        caption=("Agreement with human rationales (AUPRC, F1), deletion faithfulness (AOPC), confidence "
                 "indication (MAE), rationale consistency across seeds, dataset consistency (Spearman), and "
                 "seconds per explanation; mean ± std over seeds (Atanasova et al. 2020)."))


def heatmap_rows(cfg: DiagnoseConfig, examples: Sequence[Example], run: ModelRun,
                 labels: Sequence[str]) -> list[tuple[str, list[str], dict[str, list[float]]]]:
    rows = []
    for i, ex in enumerate(examples[:cfg.heatmaps]):
        words = run.tokens[i]
        scores = {m.label: run.explained[m.label].words[i].tolist() for m in cfg.methods}
        if ex.rationale is not None:
            scores["human rationale"] = list(ex.rationale[:len(words)])
        title = (f"{ex.id}: gold {ex.label}, explained {labels[int(run.target[i])]} "
                 f"(p = {float(run.confidence[i]):.3f})")
        rows.append((title, words, scores))
    return rows


def top_words_text(cfg: DiagnoseConfig, examples: Sequence[Example], run: ModelRun, label: str) -> str:
    """Markdown lines ``- id: word (score), ...`` with the ``top_words`` highest-scoring words per example."""
    lines = []
    for i, ex in enumerate(examples[:cfg.heatmaps]):
        scores = run.explained[label].words[i]
        top = np.argsort(-scores, kind="stable")[:cfg.top_words]
        lines.append(f"- {ex.id}: " + ", ".join(f"{run.tokens[i][j]} ({scores[j]:.3g})" for j in top))
    return "\n".join(lines)


def _record(cfg: DiagnoseConfig, spec: ModelSpec, label: str, metrics: dict[str, float], stamps: Mapping[str, Any],
            wall: float, run_dir: Path, extra: dict[str, Any]) -> ResultRecord:
    return ResultRecord(project=PROJECT, experiment=cfg.name, method=label, seed=spec.seed,
                        metrics={cfg.data.split: metrics}, config_files=[cfg.source], config=dict(cfg.raw),
                        devices=1, accelerator=torch.device(cfg.device).type, num_nodes=1, precision="32-true",
                        wall_time_s=wall, run_dir=str(run_dir), extra=extra, **stamps)


@functools.lru_cache(maxsize=64)
def _sha256_once(path: str, mtime_ns: int, size: int) -> str:
    """sha256 of a file, computed once per (path, modification time, size): a call hashes each checkpoint once."""
    from nle.results.provenance import sha256_file

    return sha256_file(path)


def checkpoint_sha256(path: str | Path) -> str:
    st = Path(path).stat()  # FileNotFoundError while the checkpoint is missing
    return _sha256_once(str(path), st.st_mtime_ns, st.st_size)


def model_fingerprint(cfg: DiagnoseConfig, spec: ModelSpec, data_hashes: Mapping[str, str]) -> str:
    """What one model's cached chunks depend on (see ``nle.attribution.diagnose_store``)."""
    raw = cfg.raw
    model = ({"checkpoint_sha256": checkpoint_sha256(checkpoint_path(spec.checkpoint))} if spec.checkpoint is not None
             else {"module": dict(spec.module or {}), "seed": spec.seed})
    return fingerprint({"data": raw.get("data"), "data_files": dict(data_hashes), "methods": raw.get("methods"),
                        "target": cfg.target, "label_map": dict(cfg.label_map), "batch_size": cfg.batch_size,
                        "fractions": list(cfg.fractions), "device": cfg.device, "model": model,
                        "class_path": spec.class_path})


def chunk_store(cfg: DiagnoseConfig, out: Path, spec: ModelSpec, n_chunks: int,
                data_hashes: Mapping[str, str]) -> ChunkStore:
    """The ``ChunkStore`` of one model under ``out / "cache"`` (``FileNotFoundError`` while its checkpoint is
    missing)."""
    fp = model_fingerprint(cfg, spec, data_hashes)
    return ChunkStore(out / "cache" / f"seed={spec.seed}-{fp}", fp, n_chunks)


def compute_chunks(cfg: DiagnoseConfig, out: Path, examples: Sequence[Example], data_hashes: Mapping[str, str],
                   seeds: Sequence[int] | None = None, part: tuple[int, int] = (0, 1)) -> None:
    """Explain the chunks not yet cached: of the models in ``seeds`` (default: all), the chunks ``c`` with
    ``c % n == i`` for ``part = (i, n)``; each finished chunk is saved at once. A model whose checkpoint does not
    exist yet (still training) is skipped with a message."""
    from tqdm.auto import tqdm

    from nle.training.encoder import load_tokenizer

    i, n = part
    chunks = [examples[k:k + cfg.batch_size] for k in range(0, len(examples), cfg.batch_size)]
    lms: dict[str, nn.Module | None] | None = None
    for spec in cfg.models:
        if seeds is not None and spec.seed not in seeds:
            continue
        try:
            store = chunk_store(cfg, out, spec, len(chunks), data_hashes)
        except FileNotFoundError as err:
            print(f"seed {spec.seed}: skipped ({err})")
            continue
        todo = [c for c in range(len(chunks)) if c % n == i and c not in store.done()]
        if not todo:
            continue
        module = load_model(spec)
        encoder = module.hparams.get("encoder", "minilm")
        tokenizer = load_tokenizer(encoder)
        if lms is None:
            corpus = [encode_words(tokenizer, [ex.tokens for ex in chunk], max_length=cfg.data.max_length)
                      for chunk in chunks]
            lms = {}
            for m in cfg.methods:
                if m.lm is None:
                    lms[m.label] = None
                    continue
                key = fingerprint({"lm": asdict(m.lm), "encoder": encoder, "data": cfg.raw.get("data"),
                                   "data_files": dict(data_hashes), "batch_size": cfg.batch_size})
                lms[m.label] = build_lm(m.lm, tokenizer, corpus, cache=out / "cache" / "lm" / f"{key}.pt")
        for c in tqdm(todo, desc=f"diagnose seed={spec.seed} (part {i}/{n})", unit="chunk"):
            store.save(c, explain_chunk(cfg, module, tokenizer, chunks[c], lms))


def diagnose(cfg: DiagnoseConfig, out_dir: str | Path | None = None, seeds: Sequence[int] | None = None,
             part: tuple[int, int] = (0, 1)) -> list[ResultRecord]:
    """Run every diagnostic of ``cfg``, write records, tables, heatmaps and the TensorBoard log; return the records.

    Chunks already in the cache are not computed again. ``seeds`` / ``part`` (``(i, n)``) restrict this call's
    computation to some models / every n-th chunk from the i-th; the outputs are written once every chunk of every
    model is cached (by this call or earlier ones), otherwise the call returns no records."""
    from torch.utils.tensorboard import SummaryWriter

    if not (0 <= part[0] < part[1]):
        raise ValueError(f"part must be (i, n) with 0 <= i < n, got {part}")
    out = Path(out_dir if out_dir is not None else cfg.out_dir)
    examples, files = load_examples(cfg.data)
    if not examples:
        raise ValueError(f"{cfg.source}: no examples to diagnose (data: {cfg.data})")
    stamps = stamp(cfg.raw, data_files=[f for f in files if Path(f).is_file()])
    n_chunks = math.ceil(len(examples) / cfg.batch_size)
    compute_chunks(cfg, out, examples, stamps["data_files"], seeds, part)
    stores, pending = {}, {}
    for spec in cfg.models:
        try:
            stores[spec.seed] = chunk_store(cfg, out, spec, n_chunks, stamps["data_files"])
        except FileNotFoundError:
            pending[spec.seed] = "checkpoint missing"
            continue
        if not stores[spec.seed].complete():
            pending[spec.seed] = n_chunks - len(stores[spec.seed].done())
    if pending:
        print(f"{cfg.name}: chunks still to compute, by seed: {pending} (of {n_chunks} each); "
              "outputs are written once every chunk is cached")
        return []
    runs: list[ModelRun] = [stores[spec.seed].load() for spec in cfg.models]
    metrics: list[dict[str, dict[str, float]]] = []
    writer = SummaryWriter(log_dir=str(out / "tb"))
    for spec, run in zip(cfg.models, runs):
        metrics.append({m.label: model_metrics(cfg, examples, run, m.label) for m in cfg.methods})
        write_heatmaps(out / "heatmaps" / f"seed={spec.seed}.html",
                       heatmap_rows(cfg, examples, run, list(run.labels)))
        for m in cfg.methods:
            writer.add_text(f"top_words/{m.label}", top_words_text(cfg, examples, run, m.label), global_step=spec.seed)
    if len(runs) > 1:
        for k in range(len(runs)):
            others = [(k, j) for j in range(len(runs)) if j != k]
            for m in cfg.methods:
                metrics[k][m.label]["rationale_consistency"] = rationale_consistency(
                    [r.activations for r in runs], [r.explained[m.label].words for r in runs], model_pairs=others)
    records = []
    for k, spec in enumerate(cfg.models):
        for m in cfg.methods:
            ex = runs[k].explained[m.label]
            run_dir = out / "records" / m.label.replace("/", "_") / f"seed={spec.seed}"
            extra = {"model": checkpoint_path(spec.checkpoint) if spec.checkpoint else dict(spec.module or {}), "target": cfg.target,
                     "n_examples": len(examples), "n_with_rationale": sum(e.rationale is not None for e in examples),
                     "explanations": ex.calls}
            rec = _record(cfg, spec, m.label, metrics[k][m.label], stamps, ex.seconds, run_dir, extra)
            write_results(rec, run_dir / "results.json")
            records.append(rec)
            for name, value in metrics[k][m.label].items():
                writer.add_scalar(f"{cfg.data.split}/{name}/{m.label}", value, global_step=spec.seed)
    writer.close()
    spec_t = table_spec(cfg)
    write_text_atomic(out / "tables" / f"{spec_t.name}.md", render_markdown(spec_t, records))
    write_text_atomic(out / "tables" / f"{spec_t.name}.tex", render_latex(spec_t, records))
    return records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nle.attribution.diagnose", description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="diagnostics YAML (see the module doc)")
    parser.add_argument("--out", default=None, help="output folder (default: the config's out_dir)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="compute only these models (by seed); the outputs wait for every model's chunks")
    parser.add_argument("--part", default="0/1", metavar="I/N",
                        help="compute only every N-th chunk from the I-th (run N processes with I = 0..N-1)")
    args = parser.parse_args(argv)
    try:
        part = tuple(int(x) for x in args.part.split("/"))
        if len(part) != 2 or not 0 <= part[0] < part[1]:
            raise ValueError
    except ValueError:
        parser.error(f"--part must be I/N with 0 <= I < N, got {args.part!r}")
    cfg = load_config(args.config)
    records = diagnose(cfg, args.out, seeds=args.seeds, part=part)  # type: ignore[arg-type]
    if not records:
        return 0
    out = Path(args.out or cfg.out_dir)
    print((out / "tables" / f"{table_spec(cfg).name}.md").read_text(encoding="utf-8"))
    print(f"{len(records)} record(s) under {out / 'records'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
