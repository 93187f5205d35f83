"""A small deterministic word tokenizer that keeps character offsets.

Close to Penn-Treebank / Stanford tokenization, as used by the NExT preprocessing: punctuation is split off
(``"elements."`` -> ``"elements"``, ``"."``), clitics become their own words (``"people's"`` -> ``"people"``,
``"'s"``; ``"don't"`` -> ``"do"``, ``"n't"``), while hyphenated words (``"six-minute"``), numbers
(``"7,900"``, ``"3.5"``), dotted abbreviations (``"U.S."``) and URLs stay whole. A run of one punctuation
character (``"..."``, ``"--"``) is one word.

``breaks`` are character positions that no word may cross: readers pass entity or term boundaries so that a
marked span is always a whole number of words.

>>> tokenize("The cat's toy, isn't it?")
(('The', 'cat', "'s", 'toy', ',', 'is', "n't", 'it', '?'), ((0, 3), (4, 7), (7, 9), (10, 13), (13, 14), (15, 17), (17, 20), (21, 23), (23, 24)))
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nle.types import Example, Span

_APOS = "'\u2019"
_TOKEN = re.compile(
    rf"""
    https?://\S+ | www\.\S+                           # URLs stay whole
  | (?:[A-Za-z]\.){{2,}}                              # dotted abbreviations: U.S., e.g.
  | \d+(?:[.,:]\d+)+                                  # numbers with inner separators: 7,900 3.5 12:30
  | \w+?(?=n[{_APOS}]t(?!\w))                         # the word before n't: do|n't, ca|n't
  | n[{_APOS}]t(?!\w)                                 # n't
  | (?<=\w)[{_APOS}](?:s|re|ve|ll|d|m|S|RE|VE|LL|D|M)(?!\w)   # clitics after a word: 's 're 've 'll 'd 'm
  | \w+(?:-\w+)*                                      # words, hyphenated words kept whole
  | ([^\w\s])\1*                                      # punctuation: a run of one character is one word
    """,
    re.VERBOSE,
)


def word_offsets(text: str, breaks: Iterable[int] = ()) -> tuple[tuple[int, int], ...]:
    """Character offsets ``(start, end)`` (end exclusive) of the words of ``text``; no word crosses a break.

    >>> word_offsets("a-b c", breaks=[2])
    ((0, 1), (1, 2), (2, 3), (4, 5))
    """
    cuts = sorted({b for b in breaks if 0 < b < len(text)} | {0, len(text)})
    offsets: list[tuple[int, int]] = []
    for lo, hi in zip(cuts, cuts[1:]):
        offsets.extend((lo + m.start(), lo + m.end()) for m in _TOKEN.finditer(text[lo:hi]))
    return tuple(offsets)


def tokenize(text: str, breaks: Iterable[int] = ()) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """Words of ``text`` and their character offsets: ``(tokens, offsets)`` with ``text[s:e] == token``."""
    offsets = word_offsets(text, breaks)
    return tuple(text[s:e] for s, e in offsets), offsets


def whitespace_offsets(text: str) -> tuple[tuple[int, int], ...]:
    """Offsets of the runs of non-space characters (for text that is already tokenized, such as NExT's)."""
    return tuple((m.start(), m.end()) for m in re.finditer(r"\S+", text))


def example_from_text(id: str, text: str, breaks: Iterable[int] = (), **kwargs: object) -> Example:
    """An :class:`Example` over ``text`` tokenized by :func:`tokenize`; ``kwargs`` go to ``Example``."""
    tokens, offsets = tokenize(text, breaks)
    return Example(id=id, text=text, tokens=tokens, token_offsets=offsets, **kwargs)  # type: ignore[arg-type]


def covering_words(offsets: tuple[tuple[int, int], ...], char_start: int, char_end: int) -> tuple[int, int] | None:
    """The word range ``[start, end)`` of the words overlapping ``[char_start, char_end)``; ``None`` if none do.

    An empty character range selects the word that contains ``char_start``, if any.

    >>> covering_words(((0, 3), (4, 9), (10, 12)), 5, 11)
    (1, 3)
    """
    if char_end == char_start:
        char_end = char_start + 1
    hit = [i for i, (s, e) in enumerate(offsets) if s < char_end and e > char_start]
    return (hit[0], hit[-1] + 1) if hit else None


def span_covering(example: Example, char_start: int, char_end: int, role: str = "", label: str | None = None) -> Span | None:
    """The word-level span of ``example`` covering the characters ``[char_start, char_end)``; ``None`` if no word does.

    The span's text is the slice of the covering words, so it may be longer than the characters asked for
    when they start or end inside a word.
    """
    words = covering_words(example.token_offsets, char_start, char_end)
    return None if words is None else example.make_span(words[0], words[1], role=role, label=label)
