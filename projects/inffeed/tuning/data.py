"""The four splits of the controlled setup, from the built-in sample or a TweetEval task.

* ``train``: training rows with the token at ``train_rates`` (correlated with the positive class);
* ``correlated``: evaluation rows with the same rates as train (in-distribution for the shortcut);
* ``anti``: evaluation rows with mirrored rates (the shortcut now points the wrong way);
* ``clean``: evaluation rows without the token.

For TweetEval the evaluation rows are the official val split (test splits are blind); nothing is selected on
them (fixed epochs, no early stopping). Each split draws its own token positions from ``seed`` + an offset.

Example::

    data = build_data(DataConfig())          # the built-in sample: 600 train, 400 evaluation rows
    token_stats(data.train)["rate_pos"]      # 0.9
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from nle.data.errors import data_dir
from nle.data.readers.tweeteval import read_tweeteval
from projects.inffeed.tuning.config import DataConfig
from projects.inffeed.tuning.sample import synthetic_corpus
from projects.inffeed.tuning.spurious import SpuriousSplit, TokenRates, build_split


@dataclass(frozen=True)
class SpuriousData:
    train: SpuriousSplit
    correlated: SpuriousSplit
    anti: SpuriousSplit
    clean: SpuriousSplit
    access: tuple[bool, ...]
    """Per training row: may the adversary / influence tuning see its token status (``confound_access``)."""
    files: tuple[str, ...]
    """Data files read (for checksums in the results record)."""

    def eval_splits(self) -> dict[str, SpuriousSplit]:
        return {"correlated": self.correlated, "anti": self.anti, "clean": self.clean}


def _read(cfg: DataConfig) -> tuple[list[str], list[int], list[str], list[str], list[int], list[str], list[str]]:
    if cfg.source == "sample":
        tr_x, tr_y = synthetic_corpus(cfg.sample_train, seed=cfg.seed)
        ev_x, ev_y = synthetic_corpus(cfg.sample_eval, seed=cfg.seed + 1)
        return (tr_x, tr_y, [f"sample/train:{i + 1}" for i in range(len(tr_x))],
                ev_x, ev_y, [f"sample/eval:{i + 1}" for i in range(len(ev_x))], [])
    if cfg.source != "tweeteval":
        raise ValueError(f"data.source must be 'sample' or 'tweeteval', got {cfg.source!r}")
    folder = data_dir() / "tweeteval" / "datasets" / cfg.task
    files = [folder / f"{s}_{kind}.txt" for s in ("train", "val") for kind in ("text", "labels")]
    out: list = []
    for split in ("train", "val"):
        examples = read_tweeteval(folder / f"{split}_text.txt", folder / f"{split}_labels.txt")
        labels = sorted({e.label for e in examples})
        if cfg.positive_label not in labels or len(labels) != 2:
            raise ValueError(f"{folder}/{split}_labels.txt: data.positive_label {cfg.positive_label!r} must be one "
                             f"of exactly two labels, found {labels}")
        out += [[e.text for e in examples], [int(e.label == cfg.positive_label) for e in examples],
                [e.id for e in examples]]
    return (*out, [str(f) for f in files])


def build_data(cfg: DataConfig) -> SpuriousData:
    """Read the texts, plant the token in each split (seeded), and draw the confound-access mask."""
    tr_x, tr_y, tr_id, ev_x, ev_y, ev_id, files = _read(cfg)
    if cfg.train_limit:
        tr_x, tr_y, tr_id = tr_x[: cfg.train_limit], tr_y[: cfg.train_limit], tr_id[: cfg.train_limit]
    rates = cfg.train_rates
    train = build_split("train", tr_x, tr_y, rates, cfg.token, seed=cfg.seed, ids=tr_id)
    correlated = build_split("correlated", ev_x, ev_y, rates, cfg.token, seed=cfg.seed + 1, ids=ev_id)
    anti = build_split("anti", ev_x, ev_y, rates.mirrored(), cfg.token, seed=cfg.seed + 2, ids=ev_id)
    clean = build_split("clean", ev_x, ev_y, TokenRates(0.0, 0.0), cfg.token, seed=cfg.seed + 3, ids=ev_id)
    rng = random.Random(cfg.seed + 4)
    known = set(rng.sample(range(len(train)), round(cfg.confound_access * len(train))))
    access = tuple(i in known for i in range(len(train)))
    return SpuriousData(train, correlated, anti, clean, access, tuple(files))
