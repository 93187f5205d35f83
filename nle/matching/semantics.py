"""What both interpreters share: the whitelist check of a logical form, phrase tokenisation, tag matching.

The semantics of every predicate are the ``doc`` strings of :mod:`nle.parsing.predicates`; this module holds
only the pieces both :func:`nle.matching.reference.execute_one` (per example, pure Python) and
:func:`nle.matching.execute.execute` (vectorised) need to agree on. Choices the registry leaves open:

* **Faults.** A variable the example does not bind makes the predicate false (registry) *and* marks the example
  as a fault of the rule, so it is counted and reported (snorkel's fault counting), never silently dropped.
  Every argument is evaluated (no short-circuit), so the fault set does not depend on the order of arguments.
* **Head word** of a span: its first word whose dependency head lies outside the span (or is itself).
* **NER placeholders**: a one-word span ``SUBJ-<TAG>`` / ``OBJ-<TAG>`` has type ``<TAG>``, and a variable whose span
  carries a type in the data (TACRED ``subj_type``) has that type too; a type ``t`` matches a tag when
  ``t == tag`` or their ``NER_EQUIVALENTS`` share a spaCy label. spaCy entities match through ``NER_EQUIVALENTS``.
* **Scope.** ``at(Question, p)``: phrases are found in the question and ``SUBJ``/``OBJ``/``X``/``Y``/``Z``/``ANS``
  denote the occurrences of their words in the question. ``at(V, p)`` for a main-text variable ``V``
  (``Context``, ``Sentence``, ``X``, ...): phrase occurrences must lie inside ``V``'s span. ``in(a, Question)`` is
  ``at(Question, exists(a))``. Positional predicates between spans of different texts are false.
* ``Sentence`` is the spaCy sentence holding the answer's first word when ``ANS`` is bound, else the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from nle.data.tokenize import tokenize
from nle.parsing import predicates as P
from nle.parsing.logical_form import Call, Lit, LogicalForm, Var

PLACEHOLDER = re.compile(r"^(?:SUBJ|OBJ)-(\S+)$")
_CLITIC = re.compile(r"^(?:['\u2019](?:s|re|ve|ll|d|m)|n['\u2019]t)$", re.IGNORECASE)
TEXT_VARS = ("Question", "Context", "Sentence")
LITERAL_TYPES = ("ner", "pos", "chunk", "lexicon")


class ExecutionError(ValueError):
    """A logical form the interpreter refuses: unknown predicate, wrong arity or argument type, unknown lexicon."""


def phrase_tokens(text: str) -> tuple[str, ...]:
    """Lowercased tokens of a quoted phrase, tokenised like the texts (``"'s daughter"`` -> ``("'s", "daughter")``).

    >>> phrase_tokens("Was born , in")
    ('was', 'born', ',', 'in')
    """
    out: list[str] = []
    for piece in text.split():
        out.extend([piece] if _CLITIC.match(piece) else tokenize(piece)[0])
    return tuple(w.lower() for w in out)


def _labels(tag: str) -> set[str]:
    return set(P.NER_EQUIVALENTS.get(tag, (tag,)))


def type_matches(found: str, tag: str) -> bool:
    """A data-given or placeholder type ``found`` matches the tag ``tag`` (see the module doc)."""
    return found == tag or bool(_labels(found) & _labels(tag))


def spacy_matches(label: str, tag: str) -> bool:
    """A spaCy entity label matches the tag through ``NER_EQUIVALENTS`` (``GPE`` matches ``LOCATION``)."""
    return label in _labels(tag)


def normalise_lexicon(entries: Collection[str]) -> frozenset[str]:
    """Lexicon entries as the interpreters compare them: lowercased, words joined by one space."""
    return frozenset(" ".join(e.lower().split()) for e in entries if e.strip())


def _type_of(lf: LogicalForm) -> str:
    if isinstance(lf, Call):
        return P.get(lf.op).return_type
    if isinstance(lf, Var):
        return "span"
    return {"str": "span"}.get(lf.type, lf.type)


def check(lf: LogicalForm, lexicons: Mapping[str, Collection[str]] | None = None, where: str = "$") -> None:
    """Raise :class:`ExecutionError` (naming the path in the tree) unless ``lf`` is a well-typed bool formula
    over registered predicates, known variables and (when ``lexicons`` is given) available lexicons."""
    if isinstance(lf, Var):
        if lf.name not in P.VARIABLES:
            raise ExecutionError(f"{where}: unknown variable {lf.name!r}; known: {sorted(P.VARIABLES)}")
        return
    if isinstance(lf, Lit):
        if lf.type == "str" and not (isinstance(lf.value, str) and phrase_tokens(lf.value)):
            raise ExecutionError(f"{where}: a phrase literal must be a non-empty string, got {lf.value!r}")
        if lf.type == "int" and not isinstance(lf.value, int):
            raise ExecutionError(f"{where}: an int literal must hold an int, got {lf.value!r}")
        if lf.type == "chunk" and lf.value not in P.CHUNKS:
            raise ExecutionError(f"{where}: chunk must be one of {P.CHUNKS}, got {lf.value!r}")
        if lf.type == "lexicon" and lexicons is not None and lf.value not in lexicons:
            raise ExecutionError(f"{where}: lexicon {lf.value!r} not loaded; available: {sorted(lexicons)}")
        if lf.type not in ("str", "int", *LITERAL_TYPES):
            raise ExecutionError(f"{where}: unsupported literal type {lf.type!r}")
        return
    if not isinstance(lf, Call):
        raise ExecutionError(f"{where}: not a logical form: {lf!r}")
    if lf.op not in P.PREDICATES:
        raise ExecutionError(f"{where}: unknown predicate {lf.op!r}; registered: {sorted(P.PREDICATES)}")
    pred = P.PREDICATES[lf.op]
    n = len(lf.args)
    if n < pred.arity if pred.variadic else n != pred.arity:
        raise ExecutionError(f"{where}: {lf.op} takes {pred.arity}{'+' if pred.variadic else ''} arguments, got {n}")
    for i, arg in enumerate(lf.args):
        want = pred.arg_types[min(i, pred.arity - 1)]
        got = _type_of(arg) if not (isinstance(arg, Call) and arg.op not in P.PREDICATES) else "?"
        if got != want and got != "?":
            raise ExecutionError(f"{where}.args[{i}]: {lf.op} expects {want}, got {got} ({arg!r})")
        check(arg, lexicons, f"{where}.args[{i}]")
    if lf.op == "at" and not isinstance(lf.args[0], Var):
        raise ExecutionError(f"{where}: at() takes a variable (Question, Context, Sentence, ...) as its scope")
