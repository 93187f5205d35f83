"""Reader for SemEval-2010 Task 8 (multi-way classification of semantic relations between nominals).

Official formats (LF or CRLF line endings, optional UTF-8 BOM):

* labelled (``TRAIN_FILE.TXT``, ``TEST_FILE_FULL.TXT``): blocks of four lines ::

      1<TAB>"The ... arrayed <e1>configuration</e1> of antenna <e2>elements</e2>."
      Component-Whole(e2,e1)
      Comment: Not a collection: there is structure here, organisation.
      <blank>

* unlabelled (``TEST_FILE.txt``): one ``id<TAB>"sentence"`` line per example (label ``None``).
* answer key (``TEST_FILE_KEY.TXT``): ``id<TAB>label`` lines, read by :func:`read_semeval2010_keys`.

The format is detected from the second non-blank line: a label line means labelled, another sentence line
(or none) means unlabelled.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nle.data.errors import DataFormatError, resolve
from nle.data.tokenize import example_from_text, span_covering
from nle.types import Example

_RELATIONS = (
    "Cause-Effect", "Instrument-Agency", "Product-Producer", "Content-Container", "Entity-Origin",
    "Entity-Destination", "Component-Whole", "Member-Collection", "Message-Topic",
)
SEMEVAL2010_LABELS: tuple[str, ...] = ("Other",) + tuple(
    f"{rel}({a},{b})" for rel in _RELATIONS for a, b in (("e1", "e2"), ("e2", "e1"))
)
"""The 19 labels: ``"Other"`` FIRST (index 0), then the nine relations in the order of the task README, each as
``(e1,e2)`` then ``(e2,e1)``. ``Cause-Effect(e2,e1)`` means e2 is the Cause and e1 the Effect."""

_SENTENCE = re.compile(r'^(\d+)\t"(.*)"$')
_KEY = re.compile(r"^(\d+)\s+(\S+)$")
_TAG = re.compile(r"</?e[12]>")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _strip_markup(path: Path, lineno: int, marked: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """Remove the four entity tags; return the plain sentence and each entity's character range in it.

    Where a tag was the only separator between two word characters (``"The<e1>staff</e1>"``, 5 sentences of the
    training file) one space is put in its place so the words stay apart.
    """
    tags = [(m.group(), m.start(), m.end()) for m in _TAG.finditer(marked)]
    order = [t for t, _, _ in tags]
    if order != ["<e1>", "</e1>", "<e2>", "</e2>"]:
        field = "e1" if order.count("<e1>") != 1 or order.count("</e1>") != 1 else "e2"
        raise DataFormatError(path, lineno, field, "tags <e1>..</e1> then <e2>..</e2>, each exactly once", marked)
    text, pos, ranges, opened = "", 0, {}, 0
    for tag, start, end in tags:
        text += marked[pos:start]
        glued = text[-1:].isalnum() and marked[end:end + 1].isalnum()
        if tag.startswith("</"):
            ranges[tag[2:4]] = (opened, len(text))
            text += " " if glued else ""
        else:
            text += " " if glued else ""
            opened = len(text)
        pos = end
    text += marked[pos:]
    for role, (s, e) in ranges.items():
        if not text[s:e].strip():
            raise DataFormatError(path, lineno, role, f"a non-empty entity inside <{role}>..</{role}>", marked)
    return text, ranges


def _example(path: Path, lineno: int, line: str, label: str | None, comment: str | None) -> Example:
    m = _SENTENCE.match(line)
    if m is None:
        raise DataFormatError(path, lineno, "sentence", 'id<TAB>"sentence with <e1>..</e1> and <e2>..</e2>"', line)
    sid, marked = m.groups()
    text, ranges = _strip_markup(path, lineno, marked)
    ex = example_from_text(sid, text, breaks=[b for r in ranges.values() for b in r], label=label,
                           meta={"line": lineno, "comment": comment})
    spans = []
    for role, (s, e) in sorted(ranges.items()):
        span = span_covering(ex, s, e, role=role)
        if span is None:  # unreachable: the entity is non-blank, so some word overlaps it
            raise DataFormatError(path, lineno, role, "an entity containing a word", text[s:e])
        spans.append(span)
    return Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label=label, spans=tuple(spans), meta=ex.meta)


def _is_labelled(lines: list[str]) -> bool:
    non_blank = [ln for ln in lines if ln.strip()]
    return len(non_blank) > 1 and _SENTENCE.match(non_blank[1]) is None


def read_semeval2010(path: str | os.PathLike[str]) -> list[Example]:
    """Read a SemEval-2010 Task 8 file (labelled 4-line blocks or unlabelled one-line format) into examples.

    Each example: ``id`` = the sentence id, ``text`` = the sentence without markup, ``tokens`` from
    :func:`nle.data.tokenize.tokenize`, spans ``"e1"`` and ``"e2"`` (whole words, exactly the tagged text),
    ``label`` = one of :data:`SEMEVAL2010_LABELS` (``None`` when unlabelled), ``meta = {"line", "comment"}``.

    >>> ex = read_semeval2010("semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_FILE.TXT")[0]  # doctest: +SKIP
    >>> ex.label, ex.span("e1").text, ex.span("e2").text, ex.tokens[-2:]  # doctest: +SKIP
    ('Component-Whole(e2,e1)', 'configuration', 'elements', ('elements', '.'))
    """
    p = resolve(path)
    lines = _lines(p)
    while lines and not lines[-1].strip():
        lines.pop()
    examples: list[Example] = []
    if not _is_labelled(lines):
        examples = [_example(p, i + 1, ln, None, None) for i, ln in enumerate(lines) if ln.strip()]
    else:
        for i in range(0, len(lines), 4):
            block = lines[i:i + 4] + [""] * (4 - len(lines[i:i + 4]))
            label, comment, blank = block[1], block[2], block[3]
            if label not in SEMEVAL2010_LABELS:
                raise DataFormatError(p, i + 2, "label", f"one of the 19 SemEval-2010 labels {SEMEVAL2010_LABELS}", label)
            if not comment.startswith("Comment:"):
                raise DataFormatError(p, i + 3, "comment", "a line starting with 'Comment:'", comment)
            if blank.strip():
                raise DataFormatError(p, i + 4, "blank", "an empty line closing the 4-line block", blank)
            examples.append(_example(p, i + 1, block[0], label, comment[len("Comment:"):].strip()))
    seen: set[str] = set()
    for ex in examples:
        if ex.id in seen:
            raise DataFormatError(p, ex.meta["line"], "id", "a sentence id not used before", ex.id)
        seen.add(ex.id)
    return examples


def read_semeval2010_keys(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read an answer key (``TEST_FILE_KEY.TXT``: ``id<TAB>label`` per line) into ``{id: label}``.

    >>> read_semeval2010_keys("TEST_FILE_KEY.TXT")["8001"]  # doctest: +SKIP
    'Message-Topic(e1,e2)'
    """
    p = resolve(path)
    keys: dict[str, str] = {}
    for i, line in enumerate(_lines(p), start=1):
        if not line.strip():
            continue
        m = _KEY.match(line.strip())
        if m is None:
            raise DataFormatError(p, i, "line", "id<TAB>label", line)
        sid, label = m.groups()
        if label not in SEMEVAL2010_LABELS:
            raise DataFormatError(p, i, "label", "one of the 19 SemEval-2010 labels", label)
        if sid in keys:
            raise DataFormatError(p, i, "id", "a sentence id not used before", sid)
        keys[sid] = label
    return keys
