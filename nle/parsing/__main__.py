"""``python -m nle.parsing --explanations FILE --format next|mrc|remote [--task semeval|tacred] [--sentences FILE] [--out report.json]``
``python -m nle.parsing --gold tests/data/gold_logical_forms/semeval.json [--gold ...] [--ranker default|trained]``

Parses a set of explanations and writes the report JSON (``n_explanations``, ``n_parsed``, ``n_consistent``,
``failures``, the chosen logical form per explanation). With ``--sentences`` (a labelled relation corpus: SemEval-2010
``TRAIN_FILE.TXT`` for ``--task semeval``, TACRED JSON for ``--task tacred``) the chosen consistent forms become
labelling rules, are hard-matched on every sentence, and the report gains ``matching``: coverage, the precision
of the majority vote on the covered sentences, the accuracy of all votes, and per-rule faults. Consistency is checked on each explanation's own example
with ``nle.matching``'s reference interpreter over spaCy annotations (``--checker matching``, the default when
``nle.matching`` is importable) or with the word-level ``nle.rules.selfcheck`` (``--checker self``).

With ``--gold FILE`` (repeatable; a gold set of ``tests/data/gold_logical_forms``, which names its explanation
files) each set is parsed as the rule pipeline parses it (``nle.rules.build.choose``: consistency on the own
example, ``--ranker``) and scored against its gold forms (``nle.rules.accuracy``): ``n_parsed``, ``n_consistent``,
``n_exact``, ``n_accurate`` (denotation Jaccard >= 0.9 over the set's corpus), the same for the beam, per phenomenon,
for the set's dev part, its held-out third and all. ``--explanations`` may then be left out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from nle.atomic import write_text_atomic
from nle.logic.forms import LogicalForm
from nle.parsing.report import parse_explanations
from nle.rules.build import load_lexicons, matching_checker
from nle.rules.selfcheck import make_checker
from nle.types import Explanation

DOMAIN_OF_FORMAT = {"next": "relation", "mrc": "mrc", "remote": "remote"}


def read(path: str, fmt: str, task: str | None) -> list[Explanation]:
    if fmt == "next":
        from nle.data.readers.next_explanations import read_next_explanations

        if task is None:
            raise SystemExit("--task semeval|tacred is required with --format next")
        return read_next_explanations(path, task=task)
    if fmt == "mrc":
        from nle.data.readers.mrc_explanations import read_mrc_explanations

        return read_mrc_explanations(path)
    from nle.data.readers.remote import read_remote_explanations

    return read_remote_explanations(path)


def _placeholder_key(tokens: Sequence[str]) -> str:
    """A sentence with its entities as ``subj`` / ``obj`` (NExT writes them as ``SUBJ-O``, ``OBJ-PERSON``)."""
    import re

    return " ".join(re.sub(r"^(subj|obj)-\w+$", r"\1", w.lower()) for w in tokens)


def hard_matching(report: dict, sentences: str, task: str, lexicons: dict[str, frozenset[str]],
                  explained: Sequence[str] = ()) -> dict:
    """Apply the chosen consistent logical forms to a labelled relation corpus; coverage and precision, over all
    sentences and over those that are not an explained sentence (``explained``: their texts, whitespace-normalised;
    a rule is consistent with its own sentence by construction, so those would flatter the precision)."""
    import numpy as np

    from nle.matching.aggregate import majority_vote
    from nle.matching.analysis import analyse
    from nle.matching.annotate import annotate
    from nle.rules.build import filter_rules
    from nle.types import ABSTAIN, LabelingRule

    if task == "semeval":
        from nle.data.readers.semeval2010 import SEMEVAL2010_LABELS as labels
        from nle.data.readers.semeval2010 import read_semeval2010 as reader
    else:
        from nle.data.readers.tacred import TACRED_LABELS as labels
        from nle.data.readers.tacred import read_tacred as reader
    examples = reader(sentences)
    rules = [LabelingRule(e["id"], labels.index(e["label"]), e["logical_form"], source=e["text"])
             for e in report["explanations"]]
    corpus = annotate(examples)
    # BabbleLabble's filters: consistency with the own example, uniform signature, duplicate semantics.
    matrix, kept, why = filter_rules(rules, [e["consistent"] for e in report["explanations"]], corpus, lexicons)
    L = matrix.labels[:, kept]
    gold = np.array([labels.index(ex.label) for ex in examples])
    vote = majority_vote(L, len(labels))
    covered = (L != ABSTAIN).any(axis=1)
    decided = vote != ABSTAIN
    stats = analyse(L, gold, names=[matrix.rule_names[j] for j in kept], faults=matrix.faults[kept])
    own = {_placeholder_key(t.split()) for t in explained}
    keys = []
    for i, ex in enumerate(examples):
        words = [w.lower() for w in ex.tokens]
        for role in ("OBJ", "SUBJ") if corpus.roles["OBJ"][i, 0] > corpus.roles["SUBJ"][i, 0] else ("SUBJ", "OBJ"):
            a, b = (int(x) for x in corpus.roles[role][i])
            words[a:b] = [role.lower()]
        keys.append(" ".join(words))
    rest = np.array([k not in own for k in keys])
    d_rest = decided & rest
    return {
        "n_explained_in_corpus": int((~rest).sum()),
        "coverage_unexplained": float(covered[rest].mean()) if rest.any() else None,
        "precision_unexplained": float((vote[d_rest] == gold[d_rest]).mean()) if d_rest.any() else None,
        "sentences": str(sentences), "n_sentences": len(examples), "n_rules": len(kept),
        "dropped": {reason: sum(1 for r in why.values() if r == reason)
                    for reason in ("inconsistent", "uniform", "duplicate")},
        "coverage": float(covered.mean()), "n_covered": int(covered.sum()), "n_decided": int(decided.sum()),
        "precision": float((vote[decided] == gold[decided]).mean()) if decided.any() else None,
        "vote_accuracy": stats.accuracy, "faults": matrix.fault_report(),
    }


def main(argv: Sequence[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m nle.parsing", description=__doc__.splitlines()[0])
    ap.add_argument("--explanations")
    ap.add_argument("--format", choices=sorted(DOMAIN_OF_FORMAT))
    ap.add_argument("--gold", action="append", default=[], metavar="FILE",
                    help="a gold logical-form set to score the parses against (repeatable)")
    ap.add_argument("--ranker", choices=["default", "trained"], default="default",
                    help="how the rule pipeline ranks consistent candidates (with --gold)")
    ap.add_argument("--corpus", help="with one --gold: the corpus file denotations are computed on")
    ap.add_argument("--markdown", help="with --gold: also write the summary tables as Markdown to this file")
    ap.add_argument("--task", choices=["semeval", "tacred"])
    ap.add_argument("--sentences", help="labelled relation corpus to hard-match the rules on (with --format next)")
    ap.add_argument("--out")
    ap.add_argument("--beam", type=int, default=12)
    ap.add_argument("--checker", choices=["matching", "self", "none"], default="matching")
    ap.add_argument("--train", action="store_true", help="fit the ranker on consistency labels before choosing")
    args = ap.parse_args(argv)
    if args.explanations is None:
        if not args.gold:
            ap.error("give --explanations FILE --format F, or --gold FILE")
        return gold_main(args)
    if args.format is None:
        ap.error("--format is required with --explanations")
    if args.sentences and args.format != "next":
        ap.error("--sentences needs --format next (a labelled relation corpus to hard-match the rules on)")
    explanations = read(args.explanations, args.format, args.task)
    lexicons = load_lexicons()
    checker: Callable[[Explanation, LogicalForm], bool] | None = None
    if args.checker == "matching":
        checker = matching_checker(explanations, lexicons)
    elif args.checker == "self":
        checker = make_checker(lexicons=lexicons)
    report = parse_explanations(explanations, domain=DOMAIN_OF_FORMAT[args.format], beam=args.beam,
                                is_consistent=checker, train=args.train)
    out = {"file": str(args.explanations), "format": args.format, "task": args.task, "checker": args.checker,
           **report.to_dict()}
    if args.sentences:
        out["matching"] = hard_matching(out, args.sentences, args.task, lexicons,
                                        [" ".join(e.example.tokens) for e in explanations if e.example is not None])
    if args.gold:
        out["gold"] = gold_sets(args, lexicons)
    text = json.dumps(out, indent=1, sort_keys=False)
    if args.out:
        write_text_atomic(args.out, text + "\n")
    summary = {k: out[k] for k in ("n_explanations", "n_parsed", "n_consistent")}
    if "matching" in out:
        summary.update({k: out["matching"][k] for k in ("coverage", "precision", "vote_accuracy")})
    print(json.dumps(summary), file=sys.stdout)
    return out


def gold_sets(args: argparse.Namespace, lexicons: dict[str, frozenset[str]]) -> dict:
    """Every ``--gold`` set scored (``nle.rules.accuracy.evaluate_gold``), by set name; prints one line per part."""
    from nle.rules.accuracy import evaluate_gold, markdown

    if args.corpus and len(args.gold) != 1:
        raise SystemExit("--corpus names the corpus of one gold set: give exactly one --gold")
    out, tables = {}, []
    for path in args.gold:
        res = evaluate_gold(path, lexicons=lexicons, ranker=args.ranker, corpus=args.corpus, beam=args.beam)
        out[res["set"]] = res
        tables.append(markdown(res["set"], res["summary"]))
        for part in ("dev", "heldout", "all"):
            s = res["summary"][part]
            print(json.dumps({"set": res["set"], "part": part, **{k: s[k] for k in (
                "n", "n_parsed", "n_consistent", "n_exact", "n_accurate", "n_beam_exact", "n_beam_accurate")}}))
    if args.markdown:
        write_text_atomic(args.markdown, "\n".join(tables))
    return out


def gold_main(args: argparse.Namespace) -> dict:
    out = {"ranker": args.ranker, "gold": gold_sets(args, load_lexicons())}
    if args.out:
        write_text_atomic(args.out, json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
