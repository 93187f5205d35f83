"""Rule matching: our vectorised applier vs snorkel's ``LFApplier`` and ``PandasLFApplier`` on the same rules.

Rules: the 203 NExT SemEval explanations parsed by ``nle.parsing.parse`` (top-ranked logical form; explanations
that fail to parse are left out and counted). If fewer than 50 parse, the hand-written NExT-style rules of
:func:`hand_written_rules` are used instead and the output says so. Documents: the SemEval-2010 training sentences
(``$NLE_DATA_DIR``), spaCy-annotated once (cached) and shared by all three appliers. Each snorkel labeling function
calls the per-example interpreter (``nle.matching.reference.compile_one``, checked once per rule) on one
pre-annotated data point; ours runs ``nle.matching.apply.apply_rules`` on the columnar corpus. ``equal``: the three
N x R label matrices are identical.

    python -m benchmarks.rule_matching [--quick] [--out FILE]
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from benchmarks.common import Comparison, best_time, parse_args, report
from nle.data.readers.next_explanations import read_next_explanations
from nle.data.readers.semeval2010 import SEMEVAL2010_LABELS, read_semeval2010
from nle.logic.forms import Call, Lit, Var
from nle.matching.annotate import annotate
from nle.matching.apply import apply_rules
from nle.matching.reference import compile_one
from nle.matching.semantics import ExecutionError, check
from nle.types import ABSTAIN, LabelingRule

TRAIN = "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_FILE.TXT"
EXPLANATIONS = "next_explanations/OtherExplanations/semeval.json"


def parsed_rules() -> tuple[list[LabelingRule], int]:
    """Rules from the parsed NExT SemEval explanations, and how many explanations did not yield one."""
    from nle.parsing import parser

    rules, failed = [], 0
    for e in read_next_explanations(EXPLANATIONS, task="semeval"):
        try:
            lf = parser.parse(e.text, domain="relation", explanation_id=e.id)[0].logical_form
            check(lf)
        except (parser.ParseFailure, ExecutionError):
            failed += 1
            continue
        rules.append(LabelingRule(e.id, SEMEVAL2010_LABELS.index(e.label), lf, source=e.text))
    return rules, failed


def hand_written_rules() -> list[LabelingRule]:
    """NExT-style rules written by hand (a fallback): a trigger phrase between SUBJ and OBJ, an order, a gap bound."""
    S, O = Var("SUBJ"), Var("OBJ")  # noqa: E741
    triggers = [("caused by", "Cause-Effect(e2,e1)"), ("causes", "Cause-Effect(e1,e2)"), ("of", "Component-Whole(e1,e2)"),
                ("in the", "Content-Container(e1,e2)"), ("from the", "Entity-Origin(e1,e2)"),
                ("into the", "Entity-Destination(e1,e2)"), ("made by", "Product-Producer(e1,e2)"),
                ("about", "Message-Topic(e1,e2)"), ("of", "Member-Collection(e2,e1)"), ("with", "Instrument-Agency(e2,e1)")]
    rules = []
    for k, (phrase, label) in enumerate(triggers * 5):
        n = 2 + k % 5
        lf = Call("and", (Call("between", (S, O, Lit(phrase))), Call("left", (S, O)),
                          Call("le", (Call("count_between", (S, O)), Lit(n, "int")))))
        rules.append(LabelingRule(f"hand-{k}", SEMEVAL2010_LABELS.index(label), lf, source="hand-written"))
    return rules


def snorkel_lfs(rules: Sequence[LabelingRule], pandas: bool) -> list:
    from snorkel.labeling import labeling_function

    lfs = []
    for rule in rules:
        run = compile_one(rule.logical_form)

        def fn(x, run=run, label=rule.label):
            doc = x.doc if pandas else x
            return label if run(doc)[0] else ABSTAIN

        lfs.append(labeling_function(name=rule.name)(fn))
    return lfs


def main(argv: Sequence[str] | None = None) -> list[Comparison]:
    args = parse_args(__doc__.splitlines()[0], argv)
    if not os.environ.get("NLE_DATA_DIR"):
        raise SystemExit("set NLE_DATA_DIR to the shared data folder (SemEval-2010 train and NExT explanations)")
    import pandas as pd
    from snorkel.labeling import LFApplier, PandasLFApplier

    examples = read_semeval2010(TRAIN)
    if args.quick:
        examples = examples[:400]
    corpus = annotate(examples)
    docs = corpus.examples()
    rules, failed = parsed_rules()
    source = f"parsed NExT SemEval explanations ({len(rules)} rules, {failed} did not parse)"
    if len(rules) < 50:
        rules, source = hand_written_rules(), "HAND-WRITTEN NExT-style logical forms (the parser gave < 50 rules)"
    print(f"rules: {source}; documents: {corpus.n} SemEval-2010 training sentences")

    ours_s, ours = best_time(lambda: apply_rules(rules, corpus), repeats=3)
    t0 = time.perf_counter()
    L_lf = LFApplier(snorkel_lfs(rules, pandas=False)).apply(docs, progress_bar=False)
    lf_s = time.perf_counter() - t0
    df = pd.DataFrame({"doc": docs})
    t0 = time.perf_counter()
    L_pd = PandasLFApplier(snorkel_lfs(rules, pandas=True)).apply(df, progress_bar=False)
    pd_s = time.perf_counter() - t0

    details = {"n_examples": corpus.n, "n_rules": len(rules), "rules": source,
               "coverage": float((ours.labels != ABSTAIN).any(axis=1).mean()), "faults": int(ours.faults.sum())}
    comparisons = [
        Comparison("apply_rules vs snorkel LFApplier", ours_s, lf_s, bool(np.array_equal(ours.labels, L_lf)), details),
        Comparison("apply_rules vs snorkel PandasLFApplier", ours_s, pd_s, bool(np.array_equal(ours.labels, L_pd)),
                   details),
    ]
    report(comparisons, args.out)
    return comparisons


if __name__ == "__main__":
    main()
