"""A small built-in corpus for smoke runs (no data files needed): synthetic two-class "reviews".

Each text is 6-12 filler words plus 1-2 cue words; with probability ``1 - cue_agreement`` the cues come from the
class opposite to the label (label noise), so the true signal is informative but imperfect, as in real tasks, and
a spurious token correlated with the label above ``cue_agreement`` becomes a tempting shortcut.

Example::

    texts, labels = synthetic_corpus(4, seed=0)
    len(texts), set(labels) <= {0, 1}       # (4, True)
"""

from __future__ import annotations

import random

POSITIVE_CUES: tuple[str, ...] = ("great", "lovely", "superb", "enjoyable", "brilliant", "charming", "moving",
                                  "delightful", "wonderful", "fresh")
NEGATIVE_CUES: tuple[str, ...] = ("awful", "boring", "dull", "terrible", "clumsy", "tedious", "bland", "weak",
                                  "messy", "painful")
FILLER: tuple[str, ...] = tuple(
    "the a this that film story cast plot scene music actor director script movie ending pace camera light "
    "city night day family friend house road time year people world life hand eye word place part".split())


def synthetic_corpus(n: int, *, seed: int, cue_agreement: float = 0.8) -> tuple[list[str], list[int]]:
    """``n`` texts and 0/1 labels (balanced up to one), seeded; cue words agree with the label with the given rate."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    for i in range(n):
        label = i % 2
        cue_class = label if rng.random() < cue_agreement else 1 - label
        cues = POSITIVE_CUES if cue_class == 1 else NEGATIVE_CUES
        words = [rng.choice(FILLER) for _ in range(rng.randint(6, 12))]
        for _ in range(rng.randint(1, 2)):
            words.insert(rng.randint(0, len(words)), rng.choice(cues))
        texts.append(" ".join(words))
        labels.append(label)
    order = list(range(n))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]
