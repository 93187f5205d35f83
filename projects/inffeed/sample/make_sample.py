"""Writes the built-in sample: synthetic stance-like tweets (``label<TAB>text``), written by us.

The sample lets ``python -m projects.inffeed.train`` run on a fresh machine with no data; it is not taken from
any benchmark. A few training labels are flipped on purpose (label noise), so influence has something to find.
Run ``python -m projects.inffeed.sample.make_sample`` to regenerate; the output is deterministic.
"""

from __future__ import annotations

import random
from pathlib import Path

TOPICS = ["the new park", "the tax plan", "remote work", "the bike lanes", "the school menu", "the night trains",
          "the city library", "the vaccine drive", "the wind farm", "the metro fares"]
FAVOR = ["I fully support {t}", "{t} is a great idea", "so glad about {t}, finally", "{t} will help everyone",
         "love what they did with {t}", "vote yes on {t}", "{t} makes life better"]
AGAINST = ["I strongly oppose {t}", "{t} is a terrible idea", "stop {t} now", "{t} is a waste of money",
           "nobody asked for {t}", "vote no on {t}", "{t} makes life worse"]
NONE = ["reading about {t} today", "a meeting on {t} is at noon", "what time is the talk on {t}?",
        "the report on {t} came out", "my friend mentioned {t}", "news: {t} discussed again"]
TAILS = ["", " #local", " honestly", " today", " lol", " !!", " #city"]
LABELS = {"favor": FAVOR, "against": AGAINST, "none": NONE}
NOISE = 0.08


def rows(n: int, rng: random.Random, noise: float) -> list[tuple[str, str]]:
    out = []
    names = sorted(LABELS)
    for i in range(n):
        label = names[i % len(names)]
        text = rng.choice(LABELS[label]).format(t=rng.choice(TOPICS)) + rng.choice(TAILS)
        if rng.random() < noise:
            label = rng.choice([x for x in names if x != label])
        out.append((label, text))
    rng.shuffle(out)
    return out


def main() -> None:
    rng = random.Random(7)
    here = Path(__file__).parent
    for split, n, noise in (("train", 180, NOISE), ("dev", 72, 0.0)):
        lines = ["label\ttext"] + [f"{label}\t{text}" for label, text in rows(n, rng, noise)]
        (here / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
