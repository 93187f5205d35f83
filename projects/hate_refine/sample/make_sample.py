"""Writes the built-in sample: ``python -m projects.hate_refine.sample.make_sample``.

Hand-made posts in HateXplain's Hugging Face JSON-lines layout (label ids 0 hatespeech, 1 normal, 2 offensive;
three annotators; a rationale mask per annotator who marked one; none for normal posts). The targeted groups are
invented (zorblans, quixians, mervs) so the sample carries no real slur. Deterministic: the same files every run.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
GROUPS = ("zorblans", "quixians", "mervs")
HATE = (  # (text, rationale words): dehumanising statements about a group
    ("all {g} are filthy vermin and must be kicked out", {"filthy", "vermin", "kicked", "out"}),
    ("{g} are parasites who ruin every town they invade", {"parasites", "ruin", "invade"}),
    ("i wish every one of the {g} would just disappear forever", {"disappear", "forever"}),
    ("never trust {g} they are subhuman animals", {"subhuman", "animals"}),
    ("the {g} breed like rats and spread disease", {"rats", "disease", "breed"}),
    ("send the {g} back where they crawled from", {"send", "back", "crawled"}),
)
OFFENSIVE = (  # insults without a targeted group
    ("shut up you stupid idiot nobody asked", {"stupid", "idiot"}),
    ("what a moronic take you clown", {"moronic", "clown"}),
    ("this referee is a useless pathetic loser", {"useless", "pathetic", "loser"}),
    ("go away you dumb troll", {"dumb", "troll"}),
    ("your opinion is garbage and so are you", {"garbage"}),
    ("only a brainless fool would post this crap", {"brainless", "fool", "crap"}),
)
NORMAL = (
    "the {g} festival in the park was lovely this year",
    "i met two {g} at the library and we talked about books",
    "the weather is nice today let us go for a walk",
    "my team won the match last night",
    "does anyone know a good recipe for soup",
    "the new bridge opens to traffic next week",
)


def post(pid: str, text: str, label: int, marked: set[str]) -> dict:
    tokens = text.split()
    mask = [int(t in marked) for t in tokens]
    rationales = [] if label == 1 else [mask, mask, [int(m and i % 2 == 0) for i, m in enumerate(mask)]]
    second = label if int(pid.split("_")[1]) % 3 else (2 if label == 0 else label)  # one dissenting annotator
    return {"id": pid, "annotators": {"label": [label, label, second], "annotator_id": [1, 2, 3],
                                      "target": [["Other"], ["Other"], ["None"]]},
            "rationales": rationales, "post_tokens": tokens}


def rows(split: str, groups: tuple[str, ...]) -> list[dict]:
    out = []
    for g in groups:
        for text, marked in HATE:
            out.append(post(f"{split}_{len(out)}", text.format(g=g), 0, marked))
        for i, (text, marked) in enumerate(OFFENSIVE):
            if i % len(groups) == groups.index(g) or split == "dev":
                out.append(post(f"{split}_{len(out)}", text, 2, marked))
        for text in NORMAL:
            out.append(post(f"{split}_{len(out)}", text.format(g=g), 1, set()))
    return out


def main() -> None:
    for split, groups in (("train", GROUPS[:2]), ("dev", GROUPS[2:])):
        path = HERE / f"{split}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows(split, groups)))
        print(path, len(rows(split, groups)))


if __name__ == "__main__":
    main()
