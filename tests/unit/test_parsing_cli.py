"""The CLI on a small hand-written NExT-format file."""

import json

from nle.parsing.__main__ import main


def test_cli_writes_report(tmp_path):
    rows = [
        {"rel": "Cause-Effect(e1,e2)", "pat": ["x"], "exp": 'The phrase "caused by" links SUBJ and OBJ',
         "sent": "the SUBJ-O was caused by the OBJ-O ."},
        {"rel": "Cause-Effect(e1,e2)", "pat": ["x"], "exp": "SUBJ frobnicates OBJ", "sent": "a SUBJ-O b OBJ-O ."},
    ]
    src = tmp_path / "semeval.json"
    src.write_text(json.dumps(rows))
    out = tmp_path / "report.json"
    main(["--explanations", str(src), "--format", "next", "--task", "semeval", "--checker", "self", "--out", str(out)])
    rep = json.loads(out.read_text())
    assert (rep["n_explanations"], rep["n_parsed"], rep["n_consistent"]) == (2, 1, 1)
    assert rep["failures"][0]["unrecognised"] == ["frobnicates"]
    assert rep["explanations"][0]["rendered"] == 'between(SUBJ, OBJ, "caused by")'
