"""A CCG chart parser with beam search: explanation text -> ranked logical forms of type ``bool``.

Each registry phrase is a CCG functor whose category comes from its shape (``"2 _ 0 1"`` is
``((bool\\span)/span)/span``: arguments right of the trigger are taken first, left to right, then those on its left,
nearest first). Two rules combine adjacent items: forward and backward application; typed arguments must match the
registry's argument types (``span`` accepts a variable or a phrase literal). Spans joined by ``and`` / ``or`` /
``nor`` / ``,`` form lists that distribute over the predicate that takes them (``all`` / ``any`` / ``none``). Any
token may be skipped at a cost (a feature the ranker weighs); tokens that no entry covers are dropped before the
chart and reported as unrecognised if nothing parses. Each cell keeps its ``beam`` best items (CKY).

>>> [render(c.logical_form) for c in parse('The phrase "was born" links SUBJ and OBJ', domain="relation")][:1]
['between(SUBJ, OBJ, "was born")']
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from nle.logic import registry as P
from nle.logic.forms import Call, Lit, LogicalForm, Var, from_text, render
from nle.parsing.lexer import FILLER, Lexical, Token, lexical_items, tokenize

DOMAINS: tuple[str, ...] = ("relation", "mrc", "remote")

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "skip:filler": -0.1, "skip:conj": -0.6, "skip:kw": -0.4, "skip:content": -1.0, "skip:int": -1.5, "skip:str": -3.0,
    "skip:span": -3.0, "skip:type": -1.5, "list": -0.4, "lexlen": 0.3, "pred:at": -0.2,
    "pred:exists": -0.6, "pred:in": -0.1, "pred:and": 0.05, "bare_literal": -0.8, "coord": -0.1,
    "list:,": -1.0,
}
"""Prior weights of the derivation features before any training (a hand-set log-linear model)."""

_LIST_WORDS: Mapping[str, str] = {"and": "all", ",": "all", "or": "any", "nor": "none"}
_ACCEPTS: Mapping[str, frozenset[str]] = {"span": frozenset({"span", "str"}), "str": frozenset({"str"})}


class ParseFailure(Exception):
    """No derivation of type ``bool``: names the explanation, the unrecognised spans and why."""

    def __init__(self, explanation_id: str, unrecognised: Sequence[str], message: str) -> None:
        super().__init__(f"{explanation_id}: {message}; unrecognised: {list(unrecognised)}")
        self.explanation_id = explanation_id
        self.unrecognised = tuple(unrecognised)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"id": self.explanation_id, "unrecognised": list(self.unrecognised), "message": self.message}


@dataclass(frozen=True)
class ParseCandidate:
    """One complete derivation: its logical form, its score under the weights, its derivation and features."""

    logical_form: LogicalForm
    score: float
    derivation: str
    features: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ListSem:
    """Spans joined by a conjunction, pending distribution: ``quant`` is ``all`` / ``any`` / ``none``."""

    quant: str
    items: tuple[LogicalForm, ...]


@dataclass(frozen=True)
class Restricted:
    """A span with a condition from a relative clause ("SUBJ, which precedes OBJ, ..."): wherever the span is an
    argument of a truth-valued predicate, the condition is conjoined to it."""

    span: LogicalForm
    cond: LogicalForm


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    kind: str  # "val" | "fun" | "kw"
    type: str
    sem: object
    score: float
    feats: tuple[str, ...]
    deriv: str
    pred: str = ""
    rights: tuple[str, ...] = ()
    lefts: tuple[str, ...] = ()
    filled: tuple[tuple[int, object], ...] = ()
    neg: bool = False  # a negated verb phrase ("does not precede OBJ"): the completed form is wrapped in not

    def key(self) -> tuple:
        return (self.kind, self.type, self.sem, self.pred, self.rights, self.lefts, self.filled, self.neg)


def _score(feats: Sequence[str], weights: Mapping[str, float]) -> float:
    return sum(weights.get(f, 0.0) for f in feats)


def _build(name: str, args: tuple[object, ...]) -> LogicalForm | None:
    """``Call(name, args)`` with list arguments distributed into quantifiers and nested and/or flattened.

    ``None`` when a list reaches a predicate that does not return ``bool`` (a quantifier needs truth values).
    """
    for i, a in enumerate(args):
        if isinstance(a, ListSem):
            if P.functor(name).return_type != "bool":
                return None
            parts = [_build(name, args[:i] + (x,) + args[i + 1:]) for x in a.items]
            if any(p is None for p in parts):
                return None
            return Call(a.quant, tuple(parts))  # type: ignore[arg-type]
    if any(isinstance(a, Restricted) for a in args):
        if P.functor(name).return_type != "bool":
            return None
        conds = [a.cond for a in args if isinstance(a, Restricted)]
        core = _build(name, tuple(a.span if isinstance(a, Restricted) else a for a in args))
        return None if core is None else _build("and", (core, *conds))
    if name in ("all", "any") and len(args) == 1 and isinstance(args[0], Call) and args[0].op == name:
        return args[0]
    if name in P.MACROS:
        return _expand(P.MACROS[name].expands, args)  # type: ignore[arg-type]
    if _constant(name, args):
        return None
    flat: list[LogicalForm] = []
    for a in args:
        if name in ("and", "or") and isinstance(a, Call) and a.op == name:
            flat.extend(a.args)
        else:
            flat.append(a)  # type: ignore[arg-type]
    return Call(name, tuple(flat))


def _expand(template: str, args: tuple[LogicalForm, ...]) -> LogicalForm | None:
    """A macro's form with ``ARGi`` replaced by argument i (built through :func:`_build`, so constants are refused)."""
    def sub(lf: LogicalForm) -> LogicalForm | None:
        if isinstance(lf, Var) and lf.name.startswith("ARG"):
            index, _, minus = lf.name[3:].partition("_MINUS_")
            arg = args[int(index)]
            if not minus:
                return arg
            if not (isinstance(arg, Lit) and isinstance(arg.value, int)) or arg.value - int(minus) < 1:
                return None  # "less than 1 word before": no distance
            return Lit(arg.value - int(minus), "int")
        if isinstance(lf, Call):
            parts = [sub(a) for a in lf.args]
            return None if any(p is None for p in parts) else _build(lf.op, tuple(parts))  # type: ignore[arg-type]
        return lf
    return sub(_template(template))


@lru_cache(maxsize=64)
def _template(text: str) -> LogicalForm:
    return from_text(text)


_COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})


def _constant(name: str, args: tuple[object, ...]) -> bool:
    """A sub-form whose value does not depend on the example: a comparison of two numbers (``le(3, 4)``), or a
    relation of a variable to itself (``left(SUBJ, SUBJ)``). No explanation means these; the parser never builds them."""
    if name in _COMPARISONS:
        return all(isinstance(a, Lit) for a in args)
    spans = [a for a in args if isinstance(a, Var)]
    return P.get(name).arity >= 2 and len(spans) >= 2 and len(set(spans)) < len(spans) and name != "at"


def _complete(fun: _Item) -> _Item | None:
    if fun.rights or fun.lefts:
        return fun
    pred = P.functor(fun.pred)
    sem = _build(pred.name, tuple(s for _, s in sorted(fun.filled, key=lambda x: x[0])))
    if sem is None:
        return None
    if fun.neg:
        sem = Call("not", (sem,))
    return _Item(fun.start, fun.end, "val", pred.return_type, sem, fun.score, fun.feats, fun.deriv)


def _from_lexical(lx: Lexical, weights: Mapping[str, float]) -> list[_Item]:
    if lx.type == "kw":
        return [_Item(lx.start, lx.end, "kw", "kw", lx.word, 0.0, (), lx.word)]
    if lx.type == "anaphor":
        if lx.word.startswith('"'):  # "it" = a quoted phrase mentioned before
            return [_Item(lx.start, lx.end, "val", "str", Lit(json.loads(lx.word), "str"),
                          _score(("anaphor",), weights), ("anaphor",), f"{lx.source}={lx.word}")]
        names = lx.word.split()
        sem: object = Var(names[0]) if len(names) == 1 else ListSem("all", tuple(Var(n) for n in names))
        return [_Item(lx.start, lx.end, "val", "span", sem, _score(("anaphor",), weights), ("anaphor",),
                      f"{lx.source}={'+'.join(names)}")]
    if lx.type == "span" and isinstance(lx.sem, Var) and lx.word in P.NER_EQUIVALENTS:
        # a typed placeholder ("OBJ-CITY") names the variable and its type
        typed = Restricted(lx.sem, Call("ner", (lx.sem, Lit(lx.word, "ner"))))
        return [_Item(lx.start, lx.end, "val", "span", typed, 0.0, (), lx.source)]
    if lx.type != "functor":
        feats = ("bare_literal",) if lx.source.startswith("bare:") else ()
        return [_Item(lx.start, lx.end, "val", lx.type, lx.sem, _score(feats, weights), feats,
                      render(lx.sem))]  # type: ignore[arg-type]
    slots = lx.shape.split()
    pos = slots.index("_")
    feats = (f"pred:{lx.pred}", f"lex:{lx.source}->{lx.pred}", *(["lexlen"] * (lx.end - lx.start - 1)))
    item = _Item(lx.start, lx.end, "fun", "fun", None, _score(feats, weights), feats, f"{lx.pred}<{lx.source}>",
                 pred=str(lx.pred), rights=tuple(slots[pos + 1:]), lefts=tuple(reversed(slots[:pos])))
    done = _complete(item)
    return [] if done is None else [done]


def _accepts(slot_type: str, item: _Item) -> bool:
    return item.kind == "val" and item.type in _ACCEPTS.get(slot_type, frozenset({slot_type}))


def _slot_type(fun: _Item, slot: str) -> str:
    return P.functor(fun.pred).arg_types[int(slot)] if slot.isdigit() else f"kw:{slot}"


def _coordinate(a: _Item, conj: str, b: _Item, _weights: object = None) -> _Item | None:
    """CCG coordination of two functors that each still need one argument on the left, of the same type."""
    if conj not in ("and", "or") or a.kind != "fun" or b.kind != "fun" or a.rights or b.rights:
        return None
    if len(a.lefts) != 1 or len(b.lefts) != 1 or not a.lefts[0].isdigit() or not b.lefts[0].isdigit():
        return None
    ta, tb = _slot_type(a, a.lefts[0]), _slot_type(b, b.lefts[0])
    if ta != tb:
        return None
    return _Item(a.start, b.end, "coord", f"coord:{ta}", (conj, a, b), a.score + b.score,
                 a.feats + b.feats + ("coord",), f"[{a.deriv} {conj} {b.deriv}]")


def _apply_coord(co: _Item, arg: _Item, weights: Mapping[str, float]) -> _Item | None:
    conj, fa, fb = co.sem  # type: ignore[misc]
    ra, rb = _apply(fa, arg, False, weights), _apply(fb, arg, False, weights)
    if ra is None or rb is None or ra.kind != "val" or rb.kind != "val" or ra.type != "bool" or rb.type != "bool":
        return None
    sem = _build(conj, (ra.sem, rb.sem))
    if sem is None:
        return None
    return _Item(arg.start, co.end, "val", "bool", sem, co.score + arg.score, co.feats + arg.feats,
                 f"[{arg.deriv} < {co.deriv}]")


def _apply(fun: _Item, arg: _Item, right: bool, weights: Mapping[str, float]) -> _Item | None:
    slots = fun.rights if right else fun.lefts
    if not slots or (not right and fun.rights):
        return None
    slot = slots[0]
    start, end = (fun.start, arg.end) if right else (arg.start, fun.end)
    rights, lefts = (slots[1:], fun.lefts) if right else (fun.rights, slots[1:])
    deriv = f"[{fun.deriv} {'>' if right else '<'} {arg.deriv}]"
    if not slot.isdigit():
        if arg.kind != "kw" or arg.sem != slot:
            return None
        filled = fun.filled
    else:
        idx = int(slot)
        pred = P.functor(fun.pred)
        pair = _pair(pred, slots, arg)
        if pair is not None:  # "SUBJ and OBJ sandwich X": one list fills two neighbouring slots
            first, second = pair
            near, far = (first, second) if right else (second, first)
            filled = (*fun.filled, (idx, near), (int(slots[1]), far))
            rights, lefts = (slots[2:], fun.lefts) if right else (fun.rights, slots[2:])
            out = _Item(start, end, "fun", "fun", None, fun.score + arg.score, fun.feats + arg.feats + ("pair",),
                        deriv, pred=fun.pred, rights=rights, lefts=lefts, filled=filled, neg=fun.neg)
            return _complete(out)
        if not _accepts(pred.arg_types[idx], arg):
            return None
        filled = (*fun.filled, (idx, arg.sem))
    out = _Item(start, end, "fun", "fun", None, fun.score + arg.score, fun.feats + arg.feats, deriv,
                pred=fun.pred, rights=rights, lefts=lefts, filled=filled, neg=fun.neg)
    return _complete(out)


_RELATIVE = frozenset({"which", "that", "who", "whom"})
_NEGATORS = frozenset({"not", "never"})


def _is_negator(it: _Item) -> bool:
    """A bare "not" / "never" that still wants its one argument."""
    return it.kind == "fun" and it.pred == "not" and not it.filled and it.rights == ("0",)


def _negate(neg: _Item, fun: _Item, weights: Mapping[str, float]) -> _Item | None:
    """"not" + a verb phrase that still wants its subject ("does not precede OBJ"): the negated verb phrase."""
    if fun.kind != "fun" or fun.neg or not fun.lefts or P.functor(fun.pred).return_type != "bool":
        return None
    return _Item(neg.start, fun.end, "fun", "fun", None, neg.score + fun.score, neg.feats + fun.feats + ("neg_vp",),
                 f"[not {fun.deriv}]", fun.pred, fun.rights, fun.lefts, fun.filled, True)


def _relative(head: _Item, _word: str, clause: _Item, weights: Mapping[str, float]) -> _Item | None:
    """A span and a relative clause that wants it as its subject ("SUBJ, which precedes OBJ,"): the span, with
    the clause's condition attached (:class:`Restricted`)."""
    if head.kind != "val" or head.type not in ("span", "str") or isinstance(head.sem, (ListSem, Restricted)):
        return None
    if clause.kind != "fun" or clause.rights or len(clause.lefts) != 1:
        return None
    cond = _apply(clause, head, False, weights)
    if cond is None or cond.kind != "val" or cond.type != "bool":
        return None
    return _Item(head.start, clause.end, "val", head.type, Restricted(head.sem, cond.sem),  # type: ignore[arg-type]
                 head.score + clause.score, head.feats + clause.feats + ("relative",),
                 f"[{head.deriv} which {clause.deriv}]")


def _pair(pred: P.Predicate, slots: tuple[str, ...], arg: _Item) -> tuple[LogicalForm, LogicalForm] | None:
    """The two items of an ``and``-list of two spans when the next two slots both take a span, else ``None``."""
    if not (isinstance(arg.sem, ListSem) and arg.sem.quant == "all" and len(arg.sem.items) == 2):
        return None
    if len(slots) < 2 or not (slots[0].isdigit() and slots[1].isdigit()):
        return None
    if pred.arg_types[int(slots[0])] != "span" or pred.arg_types[int(slots[1])] != "span":
        return None
    return arg.sem.items[0], arg.sem.items[1]


def _make_list(left: _Item, conj: str, right: _Item, _weights: object = None) -> _Item | None:
    if left.kind != "val" or right.kind != "val" or left.type not in ("span", "str") or right.type != left.type:
        return None
    quant = _LIST_WORDS[conj]
    items: list[LogicalForm] = []
    for s in (left.sem, right.sem):
        if isinstance(s, ListSem):
            if s.quant != quant and conj != ",":
                return None
            items.extend(s.items)
        else:
            items.append(s)  # type: ignore[arg-type]
    if isinstance(right.sem, ListSem):
        quant = right.sem.quant
    if len(set(items)) != len(items):
        return None
    feats = left.feats + right.feats + ("list",) + (("list:,",) if conj == "," else ())
    return _Item(left.start, right.end, "val", left.type, ListSem(quant, tuple(items)), left.score + right.score,
                 feats, f"[{left.deriv} {conj} {right.deriv}]")


_JOIN_RULES = {True: (_relative,), False: (_make_list, _coordinate)}
"""The rules that join ``a word b``: for a relative pronoun (True), a span with its clause; for a conjunction
(False), a list of values or a coordination of functors."""


def _skip_class(token: Token, items: Sequence[Lexical]) -> str:
    if token.text in FILLER:
        return "skip:filler"
    if token.literal is None and token.text in _LIST_WORDS:
        return "skip:conj"
    kinds = {lx.type for lx in items}
    for typ in ("str", "span", "int"):
        if typ in kinds:
            return f"skip:{typ}"
    if kinds <= {"kw"}:
        return "skip:kw"
    if kinds & {"ner", "pos", "chunk", "lexicon"} and "functor" not in kinds:
        return "skip:type"
    return "skip:content"


def _feasible(lex: list[Lexical]) -> list[Lexical]:
    """Drop functor entries whose shape needs a keyword that the sentence lacks on that side ("0 1 are _ 2 words
    apart" without a later "apart"): they could never complete, and would crowd the chart."""
    kws = [(lx.start, lx.word) for lx in lex if lx.type == "kw"]

    def ok(lx: Lexical) -> bool:
        if lx.type != "functor":
            return True
        slots = lx.shape.split()
        pos = slots.index("_")
        after = [w for w in slots[pos + 1:] if not w.isdigit()]
        before = [w for w in slots[:pos] if not w.isdigit()]
        return (all(any(p >= lx.end and w == kw for p, kw in kws) for w in after)
                and all(any(p < lx.start and w == kw for p, kw in kws) for w in before))
    return [lx for lx in lex if ok(lx)]


class _Cell:
    """A chart cell's items grouped by the rule that can use them, so the chart only tries pairs that can combine:
    functors by the side of their next argument, values by type, keywords by word."""

    __slots__ = ("right_funs", "left_funs", "funs", "coords", "negators", "vals", "by_type", "kws")

    def __init__(self, items: Sequence[_Item]) -> None:
        self.funs = [it for it in items if it.kind == "fun"]
        self.right_funs = [it for it in self.funs if it.rights]
        self.left_funs = [it for it in self.funs if not it.rights and it.lefts]
        self.negators = [it for it in self.funs if _is_negator(it)]
        self.coords = [it for it in items if it.kind == "coord"]
        self.vals = [it for it in items if it.kind == "val"]
        self.by_type: dict[str, list[_Item]] = {}
        for it in self.vals:
            self.by_type.setdefault(it.type, []).append(it)
        self.kws: dict[str, list[_Item]] = {}
        for it in items:
            if it.kind == "kw":
                self.kws.setdefault(str(it.sem), []).append(it)

    def fillers(self, fun: _Item, slot: str) -> list[_Item]:
        """The items that may fill ``fun``'s ``slot``: a keyword by its word, an argument by its type."""
        if not slot.isdigit():
            return self.kws.get(slot, [])
        typ = P.functor(fun.pred).arg_types[int(slot)]
        accepted = _ACCEPTS.get(typ, frozenset({typ}))
        return [it for t in accepted for it in self.by_type.get(t, ())]


def _prune(items: list[_Item], beam: int) -> list[_Item]:
    """The ``beam`` best values of a cell, and up to ``4 * beam`` functors (one phrase may start many shapes: a
    functor cut here could never take the arguments that complete it)."""
    best: dict[tuple, _Item] = {}
    for it in items:
        k = it.key()
        if k not in best or it.score > best[k].score:
            best[k] = it
    ranked = sorted(best.values(), key=lambda x: -x.score)
    funs = [it for it in ranked if it.kind == "fun"][:3 * beam]
    return [it for it in ranked if it.kind != "fun"][:beam] + funs


def _chart(tokens: list[Token], lex: list[Lexical], beam: int, weights: Mapping[str, float]) -> list[_Item]:
    n = len(tokens)
    by_tok: list[list[Lexical]] = [[] for _ in range(n)]
    for lx in lex:
        by_tok[lx.start].append(lx)
    skip = [_skip_class(tokens[i], [lx for lx in lex if lx.start == i and lx.end == i + 1]) for i in range(n)]
    lex = _feasible(lex)
    cell: dict[tuple[int, int], list[_Item]] = {}
    index: dict[tuple[int, int], _Cell] = {}
    conj = {i for i, t in enumerate(tokens) if t.text in _LIST_WORDS}
    rel = {i for i, t in enumerate(tokens) if t.literal is None and t.text in _RELATIVE}
    for length in range(1, n + 1):
        for i in range(0, n - length + 1):
            j = i + length
            found: list[_Item] = []
            for lx in by_tok[i]:
                if lx.end == j:
                    found.extend(_from_lexical(lx, weights))
            for k in range(i + 1, j):
                left_cell, right_cell = index[(i, k)], index[(k, j)]
                for a in left_cell.right_funs:  # forward application: a takes b on its right
                    for b in right_cell.fillers(a, a.rights[0]):
                        r = _apply(a, b, True, weights)
                        if r is not None:
                            found.append(r)
                for b in right_cell.left_funs:  # backward application: b takes a on its left
                    for a in left_cell.fillers(b, b.lefts[0]):
                        r = _apply(b, a, False, weights)
                        if r is not None:
                            found.append(r)
                for b in right_cell.coords:
                    for a in left_cell.vals:
                        r = _apply_coord(b, a, weights)
                        if r is not None:
                            found.append(r)
                for a in left_cell.negators:
                    for b in right_cell.funs:
                        r = _negate(a, b, weights)
                        if r is not None:
                            found.append(r)
                if (k in rel or k in conj) and k + 1 < j:  # a relative pronoun or a conjunction joins two parts
                    rules = _JOIN_RULES[tokens[k].text in _RELATIVE]
                    word = tokens[k].text
                    for a in cell.get((i, k), ()):
                        for b in cell.get((k + 1, j), ()):
                            for rule in rules:
                                r = rule(a, word, b, weights)
                                if r is not None:
                                    found.append(r)
            if length > 1:
                for it in cell.get((i + 1, j), ()):
                    f = it.feats + (skip[i],)
                    found.append(_Item(i, j, it.kind, it.type, it.sem, it.score + weights.get(skip[i], 0.0), f,
                                       it.deriv, it.pred, it.rights, it.lefts, it.filled, it.neg))
                for it in cell.get((i, j - 1), ()):
                    f = it.feats + (skip[j - 1],)
                    found.append(_Item(i, j, it.kind, it.type, it.sem, it.score + weights.get(skip[j - 1], 0.0), f,
                                       it.deriv, it.pred, it.rights, it.lefts, it.filled, it.neg))
            cell[(i, j)] = _prune(found, beam)
            index[(i, j)] = _Cell(cell[(i, j)])
    return [it for it in cell.get((0, n), ()) if it.kind == "val" and it.type == "bool"
            and not _has_list(it.sem)]


def _has_list(sem: object) -> bool:
    if isinstance(sem, (ListSem, Restricted)):
        return True
    return isinstance(sem, Call) and any(_has_list(a) for a in sem.args)


def _sentences(tokens: list[Token]) -> list[list[Token]]:
    """Split at sentence-final ``.`` / ``;`` tokens (quoted phrases are single tokens, so their dots stay)."""
    out: list[list[Token]] = [[]]
    for t in tokens:
        if t.literal is None and t.text in (".", ";", "!"):
            out.append([])
        else:
            out[-1].append(t)
    return [s for s in out if s]


def _features(feats: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in feats:
        out[f] = out.get(f, 0.0) + 1.0
    return out


def _in_between(tokens: list[Token]) -> list[Token]:
    """"with "of" in between" (no spans after it): "in between" is "between them"."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 2] if i + 2 < len(tokens) else None
        if (t.literal is None and t.text == "in" and i + 1 < len(tokens) and tokens[i + 1].text == "between"
                and (nxt is None or (nxt.literal is None and nxt.text in (",", "and", "but", "while", "with")))):
            out += [Token("between"), Token("them")]
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _parse_sentence(tokens: list[Token], lex: list[Lexical], domain: str, beam: int, weights: Mapping[str, float],
                    explanation_id: str) -> list[ParseCandidate]:
    covered = {i for lx in lex for i in range(lx.start, lx.end)}
    covered |= {i for i, t in enumerate(tokens) if t.literal is None and (t.text in _LIST_WORDS or t.text in _RELATIVE)}
    unknown: list[str] = []
    run: list[str] = []
    for i, t in enumerate(tokens):
        if i not in covered and t.text not in FILLER:
            run.append(t.text)
        elif run:
            unknown.append(" ".join(run))
            run = []
    if run:
        unknown.append(" ".join(run))
    keep = sorted(covered)
    if not keep:
        raise ParseFailure(explanation_id, unknown, f"no lexical entry in {' '.join(t.text for t in tokens)!r}")
    remap = {old: new for new, old in enumerate(keep)}
    kept = [tokens[i] for i in keep]
    lex2 = [Lexical(remap[lx.start], remap[lx.end - 1] + 1, lx.type, lx.sem, lx.pred, lx.shape, lx.word, lx.source)
            for lx in lex if all(i in remap for i in range(lx.start, lx.end))
            and remap[lx.end - 1] - remap[lx.start] == lx.end - lx.start - 1]
    items = _chart(kept, lex2, beam, weights)
    if not items:
        raise ParseFailure(explanation_id, unknown,
                           f"no derivation of type bool for {' '.join(t.text for t in tokens)!r}")
    return [ParseCandidate(it.sem, it.score, it.deriv, _features(it.feats)) for it in items]  # type: ignore[arg-type]


def parse(text: str, *, domain: str, beam: int = 12, weights: Mapping[str, float] | None = None,
          explanation_id: str = "") -> list[ParseCandidate]:
    """Ranked logical forms of type ``bool`` for ``text`` (best first); raises ``ParseFailure`` when there is none.

    Sentences (split at ``.``) are parsed separately and conjoined; ``beam`` bounds the items kept per chart cell
    and the candidates returned. ``weights`` (feature -> weight) score derivations; default ``DEFAULT_WEIGHTS``.

    >>> render(parse("OBJ follows SUBJ", domain="relation")[0].logical_form)
    'right(OBJ, SUBJ)'
    """
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
    w = DEFAULT_WEIGHTS if weights is None else weights
    sents = _sentences(tokenize(text))
    if not sents:
        raise ParseFailure(explanation_id, (), "empty explanation")
    combos: list[ParseCandidate] | None = None
    failures: list[ParseFailure] = []
    prior: tuple[str, ...] = ()  # the variables mentioned so far, for anaphors in later sentences
    for sent in sents:
        tokens = _in_between(sent)
        lex = lexical_items(tokens, domain, prior)
        prior += tuple(str(lx.sem.name) for lx in lex if lx.type == "span" and isinstance(lx.sem, Var))
        try:
            cands = _parse_sentence(tokens, lex, domain, beam, w, explanation_id)
        except ParseFailure as err:
            failures.append(err)
            continue
        if combos is None:
            combos = cands
            continue
        merged: dict[str, ParseCandidate] = {}
        for a in combos:
            for b in cands:
                lf = _build("and", (a.logical_form, b.logical_form))
                feats = dict(a.features)
                for f, v in b.features.items():
                    feats[f] = feats.get(f, 0.0) + v
                c = ParseCandidate(lf, a.score + b.score, f"{a.derivation} . {b.derivation}", feats)
                key = render(lf)
                if key not in merged or merged[key].score < c.score:
                    merged[key] = c
        combos = sorted(merged.values(), key=lambda c: -c.score)[:beam]
    if failures:
        raise ParseFailure(explanation_id, [u for f in failures for u in f.unrecognised],
                           "; ".join(f.message for f in failures))
    assert combos is not None
    uniq: dict[str, ParseCandidate] = {}
    for c in combos:
        uniq.setdefault(render(c.logical_form), c)
    return sorted(uniq.values(), key=lambda c: -c.score)[:beam]
