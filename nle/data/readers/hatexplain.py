"""Reader for HateXplain (Mathew et al., AAAI 2021): majority label and mean annotator rationale per token.

Three layouts of the same records are accepted, told apart by content:

* the Hugging Face export (JSON lines): ``{"id", "annotators": {"label": [ints], "annotator_id": [...],
  "target": [[...], ...]}, "rationales": [[0/1 per token], ...], "post_tokens": [...]}``, label ids
  ``0 = hatespeech, 1 = normal, 2 = offensive``;
* the derived train file (JSON lines, no rationales): ``{"id", "annotators": {"label", "annotator_id"},
  "targets_union", "majority_label", "post_tokens"}``;
* the original ``dataset.json``: one object ``{post_id: {"post_id", "annotators": [{"label": "hatespeech", ...}],
  "rationales", "post_tokens"}}``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nle.data.errors import DataFormatError, resolve
from nle.data.readers.classification import iter_lines, json_object, read_decoded
from nle.types import Example

HATEXPLAIN_LABELS: tuple[str, ...] = ("hatespeech", "normal", "offensive")
"""Label names by HF label id (0, 1, 2)."""


def read_hatexplain(path: str | os.PathLike[str]) -> list[Example]:
    """HateXplain posts with the majority label and the mean of the annotators' rationale masks.

    Text is ``" ".join(post_tokens)`` and tokens are the post tokens, so ``rationale[i]`` is about token ``i``.
    Label: the name (``"hatespeech"``, ``"normal"``, ``"offensive"``) chosen by at least 2 of the 3 annotators;
    ``None`` when all three differ (the authors drop such posts as "undecided"). Rationale: for ``R >= 1``
    annotator masks ``m_r``, ``rationale[i] = (1/R) * sum_r m_r[i]``; ``None`` for posts without rationales
    (every ``normal`` post and the whole train file). Id: the post id. ``meta``: ``annotator_labels``,
    ``annotator_ids``, ``targets`` (per annotator, or the union for the derived train file), ``n_rationales``,
    ``line`` (JSONL only).

    >>> ex = read_hatexplain("hatexplain/hf_format/hatexplain_validation.json")[0]  # doctest: +SKIP
    >>> ex.label, len(ex.rationale) == len(ex.tokens)  # doctest: +SKIP
    """
    path = resolve(path)
    text = read_decoded(path)
    lines = [(n, raw) for n, raw in iter_lines(text) if raw.strip()]
    first: Any = None
    if lines:
        try:
            first = json.loads(lines[0][1])
        except json.JSONDecodeError:
            first = None
    if isinstance(first, dict) and "post_tokens" in first:
        return [_example(path, n, json_object(path, n, raw)) for n, raw in lines]
    return _read_original(path, text)


def _read_original(path: Path, text: str) -> list[Example]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataFormatError(path, err.lineno, "json", "JSON lines or one JSON object of posts", got=err.msg) from err
    if not isinstance(data, dict):
        raise DataFormatError(path, None, "json", "an object {post_id: post}", got=type(data).__name__)
    out = []
    for post_id, rec in data.items():
        if not isinstance(rec, dict) or not isinstance(rec.get("annotators"), list):
            raise DataFormatError(path, None, f"{post_id}.annotators", "a list of {label, annotator_id, target}")
        anns = rec["annotators"]
        for a in anns:
            if not isinstance(a, dict) or "label" not in a:
                raise DataFormatError(path, None, f"{post_id}.annotators", "objects with a 'label'", got=a)
        flat = {"id": rec.get("post_id", post_id), "post_tokens": rec.get("post_tokens"),
                "rationales": rec.get("rationales", []),
                "annotators": {"label": [str(a["label"]).lower() for a in anns],
                               "annotator_id": [a.get("annotator_id") for a in anns],
                               "target": [a.get("target") for a in anns]}}
        out.append(_example(path, None, flat, field_prefix=f"{post_id}."))
    return out


def _example(path: Path, line: int | None, rec: Mapping[str, Any], field_prefix: str = "") -> Example:
    """One Example from a record already in the HF layout (labels may be ids or names)."""
    def fail(field: str, expected: str, got: object = None) -> DataFormatError:
        return DataFormatError(path, line, field_prefix + field, expected, got)

    tokens = rec.get("post_tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise fail("post_tokens", "a list of strings", tokens)
    anns = rec.get("annotators")
    if not isinstance(anns, Mapping) or not isinstance(anns.get("label"), list) or not anns["label"]:
        raise fail("annotators.label", "a non-empty list of labels", anns)
    labels = tuple(_label_name(v, fail) for v in anns["label"])
    majority = _majority(labels)
    if "majority_label" in rec and _label_name(rec["majority_label"], fail) != majority:
        raise fail("majority_label", f"the majority of annotator labels {labels}", rec["majority_label"])
    rationales = rec.get("rationales") or []
    mean = _mean_mask(rationales, len(tokens), fail)
    targets = anns.get("target", rec.get("targets_union"))
    meta = {"annotator_labels": labels, "annotator_ids": tuple(anns.get("annotator_id") or ()),
            "targets": _freeze(targets), "n_rationales": len(rationales)}
    if line is not None:
        meta["line"] = line
    if "id" not in rec:
        raise fail("id", "a post id")
    return Example.from_tokens(str(rec["id"]), tokens, label=majority, rationale=mean, meta=meta)


def _label_name(value: object, fail: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(HATEXPLAIN_LABELS):
        return HATEXPLAIN_LABELS[value]
    if isinstance(value, str) and value.lower() in HATEXPLAIN_LABELS:
        return value.lower()
    raise fail("annotators.label", f"a label id 0-2 or one of {list(HATEXPLAIN_LABELS)}", value)


def _majority(labels: Sequence[str]) -> str | None:
    """The label given by more than half of the annotators, else ``None``."""
    label, count = Counter(labels).most_common(1)[0]
    return label if 2 * count > len(labels) else None


def _mean_mask(masks: Sequence[Any], n_tokens: int, fail: Any) -> tuple[float, ...] | None:
    """Per-token mean of 0/1 masks, each of length ``n_tokens``; ``None`` when there are none."""
    if not masks:
        return None
    for r, mask in enumerate(masks):
        if not isinstance(mask, list) or len(mask) != n_tokens or any(v not in (0, 1) for v in mask):
            got = mask if not isinstance(mask, list) else f"{len(mask)} values: {mask[:10]}"
            raise fail(f"rationales[{r}]", f"{n_tokens} values in {{0, 1}} (one per post token)", got)
    return tuple(sum(col) / len(masks) for col in zip(*masks))


def _freeze(value: object) -> object:
    """Lists to tuples, recursively, so meta stays hashable-ish and immutable."""
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else value
