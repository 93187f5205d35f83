"""Annotated examples, one at a time (:class:`AnnotatedExample`) and columnar (:class:`AnnotatedCorpus`).

The columnar corpus is what vectorised rule execution runs on. For N examples with T tokens in all it holds flat
arrays over all tokens plus per-example offsets, so example ``i`` owns tokens ``offsets[i]:offsets[i+1]``:

================  =========  ===================================================================
field             shape      meaning
================  =========  ===================================================================
``offsets``       (N+1,)     token offsets of the examples
``token``         (T,)       id in ``strings`` of the word as written
``lower``         (T,)       id in ``strings`` of the lowercased word
``lemma``         (T,)       id in ``strings`` of the lowercased lemma
``pos``           (T,)       id in ``pos_vocab`` (universal POS)
``ner``           (T,)       id in ``ner_vocab`` (entity type of the token, ``"O"`` outside entities)
``dep``           (T,)       id in ``dep_vocab`` (dependency label)
``head``          (T,)       index of the head word inside its example (a root is its own head)
``noun_chunk``    (T,)       index of the noun chunk the word is in (per example), ``-1`` outside
``verb_phrase``   (T,)       index of the verb phrase the word is in (per example), ``-1`` outside
``entity``        (T,)       index of the named entity the word is in (per example), ``-1`` outside
``sentence``      (T,)       index of the sentence the word is in (per example)
``roles[r]``      (N, 2)     word span ``[start, end)`` of role ``r`` (``SUBJ``, ``OBJ``, ``X``, ...), ``-1`` if absent
``role_types[r]`` (N,)       id in ``ner_vocab`` of the type the data gives the role (TACRED), ``-1`` if none
================  =========  ===================================================================

``question`` is a second corpus with the same N (the MRC questions; empty examples where there is none) and
``has_question`` (N,) bool says which examples have one.

>>> ex = AnnotatedExample.from_tags("s", ["Cats", "chase", "mice"], pos=["NOUN", "VERB", "NOUN"],
...                                 roles={"SUBJ": (0, 1), "OBJ": (2, 3)})
>>> corpus = AnnotatedCorpus.from_examples([ex])
>>> corpus.n, corpus.offsets.tolist(), corpus.example(0) == ex
(1, [0, 3], True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

ROLE_OF_SPAN: Mapping[str, str] = {
    "e1": "SUBJ", "subj": "SUBJ", "SUBJ": "SUBJ", "e2": "OBJ", "obj": "OBJ", "OBJ": "OBJ",
    "x": "X", "X": "X", "y": "Y", "Y": "Y", "z": "Z", "Z": "Z", "answer": "ANS", "ANS": "ANS",
    "term": "TERM",
}
"""How ``Span.role`` names map to logical-form variables: SemEval ``e1``/``e2`` and TACRED ``subj``/``obj`` become
``SUBJ``/``OBJ`` (SUBJ = e1, the first entity; the direction lives in the label), MRC ``answer`` becomes ``ANS``,
REMOTE/MRC ``X``/``Y``/``Z`` keep their names, aspect ``term`` becomes ``TERM``."""

TOKEN_FIELDS: tuple[str, ...] = ("token", "lower", "lemma", "pos", "ner", "dep", "head", "noun_chunk", "verb_phrase",
                                 "entity", "sentence")


@dataclass(frozen=True)
class AnnotatedExample:
    """One example with its word-level annotation (pure Python; the oracle :func:`execute_one` reads this).

    Every per-word tuple has one entry per word of ``tokens``; ``lemmas`` are lowercased; ``heads`` are word
    indices (a root is its own head); ``noun_chunks`` / ``verb_phrases`` / ``entities`` give each word's chunk
    (entity) index or ``-1``; ``sentences`` each word's sentence index;
    ``roles`` maps a variable (``SUBJ``) to its word span ``(start, end)``; ``role_types`` to a data-given type.
    """

    id: str
    tokens: tuple[str, ...]
    lemmas: tuple[str, ...]
    pos: tuple[str, ...]
    ner: tuple[str, ...]
    deps: tuple[str, ...]
    heads: tuple[int, ...]
    noun_chunks: tuple[int, ...]
    verb_phrases: tuple[int, ...]
    entities: tuple[int, ...]
    sentences: tuple[int, ...]
    roles: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    role_types: Mapping[str, str] = field(default_factory=dict)
    label: str | None = None
    question: AnnotatedExample | None = None

    def __post_init__(self) -> None:
        n = len(self.tokens)
        for name in ("lemmas", "pos", "ner", "deps", "heads", "noun_chunks", "verb_phrases", "entities", "sentences"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"AnnotatedExample {self.id}: field {name} has {len(getattr(self, name))} entries "
                                 f"for {n} tokens")
        for role, (s, e) in self.roles.items():
            if not 0 <= s <= e <= n:
                raise ValueError(f"AnnotatedExample {self.id}: role {role} span ({s}, {e}) outside 0..{n}")

    @property
    def words(self) -> tuple[str, ...]:
        """The lowercased tokens."""
        return tuple(t.lower() for t in self.tokens)

    @classmethod
    def from_tags(cls, id: str, tokens: Sequence[str], *, lemmas: Sequence[str] | None = None,
                  pos: Sequence[str] | None = None, ner: Sequence[str] | None = None,
                  deps: Sequence[str] | None = None, heads: Sequence[int] | None = None,
                  noun_chunks: Sequence[int] | None = None, verb_phrases: Sequence[int] | None = None,
                  entities: Sequence[int] | None = None, sentences: Sequence[int] | None = None,
                  roles: Mapping[str, tuple[int, int]] | None = None, role_types: Mapping[str, str] | None = None,
                  label: str | None = None, question: AnnotatedExample | None = None) -> AnnotatedExample:
        """Build an example from hand-given tags; missing tags default to: lemma = lowercased word, POS ``X``,
        NER ``O``, dep ``dep``, each word its own head, no chunks, one entity per maximal run of one NER tag,
        one sentence."""
        n = len(tokens)
        ner = tuple(ner) if ner is not None else ("O",) * n
        if entities is None:
            runs, k = [], -1
            for j, tag in enumerate(ner):
                if tag != "O" and not (j > 0 and ner[j - 1] == tag):
                    k += 1
                runs.append(k if tag != "O" else -1)
            entities = runs
        return cls(
            id=id, tokens=tuple(tokens),
            lemmas=tuple(x.lower() for x in (lemmas if lemmas is not None else tokens)),
            pos=tuple(pos) if pos is not None else ("X",) * n,
            ner=ner,
            deps=tuple(deps) if deps is not None else ("dep",) * n,
            heads=tuple(int(h) for h in heads) if heads is not None else tuple(range(n)),
            noun_chunks=tuple(noun_chunks) if noun_chunks is not None else (-1,) * n,
            verb_phrases=tuple(verb_phrases) if verb_phrases is not None else (-1,) * n,
            entities=tuple(entities), sentences=tuple(sentences) if sentences is not None else (0,) * n,
            roles=dict(roles or {}), role_types=dict(role_types or {}), label=label, question=question,
        )


class _Vocab:
    def __init__(self, initial: Sequence[str] = ()) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}
        for s in initial:
            self.id(s)

    def id(self, s: str) -> int:
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.items)
            self.items.append(s)
        return i


@dataclass(frozen=True, eq=False)
class TokenColumns:
    """The token-level arrays of a corpus (what spaCy produces and the cache stores); see the module table."""

    offsets: np.ndarray
    token: np.ndarray
    lower: np.ndarray
    lemma: np.ndarray
    pos: np.ndarray
    ner: np.ndarray
    dep: np.ndarray
    head: np.ndarray
    noun_chunk: np.ndarray
    verb_phrase: np.ndarray
    entity: np.ndarray
    sentence: np.ndarray
    strings: tuple[str, ...]
    pos_vocab: tuple[str, ...]
    ner_vocab: tuple[str, ...]
    dep_vocab: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.offsets) - 1

    def arrays(self) -> dict[str, np.ndarray]:
        return {"offsets": self.offsets, **{f: getattr(self, f) for f in TOKEN_FIELDS}}

    def vocabs(self) -> dict[str, list[str]]:
        return {"strings": list(self.strings), "pos_vocab": list(self.pos_vocab),
                "ner_vocab": list(self.ner_vocab), "dep_vocab": list(self.dep_vocab)}

    @classmethod
    def from_parts(cls, arrays: Mapping[str, np.ndarray], vocabs: Mapping[str, Sequence[str]]) -> TokenColumns:
        return cls(**{k: np.asarray(arrays[k]) for k in ("offsets", *TOKEN_FIELDS)},
                   **{k: tuple(vocabs[k]) for k in ("strings", "pos_vocab", "ner_vocab", "dep_vocab")})

    @classmethod
    def from_examples(cls, examples: Sequence[AnnotatedExample]) -> TokenColumns:
        strings, pos_v, ner_v, dep_v = _Vocab(), _Vocab(), _Vocab(["O"]), _Vocab()
        lens = [len(ex.tokens) for ex in examples]
        offsets = np.zeros(len(examples) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(lens)
        cols: dict[str, list[int]] = {f: [] for f in TOKEN_FIELDS}
        for ex in examples:
            cols["token"] += [strings.id(t) for t in ex.tokens]
            cols["lower"] += [strings.id(t.lower()) for t in ex.tokens]
            cols["lemma"] += [strings.id(t.lower()) for t in ex.lemmas]
            cols["pos"] += [pos_v.id(t) for t in ex.pos]
            cols["ner"] += [ner_v.id(t) for t in ex.ner]
            cols["dep"] += [dep_v.id(t) for t in ex.deps]
            cols["head"] += list(ex.heads)
            cols["noun_chunk"] += list(ex.noun_chunks)
            cols["verb_phrase"] += list(ex.verb_phrases)
            cols["entity"] += list(ex.entities)
            cols["sentence"] += list(ex.sentences)
        return cls(offsets=offsets, **{f: np.asarray(v, dtype=np.int32).reshape(-1) for f, v in cols.items()},
                   strings=tuple(strings.items), pos_vocab=tuple(pos_v.items), ner_vocab=tuple(ner_v.items),
                   dep_vocab=tuple(dep_v.items))

    def take(self, index: Sequence[int] | np.ndarray) -> TokenColumns:
        """The columns of examples ``index`` (repeats allowed), in that order, with the same vocabularies.

        >>> cols = TokenColumns.from_examples([AnnotatedExample.from_tags("a", ["x", "y"]),
        ...                                    AnnotatedExample.from_tags("b", ["z"])])
        >>> cols.take([1, 0, 1]).offsets.tolist()
        [0, 1, 3, 4]
        """
        idx = np.asarray(index, dtype=np.int64).reshape(-1)
        lo, hi = self.offsets[idx], self.offsets[idx + 1]
        lens = hi - lo
        offsets = np.zeros(len(idx) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(lens)
        # token g of the result comes from token lo[k] + (g - offsets[k]) of example k
        owner = np.repeat(np.arange(len(idx)), lens)
        src = lo[owner] + (np.arange(int(offsets[-1])) - offsets[:-1][owner])
        return TokenColumns.from_parts({"offsets": offsets, **{f: getattr(self, f)[src] for f in TOKEN_FIELDS}},
                                       self.vocabs())

    def rows(self, i: int) -> dict[str, tuple]:
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        s = self.strings
        return {
            "tokens": tuple(s[j] for j in self.token[lo:hi]),
            "lemmas": tuple(s[j] for j in self.lemma[lo:hi]),
            "pos": tuple(self.pos_vocab[j] for j in self.pos[lo:hi]),
            "ner": tuple(self.ner_vocab[j] for j in self.ner[lo:hi]),
            "deps": tuple(self.dep_vocab[j] for j in self.dep[lo:hi]),
            "heads": tuple(int(j) for j in self.head[lo:hi]),
            "noun_chunks": tuple(int(j) for j in self.noun_chunk[lo:hi]),
            "verb_phrases": tuple(int(j) for j in self.verb_phrase[lo:hi]),
            "entities": tuple(int(j) for j in self.entity[lo:hi]),
            "sentences": tuple(int(j) for j in self.sentence[lo:hi]),
        }


@dataclass(frozen=True, eq=False)
class AnnotatedCorpus:
    """N annotated examples, columnar (see the module docstring for every array and its shape)."""

    ids: tuple[str, ...]
    labels: tuple[str | None, ...]
    columns: TokenColumns
    roles: Mapping[str, np.ndarray]
    role_types: Mapping[str, np.ndarray]
    question: AnnotatedCorpus | None = None
    has_question: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = self.columns.n
        if self.question is not None and self.has_question is None:
            object.__setattr__(self, "has_question", np.ones(n, dtype=bool))
        if len(self.ids) != n or len(self.labels) != n:
            raise ValueError(f"AnnotatedCorpus: {len(self.ids)} ids and {len(self.labels)} labels for {n} examples")
        for r, a in self.roles.items():
            if a.shape != (n, 2):
                raise ValueError(f"AnnotatedCorpus: roles[{r!r}] has shape {a.shape}, expected ({n}, 2)")
        if self.question is not None and self.question.n != n:
            raise ValueError(f"AnnotatedCorpus: question corpus has {self.question.n} examples, expected {n}")

    def __getattr__(self, name: str) -> np.ndarray:
        # token-level arrays and vocabularies read through to ``columns`` (``corpus.lemma``, ``corpus.strings``)
        if name in ("offsets", "strings", "pos_vocab", "ner_vocab", "dep_vocab", *TOKEN_FIELDS):
            return getattr(self.columns, name)
        raise AttributeError(name)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        """(N,) number of words per example."""
        return np.diff(self.columns.offsets)

    @classmethod
    def from_examples(cls, examples: Sequence[AnnotatedExample]) -> AnnotatedCorpus:
        """Columnarise annotated examples (vocabularies are built in first-seen order)."""
        columns = TokenColumns.from_examples(examples)
        question, has_question = None, None
        if any(ex.question is not None for ex in examples):
            question = cls.from_examples([ex.question or AnnotatedExample.from_tags(ex.id, []) for ex in examples])
            has_question = np.array([ex.question is not None for ex in examples], dtype=bool)
        return cls.assemble(columns, [ex.id for ex in examples], [ex.label for ex in examples],
                            [ex.roles for ex in examples], [ex.role_types for ex in examples], question, has_question)

    @classmethod
    def assemble(cls, columns: TokenColumns, ids: Sequence[str], labels: Sequence[str | None],
                 roles: Sequence[Mapping[str, tuple[int, int]]], role_types: Sequence[Mapping[str, str]],
                 question: AnnotatedCorpus | None = None, has_question: np.ndarray | None = None) -> AnnotatedCorpus:
        """Attach example-level fields (ids, labels, role spans and types, questions) to token columns."""
        n = columns.n
        names = sorted({r for rs in roles for r in rs} | {r for rt in role_types for r in rt})
        span_arr = {r: np.full((n, 2), -1, dtype=np.int64) for r in names}
        type_arr = {r: np.full(n, -1, dtype=np.int32) for r in names}
        ner_index = {t: i for i, t in enumerate(columns.ner_vocab)}
        extra = list(columns.ner_vocab)
        for i, (rs, rt) in enumerate(zip(roles, role_types)):
            for r, (s, e) in rs.items():
                span_arr[r][i] = (s, e)
            for r, t in rt.items():
                if t not in ner_index:
                    ner_index[t] = len(extra)
                    extra.append(t)
                type_arr[r][i] = ner_index[t]
        if len(extra) != len(columns.ner_vocab):
            columns = TokenColumns.from_parts(columns.arrays(), {**columns.vocabs(), "ner_vocab": extra})
        return cls(tuple(ids), tuple(labels), columns, span_arr, type_arr, question, has_question)

    def take(self, index: Sequence[int] | np.ndarray,
             roles: Sequence[Mapping[str, tuple[int, int]]] | None = None) -> AnnotatedCorpus:
        """The examples ``index`` (repeats allowed) as a new corpus, their questions with them; ``roles`` (one
        mapping per taken example) replaces their role spans (their data-given types are kept). One context
        with many candidate answers is ``corpus.take([i] * k, [{"ANS": span} for span in spans])``."""
        idx = np.asarray(index, dtype=np.int64).reshape(-1)
        cols = self.columns.take(idx)
        if roles is None:
            roles = [{r: (int(a[i, 0]), int(a[i, 1])) for r, a in self.roles.items() if a[i, 0] >= 0} for i in idx]
        elif len(roles) != len(idx):
            raise ValueError(f"take: {len(roles)} role mappings for {len(idx)} examples")
        types = [{r: self.columns.ner_vocab[int(a[i])] for r, a in self.role_types.items() if a[i] >= 0} for i in idx]
        question = self.question.take(idx) if self.question is not None else None
        has_q = self.has_question[idx] if self.has_question is not None else None
        return AnnotatedCorpus.assemble(cols, [self.ids[i] for i in idx], [self.labels[i] for i in idx], roles, types,
                                        question, has_q)

    def example(self, i: int) -> AnnotatedExample:
        """The ``i``-th example as a pure-Python :class:`AnnotatedExample` (what :func:`execute_one` reads)."""
        roles = {r: (int(a[i, 0]), int(a[i, 1])) for r, a in self.roles.items() if a[i, 0] >= 0}
        types = {r: self.columns.ner_vocab[int(a[i])] for r, a in self.role_types.items() if a[i] >= 0}
        q = self.question.example(i) if self.question is not None and self.has_question[i] else None
        return AnnotatedExample(id=self.ids[i], **self.columns.rows(i), roles=roles, role_types=types,
                                label=self.labels[i], question=q)

    def examples(self) -> list[AnnotatedExample]:
        return [self.example(i) for i in range(self.n)]
