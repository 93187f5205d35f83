"""Reader for the compositional SQuAD explanations of Ye et al. (Findings of EMNLP 2020), ``explanations/squad.csv``.

The file is the raw Mechanical Turk result CSV with header ::

    AssignmentStatus,Input.question,Input.context,Input.answer,Input.qas_id,Answer.Exp,Answer.X,Answer.Y,Answer.Z

``Input.context`` shows the answer wrapped in ``<font color="red">...</font>`` (158 of the 164 rows; the highlight
may be a little wider than ``Input.answer``, e.g. with a final period). ``Answer.Exp`` is a few sentences, each
a constraint on the answer and the variables X/Y/Z whose surface strings are ``Answer.X/Y/Z``
(``"X is within 3 words before the answer. The answer starts with "since"."``). The file has no separate
conclusion: every sentence is a condition the parser reads, so the whole (stripped) ``Answer.Exp`` is the
explanation text; the conclusion is implicit ("then this span is the answer").
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from nle.data.errors import DataFormatError, resolve
from nle.data.tokenize import example_from_text, span_covering
from nle.types import Example, Explanation

_COLUMNS = ("AssignmentStatus", "Input.question", "Input.context", "Input.answer", "Input.qas_id", "Answer.Exp",
            "Answer.X", "Answer.Y", "Answer.Z")
_HIGHLIGHT = re.compile(r'<font color="red">(.*?)</font>', re.S)
_TAG = re.compile(r"</?font[^>]*>")


def _locate_answer(p: Path, line: int, html: str, answer: str) -> tuple[str, int, int, str]:
    """Plain context, the answer's character range in it, and how it was chosen.

    The answer is searched verbatim, then ignoring whitespace (``"Clarksburg , West"`` in a context that says
    ``"Clarksburg, West"``). Of several occurrences the first one overlapping the highlight wins
    (``"highlight"``), else the only one (``"unique"``), else the first (``"first"``).
    """
    tags = _TAG.findall(html)
    marks = list(_HIGHLIGHT.finditer(html))
    if len(marks) > 1 or len(tags) != 2 * len(marks):
        raise DataFormatError(p, line, "Input.context", 'at most one <font color="red">..</font> highlight', html)
    context = _TAG.sub("", html)
    pattern = re.escape(answer) if answer in context else r"\s*".join(map(re.escape, re.sub(r"\s+", "", answer)))
    found = [(m.start(), m.end()) for m in re.finditer(pattern, context)]
    if not found:
        raise DataFormatError(p, line, "Input.answer", "a string that occurs in the context", answer)
    if marks:
        hs = len(_TAG.sub("", html[:marks[0].start(1)]))
        he = hs + len(marks[0].group(1))
        near = [(s, e) for s, e in found if s < he and e > hs]
        if near:
            return context, near[0][0], near[0][1], "highlight"
    return context, found[0][0], found[0][1], "unique" if len(found) == 1 else "first"


def read_mrc_explanations(path: str | os.PathLike[str]) -> list[Explanation]:
    """Read the MRC explanation CSV into explanations, one per row, in file order.

    ``Explanation``: ``id = f"mrc-{row}"`` (0-based data row), ``text`` = ``Answer.Exp`` stripped (all of it is
    the condition part, see the module docstring), ``label`` = the answer string, ``example``, and
    ``meta = {"explanation" (raw Answer.Exp), "X", "Y", "Z" ("" when unused), "qas_id", "status",
    "context_html", "answer_start", "answer_located_by", "line"}``.

    ``Example``: ``id`` = the SQuAD qas id (158 distinct ids over 164 rows: a few questions have two
    explanations), ``text`` = the context without the highlight tags, ``question``, ``label`` = the answer, and
    one ``"answer"`` span at the answer's place in the context (its edges are made word boundaries). The span's
    text is the answer as the context spells it: it equals ``Input.answer`` except where the annotator's
    spacing differs (one row: ``"Clarksburg , West Virginia."``).

    >>> e = read_mrc_explanations("mrc_explanation_squad/explanations/squad.csv")[0]  # doctest: +SKIP
    >>> e.label, e.example.span("answer").text, e.meta["X"]  # doctest: +SKIP
    ('since the end of its expansion in 1515', 'since the end of its expansion in 1515', 'been neutral')
    """
    p = resolve(path)
    out: list[Explanation] = []
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header[:len(_COLUMNS)]) != _COLUMNS:
            raise DataFormatError(p, 1, "header", ",".join(_COLUMNS), header)
        for row in reader:
            line = reader.line_num
            if len(row) != len(header):
                raise DataFormatError(p, line, "row", f"{len(header)} columns", f"{len(row)} columns")
            rec = dict(zip(header, row))
            for col in ("Input.question", "Input.context", "Input.answer", "Input.qas_id", "Answer.Exp"):
                if not rec[col].strip():
                    raise DataFormatError(p, line, col, "a non-empty value", rec[col])
            answer = rec["Input.answer"]
            context, start, end, how = _locate_answer(p, line, rec["Input.context"], answer)
            ex = example_from_text(rec["Input.qas_id"], context, breaks=(start, end), label=answer,
                                   question=rec["Input.question"])
            span = span_covering(ex, start, end, role="answer")
            if span is None:
                raise DataFormatError(p, line, "Input.answer", "an answer containing a word", answer)
            ex = Example(ex.id, ex.text, ex.tokens, ex.token_offsets, label=answer, spans=(span,),
                         question=ex.question)
            extra = {k: v for k, v in rec.items() if k not in _COLUMNS}
            meta = {"explanation": rec["Answer.Exp"], "X": rec["Answer.X"], "Y": rec["Answer.Y"],
                    "Z": rec["Answer.Z"], "qas_id": rec["Input.qas_id"], "status": rec["AssignmentStatus"],
                    "context_html": rec["Input.context"], "answer_start": start, "answer_located_by": how,
                    "line": line, **extra}
            out.append(Explanation(f"mrc-{len(out)}", rec["Answer.Exp"].strip(), answer, ex, meta=meta))
    return out
