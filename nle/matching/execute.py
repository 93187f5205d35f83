"""Hard execution of logical forms over a whole annotated corpus at once, vectorised with numpy.

A whitelisted interpreter: every ``Call.op`` must be in :data:`nle.logic.registry.PREDICATES` (an unknown one
raises :class:`~nle.matching.semantics.ExecutionError`); nothing is ever evaluated as code. Semantics are the
registry's ``doc`` strings plus the choices in :mod:`nle.matching.semantics`; the per-example oracle
:func:`nle.matching.reference.execute_one` gives the same answers (tested on random logical forms).

Values during evaluation, all over the N examples at once:

* a bool formula -> ``(N,)`` bool; an int -> ``(N,)`` int64 with an ``(N,)`` "defined" mask;
* a span argument -> the flat set of its occurrences ``(ex, text, start, end)``, ``(K,)`` each, sorted by example
  (a bound variable: one per example; a phrase: every place its words occur). Predicates over several spans join
  the sets per example and reduce "for some occurrences" with a scatter into ``(N,)``.

There is no Python loop over examples or (rule, example) pairs; loops run over word offsets inside short spans.
Results of sub-formulas are memoised per :class:`Executor`, so rules sharing ``left(SUBJ, OBJ)`` compute it once.

>>> from nle.logic.forms import Call, Lit, Var
>>> from nle.matching.corpus import AnnotatedCorpus, AnnotatedExample
>>> ex = AnnotatedExample.from_tags("s", "smoke caused by fire".split(), roles={"SUBJ": (0, 1), "OBJ": (3, 4)})
>>> r = execute(Call("between", (Var("SUBJ"), Var("OBJ"), Lit("caused by"))), AnnotatedCorpus.from_examples([ex]))
>>> r.fires.tolist(), r.faults.tolist()
([True], [False])
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nle.logic.forms import Call, Lit, LogicalForm, Var
from nle.matching.corpus import AnnotatedCorpus
from nle.matching.semantics import (
    PATTERN_PREDICATES,
    PLACEHOLDER,
    ExecutionError,
    check,
    normalise_lexicon,
    phrase_tokens,
    spacy_matches,
    type_matches,
)

_I = np.int64


@dataclass(frozen=True, eq=False)
class Execution:
    """The result of one rule on N examples: ``fires`` (N,) bool and ``faults`` (N,) bool (an unbound variable)."""

    fires: np.ndarray
    faults: np.ndarray


@dataclass(frozen=True, eq=False)
class _Spans:
    ex: np.ndarray  # (K,) example index, non-decreasing
    txt: np.ndarray  # (K,) 0 main text, 1 question
    s: np.ndarray  # (K,) local start
    e: np.ndarray  # (K,) local end
    g: np.ndarray  # (K,) global index of the first word in the token tables

    @property
    def n(self) -> np.ndarray:
        return self.e - self.s

    def take(self, idx: np.ndarray) -> _Spans:
        return _Spans(self.ex[idx], self.txt[idx], self.s[idx], self.e[idx], self.g[idx])


@dataclass(frozen=True, eq=False)
class _Int:
    v: np.ndarray
    ok: np.ndarray


def _cased(t: str) -> bool:
    return any(c.isupper() or c.islower() or c.istitle() for c in t)


class _Tables:
    """Main text and question tokens concatenated into one table, ids in one string space."""

    def __init__(self, corpus: AnnotatedCorpus) -> None:
        self.corpus, self.N = corpus, corpus.n
        parts = [corpus] + ([corpus.question] if corpus.question is not None else [])
        self.has_question = corpus.question is not None
        strings: dict[str, int] = {}
        vocabs: dict[str, dict[str, int]] = {"pos": {}, "ner": {}}
        cols: dict[str, list[np.ndarray]] = {k: [] for k in (
            "low", "lemma", "tok", "pos", "ner", "entity", "chunk", "sentence", "head", "ex", "txt")}
        self.off: list[np.ndarray] = []
        base = 0
        for t, c in enumerate(parts):
            smap = np.array([strings.setdefault(x, len(strings)) for x in c.strings] or [0], dtype=_I)
            pmap = np.array([vocabs["pos"].setdefault(x, len(vocabs["pos"])) for x in c.pos_vocab] or [0], dtype=_I)
            nmap = np.array([vocabs["ner"].setdefault(x, len(vocabs["ner"])) for x in c.ner_vocab] or [0], dtype=_I)
            off = c.offsets.astype(_I)
            ex = np.repeat(np.arange(c.n, dtype=_I), np.diff(off))
            cols["low"].append(smap[c.lower]), cols["lemma"].append(smap[c.lemma]), cols["tok"].append(smap[c.token])
            cols["pos"].append(pmap[c.pos]), cols["ner"].append(nmap[c.ner])
            cols["entity"].append(c.entity.astype(_I)), cols["chunk"].append(c.noun_chunk.astype(_I))
            cols["sentence"].append(c.sentence.astype(_I)), cols["head"].append(c.head.astype(_I))
            cols["ex"].append(ex), cols["txt"].append(np.full(len(ex), t, dtype=_I))
            self.off.append(off + base)
            base += int(off[-1])
        for k, v in cols.items():  # one sentinel word at index T, so clipped gathers never leave the arrays
            setattr(self, k, np.concatenate([*v, np.array([-1 if k != "ex" else 0], dtype=_I)]))
        self.T = base
        self.strings = list(strings)
        self.string_id = strings
        self.pos_id, self.ner_vocab = vocabs["pos"], list(vocabs["ner"])
        self.order = np.argsort(self.low, kind="stable")
        self.sorted_low = self.low[self.order]
        self._cum: dict[str, np.ndarray] | None = None
        self._placeholder: list[str | None] | None = None
        self.lengths = [np.diff(o) for o in self.off]
        self._depth: tuple[np.ndarray, np.ndarray] | None = None
        self.token_base = np.concatenate([o[:-1][self.ex[self.txt == t]] for t, o in enumerate(self.off)])  # (T,) global index of each word's example start

    @property
    def cum(self) -> dict[str, np.ndarray]:
        """Prefix sums (T+1,) of per-word case flags (built on first use: one pass over the vocabulary)."""
        if self._cum is None:
            flag = {name: np.array([f(t) for t in self.strings] or [False], dtype=bool)[self.tok] for name, f in (
                ("up_ok", lambda t: t.isupper() or not _cased(t)), ("low_ok", lambda t: t.islower() or not _cased(t)),
                ("cased", _cased), ("cap", lambda t: t[:1].isupper()))}
            self._cum = {k: np.concatenate([[0], np.cumsum(v, dtype=_I)]) for k, v in flag.items()}
        return self._cum

    @property
    def placeholder(self) -> list[str | None]:
        """Per vocabulary string: the tag of a ``SUBJ-<TAG>`` / ``OBJ-<TAG>`` placeholder, else ``None``."""
        if self._placeholder is None:
            self._placeholder = [m.group(1) if (m := PLACEHOLDER.match(t)) else None for t in self.strings]
        return self._placeholder

    def word(self, g: np.ndarray) -> np.ndarray:
        """Lowercased word ids at global indices (clipped; callers mask what lies outside a span)."""
        return self.low[np.clip(g, 0, self.T)]

    def depth(self) -> tuple[np.ndarray, np.ndarray]:
        """(T,) depth of each word in its dependency tree and (T,) global index of its root (-1: no root)."""
        if self._depth is None:
            headg = self.head[:self.T] + self.token_base
            depth, cur = np.zeros(self.T, dtype=_I), np.arange(self.T, dtype=_I)
            for _ in range(int(max((len(x) for x in self.lengths), default=0)) + 1):
                nxt = headg[cur]
                moving = nxt != cur
                if not moving.any():
                    break
                depth += moving
                cur = nxt
            root = np.where(headg[cur] == cur, cur, -1)
            self._depth = (np.append(depth, 0), np.append(root, -1))
        return self._depth



def _join(a_ex: np.ndarray, b_ex: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs ``(i, j)`` with ``a_ex[i] == b_ex[j]`` (``b_ex`` non-decreasing): the per-example product."""
    counts = np.bincount(b_ex, minlength=n)
    if counts.max(initial=0) <= 1:  # b holds at most one span per example (a variable): a lookup, no product
        pos = np.full(n, -1, dtype=_I)
        pos[b_ex] = np.arange(len(b_ex), dtype=_I)
        ia = np.flatnonzero(pos[a_ex] >= 0)
        return ia, pos[a_ex[ia]]
    starts = np.concatenate([[0], np.cumsum(counts)])[:-1]
    reps = counts[a_ex]
    total = int(reps.sum())
    ia = np.repeat(np.arange(len(a_ex), dtype=_I), reps)
    first = np.repeat(np.cumsum(reps) - reps, reps)
    ib = np.repeat(starts[a_ex], reps) + (np.arange(total, dtype=_I) - first)
    return ia, ib


class Executor:
    """Executes logical forms over one corpus; memoises sub-formulas across calls (share it across rules).

    >>> run = Executor(corpus)  # doctest: +SKIP
    >>> [run(rule.logical_form) for rule in rules]  # doctest: +SKIP
    """

    def __init__(self, corpus: AnnotatedCorpus, lexicons: Mapping[str, Collection[str]] | None = None) -> None:
        self.t = _Tables(corpus)
        self.N = corpus.n
        self.lexicons = dict(lexicons or {})
        self.lex = {k: normalise_lexicon(v) for k, v in self.lexicons.items()}
        self.memo: dict[tuple[Any, Any], tuple[Any, np.ndarray]] = {}
        self._none = np.zeros(self.N, dtype=bool)

    def __call__(self, lf: LogicalForm) -> Execution:
        check(lf, self.lexicons)
        v, f = self.ev(lf, ("main", ()))
        if not isinstance(v, np.ndarray) or v.dtype != bool:
            raise ExecutionError(f"the logical form must be a bool formula: {lf!r}")
        return Execution(v.copy(), f.copy())

    # ---- spans -------------------------------------------------------------------------------------------------
    def _make(self, ex: np.ndarray, txt: int, s: np.ndarray, e: np.ndarray) -> _Spans:
        ex = ex.astype(_I)
        g = self.t.off[txt][ex] + s if len(ex) else np.zeros(0, dtype=_I)
        return _Spans(ex, np.full(len(ex), txt, dtype=_I), s.astype(_I), e.astype(_I), g.astype(_I))

    def _find(self, ids: list[int], txt: int) -> _Spans:
        t = self.t
        if txt >= len(t.off) or any(i < 0 for i in ids):
            return self._make(np.zeros(0, _I), 0, np.zeros(0, _I), np.zeros(0, _I))
        lo, hi = np.searchsorted(t.sorted_low, ids[0], "left"), np.searchsorted(t.sorted_low, ids[0], "right")
        p = np.sort(t.order[lo:hi])
        p = p[t.txt[p] == txt]
        ex = t.ex[p]
        end = t.off[txt][ex + 1]
        ok = p + len(ids) <= end
        for j, wid in enumerate(ids[1:], start=1):
            ok &= t.word(p + j) == wid
        p, ex = p[ok], ex[ok]
        s = p - t.off[txt][ex]
        return self._make(ex, txt, s, s + len(ids))

    def _main_span(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(N,) bound mask, start, end of a main-text variable."""
        c, n_words = self.t.corpus, self.t.lengths[0]
        all_ok = np.ones(self.N, dtype=bool)
        if name == "Context":
            return all_ok, np.zeros(self.N, _I), n_words.astype(_I)
        if name == "Sentence":
            s, e = np.zeros(self.N, _I), n_words.astype(_I)
            if "ANS" in c.roles:
                ans = c.roles["ANS"]
                has = (ans[:, 0] >= 0) & (ans[:, 0] < n_words)
                sid = np.full(self.N, -2, _I)
                sid[has] = self.t.sentence[self.t.off[0][:-1][has] + ans[has, 0]]
                main = self.t.txt == 0
                tex, tsent = self.t.ex[main], self.t.sentence[main]
                local = np.arange(int(main.sum()), dtype=_I) - self.t.off[0][:-1][tex]
                inside = tsent == sid[tex]
                first, last = np.full(self.N, np.iinfo(_I).max, _I), np.full(self.N, -1, _I)
                np.minimum.at(first, tex[inside], local[inside])
                np.maximum.at(last, tex[inside], local[inside])
                found = last >= 0
                s[found], e[found] = first[found], last[found] + 1
            return all_ok, s, e
        if name not in c.roles:
            return np.zeros(self.N, bool), np.zeros(self.N, _I), np.zeros(self.N, _I)
        r = c.roles[name]
        return r[:, 0] >= 0, r[:, 0].astype(_I), r[:, 1].astype(_I)

    def _var_in_question(self, name: str, bound: np.ndarray, s: np.ndarray, e: np.ndarray) -> _Spans:
        """Occurrences of each example's own variable words in its question (needles differ per example)."""
        t = self.t
        L = np.where(bound, e - s, 0)
        q = np.flatnonzero(t.txt == 1)
        ex = t.ex[q]
        keep = L[ex] > 0
        q, ex = q[keep], ex[keep]
        ok = q + L[ex] <= t.off[1][ex + 1]
        src = t.off[0][:-1][ex] + s[ex]
        for j in range(int(L.max(initial=0))):
            ok &= (j >= L[ex]) | (t.word(q + j) == t.word(src + j))
        q, ex = q[ok], ex[ok]
        ls = q - t.off[1][ex]
        return self._make(ex, 1, ls, ls + L[ex])

    def spans(self, lf: LogicalForm, scope: tuple) -> tuple[_Spans, np.ndarray]:
        if isinstance(lf, Lit):
            ids = [self.t.string_id.get(w, -1) for w in phrase_tokens(str(lf.value))]
            txt = 1 if scope[0] == "question" else 0
            sp = self._find(ids, txt)
            if scope[0] == "main" and scope[1]:
                ok, rs, re_ = self._restriction(scope[1])
                keep = ok[sp.ex] & (sp.s >= rs[sp.ex]) & (sp.e <= re_[sp.ex])
                sp = sp.take(np.flatnonzero(keep))
            return sp, self._none
        assert isinstance(lf, Var)
        if lf.name == "Question":
            if not self.t.has_question:
                return self._make(np.zeros(0, _I), 0, np.zeros(0, _I), np.zeros(0, _I)), ~self._none
            has = self.t.corpus.has_question
            idx = np.flatnonzero(has)
            return self._make(idx, 1, np.zeros(len(idx), _I), self.t.lengths[1][idx]), ~has
        bound, s, e = self._main_span(lf.name)
        if scope[0] == "question" and lf.name not in ("Context", "Sentence"):
            return self._var_in_question(lf.name, bound, s, e), ~bound
        idx = np.flatnonzero(bound)
        return self._make(idx, 0, s[idx], e[idx]), ~bound

    def _restriction(self, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ok, rs, re_ = np.ones(self.N, bool), np.zeros(self.N, _I), np.full(self.N, np.iinfo(_I).max, _I)
        for name in names:
            b, s, e = self._main_span(name)
            ok &= b
            rs, re_ = np.maximum(rs, s), np.minimum(re_, e)
        return ok, rs, re_

    # ---- evaluation ------------------------------------------------------------------------------------------
    def ev(self, lf: LogicalForm, scope: tuple) -> tuple[Any, np.ndarray]:
        key = (lf, scope)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._ev(lf, scope)
        return hit

    def _ev(self, lf: LogicalForm, scope: tuple) -> tuple[Any, np.ndarray]:
        if isinstance(lf, Lit):
            if lf.type == "int":
                return _Int(np.full(self.N, int(lf.value), _I), np.ones(self.N, bool)), self._none
            if lf.type == "str":
                return self.spans(lf, scope)
            return lf.value, self._none
        if isinstance(lf, Var):
            return self.spans(lf, scope)
        op, a = lf.op, lf.args
        if op in ("and", "all", "or", "any", "none", "not"):
            vals = [self.ev(x, scope) for x in a]
            fault = np.logical_or.reduce([f for _, f in vals])
            stack = np.stack([v for v, _ in vals])
            out = {"and": stack.all(0), "all": stack.all(0), "or": stack.any(0), "any": stack.any(0)}.get(
                op, ~stack.any(0))
            return out, fault
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            (x, fx), (y, fy) = self.ev(a[0], scope), self.ev(a[1], scope)
            cmp = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater,
                   "ge": np.greater_equal}[op](x.v, y.v)
            return cmp & x.ok & y.ok, fx | fy
        if op == "at":
            name = a[0].name
            if name == "Question":
                if not self.t.has_question:
                    _, f = self.ev(a[1], scope)
                    return np.zeros(self.N, bool), f | ~self._none
                v, f = self.ev(a[1], ("question", ()))
                has = self.t.corpus.has_question
                return v & has, f | ~has
            bound, _, _ = self._main_span(name)
            inner = scope[1] if scope[0] == "main" else ()
            v, f = self.ev(a[1], ("main", tuple(sorted(set(inner) | {name}))))
            return v & bound, f | ~bound
        if op == "in" and isinstance(a[1], Var) and a[1].name == "Question":
            return self.ev(Call("at", (a[1], Call("exists", (a[0],)))), scope)
        if op in PATTERN_PREDICATES and isinstance(a[1], Lit) and a[1].type == "str":
            x, f = self.ev(a[0], scope)
            return self._match_words(op, x, [self.t.string_id.get(w, -1) for w in phrase_tokens(str(a[1].value))]), f
        args, fault = [], self._none
        for x in a:
            v, f = self.ev(x, scope)
            args.append(v)
            fault = fault | f
        return getattr(self, f"p_{op}")(a, args, scope), fault

    def _match_words(self, op: str, x: _Spans, ids: list[int]) -> np.ndarray:
        """A string predicate whose second argument is a phrase: the occurrences of ``x`` against its words."""
        L = len(ids)
        if op == "contains":
            found = np.zeros(len(x.n), dtype=bool)
            for k in range(int((x.n - L).max(initial=-1)) + 1):
                ok = k <= x.n - L
                for j, w in enumerate(ids):
                    ok &= self.t.word(x.g + k + j) == w
                found |= ok
            return self._any(x.ex, found)
        ok = (x.n == L) if op == "equals" else (x.n >= L)
        start = x.g + x.n - L if op == "ends_with" else x.g
        for j, w in enumerate(ids):
            ok &= self.t.word(start + j) == w
        return self._any(x.ex, ok)

    def _any(self, ex: np.ndarray, ok: np.ndarray) -> np.ndarray:
        out = np.zeros(self.N, dtype=bool)
        out[ex[ok]] = True
        return out

    def _pairs(self, x: _Spans, y: _Spans) -> tuple[_Spans, _Spans]:
        ia, ib = _join(x.ex, y.ex, self.N)
        return x.take(ia), y.take(ib)

    def _eq_text(self, ga: np.ndarray, la: np.ndarray, gb: np.ndarray, lb: np.ndarray) -> np.ndarray:
        ok = la == lb
        for j in range(int(lb.max(initial=0))):
            ok &= (j >= lb) | (self.t.word(ga + j) == self.t.word(gb + j))
        return ok

    # counts
    def p_count_between(self, a, v, scope):
        x, y = self._pairs(v[0], v[1])
        gap = np.where(x.e <= y.s, y.s - x.e, x.s - y.e)
        ok = (x.txt == y.txt) & ((x.e <= y.s) | (y.e <= x.s))
        big = np.iinfo(_I).max
        best = np.full(self.N, big, _I)
        np.minimum.at(best, x.ex[ok], gap[ok])
        return _Int(np.where(best < big, best, 0), best < big)

    def p_count(self, a, v, scope):
        sp = v[0]
        counts = np.bincount(sp.ex, minlength=self.N).astype(_I)
        same = (sp.ex[1:] == sp.ex[:-1]) & (sp.txt[1:] == sp.txt[:-1])
        overlap = same & (sp.s[1:] < sp.e[:-1])
        for i in np.unique(sp.ex[1:][overlap]):  # self-overlapping phrase occurrences: greedy, left to right
            idx = np.flatnonzero(sp.ex == i)
            n, last = 0, {}
            for t, s, e in sorted(zip(sp.txt[idx].tolist(), sp.s[idx].tolist(), sp.e[idx].tolist())):
                if s >= last.get(t, -1):
                    n, last[t] = n + 1, e
            counts[i] = n
        return _Int(counts, np.ones(self.N, bool))

    def p_length(self, a, v, scope):
        if isinstance(a[0], Lit):
            return _Int(np.full(self.N, len(phrase_tokens(str(a[0].value))), _I), np.ones(self.N, bool))
        if a[0].name == "Question":
            if not self.t.has_question:
                return _Int(np.zeros(self.N, _I), np.zeros(self.N, bool))
            return _Int(self.t.lengths[1].astype(_I), self.t.corpus.has_question.copy())
        bound, s, e = self._main_span(a[0].name)
        return _Int(np.where(bound, e - s, 0), bound)

    # positions
    def _pos2(self, v, test) -> np.ndarray:
        x, y = self._pairs(v[0], v[1])
        return self._any(x.ex, (x.txt == y.txt) & test(x, y))

    def _n(self, v) -> np.ndarray:
        return v[2].v

    def p_left(self, a, v, scope):
        return self._pos2(v, lambda x, y: x.e <= y.s)

    def p_right(self, a, v, scope):
        return self._pos2(v, lambda x, y: x.s >= y.e)

    def p_directly_before(self, a, v, scope):
        return self._pos2(v, lambda x, y: x.e == y.s)

    def p_directly_after(self, a, v, scope):
        return self._pos2(v, lambda x, y: x.s == y.e)

    def p_left_within(self, a, v, scope):
        n = v[2]
        return self._pos2(v, lambda x, y: (x.e <= y.s) & (y.s - x.e + 1 <= n.v[x.ex])) & n.ok

    def p_right_within(self, a, v, scope):
        n = v[2]
        return self._pos2(v, lambda x, y: (x.s >= y.e) & (x.s - y.e + 1 <= n.v[x.ex])) & n.ok

    @staticmethod
    def _gap(x: _Spans, y: _Spans) -> tuple[np.ndarray, np.ndarray]:
        return np.where(x.e <= y.s, y.s - x.e, x.s - y.e), (x.e <= y.s) | (y.e <= x.s)

    def p_within(self, a, v, scope):
        n = v[2]

        def test(x, y):
            gap, ok = self._gap(x, y)
            return ok & (gap + 1 <= n.v[x.ex])
        return self._pos2(v, test) & n.ok

    def p_apart(self, a, v, scope):
        n = v[2]

        def test(x, y):
            gap, ok = self._gap(x, y)
            return ok & (gap == n.v[x.ex])
        return self._pos2(v, test) & n.ok

    def _triples(self, v) -> tuple[_Spans, _Spans, _Spans]:
        x, y = self._pairs(v[0], v[1])
        ixy, iz = _join(x.ex, v[2].ex, self.N)
        return x.take(ixy), y.take(ixy), v[2].take(iz)

    def p_between(self, a, v, scope):
        x, y, z = self._triples(v)
        ok = (x.txt == y.txt) & (y.txt == z.txt) & (np.minimum(x.e, y.e) <= z.s) & (z.e <= np.maximum(x.s, y.s))
        return self._any(x.ex, ok)

    def p_sandwich(self, a, v, scope):
        x, y, z = self._triples(v)
        lo, hi = np.minimum(x.e, y.e), np.maximum(x.s, y.s)
        g = self._global(x.txt, x.ex, lo)
        ok = (x.txt == y.txt) & (hi >= lo) & self._eq_text(g, hi - lo, z.g, z.n)
        return self._any(x.ex, ok)

    def _global(self, txt: np.ndarray, ex: np.ndarray, local: np.ndarray) -> np.ndarray:
        out = np.zeros(len(ex), _I)
        for t, off in enumerate(self.t.off):
            m = txt == t
            out[m] = off[ex[m]] + local[m]
        return out

    # strings
    def p_equals(self, a, v, scope):
        x, y = self._pairs(v[0], v[1])
        return self._any(x.ex, self._eq_text(x.g, x.n, y.g, y.n))

    def p_contains(self, a, v, scope):
        x, y = self._pairs(v[0], v[1])
        la, lb = x.n, y.n
        found = np.zeros(len(la), dtype=bool)
        for k in range(int((la - lb).max(initial=-1)) + 1):
            ok = k <= la - lb
            for j in range(int(lb.max(initial=0))):
                ok &= (j >= lb) | (self.t.word(x.g + k + j) == self.t.word(y.g + j))
            found |= ok
        return self._any(x.ex, found)

    def p_in(self, a, v, scope):
        return self._pos2(v, lambda x, y: (x.s >= y.s) & (x.e <= y.e))

    def p_starts_with(self, a, v, scope):
        x, y = self._pairs(v[0], v[1])
        return self._any(x.ex, (x.n >= y.n) & self._eq_text(x.g, y.n, y.g, y.n))

    def p_ends_with(self, a, v, scope):
        x, y = self._pairs(v[0], v[1])
        return self._any(x.ex, (x.n >= y.n) & self._eq_text(x.g + x.n - y.n, y.n, y.g, y.n))

    def p_exists(self, a, v, scope):
        return self._any(v[0].ex, np.ones(len(v[0].ex), bool))

    def _count(self, name: str, sp: _Spans) -> np.ndarray:
        c = self.t.cum[name]
        return c[sp.g + sp.n] - c[sp.g]

    def p_is_upper(self, a, v, scope):
        sp = v[0]
        return self._any(sp.ex, (self._count("up_ok", sp) == sp.n) & (self._count("cased", sp) > 0))

    def p_is_lower(self, a, v, scope):
        sp = v[0]
        return self._any(sp.ex, (self._count("low_ok", sp) == sp.n) & (self._count("cased", sp) > 0))

    def p_is_capitalized(self, a, v, scope):
        sp = v[0]
        return self._any(sp.ex, self._count("cap", sp) == sp.n)

    # annotations
    def _same_run(self, col: np.ndarray, sp: _Spans) -> np.ndarray:
        """(K,) the span is non-empty and every word has the first word's value (>= 0) in ``col``."""
        first = col[np.clip(sp.g, 0, self.t.T)] if self.t.T else np.zeros(len(sp.g), _I)
        ok = (sp.n > 0) & (first >= 0)
        for j in range(1, int(sp.n.max(initial=0))):
            ok &= (j >= sp.n) | (col[np.clip(sp.g + j, 0, self.t.T)] == first)
        return ok

    def p_ner(self, a, v, scope):
        tag, sp, t = str(v[1]), v[0], self.t
        ph_ok = np.array([p is not None and type_matches(p, tag) for p in t.placeholder] or [False])
        ner_ok = np.array([spacy_matches(x, tag) for x in t.ner_vocab] or [False])
        gi = np.clip(sp.g, 0, t.T)
        ok = (sp.n == 1) & ph_ok[t.tok[gi]] if t.T else np.zeros(len(sp.g), bool)
        ok |= self._same_run(t.entity, sp) & ner_ok[t.ner[gi]] if t.T else ok
        if isinstance(a[0], Var) and scope[0] == "main" and a[0].name in t.corpus.role_types:
            vocab = t.corpus.ner_vocab
            rt_ok = np.array([type_matches(x, tag) for x in vocab] + [False])  # index -1 -> False
            ok |= rt_ok[t.corpus.role_types[a[0].name][sp.ex]] & (sp.n > 0)
        return self._any(sp.ex, ok)

    def _head(self, sp: _Spans, is_phrase: bool) -> tuple[np.ndarray, np.ndarray]:
        """(K,) global index of each span's head word and whether it has one."""
        if is_phrase:
            return sp.g + sp.n - 1, sp.n > 0
        head = np.full(len(sp.g), -1, _I)
        for j in range(int(sp.n.max(initial=0)) - 1, -1, -1):  # backwards: the first qualifying word wins
            w = np.clip(sp.g + j, 0, self.t.T)
            h = self.t.head[w]
            local = sp.s + j
            ok = (j < sp.n) & ((h < sp.s) | (h >= sp.e) | (h == local))
            head[ok] = w[ok]
        return head, head >= 0

    def p_pos(self, a, v, scope):
        sp, pid = v[0], self.t.pos_id.get(str(v[1]), -1)
        h, ok = self._head(sp, isinstance(a[0], Lit))
        return self._any(sp.ex, ok & (self.t.pos[np.clip(h, 0, self.t.T)] == pid))

    def p_chunk(self, a, v, scope):
        sp, kind, t = v[0], str(v[1]), self.t
        if kind == "NP":
            return self._any(sp.ex, self._same_run(t.chunk, sp))
        if kind == "VP":
            h, ok = self._head(sp, isinstance(a[0], Lit))
            verbs = [t.pos_id.get(x, -1) for x in ("VERB", "AUX")]
            return self._any(sp.ex, ok & np.isin(t.pos[np.clip(h, 0, t.T)], verbs))
        gi = np.clip(sp.g, 0, t.T)
        return self._any(sp.ex, (sp.n > 0) & (t.pos[gi] == t.pos_id.get("ADP", -1)))

    def p_lexicon(self, a, v, scope):
        sp, lex, t = v[0], self.lex[str(v[1])], self.t
        in_lex = np.array([s in lex for s in t.strings] or [False])
        gi = np.clip(sp.g, 0, t.T)
        ok = (sp.n == 1) & (in_lex[t.low[gi]] | in_lex[t.lemma[gi]]) if t.T else np.zeros(len(sp.g), bool)
        for k in np.flatnonzero(sp.n > 1):  # multi-word spans: a set lookup of the joined words
            g, n = int(sp.g[k]), int(sp.n[k])
            ok[k] = " ".join(t.strings[i] for i in t.low[g:g + n]) in lex or \
                " ".join(t.strings[i] for i in t.lemma[g:g + n]) in lex
        return self._any(sp.ex, ok)

    def p_dep_distance(self, a, v, scope):
        x, y = self._pairs(v[0], v[1])
        same = x.txt == y.txt
        x, y = x.take(np.flatnonzero(same)), y.take(np.flatnonzero(same))
        depth, root = self.t.depth()
        headg = np.append(self.t.head[:self.t.T] + self.t.token_base, self.t.T)
        big = np.iinfo(_I).max
        best = np.full(self.N, big, _I)
        for j in range(int(x.n.max(initial=0))):
            for k in range(int(y.n.max(initial=0))):
                valid = (j < x.n) & (k < y.n)
                u = np.clip(x.g + j, 0, self.t.T)
                w = np.clip(y.g + k, 0, self.t.T)
                valid &= (root[u] >= 0) & (root[u] == root[w])
                du, dw = depth[u].copy(), depth[w].copy()
                dist = np.zeros(len(u), _I)
                cu, cw = u.copy(), w.copy()
                for _ in range(int(depth.max(initial=0)) * 2 + 1):
                    level = (du == dw) & (cu != cw)
                    up_u, up_w = valid & ((du > dw) | level), valid & ((dw > du) | level)
                    if not (up_u.any() or up_w.any()):
                        break
                    cu = np.where(up_u, headg[cu], cu)
                    cw = np.where(up_w, headg[cw], cw)
                    dist += up_u.astype(_I) + up_w.astype(_I)
                    du, dw = du - up_u, dw - up_w
                np.minimum.at(best, x.ex[valid], dist[valid])
        return _Int(np.where(best < big, best, 0), best < big)


def execute(lf: LogicalForm, corpus: AnnotatedCorpus,
            lexicons: Mapping[str, Collection[str]] | None = None) -> Execution:
    """Execute one bool logical form on every example of ``corpus``: ``fires`` and ``faults``, both (N,) bool.

    For many rules use one :class:`Executor` (shared sub-formulas are computed once).
    """
    return Executor(corpus, lexicons)(lf)
