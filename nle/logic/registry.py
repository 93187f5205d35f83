"""The predicate registry: the one place where the names of logical forms live, as data.

Every ``Call.op`` of a logical form is a key of ``PREDICATES``; the parser's lexicon and the interpreter's
whitelist are both derived from it (``lexicon()``, ``get()``), so there is no second copy to keep in sync.

Conventions every predicate follows (the interpreter in ``nle.matching`` must implement exactly these):

* **Words.** Positions are word indices into the tokens of the text being matched. A *span* is a half-open word
  range ``(start, end)``: ``end`` exclusive, as in ``nle.types.Span``.
* **Span arguments** (type ``span``) are either a variable (``Var``: ``SUBJ``, ``OBJ``, ``X``, ``Y``, ``Z``, ``ANS``,
  ``Question``, ``Context``, ``Sentence``) or a phrase literal (``Lit(type="str")``). A variable denotes its bound
  span (``Question`` / ``Context`` / ``Sentence`` denote the whole of that text). A phrase denotes the set of its
  *occurrences*: every span whose lowercased tokens equal the phrase's lowercased tokens, exactly and contiguously
  (the phrase is tokenised like the text; ``"'s daughter"`` is the two tokens ``'s daughter``). A predicate over
  phrases holds when it holds for *some* combination of occurrences (existential); a phrase with no occurrence
  makes the predicate false. Exception, *patterns*: the second argument of ``equals``, ``contains``,
  ``starts_with`` and ``ends_with``, when a phrase, stands for its words wherever the first argument is
  (``starts_with(Question, "how long")`` needs no "how long" in the context).
* **Order.** ``a`` is *before* ``b`` when ``a.end <= b.start``. The *gap* between two disjoint spans is the number of
  words strictly between them: ``b.start - a.end`` when ``a`` is before ``b``, ``a.start - b.end`` otherwise;
  the gap of overlapping spans is undefined and predicates that need it are false. The *distance* is ``gap + 1``:
  adjacent spans are at distance 1 ("directly before" == "within 1 word before").
* **Between** never depends on order: "between SUBJ and OBJ" is the words strictly between the two spans, whichever
  comes first (``words[min(a.end, b.end):max(a.start, b.start)]``).
* **Counts** are ``int``; comparisons take two ints (``le(count_between(SUBJ, OBJ), 3)``).
* **Quantifiers** ``all`` / ``any`` / ``none`` take one or more ``bool`` arguments (the parser distributes a predicate
  over a list: "'a' or 'b' is right before OBJ" -> ``any(directly_before("a", OBJ), directly_before("b", OBJ))``).
* **Scope.** Outside ``at(...)`` spans are matched in the example's main text: the sentence (relations, REMOTE) or
  the context (MRC). ``at(Question, p)`` evaluates ``p`` over the question's words (with ``X``/``Y``/``Z``
  bound to their occurrences in the question).
* A predicate that cannot be evaluated (an unbound variable, an undefined gap) is *false*, never an error, except
  for type errors in the logical form itself, which the interpreter reports.

Phrases (``Phrase``) carry a *shape*: space-separated slots around the trigger ``_``; a digit ``i`` is the
predicate's argument ``i``, any other word is a keyword that must be present (``"2 _ 0 1"`` for
"'of' occurs between SUBJ and OBJ": argument 2 before the trigger, 0 and 1 after it). The parser turns each shape
into a CCG category; shapes are grammar, they do not change the semantics above.

>>> get("between").arg_types
('span', 'span', 'span')
>>> sorted({e.name for e in lexicon()["before"]})
['left']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

TYPES: tuple[str, ...] = ("bool", "int", "span", "str", "ner", "pos", "chunk", "lexicon")
"""Semantic types. ``span`` accepts a ``Var`` or a ``str`` literal; ``str`` only a phrase literal."""


@dataclass(frozen=True)
class Phrase:
    """A surface phrase that triggers a predicate, with the shape that places its arguments (see module doc)."""

    text: str
    shape: str


@dataclass(frozen=True)
class Predicate:
    """One registered predicate: ``name(arg_types...) -> return_type``; ``doc`` is its exact semantics."""

    name: str
    arg_types: tuple[str, ...]
    return_type: str
    phrases: tuple[Phrase, ...]
    doc: str
    variadic: bool = False  # the last argument type may repeat (and, or, all, any, none)
    expands: str = ""  # a macro: the form its phrases mean, over placeholders ARG0, ARG1, ... (never in a form)

    @property
    def arity(self) -> int:
        return len(self.arg_types)


def _p(*pairs: tuple[str, str]) -> tuple[Phrase, ...]:
    return tuple(Phrase(t, s) for t, s in pairs)


def _many(shape: str, *texts: str) -> tuple[tuple[str, str], ...]:
    return tuple((t, shape) for t in texts)


_BOOL2 = ("bool", "bool")
_SS = ("span", "span")

_PREDICATES: tuple[Predicate, ...] = (
    # ---- logic -----------------------------------------------------------------------------------------------
    Predicate("and", _BOOL2, "bool", _p(("and", "0 _ 1"), ("but", "0 _ 1"), (".", "0 _ 1"), (",", "0 _ 1"),
                                        ("also", "0 _ 1"), ("while", "0 _ 1"),
                                        ("with", "0 _ 1"), ("where", "0 _ 1"), ("whereas", "0 _ 1"),
                                        ("and also", "0 _ 1"), ("in addition", "0 _ 1"), ("plus", "0 _ 1")),
              "True iff every argument is true.", variadic=True),
    Predicate("or", _BOOL2, "bool", _p(("or", "0 _ 1"), ("either", "_ 0 or 1")),
              "True iff at least one argument is true.", variadic=True),
    Predicate("not", ("bool",), "bool", _p(("not", "_ 0"), ("it is not true that", "_ 0"), ("never", "_ 0")),
              "True iff the argument is false."),
    Predicate("all", ("bool",), "bool", _p(("all of", "_ 0"), ("both", "_ 0"), ("each of", "_ 0")),
              "True iff every argument is true (the quantifier a list with 'both'/'all' distributes into).",
              variadic=True),
    Predicate("any", ("bool",), "bool", _p(("any of", "_ 0"), ("one of", "_ 0"), ("at least one of", "_ 0")),
              "True iff at least one argument is true (the quantifier of a list joined by 'or').", variadic=True),
    Predicate("none", ("bool",), "bool", _p(("none of", "_ 0"), ("no", "_ 0")),
              "True iff no argument is true (the quantifier of 'neither ... nor' lists).", variadic=True),
    # ---- comparison of counts ----------------------------------------------------------------------------------
    Predicate("eq", ("int", "int"), "bool",
              _p(*_many("_ 1 0", "exactly", "only"), *_many("0 _ 1", "equals", "is equal to", "is exactly")),
              "a == b."),
    Predicate("ne", ("int", "int"), "bool", _p(("is not equal to", "0 _ 1"), ("does not equal", "0 _ 1")),
              "a != b."),
    Predicate("lt", ("int", "int"), "bool",
              _p(*_many("_ 1 0", "less than", "fewer than"), *_many("0 _ 1", "less than", "fewer than", "is less than",
                                                                  "is fewer than", "is smaller than")),
              "a < b."),
    Predicate("le", ("int", "int"), "bool",
              _p(*_many("_ 1 0", "no more than", "at most", "not more than", "up to", "no larger than"),
                 *_many("0 _ 1", "no more than", "at most", "is at most", "is no more than")),
              "a <= b."),
    Predicate("gt", ("int", "int"), "bool",
              _p(*_many("_ 1 0", "more than", "greater than"), *_many("0 _ 1", "is more than", "is greater than",
                                                                     "is larger than", "more than")),
              "a > b."),
    Predicate("ge", ("int", "int"), "bool",
              _p(*_many("_ 1 0", "at least", "no less than", "no fewer than"),
                 *_many("0 _ 1", "is at least", "is no less than")),
              "a >= b."),
    # ---- counting ----------------------------------------------------------------------------------------------
    Predicate("count_between", _SS, "int",
              _p(*_many("_ 0 1", "words between", "word between", "tokens between", "token between",
                        "number of words between", "number of tokens between")),
              "The number of words strictly between a and b, whichever comes first (their gap); "
              "for phrases, the smallest gap over occurrence pairs; undefined (comparisons false) if they overlap."),
    Predicate("count", ("span",), "int", _p(("number of times", "_ 0"), ("occurrences of", "_ 0"),
                                            ("count of", "_ 0")),
              "The number of occurrences of a (a phrase) in the text: non-overlapping, left to right; "
              "1 for a bound variable, 0 for an unbound one."),
    Predicate("length", ("span",), "int", _p(("length of", "_ 0"), ("number of words in", "_ 0")),
              "The number of words of a (end - start); for a phrase, the number of its tokens."),
    # ---- position ----------------------------------------------------------------------------------------------
    Predicate("left", _SS, "bool",
              _p(*_many("0 _ 1", "before", "precedes", "precede", "is before", "to the left of", "left of",
                        "ahead of", "comes before", "appears before", "occurs before", "is followed by", "followed by")),
              "a is before b: a.end <= b.start (any gap, for some occurrences)."),
    Predicate("right", _SS, "bool",
              _p(*_many("0 _ 1", "after", "follows", "follow", "is after", "to the right of", "right of",
                        "comes after", "appears after", "occurs after", "is preceded by", "preceded by")),
              "a is after b: a.start >= b.end (any gap, for some occurrences)."),
    Predicate("directly_before", _SS, "bool",
              _p(*_many("0 _ 1", "directly before", "right before", "immediately before", "just before",
                        "directly precedes", "immediately precedes", "directly precede", "right in front of"),
                 *_many("0 _ 1", "is directly followed by", "is immediately followed by", "directly followed by",
                        "is followed directly by", "followed directly by", "is followed immediately by",
                        "followed immediately by", "immediately followed by", "comes right before", "comes directly before",
                        "comes immediately before", "comes just before", "sits right before", "is adjacent to and before")),
              "a is directly before b: a.end == b.start (distance 1, no word between)."),
    Predicate("directly_after", _SS, "bool",
              _p(*_many("0 _ 1", "directly after", "right after", "immediately after", "just after",
                        "directly follows", "immediately follows", "directly follow", "right behind"),
                 *_many("0 _ 1", "is directly preceded by", "is immediately preceded by", "directly preceded by",
                        "is preceded directly by", "preceded directly by", "is preceded immediately by",
                        "preceded immediately by", "immediately preceded by", "comes right after", "comes directly after",
                        "comes immediately after", "comes just after", "sits right after")),
              "a is directly after b: a.start == b.end (distance 1, no word between)."),
    Predicate("left_within", ("span", "span", "int"), "bool",
              _p(*_many("0 _ 2 before 1", "within"),
                 *_many("0 _ 2 left of 1", "within"),
                 *_many("0 _ 1 by no more than 2", "precedes", "comes before", "is before", "appears before"),
                 *_many("0 _ 1 by at most 2", "precedes", "comes before", "is before", "appears before"),
                 *_many("0 _ 2 before 1", "no more than", "at most", "not more than"),
                 *_many("0 _ 2 to the left of 1", "within", "no more than", "at most", "not more than")),
              "a is before b with distance <= n: a.end <= b.start and b.start - a.end + 1 <= n "
              "('within 3 words before' allows at most 2 words in between)."),
    Predicate("right_within", ("span", "span", "int"), "bool",
              _p(*_many("0 _ 2 after 1", "within"), *_many("0 _ 2 right of 1", "within"),
                 *_many("0 _ 1 by no more than 2", "follows", "comes after", "is after", "appears after"),
                 *_many("0 _ 1 by at most 2", "follows", "comes after", "is after", "appears after"),
                 *_many("0 _ 2 after 1", "no more than", "at most", "not more than"),
                 *_many("0 _ 2 to the right of 1", "within", "no more than", "at most", "not more than")),
              "a is after b with distance <= n: a.start >= b.end and a.start - b.end + 1 <= n."),
    Predicate("within", ("span", "span", "int"), "bool",
              _p(("within", "0 _ 2 of 1"), ("within", "0 _ 2 from 1"), ("no more than", "0 _ 2 from 1"),
                 ("no more than", "0 _ 2 away from 1")),
              "a and b are disjoint and at distance <= n in either order (gap + 1 <= n)."),
    Predicate("apart", ("span", "span", "int"), "bool",
              _p(("apart", "0 1 _ by 2"), ("apart", "0 1 are 2 _"), ("separated by", "0 1 are _ 2")),
              "a and b are disjoint and exactly n words lie strictly between them (gap == n), either order."),
    Predicate("between", ("span", "span", "span"), "bool",
              _p(*_many("2 _ 0 1", "between", "is between", "appears between", "occurs between",
                        "comes between", "links", "lies between", "shows up between", "sits between", "is found between",
                        "exists between", "is located between", "separates", "separate", "is in between",
                        "appears in between", "occurs in between", "comes in between"),
                 *_many("_ 0 1 2", "between"), *_many("_ 0 1 2 occurs", "between"),
                 *_many("_ 0 1 2 appears", "between"), *_many("_ 0 1 2 comes", "between"),
                 *_many("_ 0 1 2 exists", "between"), *_many("_ 0 1 2 is found", "between"),
                 ("connects", "2 _ 0 1"), ("link", "0 1 are linked by 2 _")),
              "c lies strictly between a and b, in either order: min(a.end, b.end) <= c.start and "
              "c.end <= max(a.start, b.start) (for some occurrences)."),
    Predicate("sandwich", ("span", "span", "span"), "bool",
              _p(*_many("0 1 _ 2", "sandwich", "surround", "enclose"), ("only", "_ 2 between 0 1"),
                 ("sandwiched between", "2 _ 0 1"), ("is sandwiched between", "2 _ 0 1"),
                 *_many("_ 0 1 is 2", "the only word between", "only word between", "the only thing between",
                        "the only phrase between"),
                 *_many("_ 0 1 are 2", "the only words between", "only words between"),
                 *_many("2 _ 0 1", "is the only word between", "is the only thing between", "are the only words between",
                        "is the only phrase between", "alone separates", "is all that separates",
                        "is the only word separating", "are the only words separating", "only separates"),
                 *_many("0 1 are _ 2", "separated only by", "separated by only", "only separated by",
                        "separated just by", "separated by"),
                 *_many("0 _ 1 by 2", "is separated from", "is separated only from"),
                 *_many("0 _ 1 only by 2", "is separated from"),
                 *_many("_ 0 1 are exactly 2", "words between", "the words between", "words separating",
                        "the words separating"),
                 *_many("_ 0 1 is exactly 2", "word between", "the word between"),
                 *_many("_ 2 between 0 1", "nothing but", "nothing except", "nothing other than"),
                 *_many("_ 2 lies between 0 1", "nothing but", "nothing except", "nothing other than"),
                 *_many("between 0 1 _ 2", "there is nothing except", "there is nothing but", "is nothing but",
                        "is nothing except", "there is only"),
                 *_many("2 _ 0 from 1", "is the only word that separates", "is the only word separating",
                        "is the only phrase that separates", "are the only words that separate",
                        "only separates")),
              "c is exactly the words strictly between a and b, in either order: "
              "words[min(a.end, b.end):max(a.start, b.start)] lowercased == c lowercased (for some occurrences)."),
    Predicate("at", ("span", "bool"), "bool",
              _p(("in", "_ 0 1"), ("in", "1 _ 0")),
              "Evaluate the bool with the text set to a (Question, Context or Sentence): phrases and variables "
              "are looked up among a's words, positions are word indices into a."),
    # ---- strings -------------------------------------------------------------------------------------------------
    Predicate("equals", _SS, "bool",
              _p(*_many("0 _ 1", "is", "is the word", "is the phrase", "equals", "is exactly", "is the same as",
                        "is called", "is named")),
              "The lowercased tokens of a equal those of b (a variable against a phrase: its bound text)."),
    Predicate("contains", _SS, "bool",
              _p(*_many("0 _ 1", "contains", "contain", "has", "have", "includes", "include", "is made of")),
              "b occurs inside a: b's lowercased tokens are a contiguous subsequence of a's."),
    Predicate("in", _SS, "bool",
              _p(*_many("0 _ 1", "in", "is in", "appears in", "appear in", "occurs in", "is inside", "is part of",
                        "exists in", "is mentioned in", "is found in", "appears both in", "are in", "is within")),
              "a occurs inside b: a.start >= b.start and a.end <= b.end (a phrase: one of its occurrences lies "
              "within b; a Question/Context/Sentence b: the phrase or bound text occurs among b's words)."),
    Predicate("starts_with", _SS, "bool",
              _p(*_many("0 _ 1", "starts with", "start with", "begins with", "begin with", "starts by"),
                 *_many("1 _ 0", "is the first word of", "is the first word in", "is at the beginning of",
                        "is at the start of", "comes first in", "starts", "begins", "opens")),
              "The first len(b) lowercased tokens of a equal b's tokens."),
    Predicate("ends_with", _SS, "bool",
              _p(*_many("0 _ 1", "ends with", "end with", "finishes with"),
                 *_many("1 _ 0", "is the last word of", "is the last word in", "is at the end of", "comes last in",
                        "ends", "finishes", "closes")),
              "The last len(b) lowercased tokens of a equal b's tokens."),
    Predicate("exists", ("span",), "bool",
              _p(("appears", "0 _"), ("occurs", "0 _"), ("exists", "0 _"), ("there is", "_ 0"),
                 ("is mentioned", "0 _"), ("appear", "0 _")),
              "a occurs in the text: a bound variable, or a phrase with at least one occurrence."),
    Predicate("is_upper", ("span",), "bool",
              _p(*_many("0 _", "is upper case", "is uppercase", "is in upper case", "is all caps")),
              "Every cased character of a's words is uppercase (str.isupper on the joined text)."),
    Predicate("is_lower", ("span",), "bool",
              _p(*_many("0 _", "is lower case", "is lowercase", "is in lower case")),
              "Every cased character of a's words is lowercase (str.islower on the joined text)."),
    Predicate("is_capitalized", ("span",), "bool",
              _p(*_many("0 _", "is capitalized", "is capitalised", "starts with a capital letter",
                        "begins with a capital letter", "is a proper noun")),
              "The first character of every word of a is an uppercase letter."),
    # ---- annotations -------------------------------------------------------------------------------------------
    Predicate("ner", ("span", "ner"), "bool",
              _p(*_many("0 _ 1", "is", "is a", "is an", "should be", "should be a", "will be", "is of type", "is about",
                        "is probably", "is probably a", "may be a", "is likely a")),
              "Every word of a lies in one named entity whose label is the tag (a TACRED tag matches any of its "
              "spaCy labels, NER_EQUIVALENTS); SUBJ/OBJ placeholders 'SUBJ-<TAG>' carry their tag."),
    Predicate("pos", ("span", "pos"), "bool",
              _p(*_many("0 _ 1", "is", "is a", "is an", "should be a", "is probably a")),
              "The head word of a (its last word for a phrase) has this universal POS tag (spaCy token.pos_)."),
    Predicate("chunk", ("span", "chunk"), "bool",
              _p(*_many("0 _ 1", "is", "is a", "is an", "should be", "should be a", "is probably a")),
              "NP: a lies inside one spaCy noun chunk; VP: a's head word is VERB or AUX; PP: a's first word is ADP."),
    Predicate("lexicon", ("span", "lexicon"), "bool",
              _p(*_many("0 _ 1", "is", "is a", "is an", "is in", "is a word in")),
              "The lowercased text of a, or its lemma, is an entry of the named lexicon (LEXICONS)."),
    Predicate("dep_distance", _SS, "int",
              _p(("dependencies from", "_ 0 1"), ("dependency distance between", "_ 0 1"),
                 ("dependencies away from", "_ 0 1")),
              "The number of edges on the shortest undirected dependency path between any word of a and any word "
              "of b (0 when they share a word)."),
)

PREDICATES: Mapping[str, Predicate] = MappingProxyType({p.name: p for p in _PREDICATES})
"""Name -> predicate; the interpreter's whitelist."""

_INT3 = ("span", "span", "int")
_MACROS: tuple[Predicate, ...] = (
    # Phrases whose meaning is a composition of predicates: the parser expands them (``expands``, over ARG0..),
    # so a logical form only ever holds registered predicates. Names start with "~".
    Predicate("~dep_lt", _INT3, "bool",
              _p(*_many("0 _ 2 dependencies from 1", "less than", "fewer than"),
                 *_many("0 _ 2 dependencies away from 1", "less than", "fewer than")),
              "a is less than n dependency edges from b.", expands="lt(dep_distance(ARG0, ARG1), ARG2)"),
    Predicate("~dep_le", _INT3, "bool",
              _p(*_many("0 _ 2 dependencies from 1", "no more than", "at most", "not more than"),
                 *_many("0 _ 2 dependencies of 1", "within")),
              "a is at most n dependency edges from b.", expands="le(dep_distance(ARG0, ARG1), ARG2)"),
    Predicate("~adjacent", _SS, "bool",
              _p(("adjacent", "0 1 are _"), ("next to each other", "0 1 are _"), ("adjacent to", "0 _ 1"),
                 ("next to", "0 _ 1"), ("nothing", "_ between 0 1"), ("no words", "_ between 0 1"),
                 ("no word", "_ between 0 1")),
              "No word lies between a and b (either order).", expands="eq(count_between(ARG0, ARG1), 0)"),
)


_CMP_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "le": ("at most", "no more than", "not more than", "up to", "a maximum of", "maximum"),
    "lt": ("less than", "fewer than"), "ge": ("at least", "no less than", "no fewer than", "a minimum of"),
    "gt": ("more than", "over"), "eq": ("exactly", "only", "just")})
_GAP_VERBS = ("between", "are between", "lie between", "exist between", "occur between", "appear between",
              "come between", "are found between", "stand between", "separate", "are separating")


def _gap_macros() -> tuple[Predicate, ...]:
    """"at most 3 words separate A and B", "A and B are fewer than 4 words apart", ...: a comparison of the words
    between two spans, in every phrasing of the comparison and of the count."""
    out = []
    for op, words in _CMP_WORDS.items():
        shapes = [f"_ 2 {unit} {verb} 0 1" for unit in ("words",) for verb in _GAP_VERBS]
        shapes += [f"0 1 are _ 2 {unit} apart" for unit in ("words",)]
        shapes += [f"0 1 are separated by _ 2 {unit}" for unit in ("words",)]
        shapes += [f"0 1 are _ 2 {unit} away from each other" for unit in ("words",)]
        shapes += [f"0 _ 2 {unit} away from 1" for unit in ("words",)]
        shapes += [f"0 _ 2 {unit} apart from 1" for unit in ("words",)]
        shapes += [f"0 is separated from 1 by _ 2 {unit}" for unit in ("words",)]
        phrases = tuple(Phrase(w, sh) for w in words for sh in shapes)
        if op == "le":
            phrases += tuple(Phrase("within", f"0 1 are _ 2 {u} of each other") for u in ("words",))
            phrases += tuple(Phrase("within", f"0 1 are _ 2 {u} apart") for u in ("words",))
        out.append(Predicate(f"~gap_{op}", _INT3, "bool", phrases,
                             f"The number of words between a and b (either order) compared with n ({op}).",
                             expands=f"{op}(count_between(ARG0, ARG1), ARG2)"))
    for op, side, pred in (("lt", "before", "left_within"), ("lt", "after", "right_within"),
                           ("lt", "left of", "left_within"), ("lt", "right of", "right_within")):
        out.append(Predicate(f"~{pred}_{op}_{side.replace(' ', '_')}", _INT3, "bool",
                             tuple(Phrase(w, f"0 _ 2 {u} {side} 1") for w in _CMP_WORDS[op]
                                   for u in ("words",)),
                             f"a is {side} b at a distance below n: {pred} with n - 1.",
                             expands=f"{pred}(ARG0, ARG1, ARG2_MINUS_1)"))
    for op in ("lt", "le"):
        out.append(Predicate(f"~dep_{op}_apart", _INT3, "bool",
                             tuple(Phrase(w, f"0 1 are _ 2 {u} apart") for w in _CMP_WORDS[op]
                                   for u in ("dependencies",)),
                             f"a and b are {op} n dependency edges apart.",
                             expands=f"{op}(dep_distance(ARG0, ARG1), ARG2)"))
    return tuple(out)


_MACROS = _MACROS + _gap_macros()
MACROS: Mapping[str, Predicate] = MappingProxyType({p.name: p for p in _MACROS})
"""Phrase macros (name -> entry): grammar only; the parser replaces each by its ``expands`` form."""


def functor(name: str) -> Predicate:
    """A predicate or a macro by name (what the parser's lexical entries point to)."""
    return MACROS[name] if name in MACROS else get(name)

# ---- variables -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """A variable of the logical forms, the domains it belongs to and the phrases that denote it."""

    name: str
    domains: tuple[str, ...]
    phrases: tuple[str, ...]
    doc: str


VARIABLES: Mapping[str, Variable] = MappingProxyType({v.name: v for v in (
    Variable("SUBJ", ("relation",), ("subj", "subject", "<s>", "e1"), "The subject entity span (role 'subj')."),
    Variable("OBJ", ("relation",), ("obj", "object", "<o>", "e2"), "The object entity span (role 'obj')."),
    Variable("X", ("mrc", "remote"), ("x",), "A span bound by the annotator (role 'X')."),
    Variable("Y", ("mrc", "remote"), ("y",), "A span bound by the annotator (role 'Y')."),
    Variable("Z", ("mrc", "remote"), ("z",), "A span bound by the annotator (role 'Z')."),
    Variable("ANS", ("mrc",), ("answer", "the answer", "an answer", "answers", "ans"), "The answer span."),
    Variable("Question", ("mrc",), ("question", "the question"), "The whole question (as a text)."),
    Variable("Context", ("mrc",), ("context", "the context", "passage", "paragraph", "text"), "The whole context."),
    Variable("Sentence", ("mrc", "relation", "remote"), ("sentence", "the sentence"),
             "The sentence of the main text that holds the answer (MRC) or the whole sentence (relations)."),
)})

DOMAIN_ALIASES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "relation": MappingProxyType({"x": "SUBJ", "y": "OBJ"}),
})
"""Per domain, extra phrases for variables (TACRED annotators wrote X / Y for the subject / object)."""

# ---- literal classes: NER tags, POS tags, chunks, lexicons -----------------------------------------------------

SPACY_NER: tuple[str, ...] = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
                              "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL",
                              "CARDINAL")
TACRED_NER: tuple[str, ...] = ("ORGANIZATION", "LOCATION", "NUMBER", "DURATION", "MISC", "CITY", "COUNTRY",
                               "STATE_OR_PROVINCE", "NATIONALITY", "RELIGION", "TITLE", "IDEOLOGY",
                               "CRIMINAL_CHARGE", "CAUSE_OF_DEATH", "URL", "EMAIL", "SET")
NER_EQUIVALENTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    **{t: (t,) for t in SPACY_NER},
    "ORGANIZATION": ("ORG",), "LOCATION": ("LOC", "GPE", "FAC"), "NUMBER": ("CARDINAL", "QUANTITY"),
    "DURATION": ("DATE", "TIME"), "MISC": ("NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"),
    "CITY": ("GPE",), "COUNTRY": ("GPE",), "STATE_OR_PROVINCE": ("GPE",), "NATIONALITY": ("NORP",),
    "RELIGION": ("NORP",), "IDEOLOGY": ("NORP",), "TITLE": (), "CRIMINAL_CHARGE": (), "CAUSE_OF_DEATH": (),
    "URL": (), "EMAIL": (), "SET": ("DATE",),
})
"""NER tag -> the spaCy labels it matches (TACRED tags with no spaCy counterpart match only placeholders)."""

POS_TAGS: tuple[str, ...] = ("NOUN", "PROPN", "VERB", "AUX", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CCONJ",
                             "SCONJ", "PART", "INTJ", "PUNCT", "SYM", "X")
CHUNKS: tuple[str, ...] = ("NP", "VP", "PP")


@dataclass(frozen=True)
class Lexicon:
    """A word list read from ``$NLE_DATA_DIR/<path>``; ``doc`` says which rows count."""

    name: str
    path: str
    doc: str


LEXICONS: Mapping[str, Lexicon] = MappingProxyType({x.name: x for x in (
    Lexicon("negation", "expl_refinement_remote/matcher/data/negation.txt", "one negation word per line"),
    Lexicon("identity", "expl_refinement_remote/matcher/data/identity.csv", "group identifiers: term<TAB>weight"),
    Lexicon("sentiment_positive", "expl_refinement_remote/matcher/data/sentiment.csv",
            "MPQA rows with priorpolarity == positive (column word1)"),
    Lexicon("sentiment_negative", "expl_refinement_remote/matcher/data/sentiment.csv",
            "MPQA rows with priorpolarity == negative (column word1)"),
    Lexicon("hate", "expl_refinement_remote/matcher/data/hatewords.txt",
            "hate terms, one per line; not distributed upstream (the user supplies it): empty when absent"),
)})

LITERALS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType({
    # ner: every tag by its own name, then the class words (which win: "country" is GPE, not TACRED's COUNTRY)
    **{t.lower(): (("ner", t),) for t in SPACY_NER + TACRED_NER if t.lower() not in ("number", "title")},
    "person": (("ner", "PERSON"),), "people": (("ner", "PERSON"),), "name": (("ner", "PERSON"),),
    "organization": (("ner", "ORG"),), "organisation": (("ner", "ORG"),), "company": (("ner", "ORG"),),
    "location": (("ner", "LOCATION"),), "place": (("ner", "LOCATION"),), "city": (("ner", "GPE"),),
    "country": (("ner", "GPE"),), "state": (("ner", "GPE"),), "nationality": (("ner", "NORP"),),
    "religious": (("ner", "NORP"),), "religion": (("ner", "NORP"),), "group": (("ner", "NORP"),),
    "date": (("ner", "DATE"),), "year": (("ner", "DATE"),), "year number": (("ner", "DATE"),),
    "time": (("ner", "TIME"),), "time frame": (("ner", "DATE"),), "time period": (("ner", "DATE"),),
    "period": (("ner", "DATE"),), "duration": (("ner", "DATE"),),
    "number": (("ner", "CARDINAL"),), "value": (("ner", "CARDINAL"),), "amount": (("ner", "QUANTITY"),),
    "numeral": (("ner", "CARDINAL"),), "ordinal": (("ner", "ORDINAL"),), "percentage": (("ner", "PERCENT"),),
    "percent": (("ner", "PERCENT"),), "money": (("ner", "MONEY"),), "amount of money": (("ner", "MONEY"),),
    "quantity": (("ner", "QUANTITY"),), "event": (("ner", "EVENT"),), "language": (("ner", "LANGUAGE"),),
    "law": (("ner", "LAW"),), "product": (("ner", "PRODUCT"),), "title": (("ner", "TITLE"),),
    "facility": (("ner", "FAC"),), "building": (("ner", "FAC"),), "entity": (("ner", "ORG"),),
    # pos
    "noun": (("pos", "NOUN"),), "nouns": (("pos", "NOUN"),), "proper noun": (("pos", "PROPN"),),
    "verb": (("pos", "VERB"),), "adjective": (("pos", "ADJ"),), "adverb": (("pos", "ADV"),),
    "pronoun": (("pos", "PRON"),), "preposition": (("pos", "ADP"),), "determiner": (("pos", "DET"),),
    "conjunction": (("pos", "CCONJ"),), "punctuation": (("pos", "PUNCT"),), "interjection": (("pos", "INTJ"),),
    # chunks
    "noun phrase": (("chunk", "NP"),), "verb phrase": (("chunk", "VP"),), "prepositional phrase": (("chunk", "PP"),),
    # lexicons
    "negation": (("lexicon", "negation"),), "negative word": (("lexicon", "negation"),),
    "identity": (("lexicon", "identity"),), "identity term": (("lexicon", "identity"),),
    "positive": (("lexicon", "sentiment_positive"),), "negative": (("lexicon", "sentiment_negative"),),
    "hateful": (("lexicon", "hate"),), "hate word": (("lexicon", "hate"),), "slur": (("lexicon", "hate"),),
    # punctuation words denote their symbol
    "comma": (("str", ","),), "exclamation mark": (("str", "!"),), "question mark": (("str", "?"),),
    "period sign": (("str", "."),), "colon": (("str", ":"),), "hyphen": (("str", "-"),),
})
"""Surface word -> the literals ``(type, value)`` it can denote (class names in explanations)."""

NUMBER_WORDS: Mapping[str, int] = MappingProxyType({w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"single": 1, "once": 1, "twice": 2})
"""Number words -> ints (digits are read directly)."""


def get(name: str) -> Predicate:
    """The predicate called ``name``; ``KeyError`` lists the registered names when there is none."""
    try:
        return PREDICATES[name]
    except KeyError:
        raise KeyError(f"unknown predicate {name!r}; registered: {sorted(PREDICATES)}") from None


@dataclass(frozen=True)
class LexEntry:
    """One lexical entry derived from the registry: surface ``phrase`` -> predicate ``name`` with ``shape``."""

    phrase: str
    name: str
    shape: str


@lru_cache(maxsize=1)
def lexicon() -> Mapping[str, tuple[LexEntry, ...]]:
    """Surface phrase (lowercase, space-joined tokens) -> the predicate entries it triggers, derived from PREDICATES."""
    out: dict[str, list[LexEntry]] = {}
    for pred in _PREDICATES + _MACROS:
        for ph in pred.phrases:
            out.setdefault(ph.text.lower(), []).append(LexEntry(ph.text.lower(), pred.name, ph.shape))
    return MappingProxyType({k: tuple(v) for k, v in out.items()})


def check_registry() -> None:
    """Raise ``ValueError`` when a shape names an argument outside the predicate's arity or misses one, or a
    macro's expansion is not a well-formed use of registered predicates."""
    for pred in _PREDICATES + _MACROS:
        if pred.return_type not in TYPES or any(t not in TYPES for t in pred.arg_types):
            raise ValueError(f"predicate {pred.name}: unknown type in {pred.arg_types} -> {pred.return_type}")
        for ph in pred.phrases:
            slots = ph.shape.split()
            if slots.count("_") != 1:
                raise ValueError(f"predicate {pred.name}, phrase {ph.text!r}: shape {ph.shape!r} needs one '_'")
            idx = sorted(int(s) for s in slots if s.isdigit())
            if idx != list(range(pred.arity)):
                raise ValueError(f"predicate {pred.name}, phrase {ph.text!r}: shape {ph.shape!r} must name "
                                 f"arguments 0..{pred.arity - 1} once each")
        if pred.name.startswith("~") != bool(pred.expands) or (pred.expands and pred.name in PREDICATES):
            raise ValueError(f"{pred.name}: a macro's name starts with '~' and it has an expansion")
        if pred.expands:
            from nle.logic.forms import from_text

            placeholders = sorted(set(re.findall(r"ARG(\d+)", pred.expands)), key=int)  # ARGi or ARGi_MINUS_1
            if placeholders != [str(i) for i in range(pred.arity)]:
                raise ValueError(f"macro {pred.name}: {pred.expands!r} must use ARG0..ARG{pred.arity - 1}")
            from_text(pred.expands)
