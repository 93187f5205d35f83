"""Reader for SQuAD v1.1 JSON (``{"version", "data": [{"title", "paragraphs": [{"context", "qas": [...]}]}]}``).

Any split file works (train, dev, or the 32-article dev slice in ``$NLE_DATA_DIR/squad_v1.1``). JSON has no
useful line numbers, so errors give the question number in file order (1-based) as the line and name the path
inside the JSON in the field, e.g. ``field 'data[0].paragraphs[2].qas[5].answers[1].answer_start'``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nle.data.errors import DataFormatError, resolve
from nle.data.tokenize import example_from_text, span_covering
from nle.types import Example


def _load(path: str | os.PathLike[str]) -> tuple[Path, list[Any]]:
    p = resolve(path)
    try:
        root = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataFormatError(p, err.lineno, "json", "valid JSON", err.msg) from err
    if not isinstance(root, dict) or not isinstance(root.get("data"), list):
        raise DataFormatError(p, 1, "data", 'a JSON object {"data": [articles]}', type(root).__name__)
    return p, root["data"]


def _get(p: Path, line: int, where: str, obj: Any, key: str, kind: type) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise DataFormatError(p, line, f"{where}.{key}", f"a {kind.__name__}", value)
    return value


def squad_articles(path: str | os.PathLike[str]) -> list[str]:
    """Article titles in file order, so a caller can split by article (``meta["article_index"]`` indexes this list)."""
    p, articles = _load(path)
    return [_get(p, 1, f"data[{a}]", art, "title", str) for a, art in enumerate(articles)]


def read_squad(path: str | os.PathLike[str]) -> list[Example]:
    """Read SQuAD v1.1 JSON into one example per question.

    Each example: ``id`` = the qa id, ``text`` = the context, ``tokens`` from :func:`nle.data.tokenize.tokenize`
    (independent of the answers), ``question``, one ``"answer"`` span per gold answer (in file order, duplicates
    kept) made of the words overlapping the answer characters, ``label = None``, and
    ``meta = {"title", "article_index", "paragraph_index", "answers", "answer_starts"}`` where ``answers`` are the
    exact answer strings, each checked to equal ``context[answer_start:answer_start + len(text)]``. A span's text
    can be longer than its answer when the answer starts or ends inside a word (``"1990"`` in ``"1990s"``).

    >>> ex = read_squad("squad_v1.1/dev-v1.1.articles-00-31.json")[0]  # doctest: +SKIP
    >>> ex.question, ex.spans[0].text, ex.meta["title"]  # doctest: +SKIP
    ('Which NFL team represented the AFC at Super Bowl 50?', 'Denver Broncos', 'Super_Bowl_50')
    """
    p, articles = _load(path)
    examples: list[Example] = []
    for a, art in enumerate(articles):
        title = _get(p, len(examples) + 1, f"data[{a}]", art, "title", str)
        for g, para in enumerate(_get(p, len(examples) + 1, f"data[{a}]", art, "paragraphs", list)):
            where = f"data[{a}].paragraphs[{g}]"
            context = _get(p, len(examples) + 1, where, para, "context", str)
            base = example_from_text("", context)
            for q, qa in enumerate(_get(p, len(examples) + 1, where, para, "qas", list)):
                examples.append(_question(p, len(examples) + 1, f"{where}.qas[{q}]", qa, base,
                                          {"title": title, "article_index": a, "paragraph_index": g}))
    return examples


def _question(p: Path, line: int, where: str, qa: Any, base: Example, meta: dict[str, Any]) -> Example:
    qid = _get(p, line, where, qa, "id", str)
    question = _get(p, line, where, qa, "question", str)
    texts, starts, spans = [], [], []
    for k, ans in enumerate(_get(p, line, where, qa, "answers", list)):
        text = _get(p, line, f"{where}.answers[{k}]", ans, "text", str)
        start = _get(p, line, f"{where}.answers[{k}]", ans, "answer_start", int)
        if base.text[start:start + len(text)] != text or not text.strip():
            raise DataFormatError(p, line, f"{where}.answers[{k}].answer_start",
                                  f"an offset where the context spells the answer {text!r}",
                                  base.text[start:start + len(text)])
        span = span_covering(base, start, start + len(text), role="answer")
        if span is None:
            raise DataFormatError(p, line, f"{where}.answers[{k}].text", "an answer containing a word", text)
        texts.append(text)
        starts.append(start)
        spans.append(span)
    return Example(qid, base.text, base.tokens, base.token_offsets, label=None, spans=tuple(spans), question=question,
                   meta={**meta, "answers": texts, "answer_starts": starts})
