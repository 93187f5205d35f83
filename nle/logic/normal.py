"""A canonical form for logical forms: two forms are *exactly equal* when their canonical forms are equal.

"Equal up to commutativity of and/or and argument normalisation" is made precise by these rewrites, each of which
keeps the denotation under the registry's semantics:

* **Connectives.** ``all`` is ``and``, ``any`` is ``or``, ``none(a, ...)`` is ``not(or(a, ...))``; nested
  ``and``/``or`` are flattened, their arguments sorted and de-duplicated, a one-argument ``and``/``or`` is its
  argument; ``not(not(p))`` is ``p``.
* **Direction.** ``right(a, b)`` is ``left(b, a)``; ``directly_after(a, b)`` is ``directly_before(b, a)``;
  ``right_within(a, b, n)`` is ``left_within(b, a, n)``.
* **Symmetry.** The two spans of ``between``, ``sandwich``, ``within``, ``apart``, ``count_between``,
  ``dep_distance`` and ``equals`` are sorted.
* **Comparisons** of ints end as ``le`` / ``ge`` / ``eq`` / ``ne`` with the constant on the right:
  ``lt(x, n)`` is ``le(x, n - 1)``, ``gt(x, n)`` is ``ge(x, n + 1)``, ``lt(n, x)`` is ``ge(x, n + 1)``.
* **Containment and scope.** ``contains(a, b)`` is ``in(b, a)``; ``in(a, T)`` for a text ``T`` (``Question``,
  ``Context``, ``Sentence``) is ``at(T, exists(a))``; ``at`` is pushed through ``and``/``or``/``not`` down to
  atoms; nested scopes keep the innermost; in the ``mrc`` domain ``at(Context, p)`` is ``p`` (the context is the
  main text).
* **Literals.** Phrases are lowercased and tokenised as the texts are (``"Was  born"`` is ``"was born"``); an NER
  tag is the set of spaCy labels it matches (``NER_EQUIVALENTS``: TACRED's ``COUNTRY`` and ``CITY`` are ``GPE``, as
  the interpreters treat them).

>>> from nle.logic.forms import from_text, render
>>> render(canonical(from_text('and(right(OBJ, SUBJ), lt(count_between(OBJ, SUBJ), 4))')))
'and(le(count_between(OBJ, SUBJ), 3), left(SUBJ, OBJ))'
>>> same(from_text('in(X, Question)'), from_text('at(Question, exists(X))'), domain="mrc")
True
"""

from __future__ import annotations

from nle.logic.check import TEXT_VARS, phrase_tokens
from nle.logic.forms import Call, Lit, LogicalForm, Var, to_json
from nle.logic.registry import NER_EQUIVALENTS

_FLIP = {"right": "left", "directly_after": "directly_before", "right_within": "left_within"}
_SYMMETRIC = frozenset({"between", "sandwich", "within", "apart", "count_between", "dep_distance", "equals"})
_MIRROR = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}


def _key(lf: LogicalForm) -> str:
    return to_json(lf)


def _lit(lf: Lit) -> Lit:
    if lf.type == "str" and isinstance(lf.value, str):
        return Lit(" ".join(phrase_tokens(lf.value)), "str")
    if lf.type == "ner" and isinstance(lf.value, str):
        labels = NER_EQUIVALENTS.get(lf.value, (lf.value,))
        return Lit("|".join(sorted(labels)) if labels else lf.value, "ner")
    return lf


def _compare(op: str, a: LogicalForm, b: LogicalForm) -> LogicalForm:
    if isinstance(a, Lit) and a.type == "int" and not (isinstance(b, Lit) and b.type == "int"):
        op, a, b = _MIRROR[op], b, a
    if isinstance(b, Lit) and b.type == "int" and isinstance(b.value, int):
        if op == "lt":
            op, b = "le", Lit(b.value - 1, "int")
        elif op == "gt":
            op, b = "ge", Lit(b.value + 1, "int")
    return Call(op, (a, b))


def _connective(op: str, args: list[LogicalForm]) -> LogicalForm:
    flat: list[LogicalForm] = []
    for a in args:
        flat.extend(a.args if isinstance(a, Call) and a.op == op else (a,))
    uniq = {_key(a): a for a in flat}
    ordered = [uniq[k] for k in sorted(uniq)]
    return ordered[0] if len(ordered) == 1 else Call(op, tuple(ordered))


def _scope(scope: str | None, lf: LogicalForm, domain: str) -> LogicalForm:
    """Push ``at(scope, .)`` down to the atoms of a canonical boolean form."""
    if isinstance(lf, Call) and lf.op in ("and", "or"):
        return _connective(lf.op, [_scope(scope, a, domain) for a in lf.args])
    if isinstance(lf, Call) and lf.op == "not":
        return Call("not", (_scope(scope, lf.args[0], domain),))
    if isinstance(lf, Call) and lf.op == "at":
        return lf  # an inner scope wins
    if scope is None or (domain == "mrc" and scope == "Context"):
        return lf
    return Call("at", (Var(scope), lf))


def canonical(lf: LogicalForm, domain: str = "relation") -> LogicalForm:
    """The canonical form of ``lf`` (module doc); idempotent."""
    if isinstance(lf, Lit):
        return _lit(lf)
    if isinstance(lf, Var):
        return lf
    op = lf.op
    args = [canonical(a, domain) for a in lf.args]
    if op in ("and", "all"):
        return _connective("and", args)
    if op in ("or", "any"):
        return _connective("or", args)
    if op == "none":
        return canonical(Call("not", (Call("or", tuple(args)),)), domain)
    if op == "not":
        inner = args[0]
        return inner.args[0] if isinstance(inner, Call) and inner.op == "not" else Call("not", (inner,))
    if op == "at":
        scope = args[0].name if isinstance(args[0], Var) else None
        return _scope(scope, args[1], domain)
    if op in _FLIP:
        op, args = _FLIP[op], [args[1], args[0], *args[2:]]
    if op in _SYMMETRIC and len(args) >= 2 and _key(args[1]) < _key(args[0]):
        args = [args[1], args[0], *args[2:]]
    if op in _MIRROR:
        return _compare(op, args[0], args[1])
    if op == "contains":
        return canonical(Call("in", (args[1], args[0])), domain)
    if op == "in" and isinstance(args[1], Var) and args[1].name in TEXT_VARS:
        return _scope(args[1].name, Call("exists", (args[0],)), domain)
    return Call(op, tuple(args))


def same(a: LogicalForm, b: LogicalForm, domain: str = "relation") -> bool:
    """Whether ``a`` and ``b`` are equal up to the rewrites of the module doc."""
    return canonical(a, domain) == canonical(b, domain)
