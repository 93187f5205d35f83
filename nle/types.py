"""The typed records every part of nle speaks: examples, spans, explanations, labelling rules.

All records are frozen dataclasses. Spans are at word level (``start``/``end`` index ``Example.tokens``,
``end`` exclusive) and carry the character offsets into ``Example.text`` (``char_end`` exclusive), so that
``example.text[span.char_start:span.char_end] == span.text`` always holds.

>>> ex = Example.from_tokens("s1", ["The", "cat", "sat"], label="x")
>>> ex.text, ex.token_offsets[1]
('The cat sat', (4, 7))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ABSTAIN: int = -1
"""Label id of a rule that does not fire (snorkel's convention)."""


@dataclass(frozen=True)
class Span:
    """A contiguous run of words ``tokens[start:end]`` with its character offsets and a role.

    ``role`` names what the span is in its example (``"subj"``, ``"obj"``, ``"e1"``, ``"answer"``,
    ``"rationale"``); ``label`` is an optional type (an NER type such as ``"PERSON"``).
    """

    start: int
    end: int
    char_start: int
    char_end: int
    text: str
    role: str = ""
    label: str | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end):
            raise ValueError(f"Span word indices must satisfy 0 <= start <= end, got {self.start}, {self.end}")
        if not (0 <= self.char_start <= self.char_end):
            raise ValueError(f"Span char offsets must satisfy 0 <= start <= end, got {self.char_start}, {self.char_end}")

    @property
    def n_words(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Example:
    """One input: text, its words with character offsets, a gold label (or ``None``), and named spans.

    ``question`` is set for reading comprehension; ``rationale`` holds a per-word human rationale in [0, 1]
    (HateXplain, movie reviews) when the source has one; ``meta`` keeps source-specific fields
    (original line number, annotator ids, entity types, ...).
    """

    id: str
    text: str
    tokens: tuple[str, ...]
    token_offsets: tuple[tuple[int, int], ...]
    label: str | None = None
    spans: tuple[Span, ...] = ()
    question: str | None = None
    rationale: tuple[float, ...] | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.token_offsets):
            raise ValueError(f"Example {self.id}: {len(self.tokens)} tokens but {len(self.token_offsets)} offsets")
        if self.rationale is not None and len(self.rationale) != len(self.tokens):
            raise ValueError(f"Example {self.id}: rationale has {len(self.rationale)} values for {len(self.tokens)} tokens")

    @classmethod
    def from_tokens(cls, id: str, tokens: Sequence[str], **kwargs: Any) -> Example:
        """Build an example whose text is the tokens joined by single spaces."""
        offsets, pos = [], 0
        for tok in tokens:
            offsets.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        return cls(id=id, text=" ".join(tokens), tokens=tuple(tokens), token_offsets=tuple(offsets), **kwargs)

    def make_span(self, start: int, end: int, role: str = "", label: str | None = None) -> Span:
        """The span over words ``[start, end)`` with offsets and text read off this example."""
        if not (0 <= start < end <= len(self.tokens)):
            raise ValueError(f"Example {self.id}: span [{start}, {end}) outside 0..{len(self.tokens)}")
        cs, ce = self.token_offsets[start][0], self.token_offsets[end - 1][1]
        return Span(start, end, cs, ce, self.text[cs:ce], role=role, label=label)

    def window(self, start: int, end: int) -> Example:
        """This example cut to words ``[start, end)`` (clipped to the example): text, offsets and rationale cut,
        spans clipped to the window (those outside it dropped), ``meta["window"] = (start, end)`` in the original
        words. A CPU-sized model reads a long document (a movie review) through such a window.

        >>> Example.from_tokens("r", ["a", "fine", "film", "."], rationale=(0, 1, 1, 0)).window(1, 3).text
        'fine film'
        """
        start, end = max(0, start), min(len(self.tokens), end)
        if start >= end:
            raise ValueError(f"Example {self.id}: empty window [{start}, {end}) of {len(self.tokens)} words")
        cs, ce = self.token_offsets[start][0], self.token_offsets[end - 1][1]
        offsets = tuple((a - cs, b - cs) for a, b in self.token_offsets[start:end])
        spans = []
        for sp in self.spans:
            s, e = max(sp.start, start), min(sp.end, end)
            if s < e:
                a, b = self.token_offsets[s][0], self.token_offsets[e - 1][1]
                spans.append(Span(s - start, e - start, a - cs, b - cs, self.text[a:b], role=sp.role,
                                  label=sp.label))
        return Example(id=self.id, text=self.text[cs:ce], tokens=self.tokens[start:end], token_offsets=offsets,
                       label=self.label, spans=tuple(spans), question=self.question,
                       rationale=None if self.rationale is None else self.rationale[start:end],
                       meta={**self.meta, "window": (start, end)})

    def tail(self, n: int) -> Example:
        """``window`` over the last ``n`` words (the whole example when it is shorter)."""
        return self.window(len(self.tokens) - n, len(self.tokens))

    def span(self, role: str) -> Span:
        """The single span with this role; ``KeyError`` names the roles present if there is none."""
        found = [s for s in self.spans if s.role == role]
        if len(found) != 1:
            raise KeyError(f"Example {self.id}: expected one span with role {role!r}, found {len(found)} "
                           f"(roles present: {sorted({s.role for s in self.spans})})")
        return found[0]

    def spans_with(self, role: str) -> tuple[Span, ...]:
        return tuple(s for s in self.spans if s.role == role)


@dataclass(frozen=True)
class Explanation:
    """A natural-language explanation of why ``label`` holds, tied to the example it explains.

    ``text`` is the explanation itself (for MRC: its condition part). ``meta`` keeps everything else
    from the source file; for NExT the authors' gold surface pattern sits in ``meta["pattern"]`` and is
    used only for evaluation, never by the parser.
    """

    id: str
    text: str
    label: str
    example: Example | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LabelingRule:
    """A named rule: a logical form that votes ``label`` (an id) on the examples where it fires, else ABSTAIN."""

    name: str
    label: int
    logical_form: Any
    source: str = ""
