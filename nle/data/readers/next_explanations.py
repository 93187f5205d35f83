"""Reader for the NExT explanation files (Wang*, Qin* et al., ICLR 2020) and their link to SemEval-2010 train.

Formats (JSON lists, one object per explanation):

* relation extraction, ``task="semeval"`` (``OtherExplanations/semeval.json``: ``rel, pat, exp, sent``) and
  ``task="tacred"`` (``tacred/all_exp_add.json``: ``relation, sent, exp, pattern``; 50 of its 170 records use the
  SemEval key names ``rel``/``pat``, both spellings are accepted in both files). ``sent`` is already tokenized
  (single spaces) and has the subject and object replaced by one word each, ``SUBJ-<TYPE>`` / ``OBJ-<TYPE>``.
* aspect sentiment, ``task="restaurant"`` / ``"laptop"`` (``term, exp, sent, label``): ``sent`` holds the aspect
  term as ``$T$`` and ``label`` is ``1`` or ``-1``.

``tacred/BL.json`` in the same release is not an explanation file: it is the CCG parser's lexicon
(``{"func": [symbol, semantics], "entries": [surface strings]}``) and is not read here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nle.data.errors import DataFormatError, resolve
from nle.data.jsonfile import read_json_list
from nle.data.readers.semeval2010 import SEMEVAL2010_LABELS
from nle.data.readers.tacred import TACRED_LABELS
from nle.data.tokenize import example_from_text, span_covering, whitespace_offsets
from nle.types import Example, Explanation

NEXT_TASKS: tuple[str, ...] = ("semeval", "tacred", "restaurant", "laptop")
_PLACEHOLDER = re.compile(r"^(SUBJ|OBJ)-(\S+)$")
_TERM = "$T$"


def _text(p: Path, i: int, rec: dict[str, Any], *keys: str) -> str:
    for key in keys:
        if key in rec:
            if not isinstance(rec[key], str) or not rec[key].strip():
                raise DataFormatError(p, i + 1, f"[{i}].{key}", "a non-empty string", rec[key])
            return rec[key]
    raise DataFormatError(p, i + 1, f"[{i}].{'|'.join(keys)}", "a non-empty string (key missing)")


def _relation_record(p: Path, i: int, rec: dict[str, Any], task: str) -> Explanation:
    labels = SEMEVAL2010_LABELS if task == "semeval" else TACRED_LABELS
    label = _text(p, i, rec, "rel", "relation")
    if label not in labels:
        raise DataFormatError(p, i + 1, f"[{i}].rel", f"one of the {len(labels)} {task} labels", label)
    sent = _text(p, i, rec, "sent")
    offsets = whitespace_offsets(sent)
    tokens = tuple(sent[s:e] for s, e in offsets)
    ex = Example(f"{task}-{i}", sent, tokens, offsets, label=label, meta={"index": i})
    spans = []
    for role, prefix in (("subj", "SUBJ"), ("obj", "OBJ")):
        at = [k for k, t in enumerate(tokens) if (m := _PLACEHOLDER.match(t)) and m.group(1) == prefix]
        if len(at) != 1:
            raise DataFormatError(p, i + 1, f"[{i}].sent", f"exactly one {prefix}-<TYPE> word", f"{len(at)} in {sent}")
        spans.append(ex.make_span(at[0], at[0] + 1, role=role, label=tokens[at[0]].split("-", 1)[1]))
    key = "pat" if "pat" in rec else "pattern"
    pattern = rec.get(key, ())  # a user's own explanations have no gold surface pattern
    patterns = (pattern,) if isinstance(pattern, str) else pattern
    if not isinstance(patterns, list | tuple) or not all(isinstance(x, str) for x in patterns):
        raise DataFormatError(p, i + 1, f"[{i}].{key}", "a pattern string or a list of pattern strings", pattern)
    ex = Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label=label, spans=tuple(spans), meta=ex.meta)
    return Explanation(f"{task}-{i}", _text(p, i, rec, "exp"), label, ex, meta={"pattern": tuple(patterns), "index": i})


def _aspect_record(p: Path, i: int, rec: dict[str, Any], task: str) -> Explanation:
    raw = rec.get("label")
    if raw not in (1, -1) or isinstance(raw, bool):
        raise DataFormatError(p, i + 1, f"[{i}].label", "1 or -1", raw)
    term, sent = _text(p, i, rec, "term"), _text(p, i, rec, "sent")
    if sent.count(_TERM) != 1:
        raise DataFormatError(p, i + 1, f"[{i}].sent", f"exactly one {_TERM}", sent)
    at = sent.index(_TERM)
    text = sent[:at] + term + sent[at + len(_TERM):]
    label = str(raw)
    ex = example_from_text(f"{task}-{i}", text, breaks=(at, at + len(term)), label=label, meta={"index": i})
    span = span_covering(ex, at, at + len(term), role="term")
    ex = Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label=label, spans=(span,) if span else (), meta=ex.meta)
    return Explanation(f"{task}-{i}", _text(p, i, rec, "exp"), label, ex, meta={"term": term, "sent": sent, "index": i})


def read_next_explanations(path: str | os.PathLike[str], *, task: str) -> list[Explanation]:
    """Read one NExT explanation file; ``task`` is one of :data:`NEXT_TASKS` and names the format and the ids.

    Relation extraction (``"semeval"``, ``"tacred"``): the example is ``sent`` as given (words split on spaces),
    spans ``"subj"`` / ``"obj"`` on the placeholder words with ``label`` = the TYPE (``"SUBJ-PERSON"`` ->
    ``"PERSON"``); ``Explanation.label`` = ``Example.label`` = the relation; ``meta["pattern"]`` = the gold
    surface pattern(s) as a tuple of strings (evaluation only; ``()`` when the record has none, as a user's own
    explanations do).

    Aspect sentiment (``"restaurant"``, ``"laptop"``): the example text is ``sent`` with ``$T$`` replaced by the
    term, tokenized by :func:`nle.data.tokenize.tokenize` with the term as whole words, span ``"term"``;
    label ``"1"`` (positive) or ``"-1"`` (negative); ``meta = {"term", "sent" (with $T$), "index"}``. The
    explanation text still says ``$T$`` for the term.

    ``Explanation.id`` = ``Example.id`` = ``f"{task}-{index}"`` (0-based position in the file).

    >>> e = read_next_explanations("next_explanations/OtherExplanations/semeval.json", task="semeval")[0]  # doctest: +SKIP
    >>> e.label, e.example.span("subj").text, e.meta["pattern"]  # doctest: +SKIP
    ('Message-Topic(e1,e2)', 'SUBJ-O', ('SUBJ-O defining OBJ-O',))
    """
    if task not in NEXT_TASKS:
        raise ValueError(f"task must be one of {NEXT_TASKS}, got {task!r}")
    p = resolve(path)
    data = read_json_list(p, "a JSON list of explanation records")
    read = _relation_record if task in ("semeval", "tacred") else _aspect_record
    out = []
    for i, rec in enumerate(data):
        if not isinstance(rec, dict):
            raise DataFormatError(p, i + 1, f"[{i}]", "a JSON object", rec)
        out.append(read(p, i, rec, task))
    return out


def _squash(parts: Iterable[str]) -> str:
    """A tokenization-free key: the characters without whitespace, PTB quotes/brackets turned back to plain."""
    s = "".join(parts)
    for ptb, plain in (("``", '"'), ("''", '"'), ("-LRB-", "("), ("-RRB-", ")"), ("-LSB-", "["), ("-RSB-", "]")):
        s = s.replace(ptb, plain)
    return re.sub(r"\s+", "", s)


def _explanation_key(expl: Explanation) -> str:
    assert expl.example is not None
    return _squash(_PLACEHOLDER.sub(r"\1", t) for t in expl.example.tokens)


def _alnum(key: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", key)


def _train_key(ex: Example) -> str:
    e1, e2 = ex.span("e1"), ex.span("e2")
    t = ex.text
    return _squash([t[:e1.char_start], "SUBJ", t[e1.char_end:e2.char_start], "OBJ", t[e2.char_end:]])


def link_semeval_explanations(
    explanations: Sequence[Explanation], train_examples: Sequence[Example]
) -> list[tuple[Explanation, Example | None]]:
    """Pair each NExT SemEval explanation with the SemEval-2010 sentence it explains (``None`` if not found).

    In every NExT SemEval record the ``SUBJ`` placeholder comes first, and in SemEval e1 always precedes e2,
    so ``SUBJ`` = e1 and ``OBJ`` = e2; the direction lives in the label (``Cause-Effect(e2,e1)``). The key of a
    sentence is its characters without whitespace after the e1/e2 words are replaced by ``SUBJ``/``OBJ``
    (and PTB quotes/brackets normalised), so word tokenization differences do not matter. When no sentence has
    that key, the explanation's key reduced to ASCII letters and digits must occur inside a sentence's reduced key:
    NExT dropped some periods (``"Nov , 23"``, final ``"."``) and cut a few sentences short (8 of the 203).
    When several train sentences match, one with the explanation's label is preferred, then the first in file order.

    >>> pairs = link_semeval_explanations(expls, read_semeval2010(train_file))  # doctest: +SKIP
    >>> sum(ex is not None for _, ex in pairs)  # doctest: +SKIP
    203
    """
    by_key: dict[str, list[Example]] = {}
    for ex in train_examples:
        by_key.setdefault(_train_key(ex), []).append(ex)
    loose = [(_alnum(key), exs) for key, exs in by_key.items()]
    pairs: list[tuple[Explanation, Example | None]] = []
    for expl in explanations:
        if expl.example is None:
            raise ValueError(f"explanation {expl.id} has no example to link")
        key = _explanation_key(expl)
        found = by_key.get(key) or [ex for k, exs in loose if _alnum(key) in k for ex in exs]
        same = [ex for ex in found if ex.label == expl.label]
        pairs.append((expl, (same or found or [None])[0]))
    return pairs
