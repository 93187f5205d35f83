"""Logical forms: typed trees that round-trip through JSON and render as readable pseudo-code.

A logical form is a tree of ``Call`` nodes (a registered predicate applied to arguments), ``Var`` leaves
(``SUBJ``, ``OBJ``, ``X``, ``Y``, ``Z``, ``ANS``, ``Question``, ``Context``, ``Sentence``) and ``Lit`` leaves
(a quoted phrase, a number, an NER tag, a lexicon name). Nothing in a logical form is ever executed as code:
``nle.matching`` interprets it through the predicate registry (a whitelist).

JSON: ``{"op": name, "args": [...]}``, ``{"var": "SUBJ"}``, ``{"lit": value, "type": "str" | "int" | ...}``.
Text: what :func:`render` prints, read back by :func:`from_text` (the syntax gold files and tests write):
``name(arg, ...)`` calls, bare variable names, ints, JSON strings for phrases, ``type:VALUE`` for typed literals
(``ner:PERSON``, ``pos:VERB``, ``chunk:NP``, ``lexicon:identity``).

>>> lf = Call("and", (Call("between", (Var("SUBJ"), Var("OBJ"), Lit("defining", "str"))),
...                   Call("left", (Var("SUBJ"), Var("OBJ")))))
>>> from_json(to_json(lf)) == lf
True
>>> from_text(render(lf)) == lf
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

LogicalForm = Union["Call", "Var", "Lit"]


@dataclass(frozen=True)
class Var:
    """A variable bound by the example: ``SUBJ``/``OBJ`` (relations), ``X``/``Y``/``Z``/``ANS`` (MRC, REMOTE)."""

    name: str


@dataclass(frozen=True)
class Lit:
    """A literal: ``type`` is ``str`` (a word or quoted phrase), ``int``, ``float``, ``ner``, ``pos``, ``lexicon``, ``chunk``."""

    value: str | int | float
    type: str = "str"


@dataclass(frozen=True)
class Call:
    """A registered predicate ``op`` applied to ``args``."""

    op: str
    args: tuple[LogicalForm, ...] = ()


def bind_phrases(lf: LogicalForm, bindings: Mapping[str, str]) -> LogicalForm:
    """Replace each variable named in ``bindings`` (with a non-empty string) by that phrase literal."""
    if isinstance(lf, Var) and bindings.get(lf.name):
        return Lit(bindings[lf.name], "str")
    if isinstance(lf, Call):
        return Call(lf.op, tuple(bind_phrases(a, bindings) for a in lf.args))
    return lf


def to_dict(lf: LogicalForm) -> dict[str, Any]:
    if isinstance(lf, Call):
        return {"op": lf.op, "args": [to_dict(a) for a in lf.args]}
    if isinstance(lf, Var):
        return {"var": lf.name}
    if isinstance(lf, Lit):
        return {"lit": lf.value, "type": lf.type}
    raise TypeError(f"not a logical form: {lf!r}")


def from_dict(d: Any, where: str = "$") -> LogicalForm:
    """Inverse of ``to_dict``; malformed input raises ``ValueError`` naming the JSON path."""
    if not isinstance(d, dict):
        raise ValueError(f"{where}: expected an object with 'op', 'var' or 'lit', got {type(d).__name__}")
    if "op" in d:
        if not isinstance(d["op"], str) or not isinstance(d.get("args", []), list):
            raise ValueError(f"{where}: 'op' must be a string and 'args' a list")
        return Call(d["op"], tuple(from_dict(a, f"{where}.args[{i}]") for i, a in enumerate(d.get("args", []))))
    if "var" in d:
        if not isinstance(d["var"], str):
            raise ValueError(f"{where}.var: expected a string")
        return Var(d["var"])
    if "lit" in d:
        if not isinstance(d["lit"], (str, int, float)) or isinstance(d["lit"], bool):
            raise ValueError(f"{where}.lit: expected a string or a number")
        return Lit(d["lit"], str(d.get("type", "str")))
    raise ValueError(f"{where}: expected one of the keys 'op', 'var', 'lit', got {sorted(d)}")


def to_json(lf: LogicalForm) -> str:
    return json.dumps(to_dict(lf), sort_keys=True)


def from_json(text: str) -> LogicalForm:
    return from_dict(json.loads(text))


def render(lf: LogicalForm) -> str:
    """Readable pseudo-code: ``and(between(SUBJ, OBJ, "defining"), left(SUBJ, OBJ))``."""
    if isinstance(lf, Call):
        return f"{lf.op}({', '.join(render(a) for a in lf.args)})"
    if isinstance(lf, Var):
        return lf.name
    if isinstance(lf.value, str):
        return json.dumps(lf.value) if lf.type == "str" else f"{lf.type}:{lf.value}"
    return str(lf.value)


_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<int>-?\d+)(?![\w.])|(?P<typed>[a-z]+:[A-Za-z_][\w]*)'
                    r'|(?P<name>[A-Za-z_]\w*)|(?P<punct>[(),]))')


def from_text(text: str) -> LogicalForm:
    """Read the pseudo-code :func:`render` writes; malformed text raises ``ValueError`` naming the character offset
    and what was expected. Only syntax is checked here (``nle.logic.check`` checks names and types).

    >>> from_text('le(count_between(SUBJ, OBJ), 3)')
    Call(op='le', args=(Call(op='count_between', args=(Var(name='SUBJ'), Var(name='OBJ'))), Lit(value=3, type='int')))
    >>> from_text('ner(ANS, ner:DATE)').args[1]
    Lit(value='DATE', type='ner')
    """
    toks: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise ValueError(f"logical form text, offset {pos}: unexpected {text[pos:pos + 12]!r} in {text!r}")
        kind = m.lastgroup or ""
        toks.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    k = 0

    def expect(what: str) -> tuple[str, str, int]:
        if k >= len(toks):
            raise ValueError(f"logical form text, offset {len(text)}: expected {what}, got the end of {text!r}")
        return toks[k]

    def node() -> LogicalForm:
        nonlocal k
        kind, val, at = expect("a call, a variable or a literal")
        k += 1
        if kind == "str":
            return Lit(json.loads(val), "str")
        if kind == "int":
            return Lit(int(val), "int")
        if kind == "typed":
            typ, value = val.split(":", 1)
            return Lit(value, typ)
        if kind != "name":
            raise ValueError(f"logical form text, offset {at}: expected a call, a variable or a literal, got {val!r}")
        if k < len(toks) and toks[k][1] == "(":
            k += 1
            args: list[LogicalForm] = []
            if expect("')' or an argument")[1] == ")":
                k += 1
                return Call(val, ())
            while True:
                args.append(node())
                kind2, sep, at2 = expect("',' or ')'")
                k += 1
                if sep == ")":
                    return Call(val, tuple(args))
                if sep != ",":
                    raise ValueError(f"logical form text, offset {at2}: expected ',' or ')', got {sep!r}")
        return Var(val)

    out = node()
    if k != len(toks):
        raise ValueError(f"logical form text, offset {toks[k][2]}: unexpected {toks[k][1]!r} after a complete form")
    return out
