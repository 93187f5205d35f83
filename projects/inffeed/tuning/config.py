"""The whole configuration of an influence-tuning run as frozen dataclasses, read from YAML with strict keys.

``load_config(["base.yaml", "hate.yaml"], ["train.epochs=3"])`` merges the files left to right, then the
``key=value`` overrides (values parsed as YAML), and builds a ``RunConfig``; an unknown key or a wrongly typed
value raises ``DataFormatError`` naming the file and the dotted key.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from nle.data.errors import DataFormatError
from projects.inffeed.tuning.spurious import TokenRates


class Method(str, Enum):
    """The three compared methods."""

    PLAIN = "plain"
    ADVERSARIAL = "adversarial"
    INFLUENCE = "influence"


@dataclass(frozen=True)
class DataConfig:
    """Where the texts come from and how the spurious token is planted.

    ``source``: ``"sample"`` (built-in synthetic corpus) or ``"tweeteval"`` (``$NLE_DATA_DIR/tweeteval/datasets/
    <task>/{train,val}_*.txt``; train → training split, official val → the evaluation splits).
    """

    source: str = "sample"
    task: str = "hate"
    positive_label: str = "hate"
    token: str = "zqxv"
    train_rates: TokenRates = TokenRates(0.9, 0.1)
    seed: int = 13
    """Seed of the token placement and the sample corpus; fixed across model seeds so all runs share the data."""
    sample_train: int = 600
    sample_eval: int = 400
    train_limit: int = 0
    """Use only the first n training rows (0 = all)."""
    confound_access: float = 1.0
    """Fraction of training rows whose token status the adversary and influence tuning may use (seeded)."""
    min_count: int = 2
    max_len: int = 64


@dataclass(frozen=True)
class ModelConfig:
    embedding_dim: int = 64
    hidden: int = 64


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    batch_size: int = 32
    lr: float = 0.005
    weight_decay: float = 0.0


@dataclass(frozen=True)
class AdversaryConfig:
    """Gradient-reversal baseline: loss = task CE + ``weight`` · adversary CE; reversal multiplies by −``scale``."""

    weight: float = 1.0
    scale: float = 1.0
    width: int = 64


@dataclass(frozen=True)
class InfluenceConfig:
    """Influence tuning: after every ``every`` task steps, ``steps`` updates of L_inf with their own Adam optimizer
    (skipped in the last ``every / 2`` steps, so training ends on task updates, as in the paper)."""

    every: int = 5
    steps: int = 5
    probes: int = 8
    k: int = 4
    lr: float = 0.01
    metric: str = "cosine"
    params: tuple[str, ...] = ("hidden", "head")
    """Parameters the gradient similarity is taken over (module prefixes)."""
    eval_probes: int = 64
    """Probes for the reported influence gap (all methods)."""


@dataclass(frozen=True)
class RunConfig:
    experiment: str = "sample"
    methods: tuple[Method, ...] = (Method.PLAIN, Method.ADVERSARIAL, Method.INFLUENCE)
    seeds: tuple[int, ...] = (0,)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    adversary: AdversaryConfig = field(default_factory=AdversaryConfig)
    influence: InfluenceConfig = field(default_factory=InfluenceConfig)


def to_dict(config: Any) -> Any:
    """A JSON-ready copy of a config (dataclasses → dicts, tuples → lists, enums → values)."""
    if dataclasses.is_dataclass(config):
        return {f.name: to_dict(getattr(config, f.name)) for f in dataclasses.fields(config)}
    if isinstance(config, Enum):
        return config.value
    if isinstance(config, (tuple, list)):
        return [to_dict(v) for v in config]
    return config


def from_dict(cls: type, data: Mapping[str, Any], source: str, prefix: str = "") -> Any:
    """Build dataclass ``cls`` from a mapping; missing keys take the defaults, unknown keys are errors."""
    if not isinstance(data, Mapping):
        raise DataFormatError(source, None, prefix or "<root>", "a mapping", data)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise DataFormatError(source, None, f"{prefix}{unknown[0]}", f"one of {sorted(names)}", unknown[0])
    kwargs = {k: _convert(hints[k], v, source, f"{prefix}{k}") for k, v in data.items()}
    try:
        return cls(**kwargs)
    except ValueError as e:
        raise DataFormatError(source, None, prefix.rstrip(".") or "<root>", "valid values", str(e)) from None


def _convert(tp: Any, value: Any, source: str, key: str) -> Any:
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, source, key + ".")
    origin = typing.get_origin(tp)
    if origin is tuple:
        (inner, _dots) = typing.get_args(tp)
        if not isinstance(value, (list, tuple)):
            raise DataFormatError(source, None, key, "a list", value)
        return tuple(_convert(inner, v, source, key) for v in value)
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"config field {key}: unions are not supported")
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            raise DataFormatError(source, None, key, f"one of {[m.value for m in tp]}", value) from None
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if tp in (int, str, bool) and isinstance(value, tp) and not (tp is int and isinstance(value, bool)):
        return value
    raise DataFormatError(source, None, key, f"a {getattr(tp, '__name__', tp)}", value)


def merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive dict merge: mappings merge key by key, anything else replaces."""
    out = dict(base)
    for k, v in update.items():
        out[k] = merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) else v
    return out


def load_config(paths: Sequence[str | Path] = (), overrides: Sequence[str] = ()) -> RunConfig:
    """Merge YAML files then ``dotted.key=value`` overrides over the defaults into a ``RunConfig``."""
    merged: dict[str, Any] = to_dict(RunConfig())
    sources = []
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, Mapping):
            raise DataFormatError(path, 1, "<root>", "a YAML mapping", type(loaded).__name__)
        merged = merge(merged, loaded)
        sources.append(str(path))
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise DataFormatError("<--set>", None, item, "key=value", item)
        node: dict[str, Any] = yaml.safe_load(raw)
        for part in reversed(key.split(".")):
            node = {part: node}
        merged = merge(merged, node)
        sources.append(f"--set {item}")
    return from_dict(RunConfig, merged, " + ".join(sources) or "<defaults>")
