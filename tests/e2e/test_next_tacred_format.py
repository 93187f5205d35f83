"""NExT on TACRED-format data (official JSON, NExT's TACRED explanation file) through the real entry point.

TACRED is licensed and not in the shared data, so the files here are written by the test in the official formats:
a few sentences per relation, some that the explanations' rules hard-match, some that no rule matches (the
unlabelled pool) and some ``no_relation`` sentences, with the ``stanford_*`` lists the reader requires.
"""

from __future__ import annotations

import json
from pathlib import Path

from projects.next_tacred.train import main
from tests.e2e.conftest import SMOKE, read_json

EXPLANATIONS = [
    {"relation": "per:spouse", "sent": "SUBJ-PERSON 's husband OBJ-PERSON died in 1995 .",
     "exp": "Between SUBJ and OBJ the phrase \"'s husband\" occurs and there are no more than five words between "
            "SUBJ and OBJ", "pattern": "SUBJ-PERSON 's husband OBJ-PERSON"},
    {"relation": "per:children", "sent": "SUBJ-PERSON 's daughter OBJ-PERSON said on Tuesday that she was well .",
     "exp": "The phrase \"'s daughter\" links SUBJ and OBJ and there are no more than three words between SUBJ and "
            "OBJ", "pattern": "SUBJ-PERSON 's daughter OBJ-PERSON"},
    {"relation": "org:founded_by", "sent": "SUBJ-ORGANIZATION founder OBJ-PERSON will retire next year .",
     "exp": "The word \"founder\" occurs between SUBJ and OBJ and there are no more than two words between SUBJ and "
            "OBJ", "pattern": "SUBJ-ORGANIZATION founder OBJ-PERSON"},
]
NAMES = ["Anna Berg", "Tom Reed", "Lena Ortiz", "Paul Kim", "Maria Lopez", "John Hale", "Eva Stone", "Mark Young"]
ORGS = ["Acme Corp", "Blue Fund", "Nordic Air", "Delta Labs"]


def _record(rid: str, relation: str, words: list[str], subj: tuple[int, int], obj: tuple[int, int],
            subj_type: str, obj_type: str) -> dict:
    ner = ["O"] * len(words)
    for (start, end), kind in ((subj, subj_type), (obj, obj_type)):
        ner[start:end + 1] = [kind] * (end - start + 1)
    return {"id": rid, "docid": "doc", "relation": relation, "token": words,
            "subj_start": subj[0], "subj_end": subj[1], "obj_start": obj[0], "obj_end": obj[1],
            "subj_type": subj_type, "obj_type": obj_type, "stanford_pos": ["NN"] * len(words),
            "stanford_ner": ner, "stanford_head": [0] * len(words), "stanford_deprel": ["dep"] * len(words)}


def _sentences(prefix: str, n: int) -> list[dict]:
    """``n`` rows per template, cycling through the names: (template, relation, subject type, object type)."""
    templates = [
        ("{a} 's husband {b} was seen in town .", "per:spouse", "PERSON", "PERSON"),  # hard-matched
        ("{a} 's daughter {b} opened a bakery .", "per:children", "PERSON", "PERSON"),  # hard-matched
        ("{a} founder {b} spoke to reporters .", "org:founded_by", "ORGANIZATION", "PERSON"),  # hard-matched
        ("{a} married {b} in a quiet ceremony .", "per:spouse", "PERSON", "PERSON"),  # no rule: the pool
        ("{a} was started by {b} in a garage .", "org:founded_by", "ORGANIZATION", "PERSON"),  # no rule: the pool
        ("{a} met {b} at the annual conference .", "no_relation", "PERSON", "PERSON"),
    ]
    rows = []
    for k in range(n):
        for t, (template, relation, st, ot) in enumerate(templates):
            a = ORGS[k % len(ORGS)] if st == "ORGANIZATION" else NAMES[k % len(NAMES)]
            b = NAMES[(k + 3) % len(NAMES)]
            text = template.format(a=a, b=b)
            words = text.split()
            na, nb = len(a.split()), len(b.split())
            start_b = text[: text.index(b)].count(" ")
            rows.append(_record(f"{prefix}{k}-{t}", relation, words, (0, na - 1), (start_b, start_b + nb - 1),
                                st, ot))
    return rows


def _write(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"train": _sentences("tr", 6), "dev": _sentences("dv", 2), "test": _sentences("te", 2)}
    paths = {}
    for split, rows in files.items():
        paths[split] = str(folder / f"{split}.json")
        Path(paths[split]).write_text(json.dumps(rows), encoding="utf-8")
    paths["explanations"] = str(folder / "explanations.json")
    Path(paths["explanations"]).write_text(json.dumps(EXPLANATIONS), encoding="utf-8")
    return paths


def test_next_runs_on_tacred_json_with_no_relation_as_the_other_class(tmp_path: Path) -> None:
    files = _write(tmp_path / "tacred")
    args = ["--config", SMOKE, "--data.init_args.source", "tacred",
            "--data.init_args.train_file", files["train"], "--data.init_args.dev_file", files["dev"],
            "--data.init_args.test_file", files["test"], "--data.init_args.explanations_file", files["explanations"],
            "--data.init_args.train_subset", "explained+unlabelled", "--data.init_args.labelled_batch_size", "4",
            "--model.init_args.metrics", "[tacred_f1, accuracy]", "--model.init_args.method", "next",
            "--model.init_args.tune_other", "true", "--model.init_args.matcher_pretrain_steps", "3",
            "--model.init_args.matcher_hidden", "8", "--run_root", str(tmp_path / "runs"), "--experiment", "tacred"]
    record = main(args)
    extra = read_json(tmp_path / "runs" / "next_tacred" / "tacred" / "seed=1" / "results.json")["extra"]
    rules = extra["rules"]
    assert rules["n_rules"] == 3 and rules["n_explained"] == 3  # the explanations' own sentences join train
    assert rules["n_matched"] == 18 and rules["hard_precision"] == 1.0  # 6 rows each of the three ruled templates
    assert rules["n_unlabelled"] == 18  # married / started by / met: no rule fires
    assert "other_entropy_threshold" in extra
    assert record is not None and set(record.metrics["dev"]) >= {"tacred_f1", "accuracy"}
    assert 0.0 <= record.metrics["test"]["tacred_f1"] <= 1.0
