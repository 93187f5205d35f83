"""Denotations of logical forms over a corpus: where a form fires, to compare two forms by what they mean.

Two forms *denote the same* when they fire on the same items of a corpus. The items, per domain:

* **relation**: sentences with their ``SUBJ`` / ``OBJ`` spans (the 8,000 SemEval-2010 training sentences, SUBJ =
  e1 and OBJ = e2; for TACRED-style sets also every sentence with the two roles swapped, and the sets' own
  sentences). The result is an ``(N,)`` bool array.
* **remote**: posts (the GHC training posts and the explanations' own posts). ``X`` / ``Y`` / ``Z`` are bound to
  the explanation's reference phrases (as the consistency check binds them), so a form fires on a post where
  those words stand in the relations the form states. An ``(N,)`` bool array.
* **mrc**: (question, context, candidate answer) triples: every pool question with its context (SQuAD v1.1 dev
  articles, and the explanations' own questions) and, as the answer, every span of 1 to ``max_answer`` words inside
  one sentence that neither starts nor ends with punctuation (the own gold answer too). ``X`` / ``Y`` / ``Z`` are
  bound to their reference phrases. A form is run only on the pairs that contain every phrase its top-level
  conjuncts need (:func:`required_phrases`, a necessary condition, so nothing is lost), batched over the
  candidates of a pair. The result is a frozenset of ``(pair, start, end)``.

:func:`jaccard` compares two denotations (two empty ones are equal: 1.0).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nle.logic.check import phrase_tokens
from nle.logic.forms import Call, Lit, LogicalForm, Var, bind_phrases
from nle.logic.normal import canonical
from nle.types import Example, Explanation

Denotation = Any  # np.ndarray (relation, remote) or frozenset[tuple[int, int, int]] (mrc)

SEMEVAL_TRAIN = "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_FILE.TXT"
GHC_TRAIN = "gab_hate_corpus/osf_release_copy/ghc_train.tsv"
SQUAD_POOL = "squad_v1.1/dev-v1.1.articles-00-31.json"
_PATTERN = frozenset({"equals", "contains", "starts_with", "ends_with"})
_NO_NEED = frozenset({"count", "length"})


def jaccard(a: Denotation, b: Denotation) -> float:
    """|a ∩ b| / |a ∪ b| of two denotations of the same kind; 1.0 when both are empty."""
    if isinstance(a, np.ndarray):
        union = int((a | b).sum())
        return 1.0 if union == 0 else int((a & b).sum()) / union
    union = len(a | b)
    return 1.0 if union == 0 else len(a & b) / union


def size(d: Denotation) -> int:
    return int(d.sum()) if isinstance(d, np.ndarray) else len(d)


def bindings(e: Explanation) -> dict[str, str]:
    """The explanation's variables bound to reference phrases (MRC / REMOTE ``X``, ``Y``, ``Z``)."""
    return {k: str(e.meta.get(k) or "").strip() for k in ("X", "Y", "Z") if str(e.meta.get(k) or "").strip()}


def _atom_phrases(lf: LogicalForm) -> list[tuple[str, ...]]:
    if not isinstance(lf, Call) or lf.op in ("and", "or", "not", "at") or lf.op in _NO_NEED:
        return []
    if lf.op in ("eq", "ne", "lt", "le", "gt", "ge"):
        return [p for a in lf.args for p in _atom_phrases(a)]
    out = []
    for i, a in enumerate(lf.args):
        if isinstance(a, Lit) and a.type == "str" and not (lf.op in _PATTERN and i == 1):
            out.append(phrase_tokens(str(a.value)))
    return out


def required_phrases(lf: LogicalForm, domain: str = "mrc") -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """Phrases that must occur in the main text and in the question for ``lf`` to fire: the phrase arguments of
    its top-level conjuncts (a phrase with no occurrence makes a predicate false; patterns and counts excepted)."""
    c = canonical(lf, domain)
    conjuncts = c.args if isinstance(c, Call) and c.op == "and" else (c,)
    main: set[tuple[str, ...]] = set()
    question: set[tuple[str, ...]] = set()
    for x in conjuncts:
        if isinstance(x, Call) and x.op == "at" and isinstance(x.args[0], Var):
            (question if x.args[0].name == "Question" else main).update(_atom_phrases(x.args[1]))
        else:
            main.update(_atom_phrases(x))
    return main, question


class RelationDenoter:
    """Denotations over an annotated relation or post corpus (vectorised execution, memoised per form)."""

    def __init__(self, corpus: Any, lexicons: Mapping[str, Collection[str]], *, bind: bool = False) -> None:
        from nle.matching.execute import Executor

        self.corpus, self.bind = corpus, bind
        self.run = Executor(corpus, lexicons)
        self.memo: dict[LogicalForm, np.ndarray] = {}

    def __call__(self, lf: LogicalForm, e: Explanation) -> np.ndarray:
        if self.bind:
            lf = bind_phrases(lf, bindings(e))
        if lf not in self.memo:
            self.memo[lf] = self.run(lf).fires
        return self.memo[lf]


@dataclass(frozen=True, eq=False)
class _Pairs:
    corpus: Any  # AnnotatedCorpus of (context, question) pairs, no roles
    main: list[str]  # per pair: "\x00w1\x00w2\x00...\x00" of the context's lowercased words, for phrase lookups
    question: list[str]
    candidates: list[list[tuple[int, int]]]


def _joined(words: Iterable[str]) -> str:
    return "\x00" + "\x00".join(words) + "\x00"


def _has(haystack: str, phrase: tuple[str, ...]) -> bool:
    return _joined(phrase) in haystack


def answer_candidates(ex: Any, max_answer: int) -> list[tuple[int, int]]:
    """Spans of 1..``max_answer`` words inside one sentence that neither start nor end with punctuation."""
    n, out = len(ex.tokens), []
    punct = [p == "PUNCT" for p in ex.pos]
    for s in range(n):
        if punct[s]:
            continue
        for e in range(s + 1, min(n, s + max_answer) + 1):
            if ex.sentences[e - 1] != ex.sentences[s]:
                break
            if not punct[e - 1]:
                out.append((s, e))
    return out


class MRCDenoter:
    """Denotations over (question, context, candidate answer) triples (see the module doc)."""

    def __init__(self, sources: Sequence[Any], lexicons: Mapping[str, Collection[str]], *,
                 max_answer: int = 8) -> None:
        """``sources``: annotated corpora of contexts with their questions (one example per question)."""
        self.lexicons, self.max_answer = lexicons, max_answer
        self.pairs: list[_Pairs] = []
        for corpus in sources:
            exs = corpus.examples()
            cands = []
            for ex in exs:
                c = answer_candidates(ex, max_answer)
                if "ANS" in ex.roles and ex.roles["ANS"] not in c:
                    c.append(ex.roles["ANS"])
                cands.append(c)
            self.pairs.append(_Pairs(corpus, [_joined(ex.words) for ex in exs],
                                     [_joined(ex.question.words) if ex.question else "\x00" for ex in exs], cands))
        self.memo: dict[LogicalForm, frozenset] = {}

    def denote_all(self, forms: Sequence[LogicalForm]) -> list[frozenset]:
        """Denotations of many bound forms at once: one batched execution per pair for every form it may fire on."""
        from nle.matching.execute import Executor

        todo = [lf for lf in dict.fromkeys(forms) if lf not in self.memo]
        need = {lf: required_phrases(lf, "mrc") for lf in todo}
        found: dict[LogicalForm, set[tuple[int, int, int]]] = {lf: set() for lf in todo}
        base = 0
        for src in self.pairs:
            for i in range(src.corpus.n):
                live = [lf for lf in todo if all(_has(src.main[i], p) for p in need[lf][0])
                        and all(_has(src.question[i], p) for p in need[lf][1])]
                if not live or not src.candidates[i]:
                    continue
                spans = src.candidates[i]
                batch = src.corpus.take([i] * len(spans), [{"ANS": sp} for sp in spans])
                run = Executor(batch, self.lexicons)
                for lf in live:
                    for k in np.flatnonzero(run(lf).fires):
                        found[lf].add((base + i, *spans[k]))
            base += src.corpus.n
        for lf in todo:
            self.memo[lf] = frozenset(found[lf])
        return [self.memo[lf] for lf in forms]

    def __call__(self, lf: LogicalForm, e: Explanation) -> frozenset:
        lf = bind_phrases(lf, bindings(e))
        return self.denote_all([lf])[0]

    def bind(self, lf: LogicalForm, e: Explanation) -> LogicalForm:
        return bind_phrases(lf, bindings(e))


def _data(path: str) -> Path:
    from nle.data.errors import data_dir

    return data_dir() / path


def relation_corpus(explanations: Sequence[Explanation], *, swapped: bool, train_file: str | None = None) -> Any:
    """The SemEval training sentences (SUBJ = e1, OBJ = e2), with ``swapped`` also each with the roles swapped and
    the explanations' own sentences appended (TACRED-style sets, whose own corpus is licensed)."""
    from nle.data.readers.semeval2010 import read_semeval2010
    from nle.matching.annotate import annotate

    train = annotate(read_semeval2010(train_file or _data(SEMEVAL_TRAIN)))
    if not swapped:
        return train
    roles = [{"SUBJ": (int(train.roles["OBJ"][i, 0]), int(train.roles["OBJ"][i, 1])),
              "OBJ": (int(train.roles["SUBJ"][i, 0]), int(train.roles["SUBJ"][i, 1]))} for i in range(train.n)]
    own = [e.example for e in explanations if e.example is not None]
    from nle.matching.corpus import AnnotatedCorpus

    exs = train.examples() + train.take(range(train.n), roles).examples() + annotate(own).examples()
    return AnnotatedCorpus.from_examples(exs)


def remote_corpus(explanations: Sequence[Explanation], posts_file: str | None = None) -> Any:
    """The GHC training posts and the explanations' own posts (no roles: X / Y / Z are bound as phrases)."""
    from nle.data.readers.hate import read_ghc
    from nle.matching.annotate import annotate

    posts = [ex for ex in read_ghc(posts_file or _data(GHC_TRAIN))]
    own = [e.example for e in explanations if e.example is not None]
    own = [Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label=ex.label) for ex in own]
    return annotate(posts + own)


def mrc_sources(explanations: Sequence[Explanation], pool_file: str | None = None) -> list[Any]:
    """Annotated (context, question) pairs: the SQuAD pool (contexts annotated once each) and the own examples."""
    from nle.data.readers.squad import read_squad
    from nle.matching.annotate import annotate
    from nle.matching.corpus import AnnotatedCorpus

    pool = read_squad(pool_file or _data(SQUAD_POOL))
    contexts: dict[str, int] = {}
    ctx_examples: list[Example] = []
    for ex in pool:
        if ex.text not in contexts:
            contexts[ex.text] = len(ctx_examples)
            ctx_examples.append(Example(f"ctx-{len(ctx_examples)}", ex.text, ex.tokens, ex.token_offsets))
    ctx = annotate(ctx_examples)
    from nle.data.tokenize import example_from_text

    questions = annotate([example_from_text(ex.id, ex.question or "") for ex in pool])
    pairs = ctx.take([contexts[ex.text] for ex in pool], [{} for _ in pool])
    pairs = AnnotatedCorpus.assemble(pairs.columns, [ex.id for ex in pool], [None] * len(pool),
                                     [{} for _ in pool], [{} for _ in pool], questions, np.ones(len(pool), bool))
    own = annotate([e.example for e in explanations if e.example is not None])
    return [pairs, own]
