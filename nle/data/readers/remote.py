"""Readers for the REMOTE release (Yao et al. 2021, "Refining Language Models with Compositional Explanations").

Explanation files (``matcher/annotation/*``, JSON without extension) ::

    {"annotations": [{"text_id": 1, "Text": "There is so much faggotry in Australia.", "Label": 1,
                      "Part A": "X is faggotry.", "X": "faggotry", "Y": "", "Z": "",
                      "Part B": "Attribution1 of X should be increased.", "version": "strict", "precision": 0.833}]}

``Part A`` is the condition (what the parser reads), ``Part B`` the advice on attributions/interactions.
``text_id`` is spelled ``Text_id`` in 5 Stormfront records and is absent from the sentiment file.

Lexicons (``matcher/data``): ``identity.csv`` (``term<TAB>weight``, no header), ``negation.txt`` (one word a line),
``sentiment.csv`` (MPQA subjectivity lexicon: ``type,len,word1,pos1,stemmed1,priorpolarity``).
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nle.data.errors import DataFormatError, resolve
from nle.data.tokenize import example_from_text, span_covering, tokenize
from nle.types import Example, Explanation, Span

_VARIABLES = ("X", "Y", "Z")
_MPQA_HEADER = ("type", "len", "word1", "pos1", "stemmed1", "priorpolarity")


def _bind(ex: Example, role: str, phrase: str) -> Span | None:
    """First place ``phrase`` occurs in ``ex``: as whole words (case-insensitive), else inside words."""
    words = [w.lower() for w in tokenize(phrase)[0]]
    toks = [t.lower() for t in ex.tokens]
    for k in range(len(toks) - len(words) + 1):
        if words and toks[k:k + len(words)] == words:
            return ex.make_span(k, k + len(words), role=role)
    at = ex.text.lower().find(phrase.lower())
    return None if at < 0 else span_covering(ex, at, at + len(phrase), role=role)


def _str(p: Path, i: int, rec: dict[str, Any], key: str, *, empty: bool = False) -> str:
    value = rec.get(key)
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise DataFormatError(p, i + 1, f"annotations[{i}].{key}", "a string" if empty else "a non-empty string", value)
    return value


def _explanation(p: Path, i: int, rec: Any, task: str) -> Explanation:
    if not isinstance(rec, dict):
        raise DataFormatError(p, i + 1, f"annotations[{i}]", "a JSON object", rec)
    text, condition = _str(p, i, rec, "Text"), _str(p, i, rec, "Part A")
    raw = rec.get("Label")
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise DataFormatError(p, i + 1, f"annotations[{i}].Label", "an integer label", raw)
    label = str(raw)
    ex = example_from_text(f"{task}-{i}", text, label=label)
    spans, unbound = [], []
    for var in _VARIABLES:
        phrase = _str(p, i, rec, var, empty=True)
        if phrase.strip():
            span = _bind(ex, var, phrase.strip())
            if span is None:
                unbound.append(var)
            else:
                spans.append(span)
    text_id = rec.get("text_id", rec.get("Text_id"))
    meta = {"index": i, "text_id": None if text_id is None else str(text_id),
            **{var: rec.get(var, "") for var in _VARIABLES}, "part_b": _str(p, i, rec, "Part B"),
            "version": rec.get("version"), "precision": rec.get("precision"), "unbound": tuple(unbound)}
    meta.update({k: v for k, v in rec.items() if k not in {"Text", "Label", "Part A", "Part B", "text_id", "Text_id",
                                                          "version", "precision", *_VARIABLES}})
    ex = Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label=label, spans=tuple(spans), meta={"index": i})
    return Explanation(f"{task}-{i}", condition.strip(), label, ex, meta=meta)


def read_remote_explanations(path: str | os.PathLike[str], *, task: str | None = None) -> list[Explanation]:
    """Read one REMOTE annotation file into explanations, in file order.

    ``Explanation``: ``id = f"{task}-{index}"`` (``task`` defaults to the file name without ``_annotations`` /
    ``_explanations``: ``hateval_ghc``, ``stormfront_ghc``, ``sentiment_analysis``), ``text`` = ``Part A``
    stripped, ``label`` = ``str(Label)`` (``"1"`` hateful / positive, ``"0"`` negative sentiment), ``meta`` =
    ``{"index", "text_id" (str or None), "X", "Y", "Z", "part_b", "version", "precision" (None when absent),
    "unbound"}`` plus any other keys of the record.

    ``Example``: ``Text`` tokenized by :func:`nle.data.tokenize.tokenize`, one span per non-empty variable with
    role ``"X"``/``"Y"``/``"Z"`` at the phrase's first occurrence (whole words, case-insensitive; else the words
    containing it, as ``"fuck"`` in ``"#FUCKislam"``). A variable found nowhere in the text gets no span and is
    listed in ``meta["unbound"]`` (none in the shipped files).

    >>> e = read_remote_explanations("expl_refinement_remote/matcher/annotation/hateval_ghc_annotations")[0]  # doctest: +SKIP
    >>> e.id, e.text, e.example.span("X").text, e.meta["part_b"]  # doctest: +SKIP
    ('hateval_ghc-0', 'X is faggotry.', 'faggotry', 'Attribution1 of X should be increased.')
    """
    p = resolve(path)
    if task is None:
        task = p.name.removesuffix("_annotations").removesuffix("_explanations")
    try:
        root = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataFormatError(p, err.lineno, "json", "valid JSON", err.msg) from err
    if not isinstance(root, dict) or not isinstance(root.get("annotations"), list):
        raise DataFormatError(p, 1, "annotations", 'a JSON object {"annotations": [records]}', type(root).__name__)
    return [_explanation(p, i, rec, task) for i, rec in enumerate(root["annotations"])]


@dataclass(frozen=True)
class MPQAEntry:
    """One row of the MPQA subjectivity lexicon: ``abandon`` (verb, stemmed, weak) is ``negative``.

    ``stemmed`` is the raw ``stemmed1`` value: ``"y"`` or ``"n"`` (the shipped file has one ``"1"``, for
    ``lugubrious``, kept as is).
    """

    word: str
    pos: str
    stemmed: str
    strength: str
    polarity: str


def _rows(p: Path) -> list[tuple[int, str]]:
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    return [(i, ln.strip()) for i, ln in enumerate(lines, start=1) if ln.strip()]


def read_mpqa_lexicon(path: str | os.PathLike[str]) -> tuple[MPQAEntry, ...]:
    """Read the MPQA CSV (``sentiment.csv``) in file order; a word can have several rows (one per POS).

    >>> read_mpqa_lexicon("expl_refinement_remote/matcher/data/sentiment.csv")[0]  # doctest: +SKIP
    MPQAEntry(word='abandoned', pos='adj', stemmed='n', strength='weaksubj', polarity='negative')
    """
    p = resolve(path)
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != _MPQA_HEADER:
            raise DataFormatError(p, 1, "header", ",".join(_MPQA_HEADER), header)
        out = []
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            if len(row) != len(_MPQA_HEADER):
                raise DataFormatError(p, line, "row", f"{len(_MPQA_HEADER)} columns", row)
            strength, _, word, pos, stemmed, polarity = row
            if polarity not in ("positive", "negative", "neutral", "both"):
                raise DataFormatError(p, line, "priorpolarity", "positive, negative, neutral or both", polarity)
            if not word:
                raise DataFormatError(p, line, "word1", "a non-empty word", word)
            out.append(MPQAEntry(word, pos, stemmed, strength, polarity))
    return tuple(out)


def read_identity_lexicon(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read ``term<TAB>weight`` lines (``identity.csv``) into ``{term: weight}`` in file order.

    >>> read_identity_lexicon("expl_refinement_remote/matcher/data/identity.csv")["muslim"]  # doctest: +SKIP
    3.161219
    """
    p = resolve(path)
    out: dict[str, float] = {}
    for i, line in _rows(p):
        parts = line.split("\t")
        if len(parts) != 2:
            raise DataFormatError(p, i, "line", "term<TAB>weight", line)
        try:
            weight = float(parts[1])
        except ValueError as err:
            raise DataFormatError(p, i, "weight", "a number", parts[1]) from err
        if parts[0] in out:
            raise DataFormatError(p, i, "term", "a term not listed before", parts[0])
        out[parts[0]] = weight
    return out


def read_lexicon(path: str | os.PathLike[str]) -> frozenset[str]:
    """The set of words of any REMOTE lexicon file.

    One entry a line (``negation.txt``; surrounding spaces stripped, blank lines skipped); ``term<TAB>weight`` lines (``identity.csv``: the terms, see
    :func:`read_identity_lexicon` for the weights); the MPQA CSV (``sentiment.csv``: every ``word1``, see
    :func:`read_mpqa_lexicon` for polarity and POS). The format is told by the content: the MPQA header, else a
    tab in the first line.

    >>> "never" in read_lexicon("expl_refinement_remote/matcher/data/negation.txt")  # doctest: +SKIP
    True
    """
    p = resolve(path)
    rows = _rows(p)
    if rows and tuple(rows[0][1].split(",")) == _MPQA_HEADER:
        return frozenset(e.word for e in read_mpqa_lexicon(p))
    if rows and "\t" in rows[0][1]:
        return frozenset(read_identity_lexicon(p))
    return frozenset(line for _, line in rows)
