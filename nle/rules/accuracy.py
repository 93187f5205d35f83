"""Parse accuracy against gold logical forms: exact match, denotation accuracy, and the same for the beam.

Per explanation of a gold set (:mod:`nle.rules.gold`):

* ``parsed``: the parser returned a form; ``consistent``: the form the pipeline *uses* fires on its own example;
* ``exact``: that form equals the gold form up to :mod:`nle.logic.normal` (commutativity, argument order, ...);
* ``accurate``: it fires on the same items of the set's corpus as the gold form (:mod:`nle.rules.denotation`),
  Jaccard >= ``threshold`` (0.9);
* ``beam_exact`` / ``beam_accurate``: some candidate of the beam is exact / accurate, which tells a ranking error
  (the meaning was in the beam) from a grammar gap (it never was); ``gold_rank``: where the first exact one is.

Each record is tagged with the *phenomena* of its gold form (:func:`phenomena`), and the counts are reported for
the set's ``dev`` part, its ``heldout`` third and ``all``, overall and per phenomenon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nle.logic.forms import Call, Lit, LogicalForm, Var, render
from nle.logic.normal import canonical
from nle.rules.denotation import jaccard, size
from nle.rules.gold import GoldSet
from nle.types import Explanation

PHENOMENA: tuple[str, ...] = ("conjunction", "negation", "counting/distance", "direction", "exclusivity",
                              "quoted phrases", "NER/chunk types", "lexicons", "dependency distance", "strings",
                              "question/context scope")

_DIRECTION = frozenset({"left", "right", "directly_before", "directly_after", "left_within", "right_within"})
_DISTANCE = frozenset({"count_between", "count", "length", "left_within", "right_within", "within", "apart"})
_STRINGS = frozenset({"equals", "contains", "starts_with", "ends_with", "is_upper", "is_lower", "is_capitalized"})


def _walk(lf: LogicalForm):
    yield lf
    if isinstance(lf, Call):
        for a in lf.args:
            yield from _walk(a)


def phenomena(lf: LogicalForm) -> tuple[str, ...]:
    """The phenomena a (gold) form exhibits, in :data:`PHENOMENA` order.

    >>> from nle.logic.forms import from_text
    >>> phenomena(from_text('and(sandwich(SUBJ, OBJ, "of"), le(count_between(SUBJ, OBJ), 3), left(SUBJ, OBJ))'))
    ('conjunction', 'counting/distance', 'direction', 'exclusivity', 'quoted phrases')
    """
    nodes = list(_walk(lf))
    ops = {n.op for n in nodes if isinstance(n, Call)}
    lits = {n.type for n in nodes if isinstance(n, Lit)}
    names = {n.name for n in nodes if isinstance(n, Var)}
    found = {
        "conjunction": any(isinstance(n, Call) and n.op in ("and", "all", "or", "any") and len(n.args) > 1
                           for n in nodes),
        "negation": bool(ops & {"not", "none"}),
        "counting/distance": bool(ops & _DISTANCE) or ("dep_distance" not in ops and "int" in lits),
        "direction": bool(ops & _DIRECTION),
        "exclusivity": "sandwich" in ops,
        "quoted phrases": "str" in lits,
        "NER/chunk types": bool(ops & {"ner", "chunk", "pos"}),
        "lexicons": "lexicon" in ops,
        "dependency distance": "dep_distance" in ops,
        "strings": bool(ops & _STRINGS),
        "question/context scope": "at" in ops or bool(names & {"Question", "Context", "Sentence"}),
    }
    return tuple(p for p in PHENOMENA if found[p])


@dataclass(frozen=True)
class RecordResult:
    id: str
    part: str
    text: str
    gold: str
    chosen: str | None
    parsed: bool
    consistent: bool
    exact: bool
    jaccard: float | None
    accurate: bool
    beam_exact: bool
    beam_accurate: bool
    gold_rank: int | None
    n_gold: int
    n_chosen: int | None
    phenomena: tuple[str, ...]
    unsupported: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def evaluate_set(gold: GoldSet, explanations: Sequence[Explanation], report: Any,
                 denote: Callable[[LogicalForm, Explanation], Any], *, threshold: float = 0.9,
                 beam: bool = True, prepare: Callable[[Sequence[tuple[LogicalForm, Explanation]]], None] | None = None,
                 ) -> list[RecordResult]:
    """Score the pipeline's parses (``report``: a :class:`~nle.parsing.report.ParseReport` of ``explanations``)
    against ``gold``. ``denote(form, explanation)`` gives a form's denotation; ``prepare`` may compute many at once
    first (MRC batches them per context)."""
    by_id = {p.explanation.id: p for p in report.parsed}
    domain = gold.domain
    if prepare is not None:
        todo: list[tuple[LogicalForm, Explanation]] = []
        for r, e in zip(gold.records, explanations):
            todo.append((r.form, e))
            p = by_id.get(e.id)
            if p is not None:
                todo += [(c.logical_form, e) for c in (p.candidates if beam else (p.chosen,))]
        prepare(todo)
    out = []
    for r, e in zip(gold.records, explanations):
        g = denote(r.form, e)
        gc = canonical(r.form, domain)
        p = by_id.get(e.id)
        if p is None:
            out.append(RecordResult(r.id, "heldout" if r.heldout else "dev", r.text, render(r.form), None, False,
                                    False, False, None, False, False, False, None, size(g), None,
                                    phenomena(r.form), r.unsupported))
            continue
        chosen = p.chosen.logical_form
        j = jaccard(denote(chosen, e), g)
        exact = canonical(chosen, domain) == gc
        rank, beam_acc = None, False
        if beam:
            for k, c in enumerate(p.candidates):
                if rank is None and canonical(c.logical_form, domain) == gc:
                    rank = k
                if not beam_acc and jaccard(denote(c.logical_form, e), g) >= threshold:
                    beam_acc = True
        out.append(RecordResult(r.id, "heldout" if r.heldout else "dev", r.text, render(r.form), render(chosen), True,
                                p.is_consistent, exact, j, j >= threshold, rank is not None or exact,
                                beam_acc or j >= threshold, rank, size(g), size(denote(chosen, e)),
                                phenomena(r.form), r.unsupported))
    return out


_COUNTS = ("parsed", "consistent", "exact", "accurate", "beam_exact", "beam_accurate")


def summarise(results: Sequence[RecordResult]) -> dict[str, Any]:
    """Counts per part (``dev``, ``heldout``, ``all``), each with a per-phenomenon breakdown."""
    out: dict[str, Any] = {}
    for part in ("dev", "heldout", "all"):
        rs = [r for r in results if part == "all" or r.part == part]
        row: dict[str, Any] = {"n": len(rs), **{f"n_{k}": sum(getattr(r, k) for r in rs) for k in _COUNTS}}
        row["accuracy"] = row["n_accurate"] / len(rs) if rs else None
        row["phenomena"] = {}
        for ph in PHENOMENA:
            sub = [r for r in rs if ph in r.phenomena]
            if sub:
                row["phenomena"][ph] = {"n": len(sub), **{f"n_{k}": sum(getattr(r, k) for r in sub)
                                                          for k in ("exact", "accurate", "beam_accurate")}}
        out[part] = row
    return out


def markdown(name: str, summary: dict[str, Any]) -> str:
    """A Markdown table of one set's summary: a row per part and per phenomenon."""
    head = "| set / part | n | parsed | consistent | exact | accurate | gold in beam | accurate in beam |\n" \
           "|---|---:|---:|---:|---:|---:|---:|---:|\n"
    lines = []
    for part in ("dev", "heldout", "all"):
        s = summary[part]
        lines.append(f"| {name} {part} | {s['n']} | {s['n_parsed']} | {s['n_consistent']} | {s['n_exact']} | "
                     f"{s['n_accurate']} | {s['n_beam_exact']} | {s['n_beam_accurate']} |")
    for ph, s in summary["all"]["phenomena"].items():
        lines.append(f"| {name} · {ph} | {s['n']} | | | {s['n_exact']} | {s['n_accurate']} | | "
                     f"{s['n_beam_accurate']} |")
    return head + "\n".join(lines) + "\n"


def denoter_for(gold: GoldSet, explanations: Sequence[Explanation], lexicons: Any, corpus: str | None = None
                ) -> tuple[Callable[[LogicalForm, Explanation], Any], Callable[..., None] | None, str]:
    """``(denote, prepare, description)`` for a gold set's domain (:mod:`nle.rules.denotation`); ``corpus``
    replaces the default file (SemEval ``TRAIN_FILE.TXT``, GHC ``ghc_train.tsv``, SQuAD JSON)."""
    from nle.rules import denotation as D

    if gold.domain == "relation":
        swapped = gold.name != "semeval"
        c = D.relation_corpus(explanations, swapped=swapped, train_file=corpus)
        what = (f"{c.n} relation items: SemEval-2010 training sentences (SUBJ = e1, OBJ = e2)"
                + (", the same with the roles swapped, and the set's own sentences" if swapped else ""))
        return D.RelationDenoter(c, lexicons), None, what
    if gold.domain == "remote":
        c = D.remote_corpus(explanations, corpus)
        return D.RelationDenoter(c, lexicons, bind=True), None, \
            f"{c.n} posts: GHC training posts and the set's own posts (X / Y / Z bound to their reference phrases)"
    sources = D.mrc_sources(explanations, corpus)
    den = D.MRCDenoter(sources, lexicons)

    def prepare(pairs: Sequence[tuple[LogicalForm, Explanation]]) -> None:
        den.denote_all([den.bind(lf, e) for lf, e in pairs])
    return den, prepare, (f"(question, context, candidate answer) triples of {sources[0].n} SQuAD pool questions and "
                          f"{sources[1].n} own questions; answers: spans of 1-{den.max_answer} words in one sentence")


def evaluate_gold(path: str, *, lexicons: Any = None, ranker: str = "default", corpus: str | None = None,
                  beam: int = 12, threshold: float = 0.9) -> dict[str, Any]:
    """The whole measurement for one gold file: parse its explanations as the pipeline does
    (:func:`nle.rules.build.choose`), score them, summarise. JSON-ready."""
    import time

    from nle.rules.build import choose, load_lexicons
    from nle.rules.gold import gold_explanations, read_gold, read_sources

    t0 = time.perf_counter()
    lexicons = load_lexicons() if lexicons is None else lexicons
    gold = read_gold(path)
    exps = gold_explanations(gold, read_sources(gold))
    report = choose(exps, domain=gold.domain, lexicons=lexicons, ranker=ranker, beam=beam)
    t_parse = time.perf_counter() - t0
    denote, prepare, what = denoter_for(gold, exps, lexicons, corpus)
    results = evaluate_set(gold, exps, report, denote, threshold=threshold, prepare=prepare)
    return {"set": gold.name, "file": str(path), "domain": gold.domain, "ranker": ranker, "threshold": threshold,
            "corpus": what, "seconds_parse": round(t_parse, 2), "seconds_total": round(time.perf_counter() - t0, 2),
            "summary": summarise(results), "records": [r.to_dict() for r in results]}
