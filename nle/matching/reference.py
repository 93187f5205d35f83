"""The per-example reference interpreter: one logical form on one :class:`AnnotatedExample`, in plain Python.

It is the oracle the vectorised :func:`nle.matching.execute.execute` is tested against, and the naive path of the
benchmark (what a snorkel labeling function would run). Semantics: :mod:`nle.logic.registry` plus the choices
listed in :mod:`nle.matching.semantics`.

>>> from nle.logic.forms import Call, Lit, Var
>>> from nle.matching.corpus import AnnotatedExample
>>> ex = AnnotatedExample.from_tags("s", "smoke caused by fire".split(), roles={"SUBJ": (0, 1), "OBJ": (3, 4)})
>>> execute_one(Call("between", (Var("SUBJ"), Var("OBJ"), Lit("caused by"))), ex)
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from nle.logic.forms import Call, Lit, LogicalForm, Var
from nle.matching.corpus import AnnotatedExample
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

Occ = tuple[int, int, int]  # (text: 0 main / 1 question, start, end)
_QUESTION = ("question", None)


def _has_cased(t: str) -> bool:
    return any(c.isupper() or c.islower() or c.istitle() for c in t)


class _Eval:
    def __init__(self, ex: AnnotatedExample, lexicons: Mapping[str, frozenset[str]]) -> None:
        self.ex, self.lexicons, self.fault = ex, lexicons, False
        self.pattern: tuple[str, ...] = ()
        q = ex.question
        self.texts = [ex] + ([q] if q is not None else [])
        self.words = [t.words for t in self.texts]

    # ---- spans -------------------------------------------------------------------------------------------------
    def _find(self, t: int, needle: tuple[str, ...], restrict: tuple[int, int] | None) -> list[Occ]:
        if t >= len(self.words) or not needle:
            return []
        w, k = self.words[t], len(needle)
        out = [(t, p, p + k) for p in range(len(w) - k + 1) if w[p:p + k] == needle]
        if restrict is not None:
            out = [o for o in out if restrict[0] <= o[1] and o[2] <= restrict[1]]
        return out

    def _main_span(self, name: str) -> tuple[int, int] | None:
        ex, n = self.ex, len(self.ex.tokens)
        if name == "Context":
            return (0, n)
        if name == "Sentence":
            if "ANS" not in ex.roles:
                return (0, n)
            sid = ex.sentences[ex.roles["ANS"][0]] if ex.roles["ANS"][0] < n else -1
            where = [j for j in range(n) if ex.sentences[j] == sid]
            return (where[0], where[-1] + 1) if where else (0, n)
        return ex.roles.get(name)

    def spans(self, lf: LogicalForm, scope: tuple[str, Any]) -> list[Occ]:
        if isinstance(lf, Lit):
            toks = phrase_tokens(str(lf.value))
            return self._find(1 if scope[0] == "question" else 0, toks, scope[1])
        assert isinstance(lf, Var)
        if lf.name == "Question":
            if self.ex.question is None:
                self.fault = True
                return []
            return [(1, 0, len(self.ex.question.tokens))]
        span = self._main_span(lf.name)
        if span is None:
            self.fault = True
            return []
        if scope[0] == "question" and lf.name not in ("Context", "Sentence"):
            return self._find(1, self.words[0][span[0]:span[1]], None)
        return [(0, span[0], span[1])]

    def text(self, o: Occ) -> tuple[str, ...]:
        return self.pattern if o[0] < 0 else self.words[o[0]][o[1]:o[2]]

    # ---- word-level helpers ----------------------------------------------------------------------------------
    def head_word(self, o: Occ, is_phrase: bool) -> int | None:
        t, s, e = o
        if e <= s:
            return None
        if is_phrase:
            return e - 1
        heads = self.texts[t].heads
        return next(j for j in range(s, e) if not s <= heads[j] < e or heads[j] == j) if any(
            not s <= heads[j] < e or heads[j] == j for j in range(s, e)) else None

    def tree_distance(self, t: int, u: int, v: int) -> int | None:
        heads = self.texts[t].heads
        up = {}
        x, d = u, 0
        while x not in up:
            up[x] = d
            if heads[x] == x:
                break
            x, d = heads[x], d + 1
        x, d = v, 0
        seen = set()
        while x not in up:
            if heads[x] == x or x in seen:
                return None
            seen.add(x)
            x, d = heads[x], d + 1
        return up[x] + d

    # ---- evaluation ------------------------------------------------------------------------------------------
    def ev(self, lf: LogicalForm, scope: tuple[str, Any]) -> Any:
        if isinstance(lf, Lit) and lf.type == "int":
            return lf.value
        if isinstance(lf, Lit):
            return lf.value
        assert isinstance(lf, Call)
        op, a = lf.op, lf.args
        if op in ("and", "all", "or", "any", "none", "not"):
            vals = [self.ev(x, scope) for x in a]  # every argument: faults do not depend on order
            return {"and": all, "all": all, "or": any, "any": any}.get(op, lambda v: not any(v))(vals)
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            x, y = self.ev(a[0], scope), self.ev(a[1], scope)
            if x is None or y is None:
                return False
            return {"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y, "gt": x > y, "ge": x >= y}[op]
        if op == "at":
            name = a[0].name
            if name == "Question":
                if self.ex.question is None:
                    self.fault = True
                    self.ev(a[1], scope)
                    return False
                return self.ev(a[1], _QUESTION)
            span = self._main_span(name)
            if span is None:
                self.fault = True
                self.ev(a[1], scope)
                return False
            r = scope[1] if scope[0] == "main" else None
            r = span if r is None else (max(r[0], span[0]), min(r[1], span[1]))
            return self.ev(a[1], ("main", r))
        if op == "in" and isinstance(a[1], Var) and a[1].name == "Question":
            return self.ev(Call("at", (a[1], Call("exists", (a[0],)))), scope)
        spans = [self.spans(x, scope) if isinstance(x, Var | Lit) and not (isinstance(x, Lit) and x.type != "str")
                 else None for x in a]
        if op in PATTERN_PREDICATES and isinstance(a[1], Lit) and a[1].type == "str":
            spans[1] = [(-1, 0, 0)]  # the pattern: its words, read by text() (set just before the predicate runs)
            self.pattern = phrase_tokens(str(a[1].value))
        return getattr(self, f"p_{op}")(a, spans, scope)

    # counts
    def p_count_between(self, a, sp, scope):
        gaps = [_gap(x, y) for x in sp[0] for y in sp[1]]
        gaps = [g for g in gaps if g is not None]
        return min(gaps) if gaps else None

    def p_count(self, a, sp, scope):
        n, last = 0, {}
        for t, s, e in sorted(sp[0]):
            if s >= last.get(t, -1):
                n, last[t] = n + 1, e
        return n

    def p_length(self, a, sp, scope):
        if isinstance(a[0], Lit):
            return len(phrase_tokens(str(a[0].value)))
        if a[0].name == "Question":
            return len(self.ex.question.tokens) if self.ex.question is not None else None
        span = self._main_span(a[0].name)
        return None if span is None else span[1] - span[0]

    # positions
    def _pairs(self, sp, test) -> bool:
        return any(x[0] == y[0] and test(x, y) for x in sp[0] for y in sp[1])

    def p_left(self, a, sp, scope):
        return self._pairs(sp, lambda x, y: x[2] <= y[1])

    def p_right(self, a, sp, scope):
        return self._pairs(sp, lambda x, y: x[1] >= y[2])

    def p_directly_before(self, a, sp, scope):
        return self._pairs(sp, lambda x, y: x[2] == y[1])

    def p_directly_after(self, a, sp, scope):
        return self._pairs(sp, lambda x, y: x[1] == y[2])

    def p_left_within(self, a, sp, scope):
        n = self.ev(a[2], scope)
        if n is None:
            return False
        return self._pairs(sp, lambda x, y: x[2] <= y[1] and y[1] - x[2] + 1 <= n)

    def p_right_within(self, a, sp, scope):
        n = self.ev(a[2], scope)
        if n is None:
            return False
        return self._pairs(sp, lambda x, y: x[1] >= y[2] and x[1] - y[2] + 1 <= n)

    def p_within(self, a, sp, scope):
        n = self.ev(a[2], scope)
        if n is None:
            return False
        return self._pairs(sp, lambda x, y: (g := _gap(x, y)) is not None and g + 1 <= n)

    def p_apart(self, a, sp, scope):
        n = self.ev(a[2], scope)
        if n is None:
            return False
        return self._pairs(sp, lambda x, y: _gap(x, y) == n)

    def p_between(self, a, sp, scope):
        return any(x[0] == y[0] == z[0] and min(x[2], y[2]) <= z[1] and z[2] <= max(x[1], y[1])
                   for x in sp[0] for y in sp[1] for z in sp[2])

    def p_sandwich(self, a, sp, scope):
        return any(x[0] == y[0] and self.words[x[0]][min(x[2], y[2]):max(x[1], y[1])] == self.text(z)
                   and max(x[1], y[1]) >= min(x[2], y[2])
                   for x in sp[0] for y in sp[1] for z in sp[2])

    # strings
    def p_equals(self, a, sp, scope):
        return any(self.text(x) == self.text(y) for x in sp[0] for y in sp[1])

    def p_contains(self, a, sp, scope):
        def sub(x: Occ, y: Occ) -> bool:
            hay, needle = self.text(x), self.text(y)
            return any(hay[k:k + len(needle)] == needle for k in range(len(hay) - len(needle) + 1))
        return any(sub(x, y) for x in sp[0] for y in sp[1])

    def p_in(self, a, sp, scope):
        return self._pairs(sp, lambda x, y: x[1] >= y[1] and x[2] <= y[2])

    def p_starts_with(self, a, sp, scope):
        return any(len(self.text(x)) >= len(self.text(y)) and self.text(x)[:len(self.text(y))] == self.text(y)
                   for x in sp[0] for y in sp[1])

    def p_ends_with(self, a, sp, scope):
        return any(len(self.text(x)) >= len(self.text(y)) and self.text(x)[len(self.text(x)) - len(self.text(y)):]
                   == self.text(y) for x in sp[0] for y in sp[1])

    def p_exists(self, a, sp, scope):
        return bool(sp[0])

    def _cased(self, o: Occ) -> tuple[str, ...]:
        return self.texts[o[0]].tokens[o[1]:o[2]]

    def p_is_upper(self, a, sp, scope):
        return any("".join(self._cased(o)).isupper() for o in sp[0])

    def p_is_lower(self, a, sp, scope):
        return any("".join(self._cased(o)).islower() for o in sp[0])

    def p_is_capitalized(self, a, sp, scope):
        return any(all(w[:1].isupper() for w in self._cased(o)) for o in sp[0])

    # annotations
    def p_ner(self, a, sp, scope):
        tag = str(a[1].value)
        role_type = self.ex.role_types.get(a[0].name) if isinstance(a[0], Var) and scope[0] == "main" else None
        for t, s, e in sp[0]:
            if e <= s:
                continue
            doc = self.texts[t]
            m = PLACEHOLDER.match(doc.tokens[s]) if e - s == 1 else None
            if m and type_matches(m.group(1), tag):
                return True
            if role_type is not None and type_matches(role_type, tag):
                return True
            ents = doc.entities[s:e]
            if ents[0] >= 0 and all(k == ents[0] for k in ents) and spacy_matches(doc.ner[s], tag):
                return True
        return False

    def p_pos(self, a, sp, scope):
        tag = str(a[1].value)
        for o in sp[0]:
            h = self.head_word(o, isinstance(a[0], Lit))
            if h is not None and self.texts[o[0]].pos[h] == tag:
                return True
        return False

    def p_chunk(self, a, sp, scope):
        kind = str(a[1].value)
        for o in sp[0]:
            t, s, e = o
            doc = self.texts[t]
            if e <= s:
                continue
            if kind == "NP" and doc.noun_chunks[s] >= 0 and all(c == doc.noun_chunks[s] for c in doc.noun_chunks[s:e]):
                return True
            if kind == "VP" and (h := self.head_word(o, isinstance(a[0], Lit))) is not None \
                    and doc.pos[h] in ("VERB", "AUX"):
                return True
            if kind == "PP" and doc.pos[s] == "ADP":
                return True
        return False

    def p_lexicon(self, a, sp, scope):
        lex = self.lexicons[str(a[1].value)]
        for t, s, e in sp[0]:
            doc = self.texts[t]
            if " ".join(self.words[t][s:e]) in lex or " ".join(doc.lemmas[s:e]).lower() in lex:
                return True
        return False

    def p_dep_distance(self, a, sp, scope):
        best = None
        for x in sp[0]:
            for y in sp[1]:
                if x[0] != y[0]:
                    continue
                for u in range(x[1], x[2]):
                    for v in range(y[1], y[2]):
                        d = self.tree_distance(x[0], u, v)
                        if d is not None and (best is None or d < best):
                            best = d
        return best


def _gap(x: Occ, y: Occ) -> int | None:
    if x[0] != y[0]:
        return None
    if x[2] <= y[1]:
        return y[1] - x[2]
    if y[2] <= x[1]:
        return x[1] - y[2]
    return None


def compile_one(lf: LogicalForm, lexicons: Mapping[str, Collection[str]] | None = None
                ) -> Callable[[AnnotatedExample], tuple[bool, bool]]:
    """Check ``lf`` once and return ``example -> (fires, fault)`` (what a snorkel labeling function would call)."""
    check(lf, lexicons)
    lex = {k: normalise_lexicon(v) for k, v in (lexicons or {}).items()}

    def run(example: AnnotatedExample) -> tuple[bool, bool]:
        ev = _Eval(example, lex)
        out = ev.ev(lf, ("main", None))
        if not isinstance(out, bool):
            raise ExecutionError(f"the logical form must be a bool formula, got a value {out!r}")
        return out, ev.fault

    return run


def execute_one(lf: LogicalForm, example: AnnotatedExample,
                lexicons: Mapping[str, Collection[str]] | None = None) -> tuple[bool, bool]:
    """``(fires, fault)`` of the bool logical form ``lf`` on one example (see :mod:`nle.matching.semantics`).

    Raises :class:`~nle.matching.semantics.ExecutionError` for an unknown predicate or an ill-typed form.
    """
    return compile_one(lf, lexicons)(example)
