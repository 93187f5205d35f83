"""Logical forms: typed trees that round-trip through JSON and render as readable pseudo-code.

A logical form is a tree of ``Call`` nodes (a registered predicate applied to arguments), ``Var`` leaves
(``SUBJ``, ``OBJ``, ``X``, ``Y``, ``Z``, ``ANS``, ``Question``, ``Context``, ``Sentence``) and ``Lit`` leaves
(a quoted phrase, a number, an NER tag, a lexicon name). Nothing in a logical form is ever executed as code:
``nle.matching`` interprets it through the predicate registry (a whitelist).

JSON: ``{"op": name, "args": [...]}``, ``{"var": "SUBJ"}``, ``{"lit": value, "type": "str" | "int" | ...}``.

>>> lf = Call("and", (Call("between", (Var("SUBJ"), Var("OBJ"), Lit("defining", "str"))),
...                   Call("left", (Var("SUBJ"), Var("OBJ")))))
>>> from_json(to_json(lf)) == lf
True
"""

from __future__ import annotations

import json
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
