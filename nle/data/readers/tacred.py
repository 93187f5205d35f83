"""Reader for TACRED (Zhang et al. 2017, LDC2018T24) in its official JSON format.

The file is one JSON list of records ::

    {"id": "...", "token": ["Bill", "Gates", "founded", "Microsoft", "."], "relation": "org:founded_by",
     "subj_start": 3, "subj_end": 3, "obj_start": 0, "obj_end": 1, "subj_type": "ORGANIZATION",
     "obj_type": "PERSON", "stanford_pos": [...], "stanford_ner": [...], "stanford_head": [...],
     "stanford_deprel": [...]}

``subj_end`` / ``obj_end`` are INCLUSIVE word indices. TACRED is licensed and not shipped; any split file
(train/dev/test.json) is read by path. JSON has no useful line numbers, so errors report the record number
(1-based) as the line and name the record's 0-based index in the field, e.g. ``field '[3].subj_end'``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from nle.data.errors import DataFormatError, resolve
from nle.data.jsonfile import read_json_list
from nle.types import Example

_ORG = (
    "alternate_names", "city_of_headquarters", "country_of_headquarters", "dissolved", "founded", "founded_by",
    "member_of", "members", "number_of_employees/members", "parents", "political/religious_affiliation",
    "shareholders", "stateorprovince_of_headquarters", "subsidiaries", "top_members/employees", "website",
)
_PER = (
    "age", "alternate_names", "cause_of_death", "charges", "children", "cities_of_residence", "city_of_birth",
    "city_of_death", "countries_of_residence", "country_of_birth", "country_of_death", "date_of_birth",
    "date_of_death", "employee_of", "origin", "other_family", "parents", "religion", "schools_attended",
    "siblings", "spouse", "stateorprovince_of_birth", "stateorprovince_of_death", "stateorprovinces_of_residence",
    "title",
)
TACRED_LABELS: tuple[str, ...] = ("no_relation",) + tuple(f"org:{r}" for r in _ORG) + tuple(f"per:{r}" for r in _PER)
"""The 42 TACRED relations: ``"no_relation"`` first (index 0), then the 16 ``org:`` and 25 ``per:`` relations,
each group in alphabetical order."""

_STANFORD = ("stanford_pos", "stanford_ner", "stanford_head", "stanford_deprel")
_KNOWN = frozenset({"id", "token", "relation", "subj_start", "subj_end", "obj_start", "obj_end", "subj_type",
                    "obj_type", *_STANFORD})


def _field(path: str, i: int, rec: Mapping[str, Any], key: str, kind: type | tuple[type, ...], expected: str) -> Any:
    if key not in rec:
        raise DataFormatError(path, i + 1, f"[{i}].{key}", f"{expected} (key missing)")
    value = rec[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise DataFormatError(path, i + 1, f"[{i}].{key}", expected, value)
    return value


def _record(path: str, i: int, rec: Any) -> Example:
    if not isinstance(rec, dict):
        raise DataFormatError(path, i + 1, f"[{i}]", "a JSON object", rec)
    rid = _field(path, i, rec, "id", str, "a string id")
    tokens = _field(path, i, rec, "token", list, "a list of word strings")
    if not tokens or not all(isinstance(t, str) for t in tokens):
        raise DataFormatError(path, i + 1, f"[{i}].token", "a non-empty list of strings", tokens)
    relation = _field(path, i, rec, "relation", str, "a relation name")
    if relation not in TACRED_LABELS:
        raise DataFormatError(path, i + 1, f"[{i}].relation", "one of the 42 TACRED relations", relation)
    meta: dict[str, Any] = {"record": i}
    for key in _STANFORD:
        value = _field(path, i, rec, key, list, f"a list with one entry per word ({len(tokens)})")
        if len(value) != len(tokens):
            raise DataFormatError(path, i + 1, f"[{i}].{key}", f"a list with one entry per word ({len(tokens)})",
                                  f"{len(value)} entries")
        meta[key] = tuple(value)
    ex = Example.from_tokens(rid, tokens, label=relation)
    spans = []
    for role in ("subj", "obj"):
        start = _field(path, i, rec, f"{role}_start", int, "a word index")
        end = _field(path, i, rec, f"{role}_end", int, "a word index (inclusive)")
        if not 0 <= start < len(tokens):
            raise DataFormatError(path, i + 1, f"[{i}].{role}_start", f"a word index in 0..{len(tokens) - 1}", start)
        if not start <= end < len(tokens):
            raise DataFormatError(path, i + 1, f"[{i}].{role}_end",
                                  f"an inclusive word index in {start}..{len(tokens) - 1}", end)
        etype = _field(path, i, rec, f"{role}_type", str, "an entity type string")
        spans.append(ex.make_span(start, end + 1, role=role, label=etype))
    meta.update({k: v for k, v in rec.items() if k not in meta and k not in _KNOWN})
    return Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label=relation, spans=tuple(spans), meta=meta)


def read_tacred(path: str | os.PathLike[str]) -> list[Example]:
    """Read an official TACRED JSON file into examples.

    Each example: ``text`` = the words joined by single spaces, spans ``"subj"`` and ``"obj"`` (word ranges
    ``[start, end + 1)``, ``label`` = ``subj_type`` / ``obj_type``), ``label`` = the relation, ``meta`` = the four
    ``stanford_*`` lists as tuples, ``"record"`` (0-based index) and any other keys of the record (``docid``).

    >>> ex = read_tacred("tacred/dev.json")[0]  # doctest: +SKIP
    >>> ex.span("subj").label, ex.label  # doctest: +SKIP
    ('PERSON', 'per:title')
    """
    p = resolve(path)
    data = read_json_list(p, "a JSON list of records")
    return [_record(str(p), i, rec) for i, rec in enumerate(data)]
