"""Gold logical forms: hand-written meanings of explanations, read, checked and joined to their explanations.

A gold file (``tests/data/gold_logical_forms/<set>.json``) is one JSON object ::

    {"set": "semeval", "domain": "relation",
     "sources": [{"path": "next_explanations/OtherExplanations/semeval.json", "format": "next", "task": "semeval"}],
     "records": [{"id": "semeval-0", "text": "There is only one word ...", "gold": "and(sandwich(...), ...)",
                  "notes": "", "unsupported": []}, ...]}

``sources`` are explanation files under ``$NLE_DATA_DIR`` (read with the project's readers, so ids are the
readers' ids); ``gold`` is the form in the text syntax of :func:`nle.logic.forms.from_text`; ``unsupported`` lists
the parts of the explanation that no registered predicate can say (the gold form says the rest). A paraphrase
record (the paraphrase set) has ``"of": <source id>``: its own ``text`` explains the source record's example and
label. No sentence text is copied into a gold file: records refer to their example by id.

**The held-out third.** In every set the records from index ``ceil(2 n / 3)`` on (file order) are held out: they
are only ever evaluated, never looked at while the grammar or the ranker is changed; reports give both parts.

>>> heldout_start(203), heldout_start(164), heldout_start(74)
(136, 110, 50)
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nle.logic.check import LogicalFormError, check
from nle.logic.forms import LogicalForm, from_text, render
from nle.types import Explanation

DOMAIN_OF_FORMAT: Mapping[str, str] = {"next": "relation", "mrc": "mrc", "remote": "remote"}


class GoldFormatError(ValueError):
    """A malformed gold file: names the file, the record and the field."""


@dataclass(frozen=True)
class GoldRecord:
    """One explanation's gold form; ``of`` is the explained record's id for a paraphrase (else ``None``)."""

    id: str
    text: str
    form: LogicalForm
    index: int
    heldout: bool
    of: str | None = None
    notes: str = ""
    unsupported: tuple[str, ...] = ()

    @property
    def source_id(self) -> str:
        return self.of or self.id


@dataclass(frozen=True)
class GoldSet:
    name: str
    domain: str
    sources: tuple[Mapping[str, str], ...]
    records: tuple[GoldRecord, ...]
    path: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def part(self, which: str) -> tuple[GoldRecord, ...]:
        """``"dev"`` (the first two thirds), ``"heldout"`` (the last third) or ``"all"``."""
        if which not in ("dev", "heldout", "all"):
            raise ValueError(f"part must be dev, heldout or all, got {which!r}")
        return tuple(r for r in self.records if which == "all" or r.heldout == (which == "heldout"))


def heldout_start(n: int) -> int:
    """Index of the first held-out record of a set of ``n`` (the last third)."""
    return math.ceil(2 * n / 3)


def _field(path: str, where: str, rec: Mapping[str, Any], key: str, typ: type, *, required: bool = True) -> Any:
    if key not in rec:
        if required:
            raise GoldFormatError(f"{path}: {where}: field {key!r} is missing")
        return None
    if not isinstance(rec[key], typ):
        raise GoldFormatError(f"{path}: {where}.{key}: expected {typ.__name__}, got {type(rec[key]).__name__}")
    return rec[key]


def read_gold(path: str | os.PathLike[str]) -> GoldSet:
    """Read and type-check a gold file; every error names the file, the record and the field."""
    p = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise GoldFormatError(f"{p}: line {err.lineno}: not JSON ({err.msg})") from None
    if not isinstance(data, dict):
        raise GoldFormatError(f"{p}: expected a JSON object with 'set', 'domain', 'sources', 'records'")
    name = _field(p, "$", data, "set", str)
    domain = _field(p, "$", data, "domain", str)
    if domain not in DOMAIN_OF_FORMAT.values():
        raise GoldFormatError(f"{p}: $.domain: expected one of {sorted(set(DOMAIN_OF_FORMAT.values()))}, got {domain!r}")
    sources = _field(p, "$", data, "sources", list)
    for i, s in enumerate(sources):
        if not isinstance(s, dict) or not isinstance(s.get("path"), str) or s.get("format") not in DOMAIN_OF_FORMAT:
            raise GoldFormatError(f"{p}: $.sources[{i}]: expected {{'path': str, 'format': next|mrc|remote, ...}}")
    raw = _field(p, "$", data, "records", list)
    start = heldout_start(len(raw))
    records, seen = [], set()
    for i, rec in enumerate(raw):
        where = f"records[{i}]"
        if not isinstance(rec, dict):
            raise GoldFormatError(f"{p}: {where}: expected an object")
        rid = _field(p, where, rec, "id", str)
        if rid in seen:
            raise GoldFormatError(f"{p}: {where}.id: duplicate id {rid!r}")
        seen.add(rid)
        text = _field(p, where, rec, "text", str)
        gold = _field(p, where, rec, "gold", str)
        try:
            form = from_text(gold)
            check(form)
        except (ValueError, LogicalFormError) as err:
            raise GoldFormatError(f"{p}: {where} ({rid}).gold: {err}") from None
        unsupported = _field(p, where, rec, "unsupported", list, required=False) or []
        records.append(GoldRecord(rid, text, form, i, i >= start, _field(p, where, rec, "of", str, required=False),
                                  _field(p, where, rec, "notes", str, required=False) or "",
                                  tuple(str(u) for u in unsupported)))
    meta = {k: v for k, v in data.items() if k not in ("set", "domain", "sources", "records")}
    return GoldSet(name, domain, tuple(sources), tuple(records), p, meta)


def read_sources(gold: GoldSet, data_dir: str | os.PathLike[str] | None = None) -> dict[str, Explanation]:
    """The explanations of the gold set's source files, by id (``$NLE_DATA_DIR`` unless ``data_dir``)."""
    where = data_dir or os.environ.get("NLE_DATA_DIR")
    if not where:
        raise FileNotFoundError(f"{gold.path}: gold sets refer to explanation files under $NLE_DATA_DIR, which is "
                                "not set (export NLE_DATA_DIR=$(realpath ../shared/data))")
    root = Path(where)
    out: dict[str, Explanation] = {}
    for s in gold.sources:
        path = root / s["path"]
        if s["format"] == "next":
            from nle.data.readers.next_explanations import read_next_explanations

            exps = read_next_explanations(path, task=s["task"])
        elif s["format"] == "mrc":
            from nle.data.readers.mrc_explanations import read_mrc_explanations

            exps = read_mrc_explanations(path)
        else:
            from nle.data.readers.remote import read_remote_explanations

            exps = read_remote_explanations(path)
        out.update({e.id: e for e in exps})
    return out


def gold_explanations(gold: GoldSet, sources: Mapping[str, Explanation]) -> list[Explanation]:
    """One explanation per gold record, in order: the source explanation, or for a paraphrase the source's
    example and label with the paraphrase's text and id. Raises ``GoldFormatError`` for an unknown id or, for a
    non-paraphrase, a text that is not the source's (the gold was written for another explanation)."""
    out = []
    for r in gold.records:
        src = sources.get(r.source_id)
        if src is None:
            raise GoldFormatError(f"{gold.path}: records[{r.index}]: no explanation {r.source_id!r} in the sources")
        if r.of is None:
            if " ".join(src.text.split()) != " ".join(r.text.split()):
                raise GoldFormatError(f"{gold.path}: records[{r.index}] ({r.id}).text differs from the source's text "
                                      f"{src.text!r}")
            out.append(src)
        else:
            out.append(replace(src, id=r.id, text=r.text))
    return out


def validate(gold: GoldSet, explanations: Sequence[Explanation],
             is_consistent: Any) -> list[dict[str, Any]]:
    """Per record: does the gold form hold on its own example (``is_consistent(explanation, form)``)? A gold form
    that does not is either an annotator's mistake in the explanation (say so in ``notes``) or a misreading."""
    return [{"id": r.id, "fires_on_own_example": bool(is_consistent(e, r.form)), "gold": render(r.form),
             "notes": r.notes} for r, e in zip(gold.records, explanations)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nle.rules.gold FILE...``: read, type-check and run each gold form on its own example."""
    import argparse

    from nle.rules.build import load_lexicons, matching_checker

    ap = argparse.ArgumentParser(prog="python -m nle.rules.gold", description=main.__doc__)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--all", action="store_true", help="list every record, not only those that do not fire")
    args = ap.parse_args(argv)
    bad = 0
    for f in args.files:
        gs = read_gold(f)
        exps = gold_explanations(gs, read_sources(gs))
        rows = validate(gs, exps, matching_checker(exps, load_lexicons()))
        n_fire = sum(r["fires_on_own_example"] for r in rows)
        print(f"{f}: {len(rows)} records, {n_fire} fire on their own example")
        for r in rows:
            if args.all or not r["fires_on_own_example"]:
                print(f"  {'ok ' if r['fires_on_own_example'] else 'NO '} {r['id']}: {r['gold']}"
                      + (f"   # {r['notes']}" if r["notes"] else ""))
        bad += len(rows) - n_fire
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
