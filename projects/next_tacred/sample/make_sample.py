"""Writes the built-in sample: synthetic sentences in the official SemEval-2010 Task 8 format, written by us.

The sample exists so that ``python -m projects.next_tacred.train`` runs on a fresh machine with no data; it is
not SemEval data (whose files are never copied into this repository). Run ``python -m
projects.next_tacred.sample.make_sample`` to regenerate; the output is deterministic.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

NOUNS = {
    "cause": ["fire", "storm", "virus", "stress", "accident", "earthquake", "infection", "drought"],
    "effect": ["damage", "flooding", "fever", "headache", "delay", "panic", "famine", "injury"],
    "part": ["wheel", "engine", "handle", "roof", "screen", "keyboard", "blade", "door"],
    "whole": ["car", "truck", "knife", "house", "laptop", "machine", "cabinet", "bicycle"],
    "content": ["apples", "books", "coins", "letters", "tools", "toys", "shoes", "papers"],
    "container": ["basket", "box", "bag", "drawer", "suitcase", "jar", "crate", "envelope"],
    "mover": ["boy", "crowd", "ship", "package", "troops", "water", "ball", "visitors"],
    "place": ["house", "harbor", "village", "garden", "tunnel", "stadium", "cellar", "valley"],
    "product": ["wine", "gold", "cheese", "oil", "silk", "salt", "timber", "coffee"],
    "agent": ["carpenter", "surgeon", "farmer", "painter", "pilot", "student", "chef", "sailor"],
    "instrument": ["hammer", "scalpel", "tractor", "brush", "radar", "pencil", "knife", "rope"],
    "member": ["soldier", "player", "singer", "senator", "bee", "wolf", "student", "ship"],
    "collection": ["army", "team", "choir", "senate", "hive", "pack", "class", "fleet"],
    "message": ["report", "article", "lecture", "book", "speech", "memo", "film", "essay"],
    "topic": ["economy", "election", "climate", "war", "history", "budget", "disease", "treaty"],
    "producer": ["chef", "factory", "company", "baker", "artist", "author", "brewery", "studio"],
    "thing": ["man", "river", "table", "city", "dog", "window", "teacher", "road"],
}

TEMPLATES = {
    "Cause-Effect(e1,e2)": [("cause", "effect", "The {a} caused the {b} in the region ."),
                            ("cause", "effect", "A {a} led to severe {b} last year .")],
    "Cause-Effect(e2,e1)": [("effect", "cause", "The {a} was caused by the {b} ."),
                            ("effect", "cause", "Heavy {a} resulted from the {b} .")],
    "Component-Whole(e1,e2)": [("part", "whole", "The {a} is a part of the {b} ."),
                               ("part", "whole", "The {a} of the {b} was broken .")],
    "Component-Whole(e2,e1)": [("whole", "part", "The {a} has a new {b} ."),
                               ("whole", "part", "Her {a} comes with a shiny {b} .")],
    "Content-Container(e1,e2)": [("content", "container", "The {a} were stored in a {b} ."),
                                 ("content", "container", "Some {a} were kept inside the {b} .")],
    "Content-Container(e2,e1)": [("container", "content", "The {a} was full of {b} ."),
                                 ("container", "content", "A {a} contained old {b} .")],
    "Entity-Destination(e1,e2)": [("mover", "place", "The {a} moved into the {b} ."),
                                  ("mover", "place", "The {a} was sent to the {b} .")],
    "Entity-Destination(e2,e1)": [("place", "mover", "The {a} was the destination of the {b} ."),
                                  ("place", "mover", "The {a} received the {b} yesterday .")],
    "Entity-Origin(e1,e2)": [("product", "place", "The {a} comes from the {b} ."),
                             ("product", "place", "This {a} was extracted from the {b} .")],
    "Entity-Origin(e2,e1)": [("place", "product", "The {a} is the source of the {b} ."),
                             ("place", "product", "The {a} yielded the finest {b} .")],
    "Instrument-Agency(e1,e2)": [("instrument", "agent", "The {a} was used by the {b} ."),
                                 ("instrument", "agent", "A {a} is the favourite tool of the {b} .")],
    "Instrument-Agency(e2,e1)": [("agent", "instrument", "The {a} worked with a {b} ."),
                                 ("agent", "instrument", "The {a} cut the rope using a {b} .")],
    "Member-Collection(e1,e2)": [("member", "collection", "The {a} belongs to the {b} ."),
                                 ("member", "collection", "Every {a} in the {b} agreed .")],
    "Member-Collection(e2,e1)": [("collection", "member", "The {a} includes a new {b} ."),
                                 ("collection", "member", "The {a} lost its oldest {b} .")],
    "Message-Topic(e1,e2)": [("message", "topic", "The {a} discusses the {b} ."),
                             ("message", "topic", "The {a} is about the {b} .")],
    "Message-Topic(e2,e1)": [("topic", "message", "The {a} is the subject of the {b} ."),
                             ("topic", "message", "The {a} was described in a {b} .")],
    "Product-Producer(e1,e2)": [("product", "producer", "The {a} was made by the {b} ."),
                                ("product", "producer", "This {a} is produced by a {b} .")],
    "Product-Producer(e2,e1)": [("producer", "product", "The {a} makes the {b} ."),
                                ("producer", "product", "The {a} sells its own {b} .")],
    "Other": [("thing", "thing", "The {a} stood near the {b} ."),
              ("thing", "place", "The {a} saw the {b} yesterday .")],
}


def sentence(template: str, a: str, b: str) -> str:
    return template.format(a=f"<e1>{a}</e1>", b=f"<e2>{b}</e2>").replace(" .", ".")


def write_split(path: Path, per_label: int, start_id: int, rng: random.Random) -> int:
    lines, sid = [], start_id
    for label, templates in TEMPLATES.items():
        for k in range(per_label):
            kind_a, kind_b, template = templates[k % len(templates)]
            a, b = rng.choice(NOUNS[kind_a]), rng.choice(NOUNS[kind_b])
            lines += [f'{sid}\t"{sentence(template, a, b)}"', label, "Comment: synthetic sample sentence", ""]
            sid += 1
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return sid


def write_explanations(path: Path, train: Path) -> None:
    """One NExT-format explanation (``rel, pat, exp, sent``) per relation, of its first training sentence: the
    words between the two entities of the first template, quoted (what an annotator would point at)."""
    blocks = [b.split("\n") for b in train.read_text(encoding="utf-8").replace("\r", "").split("\n\n") if b.strip()]
    first: dict[str, str] = {}
    for lines in blocks:
        first.setdefault(lines[1], lines[0].split("\t", 1)[1].strip('"'))
    records = []
    for label, templates in TEMPLATES.items():
        if label == "Other":
            continue
        gap = templates[0][2].split("{a}")[1].split("{b}")[0].strip()
        text = first[label]
        sent = text.replace("<e1>", "").replace("</e1>", "").replace("<e2>", "").replace("</e2>", "")
        e1 = text.split("<e1>")[1].split("</e1>")[0]
        e2 = text.split("<e2>")[1].split("</e2>")[0]
        words = [("SUBJ-O" if w == e1 else "OBJ-O" if w == e2 else w) for w in sent.rstrip(".").split()] + ["."]
        records.append({"rel": label, "pat": [f"SUBJ-O {gap} OBJ-O"],
                        "exp": f'SUBJ and OBJ sandwich the phrase "{gap}" and SUBJ precedes OBJ',
                        "sent": " ".join(words)})
    path.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    here, rng = Path(__file__).parent, random.Random(20100708)
    sid = write_split(here / "train.txt", 10, 1, rng)
    sid = write_split(here / "dev.txt", 4, sid, rng)
    write_split(here / "test.txt", 4, sid, rng)
    write_explanations(here / "explanations.json", here / "train.txt")


if __name__ == "__main__":
    main()
