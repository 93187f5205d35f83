"""Explanation text -> tokens -> lexical items, every entry derived from the predicate registry.

Quoted phrases (``"..."``, ``'...'``, ```` ``...'' ````) become one token carrying a ``str`` literal at this stage, so
annotator text is data from here on and never code. Other words are lowercased; digits and number words become
``int`` literals; variable phrases become ``Var``; class words (``person``, ``noun``, ``negation``) become typed
literals; registry phrases become predicate functors with the shape that places their arguments.

>>> [t.text for t in tokenize('The phrase "was born" links SUBJ and OBJ')]
['the', 'phrase', '"was born"', 'links', 'subj', 'and', 'obj']
>>> tokenize('The phrase "was born" links SUBJ and OBJ')[2].literal
'was born'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from nle.logic import registry as P
from nle.logic.forms import Lit, LogicalForm, Var

_QUOTED = re.compile(r'"([^"]*)"|``(.*?)\'\'|“([^”]*)”|‘([^’]*)’|(?<![\w\'])\'(?!s\b)([^\']*?[^\s\'])\'(?![\w])')
_WORD = re.compile(r"<[so]>|\w+n['\u2019]t\b|\$t\$|(?:subj|obj)-[a-z_]+|\d+(?:\.\d+)?|\w+(?:[-']\w+)*|[^\w\s]", re.IGNORECASE)

FILLER: frozenset[str] = frozenset(
    "the a an this that these those there it its word words phrase phrases term terms token tokens string "
    "is are be been being was were will should would can could may might must also probably likely just then "
    "so thus therefore hence because since which who whose what here present written stated found used placed "
    "located does do did has have having of to by with as than some both either neither".split()) | {","}
"""Words that may be skipped without being reported as unrecognised (they carry no meaning in the grammar)."""


@dataclass(frozen=True)
class Token:
    """One token of an explanation: ``text`` (lowercase, or the quoted phrase with its quotes) and its literal."""

    text: str
    literal: str | None = None  # the phrase inside quotes, verbatim


def tokenize(text: str) -> list[Token]:
    """Split an explanation into tokens; quoted phrases become single ``Token``s with ``literal`` set."""
    out: list[Token] = []
    pos = 0
    for m in _QUOTED.finditer(text):
        out.extend(Token(w.lower()) for w in _WORD.findall(text[pos:m.start()]))
        inner = next(g for g in m.groups() if g is not None).strip()
        out.append(Token(m.group(0), literal=inner))
        pos = m.end()
    out.extend(Token(w.lower()) for w in _WORD.findall(text[pos:]))
    return _uncontract(out)


_NEGATED = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}


def _uncontract(tokens: list[Token]) -> list[Token]:
    """``isn't`` -> ``is not``, ``doesn't`` -> ``does not``, ``can't`` -> ``can not`` (quoted phrases untouched)."""
    out: list[Token] = []
    for t in tokens:
        m = re.fullmatch(r"(\w+)n['\u2019]t", t.text) if t.literal is None else None
        if m:
            out += [Token(_NEGATED.get(m.group(1), m.group(1))), Token("not")]
        elif t.literal is None and t.text == "cannot":
            out += [Token("can"), Token("not")]
        else:
            out.append(t)
    return out


@dataclass(frozen=True)
class Lexical:
    """A lexical item over tokens ``[start, end)``: a complete value (``sem`` with ``type``) or a functor.

    Functors have ``pred`` (a registry name) and ``shape``; keyword items (``type == "kw"``) hold their word.
    """

    start: int
    end: int
    type: str
    sem: LogicalForm | None = None
    pred: str | None = None
    shape: str = ""
    word: str = ""
    source: str = ""  # the surface text, for features and derivations


def _phrases(domain: str) -> dict[str, list[tuple[str, object]]]:
    """Surface phrase -> [(kind, payload)] for variables, literals and functors, derived from the registry."""
    table: dict[str, list[tuple[str, object]]] = {}
    for var in P.VARIABLES.values():
        if domain in var.domains:
            for ph in var.phrases:
                table.setdefault(ph, []).append(("var", var.name))
    for ph, name in P.DOMAIN_ALIASES.get(domain, {}).items():
        table.setdefault(ph, []).append(("var", name))
    for ph, lits in P.LITERALS.items():
        for typ, value in lits:
            table.setdefault(ph, []).append(("lit", (typ, value)))
    for ph, entries in P.lexicon().items():
        for e in entries:
            table.setdefault(ph, []).append(("pred", e))
    return table


_TABLES: dict[str, dict[str, list[tuple[str, object]]]] = {}


def _table(domain: str) -> dict[str, list[tuple[str, object]]]:
    if domain not in _TABLES:
        _TABLES[domain] = _phrases(domain)
    return _TABLES[domain]


def _keywords() -> frozenset[str]:
    return frozenset(w for entries in P.lexicon().values() for e in entries for w in e.shape.split()
                     if w != "_" and not w.isdigit())


KEYWORDS: frozenset[str] = _keywords()
"""Words that shapes require (``before`` in ``"0 _ 2 before 1"``); each such token also yields a keyword item."""

_KW_ALIASES = {"word": "words", "token": "words", "tokens": "words", "dependency": "dependencies",
               "edges": "dependencies", "edge": "dependencies"}
"""Keyword spellings that shapes write once ("3 words apart" also reads "1 word apart", "3 tokens apart")."""

_VAR_PHRASES = frozenset(ph for v in P.VARIABLES.values() for ph in v.phrases)

_MAX_PHRASE = max(len(p.split()) for p in list(P.lexicon()) + list(P.LITERALS) + ["the answer"])


ANAPHORS: dict[str, int] = {"them": 2, "the two": 2, "the two entities": 2, "both entities": 2, "the entities": 2,
                            "the two words": 2, "both of them": 2, "the pair": 2, "they": 2, "it": 1, "itself": 1}
"""Pronouns and the number of earlier span variables they stand for ("between them" = between the last two)."""


def lexical_items(tokens: list[Token], domain: str, prior: tuple[str, ...] = ()) -> list[Lexical]:
    """Every lexical item the registry licenses over ``tokens`` (all phrase matches, overlapping ones included).

    ``prior``: the span variables mentioned before these tokens (earlier sentences), for anaphors: "them" is the
    last two distinct variables mentioned before it, "it" the last one (an item of type ``anaphor`` whose ``word``
    holds their names, space-separated)."""
    table = _table(domain)
    items: list[Lexical] = []
    words = [t.text for t in tokens]
    mentioned = list(prior)
    for i, tok in enumerate(tokens):
        for j in range(i + 1, min(len(tokens), i + 3) + 1):
            need = ANAPHORS.get(" ".join(words[i:j])) if all(t.literal is None for t in tokens[i:j]) else None
            if need == 2:
                recent = [m for m in dict.fromkeys(reversed(mentioned)) if not m.startswith('"')][:2]
                if len(recent) == 2:
                    items.append(Lexical(i, j, "anaphor", word=" ".join(reversed(recent)),
                                         source=" ".join(words[i:j])))
            elif need == 1:  # "it": one of the last two things mentioned (a phrase too); self-relations are refused
                for m in list(dict.fromkeys(reversed(mentioned)))[:2]:
                    items.append(Lexical(i, j, "anaphor", word=m, source=" ".join(words[i:j])))
        items_before = len(items)
        if tok.literal is not None:
            items.append(Lexical(i, i + 1, "str", Lit(tok.literal, "str"), source=tok.text))
            mentioned.append(json.dumps(tok.literal))
            continue
        w = tok.text
        if w.isascii() and w.isdigit():
            items.append(Lexical(i, i + 1, "int", Lit(int(w), "int"), source=w))
        elif w in P.NUMBER_WORDS:
            items.append(Lexical(i, i + 1, "int", Lit(P.NUMBER_WORDS[w], "int"), source=w))
        m = re.fullmatch(r"(subj|obj)-([a-z_]+)", w)
        if m and domain == "relation":
            items.append(Lexical(i, i + 1, "span", Var(m.group(1).upper()), word=m.group(2).upper(), source=w))
        if _KW_ALIASES.get(w, w) in KEYWORDS:
            items.append(Lexical(i, i + 1, "kw", word=_KW_ALIASES.get(w, w), source=w))
        if domain == "remote" and re.fullmatch(r"\w+(?:[-']\w+)*", w) and w not in _VAR_PHRASES:
            # REMOTE explanations name words bare ("X is faggot."): any word may be a phrase literal
            items.append(Lexical(i, i + 1, "str", Lit(w, "str"), source=f"bare:{w}"))
        for j in range(i + 1, min(len(tokens), i + _MAX_PHRASE) + 1):
            if any(t.literal is not None for t in tokens[i:j]):
                break
            phrase = " ".join(words[i:j])
            for kind, payload in table.get(phrase, ()):
                if kind == "var":
                    items.append(Lexical(i, j, "span", Var(str(payload)), source=phrase))
                elif kind == "lit":
                    typ, value = payload  # type: ignore[misc]
                    items.append(Lexical(i, j, "str" if typ == "str" else typ, Lit(value, typ), source=phrase))
                else:
                    items.append(Lexical(i, j, "functor", pred=payload.name, shape=payload.shape,  # type: ignore[attr-defined]
                                         source=phrase))
        mentioned += [str(lx.sem.name) for lx in items[items_before:]
                      if lx.type == "span" and isinstance(lx.sem, Var) and lx.start == i]
    return _longest_literals(items)



def _longest_literals(items: list[Lexical]) -> list[Lexical]:
    """Of the class-word literals starting at one token keep the longest ("noun phrase", not "noun" + skipped
    "phrase"; "amount of money", not "amount"): a shorter reading would leave a word of the class name out."""
    def is_class(lx: Lexical) -> bool:
        return lx.type not in ("functor", "kw") and lx.source in P.LITERALS
    longest: dict[int, int] = {}
    for lx in items:
        if is_class(lx):
            longest[lx.start] = max(longest.get(lx.start, 0), lx.end)
    return [lx for lx in items if not (is_class(lx) and lx.end < longest[lx.start])]
