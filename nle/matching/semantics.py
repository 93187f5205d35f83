"""What both interpreters share: the whitelist check of a logical form, phrase tokenisation, tag matching.

The semantics of every predicate are the ``doc`` strings of :mod:`nle.logic.registry`; this module holds
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
* **Patterns.** In ``equals``, ``contains``, ``starts_with`` and ``ends_with`` a phrase literal as the *second*
  argument is a pattern: its words, wherever the first argument is (``starts_with(Question, "how long")`` needs no
  occurrence of "how long" in the context). The first argument, as everywhere, denotes its occurrences.
* ``Sentence`` is the spaCy sentence holding the answer's first word when ``ANS`` is bound, else the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from nle.logic import registry as P
from nle.logic.check import LITERAL_TYPES, TEXT_VARS, LogicalFormError, check, phrase_tokens

__all__ = ["LITERAL_TYPES", "PATTERN_PREDICATES", "PLACEHOLDER", "TEXT_VARS", "ExecutionError", "check", "normalise_lexicon", "phrase_tokens",
           "spacy_matches", "type_matches"]

PLACEHOLDER = re.compile(r"^(?:SUBJ|OBJ)-(\S+)$")
PATTERN_PREDICATES = frozenset({"equals", "contains", "starts_with", "ends_with"})
"""String predicates whose second argument, when a phrase literal, is matched as words, not as occurrences."""


ExecutionError = LogicalFormError
"""A logical form the interpreter refuses (unknown predicate, wrong arity or argument type, unknown lexicon):
the type checker's error, :class:`nle.logic.check.LogicalFormError`."""


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
