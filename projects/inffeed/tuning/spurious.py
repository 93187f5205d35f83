"""The controlled spurious-token setup: insert one token into a seeded, exactly sized subset of each class.

Influence tuning (Han & Tsvetkov 2021) is evaluated where the confound is known: a token ``t`` that does not occur
in the corpus is added to a fraction ``r_c`` of the examples of each class ``c``. In training the token is
correlated with the positive class (e.g. r_pos = 0.9, r_neg = 0.1); in the anti-correlated evaluation split the
rates are mirrored (r_pos = 0.1, r_neg = 0.9), and in the clean split the token is absent. Exactly
``floor(r_c · n_c + 0.5)`` examples of class c get the token (chosen by a seeded sample), at a seeded word position.

Example::

    split = build_split("train", ["a b", "c d", "e f", "g h"], [1, 1, 0, 0], TokenRates(1.0, 0.5), "zqx", seed=0)
    token_stats(split)["with_token_pos"], token_stats(split)["with_token_neg"]   # (2.0, 1.0)
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

WORD = re.compile(r"\w+|[^\w\s]")
"""What counts as a word when checking that the token is new and when the model tokenises (lower-cased)."""


@dataclass(frozen=True)
class TokenRates:
    """Fraction of positive-label (1) and negative-label (0) examples that carry the token."""

    positive: float
    negative: float

    def __post_init__(self) -> None:
        for name in ("positive", "negative"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"TokenRates.{name} must lie in [0, 1], got {value}")

    def mirrored(self) -> TokenRates:
        """The anti-correlated rates: positives get the negatives' rate and vice versa."""
        return TokenRates(positive=self.negative, negative=self.positive)


@dataclass(frozen=True)
class SpuriousSplit:
    """A labelled split with the token inserted: ``labels`` are 0/1 (1 = positive class), ``has_token`` per row."""

    name: str
    texts: tuple[str, ...]
    labels: tuple[int, ...]
    has_token: tuple[bool, ...]
    ids: tuple[str, ...]
    token: str

    def __post_init__(self) -> None:
        n = len(self.texts)
        if not (len(self.labels) == len(self.has_token) == len(self.ids) == n):
            raise ValueError(f"split {self.name!r}: texts, labels, has_token and ids differ in length")

    def __len__(self) -> int:
        return len(self.texts)


def count_for(rate: float, n: int) -> int:
    """How many of ``n`` examples get the token at ``rate``: round half up, ``floor(rate · n + 0.5)``."""
    return int(math.floor(rate * n + 0.5))


def insert_token(text: str, token: str, rng: random.Random) -> str:
    """``text`` with ``token`` inserted as a new whitespace-separated word at a uniform position in 0..#words."""
    words = text.split()
    words.insert(rng.randint(0, len(words)), token)
    return " ".join(words)


def remove_token(text: str, token: str) -> str:
    """``text`` without any whitespace-separated word equal to ``token``."""
    return " ".join(w for w in text.split() if w != token)


def check_token_is_new(texts: Sequence[str], token: str, source: str) -> None:
    """Raise ``ValueError`` naming the first row where ``token`` already occurs as a word (case-insensitive)."""
    if not token or token != token.strip() or " " in token:
        raise ValueError(f"spurious token must be one non-empty word, got {token!r}")
    low = token.lower()
    for i, text in enumerate(texts):
        if low in WORD.findall(text.lower()) or low in text.lower().split():
            raise ValueError(f"{source}: row {i + 1}: the spurious token {token!r} already occurs in {text[:80]!r}")


def build_split(name: str, texts: Sequence[str], labels: Sequence[int], rates: TokenRates, token: str, *,
                seed: int, ids: Sequence[str] | None = None) -> SpuriousSplit:
    """Insert ``token`` into exactly ``count_for(rate_c, n_c)`` examples of each class c ∈ {0, 1} (seeded).

    ``labels`` must be 0/1. The same ``seed`` gives the same rows and positions.
    """
    if len(texts) != len(labels):
        raise ValueError(f"split {name!r}: {len(texts)} texts but {len(labels)} labels")
    bad = [i for i, y in enumerate(labels) if y not in (0, 1)]
    if bad:
        raise ValueError(f"split {name!r}: row {bad[0] + 1}: label must be 0 or 1, got {labels[bad[0]]!r}")
    check_token_is_new(texts, token, f"split {name!r}")
    rng = random.Random(seed)
    chosen: set[int] = set()
    for cls, rate in ((1, rates.positive), (0, rates.negative)):
        members = [i for i, y in enumerate(labels) if y == cls]
        chosen.update(rng.sample(members, count_for(rate, len(members))))
    out = [insert_token(t, token, rng) if i in chosen else t for i, t in enumerate(texts)]
    return SpuriousSplit(name=name, texts=tuple(out), labels=tuple(int(y) for y in labels),
                         has_token=tuple(i in chosen for i in range(len(texts))),
                         ids=tuple(ids) if ids is not None else tuple(f"{name}:{i + 1}" for i in range(len(texts))),
                         token=token)


def with_token_everywhere(split: SpuriousSplit, *, seed: int) -> SpuriousSplit:
    """Every row carries the token exactly once (rows without it get it at a seeded position)."""
    rng = random.Random(seed)
    texts = tuple(t if has else insert_token(t, split.token, rng) for t, has in zip(split.texts, split.has_token))
    return SpuriousSplit(f"{split.name}+token", texts, split.labels, (True,) * len(split), split.ids, split.token)


def without_token(split: SpuriousSplit) -> SpuriousSplit:
    """No row carries the token."""
    texts = tuple(remove_token(t, split.token) for t in split.texts)
    return SpuriousSplit(f"{split.name}-token", texts, split.labels, (False,) * len(split), split.ids, split.token)


def token_stats(split: SpuriousSplit) -> dict[str, float]:
    """Counts and rates of the token per class, and P(y = 1 | token) / P(y = 1 | no token) (NaN when undefined)."""
    pos = [t for t, y in zip(split.has_token, split.labels) if y == 1]
    neg = [t for t, y in zip(split.has_token, split.labels) if y == 0]
    tok_pos, tok_neg = sum(pos), sum(neg)
    n_tok = tok_pos + tok_neg
    n_free = len(split) - n_tok
    return {
        "n": float(len(split)), "n_pos": float(len(pos)), "n_neg": float(len(neg)),
        "with_token_pos": float(tok_pos), "with_token_neg": float(tok_neg),
        "rate_pos": tok_pos / len(pos) if pos else math.nan, "rate_neg": tok_neg / len(neg) if neg else math.nan,
        "p_pos_given_token": tok_pos / n_tok if n_tok else math.nan,
        "p_pos_given_no_token": (len(pos) - tok_pos) / n_free if n_free else math.nan,
    }
