"""The typed pieces of an influence-tuning run: the method, the data setup, the adversary and influence tuning.

They are init arguments of ``SpuriousDataModule`` / ``InfluenceTuning``, so ``NLECLI`` reads them from YAML with
strict keys (``model.init_args.influence.lr: 0.03``); ``to_dict`` turns them into plain JSON values for the
hyper-parameters a checkpoint carries (so it loads with ``weights_only=True``).

Example::

    to_dict(InfluenceConfig(every=10))["every"]      # 10
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, get_args

from projects.inffeed.tuning.spurious import TokenRates

Method = Literal["plain", "adversarial", "influence"]
"""The three compared methods (a ``Literal``, not an enum: jsonargparse parses enums by member name)."""
METHODS: tuple[str, ...] = get_args(Method)


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


def to_dict(config: Any) -> Any:
    """A JSON-ready copy of a config (dataclasses → dicts, tuples → lists)."""
    if dataclasses.is_dataclass(config):
        return {f.name: to_dict(getattr(config, f.name)) for f in dataclasses.fields(config)}
    if isinstance(config, (tuple, list)):
        return [to_dict(v) for v in config]
    return config
