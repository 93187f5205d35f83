"""Explanations into labelling rules: parse, check each form on its own example, filter, hard-match on a corpus.

:func:`explanation_rules` is the pipeline every project uses (NExT's rules, the parser CLI's report):

1. parse every explanation (``nle.parsing``), choosing the best candidate that labels its own example
   correctly under ``nle.matching``'s reference interpreter (:func:`matching_checker`);
2. hard-match the chosen forms on a corpus (the label matrix);
3. BabbleLabble's filters: drop inconsistent forms, forms that fire everywhere or nowhere, duplicates.

Parsing is cached on disk (JSON, keyed by the explanations and the parser's source), so a training run does not
re-parse. Nothing is ever evaluated as code.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nle.atomic import write_text_atomic
from nle.logic.forms import LogicalForm, bind_phrases, from_dict, to_dict
from nle.logic.registry import LEXICONS
from nle.types import Explanation, LabelingRule


def load_lexicons() -> dict[str, frozenset[str]]:
    """The registry's lexicons read from ``$NLE_DATA_DIR`` (a missing file, e.g. ``hate``, gives an empty set)."""
    from nle.data.readers.remote import read_lexicon, read_mpqa_lexicon

    root = os.environ.get("NLE_DATA_DIR")
    out: dict[str, frozenset[str]] = {}
    for name, lex in LEXICONS.items():
        path = Path(root or ".") / lex.path
        if root is None or not path.exists():
            out[name] = frozenset()
        elif name.startswith("sentiment_"):
            pol = name.split("_", 1)[1]
            out[name] = frozenset(e.word for e in read_mpqa_lexicon(path) if e.polarity == pol)
        else:
            out[name] = read_lexicon(path)
    return out


def matching_checker(explanations: Sequence[Explanation],
                     lexicons: dict[str, frozenset[str]]) -> Callable[[Explanation, LogicalForm], bool]:
    """``is_consistent`` backed by ``nle.matching``: spaCy-annotate the own examples, run ``execute_one``."""
    from nle.matching.annotate import annotate
    from nle.matching.reference import execute_one
    from nle.matching.semantics import ExecutionError

    with_ex = [e for e in explanations if e.example is not None]
    corpus = annotate([e.example for e in with_ex], use_cache=False)  # type: ignore[misc]
    index = {e.id: i for i, e in enumerate(with_ex)}

    def is_consistent(e: Explanation, lf: LogicalForm) -> bool:
        if e.id not in index or e.example is None:
            return False
        roles = {s.role for s in e.example.spans}
        lf2 = bind_phrases(lf, {k: str(e.meta.get(k) or "") for k in ("X", "Y", "Z") if k not in roles})
        try:
            fires, _ = execute_one(lf2, corpus.example(index[e.id]), lexicons)
        except ExecutionError:
            return False
        return fires
    return is_consistent


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The kept rules (``rules[j].label`` is an index into the label names), their label matrix on the corpus
    ``labels`` (N, R) with ABSTAIN = -1, and why the other explanations were dropped (``dropped``: id -> reason)."""

    rules: tuple[LabelingRule, ...]
    labels: np.ndarray
    dropped: Mapping[str, str]
    n_explanations: int


def _parser_source_hash() -> str:
    """Of every source file the chosen forms depend on: the parser, the logic layer, the matcher, this package."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for pkg in ("parsing", "logic", "matching", "rules"):
        for f in sorted((root / pkg).glob("*.py")):
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


RANKERS: tuple[str, ...] = ("default", "trained")
"""How the pipeline picks a form among an explanation's consistent candidates: the best under the hand-set default
weights, or under weights first trained on the set's consistency labels (weak supervision; ``nle.parsing.ranker``)."""


def choose(explanations: Sequence[Explanation], *, domain: str, lexicons: Mapping[str, Collection[str]],
           ranker: str = "default", beam: int = 12) -> Any:
    """Parse every explanation and choose the form the pipeline uses: the best candidate that labels its own
    example correctly (the top one when none does), ranked by ``ranker`` (:data:`RANKERS`). A ``ParseReport``."""
    from nle.parsing.report import parse_explanations

    if ranker not in RANKERS:
        raise ValueError(f"ranker must be one of {RANKERS}, got {ranker!r}")
    return parse_explanations(explanations, domain=domain, beam=beam,
                              is_consistent=matching_checker(explanations, dict(lexicons)), train=ranker == "trained")


def parse_cached(explanations: Sequence[Explanation], *, domain: str, lexicons: Mapping[str, Collection[str]],
                 cache_dir: Path | None = None, ranker: str = "default") -> list[tuple[Explanation, LogicalForm | None, bool]]:
    """``(explanation, chosen form or None, consistent)`` per explanation (:func:`choose`), parsed once and cached
    as JSON."""
    from nle.matching.annotate import default_cache_dir

    key = hashlib.sha256(json.dumps([[e.id, e.text, e.label, e.example.text if e.example else None]
                                     for e in explanations]).encode() + _parser_source_hash().encode()
                         + domain.encode() + ranker.encode()).hexdigest()[:20]
    path = (cache_dir or default_cache_dir()) / f"parse-{key}.json"
    if path.exists():
        rows = json.loads(path.read_text(encoding="utf-8"))
        chosen = {r["id"]: r for r in rows}
    else:
        report = choose(explanations, domain=domain, lexicons=lexicons, ranker=ranker)
        chosen = {p.explanation.id: {"id": p.explanation.id, "lf": to_dict(p.chosen.logical_form),
                                     "consistent": p.is_consistent} for p in report.parsed}
        write_text_atomic(path, json.dumps(list(chosen.values())) + "\n")
    out = []
    for e in explanations:
        row = chosen.get(e.id)
        out.append((e, from_dict(row["lf"]) if row else None, bool(row and row["consistent"])))
    return out


def filter_rules(rules: Sequence[LabelingRule], consistent: Sequence[bool], corpus: Any,
                 lexicons: Mapping[str, Collection[str]]) -> tuple[Any, list[int], dict[int, str]]:
    """Hard-match ``rules`` on ``corpus`` and apply BabbleLabble's filters: ``(label matrix of every rule,
    indices of the kept rules, rule index -> why it was dropped)``."""
    from nle.matching.apply import apply_rules
    from nle.rules.filters import babble_filters

    matrix = apply_rules(rules, corpus, lexicons=lexicons)
    filtered = babble_filters(list(consistent), matrix.labels.T.tolist())
    return matrix, list(filtered.kept), dict(filtered.dropped)


def explanation_rules(explanations: Sequence[Explanation], corpus: Any, label_names: Sequence[str], *,
                      domain: str = "relation", lexicons: Mapping[str, Collection[str]] | None = None,
                      cache_dir: Path | None = None, ranker: str = "default") -> RuleSet:
    """Parse, hard-match on ``corpus`` (an ``AnnotatedCorpus``) and filter: the rules a labelling method uses."""
    lexicons = load_lexicons() if lexicons is None else lexicons
    parsed = parse_cached(explanations, domain=domain, lexicons=lexicons, cache_dir=cache_dir, ranker=ranker)
    dropped = {e.id: "unparsed" for e, lf, _ in parsed if lf is None}
    cand = [(e, lf, ok) for e, lf, ok in parsed if lf is not None]
    index = {name: i for i, name in enumerate(label_names)}
    rules = [LabelingRule(e.id, index[e.label], lf, source=e.text) for e, lf, _ in cand]
    matrix, kept, why = filter_rules(rules, [ok for _, _, ok in cand], corpus, lexicons)
    dropped.update({cand[r][0].id: reason for r, reason in why.items()})
    return RuleSet(tuple(rules[j] for j in kept), matrix.labels[:, kept], dropped, len(explanations))
