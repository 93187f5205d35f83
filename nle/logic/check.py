"""Type checking of logical forms against the predicate registry: the one check both parsing and matching use.

:func:`check` raises :class:`LogicalFormError` (naming the path in the tree) unless a form is a well-typed bool
formula over registered predicates, known variables and (when given) available lexicons. :func:`phrase_tokens`
tokenises a phrase literal exactly as the texts are tokenised, so that a phrase means the same words everywhere.

>>> from nle.logic.forms import Call, Lit, Var
>>> check(Call("left", (Var("SUBJ"), Lit("of"))))
>>> check(Call("left", (Var("SUBJ"),)))
Traceback (most recent call last):
...
nle.logic.check.LogicalFormError: $: left takes 2 arguments, got 1
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from nle.data.tokenize import tokenize
from nle.logic import registry as P
from nle.logic.forms import Call, Lit, LogicalForm, Var

_CLITIC = re.compile(r"^(?:['\u2019](?:s|re|ve|ll|d|m)|n['\u2019]t)$", re.IGNORECASE)
TEXT_VARS = ("Question", "Context", "Sentence")
LITERAL_TYPES = ("ner", "pos", "chunk", "lexicon")


class LogicalFormError(ValueError):
    """An ill-formed logical form: unknown predicate or variable, wrong arity or argument type, unknown lexicon."""


_PTB = re.compile(r"-[LR][RSC]B-", re.IGNORECASE)


def phrase_tokens(text: str) -> tuple[str, ...]:
    """Lowercased tokens of a quoted phrase, tokenised like the texts (``"'s daughter"`` -> ``("'s", "daughter")``).

    Penn-Treebank bracket tokens (``-LRB-``, ``-RRB-``, ...), which TACRED sentences hold as words, stay whole.

    >>> phrase_tokens("Was born , in")
    ('was', 'born', ',', 'in')
    >>> phrase_tokens("website -LRB-")
    ('website', '-lrb-')
    """
    out: list[str] = []
    for piece in text.split():
        out.extend([piece] if _CLITIC.match(piece) or _PTB.fullmatch(piece) else tokenize(piece)[0])
    return tuple(w.lower() for w in out)


def _type_of(lf: LogicalForm) -> str:
    if isinstance(lf, Call):
        return P.get(lf.op).return_type
    if isinstance(lf, Var):
        return "span"
    return {"str": "span"}.get(lf.type, lf.type)


def check(lf: LogicalForm, lexicons: Mapping[str, Collection[str]] | None = None, where: str = "$") -> None:
    """Raise :class:`LogicalFormError` (naming the path in the tree) unless ``lf`` is a well-typed bool formula
    over registered predicates, known variables and (when ``lexicons`` is given) available lexicons."""
    if isinstance(lf, Var):
        if lf.name not in P.VARIABLES:
            raise LogicalFormError(f"{where}: unknown variable {lf.name!r}; known: {sorted(P.VARIABLES)}")
        return
    if isinstance(lf, Lit):
        if lf.type == "str" and not (isinstance(lf.value, str) and phrase_tokens(lf.value)):
            raise LogicalFormError(f"{where}: a phrase literal must be a non-empty string, got {lf.value!r}")
        if lf.type == "int" and not isinstance(lf.value, int):
            raise LogicalFormError(f"{where}: an int literal must hold an int, got {lf.value!r}")
        if lf.type == "chunk" and lf.value not in P.CHUNKS:
            raise LogicalFormError(f"{where}: chunk must be one of {P.CHUNKS}, got {lf.value!r}")
        if lf.type == "lexicon" and lexicons is not None and lf.value not in lexicons:
            raise LogicalFormError(f"{where}: lexicon {lf.value!r} not loaded; available: {sorted(lexicons)}")
        if lf.type not in ("str", "int", *LITERAL_TYPES):
            raise LogicalFormError(f"{where}: unsupported literal type {lf.type!r}")
        return
    if not isinstance(lf, Call):
        raise LogicalFormError(f"{where}: not a logical form: {lf!r}")
    if lf.op not in P.PREDICATES:
        raise LogicalFormError(f"{where}: unknown predicate {lf.op!r}; registered: {sorted(P.PREDICATES)}")
    pred = P.PREDICATES[lf.op]
    n = len(lf.args)
    if n < pred.arity if pred.variadic else n != pred.arity:
        raise LogicalFormError(f"{where}: {lf.op} takes {pred.arity}{'+' if pred.variadic else ''} arguments, got {n}")
    for i, arg in enumerate(lf.args):
        want = pred.arg_types[min(i, pred.arity - 1)]
        got = _type_of(arg) if not (isinstance(arg, Call) and arg.op not in P.PREDICATES) else "?"
        if got != want and got != "?":
            raise LogicalFormError(f"{where}.args[{i}]: {lf.op} expects {want}, got {got} ({arg!r})")
        check(arg, lexicons, f"{where}.args[{i}]")
    if lf.op == "at" and not isinstance(lf.args[0], Var):
        raise LogicalFormError(f"{where}: at() takes a variable (Question, Context, Sentence, ...) as its scope")
