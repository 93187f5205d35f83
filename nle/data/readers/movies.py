"""Reader for the movie-review rationales of Zaidan, Eisner & Piatko (2007), the source of ERASER Movies."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection

from nle.data.errors import DataFormatError, resolve
from nle.data.readers.classification import iter_lines, json_object, read_decoded
from nle.types import Example


def read_movie_rationales(path: str | os.PathLike[str], folds: Collection[int] | None = None) -> list[Example]:
    """Derived JSONL ``{"doc_id", "label", "fold", "has_rationales", "tokens", "rationale_token_spans"}``.

    Tokens are the file's whitespace tokens (lower-cased, pre-tokenized); text is ``" ".join(tokens)``.
    Label: ``"neg"`` or ``"pos"``. Rationale (word level): ``1.0`` for a token inside any human span
    ``[start, end)``, else ``0.0``; ``None`` for the 200 unannotated reviews (fold 9). Each span is also an
    ``Example.spans`` entry with role ``"rationale"``. ``folds`` keeps only those folds (``index // 100``;
    ERASER uses 0-7 train, 8 val, 9 test). Id: ``doc_id`` (``"negR_000.txt"``). ``meta``: ``fold``,
    ``has_rationales``, ``line``.

    >>> read_movie_rationales("movie_rationales_zaidan2007/derived_movie_rationales.jsonl", folds={8})[0].id  # doctest: +SKIP
    'negR_800.txt'
    """
    path = resolve(path)
    keep = None if folds is None else set(folds)
    out = []
    for line, raw in iter_lines(read_decoded(path)):
        if not raw.strip():
            continue
        rec = json_object(path, line, raw)
        for key in ("doc_id", "label", "fold", "has_rationales", "tokens", "rationale_token_spans"):
            if key not in rec:
                raise DataFormatError(path, line, key, "a key present in every record", got=sorted(rec))
        if not isinstance(rec["fold"], int):
            raise DataFormatError(path, line, "fold", "an integer", got=rec["fold"])
        if keep is not None and rec["fold"] not in keep:
            continue
        tokens = rec["tokens"]
        if not isinstance(tokens, list) or not all(isinstance(t, str) and t for t in tokens):
            raise DataFormatError(path, line, "tokens", "a list of non-empty strings", got=str(tokens)[:80])
        if rec["label"] not in ("neg", "pos"):
            raise DataFormatError(path, line, "label", "'neg' or 'pos'", got=rec["label"])
        spans = _spans(path, line, rec["rationale_token_spans"], len(tokens))
        rationale = None
        if rec["has_rationales"]:
            mask = [0.0] * len(tokens)
            for s, e in spans:
                mask[s:e] = [1.0] * (e - s)
            rationale = tuple(mask)
        meta = {"fold": rec["fold"], "has_rationales": bool(rec["has_rationales"]), "line": line}
        ex = Example.from_tokens(str(rec["doc_id"]), tokens, label=rec["label"], rationale=rationale, meta=meta)
        out.append(dataclasses.replace(ex, spans=tuple(ex.make_span(s, e, role="rationale") for s, e in spans)))
    return out


def _spans(path: object, line: int, value: object, n_tokens: int) -> list[tuple[int, int]]:
    if not isinstance(value, list):
        raise DataFormatError(str(path), line, "rationale_token_spans", "a list of [start, end) pairs", got=value)
    out = []
    for pair in value:
        ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, int) for v in pair)
        if not ok or not (0 <= pair[0] < pair[1] <= n_tokens):
            raise DataFormatError(str(path), line, "rationale_token_spans",
                                  f"[start, end) pairs with 0 <= start < end <= {n_tokens}", got=pair)
        out.append((pair[0], pair[1]))
    return out
