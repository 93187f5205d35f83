"""A small reference interpreter for the parser's own use: does a logical form hold on its own example?

This is the consistency oracle of weak supervision (a candidate is good when it labels its own example correctly),
written straight from the registry docstrings, on words only: it needs no annotation for logic, counts, positions
and strings. Annotation predicates (``ner``, ``pos``, ``chunk``, ``dep_distance``) read an optional
``annotation`` (per-word ``pos`` / ``ner`` / ``heads`` / ``noun_chunks`` tuples, e.g. an
``nle.matching.corpus.AnnotatedExample``); without one they are false, except ``ner`` of a ``SUBJ-<TAG>`` placeholder.
``lexicon`` reads the ``lexicons`` mapping (name -> words). The full, vectorised interpreter lives in
``nle.matching``; this one exists so that parsing can be trained and tested on its own.

Variables: ``SUBJ``/``OBJ``/``ANS``/``X``/``Y``/``Z`` are bound from the example's spans (roles ``subj``/``e1``,
``obj``/``e2``, ``answer``, ``X``...); MRC explanations bind ``X``/``Y``/``Z`` to surface strings
(``Explanation.meta``), which ``bind_phrases`` turns into phrase literals before execution.

>>> from nle.types import Example
>>> ex = Example.from_tokens("e", ["a", "SUBJ-O", "was", "born", "OBJ-O"])
>>> ex = Example(**{**ex.__dict__, "spans": (ex.make_span(1, 2, "subj"), ex.make_span(4, 5, "obj"))})
>>> from nle.logic.forms import Call, Lit, Var
>>> holds(Call("sandwich", (Var("SUBJ"), Var("OBJ"), Lit("was born"))), ex)
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nle.data.tokenize import tokenize
from nle.logic import registry as P
from nle.logic.forms import Call, Lit, LogicalForm, Var, bind_phrases
from nle.types import Example, Explanation

Spans = list[tuple[int, int]]
_ROLE = {"subj": "SUBJ", "e1": "SUBJ", "obj": "OBJ", "e2": "OBJ", "answer": "ANS", "X": "X", "Y": "Y", "Z": "Z"}
_CLITIC = re.compile(r"^(?:['\u2019](?:s|re|ve|ll|d|m)|n['\u2019]t|-[LR][RSC]B-|``|'')$", re.IGNORECASE)


def phrase_words(text: str) -> tuple[str, ...]:
    """Lowercased words of a phrase, tokenised like the texts (``nle.data.tokenize``); PTB tokens such as
    ``-LRB-``, ```` `` ```` and clitics (``'s``) written as separate words stay whole."""
    out: list[str] = []
    for piece in text.split():
        out.extend([piece] if _CLITIC.match(piece) else tokenize(piece)[0])
    return tuple(w.lower() for w in out)


@dataclass(frozen=True)
class _Text:
    words: tuple[str, ...]
    roles: Mapping[str, tuple[int, int]]
    types: Mapping[str, str]
    ann: Any = None


def _occurrences(words: Sequence[str], phrase: Sequence[str]) -> Spans:
    k = len(phrase)
    if k == 0:
        return []
    return [(i, i + k) for i in range(len(words) - k + 1) if tuple(words[i:i + k]) == tuple(phrase)]


class _Eval:
    def __init__(self, main: _Text, question: _Text | None, lexicons: Mapping[str, Collection[str]]) -> None:
        self.main, self.question, self.lexicons = main, question, lexicons
        self.text = main

    def spans(self, lf: LogicalForm) -> Spans:
        if isinstance(lf, Lit):
            return _occurrences(self.text.words, phrase_words(str(lf.value)))
        if isinstance(lf, Var):
            if lf.name in ("Question", "Context", "Sentence"):
                if lf.name == "Question" and self.text is not self.question:
                    return []
                return [(0, len(self.text.words))]
            if lf.name in self.text.roles:
                return [self.text.roles[lf.name]]
            if self.text is not self.main and lf.name in self.main.roles:  # the bound words, found in this text
                s, e = self.main.roles[lf.name]
                return _occurrences(self.text.words, self.main.words[s:e])
            return []
        raise TypeError(f"not a span: {lf!r}")

    def words_of(self, span: tuple[int, int]) -> tuple[str, ...]:
        return tuple(self.text.words[span[0]:span[1]])

    def value(self, lf: LogicalForm) -> Any:
        if isinstance(lf, Lit):
            return lf.value
        if not isinstance(lf, Call):
            raise TypeError(f"expected a predicate, got {lf!r}")
        op, a = lf.op, lf.args
        P.get(op)
        if op in ("and", "all"):
            return all([self.value(x) for x in a])
        if op in ("or", "any"):
            return any([self.value(x) for x in a])
        if op == "none":
            return not any([self.value(x) for x in a])
        if op == "not":
            return not self.value(a[0])
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            x, y = self.value(a[0]), self.value(a[1])
            if x is None or y is None:
                return False
            return {"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y, "gt": x > y, "ge": x >= y}[op]
        if op == "at":
            return self._at(a[0], a[1])
        return getattr(self, f"p_{op}")(*a)

    def _at(self, region: LogicalForm, body: LogicalForm) -> bool:
        if isinstance(region, Var) and region.name == "Question":
            if self.question is None:
                return False
            saved, self.text = self.text, self.question
            try:
                return bool(self.value(body))
            finally:
                self.text = saved
        return bool(self.value(body))  # Context / Sentence: the main text

    # ---- positions --------------------------------------------------------------------------------------------
    def _pairs(self, a: LogicalForm, b: LogicalForm) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return [(x, y) for x in self.spans(a) for y in self.spans(b)]

    @staticmethod
    def _gap(x: tuple[int, int], y: tuple[int, int]) -> int | None:
        if x[1] <= y[0]:
            return y[0] - x[1]
        if y[1] <= x[0]:
            return x[0] - y[1]
        return None

    def p_left(self, a, b):
        return any(x[1] <= y[0] for x, y in self._pairs(a, b))

    def p_right(self, a, b):
        return any(x[0] >= y[1] for x, y in self._pairs(a, b))

    def p_directly_before(self, a, b):
        return any(x[1] == y[0] for x, y in self._pairs(a, b))

    def p_directly_after(self, a, b):
        return any(x[0] == y[1] for x, y in self._pairs(a, b))

    def p_left_within(self, a, b, n):
        k = self.value(n)
        return any(x[1] <= y[0] and y[0] - x[1] + 1 <= k for x, y in self._pairs(a, b))

    def p_right_within(self, a, b, n):
        k = self.value(n)
        return any(x[0] >= y[1] and x[0] - y[1] + 1 <= k for x, y in self._pairs(a, b))

    def p_within(self, a, b, n):
        k = self.value(n)
        return any(g is not None and g + 1 <= k for g in (self._gap(x, y) for x, y in self._pairs(a, b)))

    def p_apart(self, a, b, n):
        k = self.value(n)
        return any(self._gap(x, y) == k for x, y in self._pairs(a, b))

    def _inside(self, x, y) -> tuple[int, int] | None:
        return None if self._gap(x, y) is None else (min(x[1], y[1]), max(x[0], y[0]))

    def p_between(self, a, b, c):
        cs = self.spans(c)
        for x, y in self._pairs(a, b):
            r = self._inside(x, y)
            if r is not None and any(r[0] <= z[0] and z[1] <= r[1] for z in cs):
                return True
        return False

    def p_sandwich(self, a, b, c):
        targets = {self.words_of(z) for z in self.spans(c)} if not isinstance(c, Lit) else {phrase_words(str(c.value))}
        for x, y in self._pairs(a, b):
            r = self._inside(x, y)
            if r is not None and self.words_of(r) in targets:
                return True
        return False

    def p_count_between(self, a, b):
        gaps = [g for g in (self._gap(x, y) for x, y in self._pairs(a, b)) if g is not None]
        return min(gaps) if gaps else None

    def p_count(self, a):
        if isinstance(a, Var):
            return len(self.spans(a))
        spans, last, n = self.spans(a), -1, 0
        for s, e in spans:
            if s >= last:
                n, last = n + 1, e
        return n

    def p_length(self, a):
        if isinstance(a, Lit):
            return len(phrase_words(str(a.value)))
        spans = self.spans(a)
        return spans[0][1] - spans[0][0] if spans else None

    # ---- strings ------------------------------------------------------------------------------------------------
    def _texts(self, a) -> list[tuple[str, ...]]:
        if isinstance(a, Var) and a.name == "Question":
            return [self.question.words] if self.question is not None else []
        if isinstance(a, Var) and a.name in ("Context", "Sentence"):
            return [self.main.words]
        if isinstance(a, Lit):
            return [phrase_words(str(a.value))]
        return [self.words_of(s) for s in self.spans(a)]

    def p_equals(self, a, b):
        return any(x == y for x in self._texts(a) for y in self._texts(b))

    def p_contains(self, a, b):
        return any(_occurrences(x, y) for x in self._texts(a) for y in self._texts(b))

    def p_starts_with(self, a, b):
        return any(y and x[:len(y)] == y for x in self._texts(a) for y in self._texts(b))

    def p_ends_with(self, a, b):
        return any(y and x[-len(y):] == y for x in self._texts(a) for y in self._texts(b))

    def p_in(self, a, b):
        if isinstance(b, Var) and b.name == "Question":
            return self._at(b, Call("exists", (a,)))
        return any(y[0] <= x[0] and x[1] <= y[1] for x, y in self._pairs(a, b))

    def p_exists(self, a):
        return bool(self.spans(a))

    def _raw(self, a) -> list[str]:
        toks = self.main.ann.tokens if self.text is self.main and self.main.ann is not None else None
        out = []
        for s, e in self.spans(a):
            out.append(" ".join(toks[s:e]) if toks is not None else " ".join(self.text.words[s:e]))
        return out

    def p_is_upper(self, a):
        return any(t.isupper() for t in self._raw(a))

    def p_is_lower(self, a):
        return any(t.islower() for t in self._raw(a))

    def p_is_capitalized(self, a):
        return any(all(w[:1].isupper() for w in t.split()) for t in self._raw(a))

    # ---- annotations -------------------------------------------------------------------------------------------
    def p_ner(self, a, tag):
        t = str(tag.value)
        if isinstance(a, Var) and a.name in self.text.types:
            found = self.text.types[a.name]
            return found == t or bool(set(P.NER_EQUIVALENTS.get(found, (found,))) & set(P.NER_EQUIVALENTS.get(t, (t,))))
        ann = self.text.ann
        if ann is None:
            return False
        labels = set(P.NER_EQUIVALENTS.get(t, (t,)))
        return any(e > s and all(ann.ner[i] in labels for i in range(s, e)) for s, e in self.spans(a))

    def p_pos(self, a, tag):
        ann = self.text.ann
        return ann is not None and any(e > s and ann.pos[e - 1] == tag.value for s, e in self.spans(a))

    def p_chunk(self, a, kind):
        ann = self.text.ann
        if ann is None:
            return False
        for s, e in self.spans(a):
            if kind.value == "NP" and ann.noun_chunks[s] >= 0 and len({ann.noun_chunks[i] for i in range(s, e)}) == 1:
                return True
            if kind.value == "VP" and any(ann.pos[i] in ("VERB", "AUX") for i in range(s, e)):
                return True
            if kind.value == "PP" and ann.pos[s] == "ADP":
                return True
        return False

    def p_lexicon(self, a, name):
        words = {w.lower() for w in self.lexicons.get(str(name.value), ())}
        return any(" ".join(t) in words for t in self._texts(a))

    def p_dep_distance(self, a, b):
        ann = self.text.ann
        if ann is None:
            return None
        n = len(ann.heads)
        adj: dict[int, set[int]] = {i: set() for i in range(n)}
        for i, h in enumerate(ann.heads):
            if h != i:
                adj[i].add(h)
                adj[h].add(i)
        best = None
        for x, y in self._pairs(a, b):
            frontier, seen, d = set(range(*x)), set(range(*x)), 0
            while frontier and not (frontier & set(range(*y))):
                frontier = {j for i in frontier for j in adj[i]} - seen
                seen |= frontier
                d += 1
            if frontier and (best is None or d < best):
                best = d
        return best


def _text_of(ex: Example, ann: Any = None) -> _Text:
    roles: dict[str, tuple[int, int]] = {}
    types: dict[str, str] = {}
    for s in ex.spans:
        var = _ROLE.get(s.role)
        if var and var not in roles:
            roles[var] = (s.start, s.end)
            if s.label:
                types[var] = s.label
    for var, (s, e) in roles.items():
        m = re.fullmatch(r"(?:SUBJ|OBJ)-(\S+)", ex.tokens[s]) if e - s == 1 else None
        if m and var not in types:
            types[var] = m.group(1)
    return _Text(tuple(t.lower() for t in ex.tokens), roles, types, ann)


def holds(lf: LogicalForm, example: Example, *, annotation: Any = None, question_annotation: Any = None,
          lexicons: Mapping[str, Collection[str]] | None = None) -> bool:
    """Whether the bool logical form ``lf`` is true on ``example`` (see the module doc for what is read)."""
    question = None
    if example.question:
        q = Example.from_tokens(example.id + "/q", tokenize(example.question)[0])
        question = _text_of(q, question_annotation)
    ev = _Eval(_text_of(example, annotation), question, lexicons or {})
    return bool(ev.value(lf))


def make_checker(*, lexicons: Mapping[str, Collection[str]] | None = None,
                 annotations: Mapping[str, Any] | None = None) -> Callable[[Explanation, LogicalForm], bool]:
    """``is_consistent(explanation, lf)``: ``lf`` holds on the explanation's own example (MRC X/Y/Z bound as phrases).

    Every explanation here explains a positive example of its label, so "labels its own example correctly" is
    "holds on it". ``annotations`` maps an example id to its annotation.
    """
    def is_consistent(explanation: Explanation, lf: LogicalForm) -> bool:
        ex = explanation.example
        if ex is None:
            return False
        roles = {s.role for s in ex.spans}
        bindings = {k: str(explanation.meta.get(k) or "") for k in ("X", "Y", "Z") if k not in roles}
        lf2 = bind_phrases(lf, bindings)
        ann = (annotations or {}).get(ex.id)
        return holds(lf2, ex, annotation=ann, lexicons=lexicons)
    return is_consistent
