"""Soft execution of logical forms over a batch of sentences, in torch (NExT, Wang et al. ICLR 2020).

Hard execution (:mod:`nle.matching.execute`) says whether a rule fires; soft execution says *how well* a rule
matches a sentence it does not exactly fire on, so the rule can label it with a confidence. Three relaxations
(the paper's neural execution tree):

* **string matching**: a phrase literal (a keyword) is scored at every window of the sentence by a
  :class:`StringMatcher` -- ``match[b, k, i]`` in [0, 1] scores keyword ``k`` occupying words ``i .. i+n_k-1`` of
  sentence ``b``. :class:`ExactMatcher` is 1 exactly where the words are equal (the hard limit);
  ``nle.matching.neural.LearnedMatcher`` is the paper's learned similarity;
* **soft counting**: a count or distance constraint that is missed by at most ``count_window`` words scores
  ``count_value`` instead of 0 (the paper's 0.5; both configurable, :class:`SoftConfig`);
* **soft logic**: ``and(a, b) = max(a + b - 1, 0)`` (Łukasiewicz), ``or = max``, ``not(a) = 1 - a``.

A span predicate over occurrences (``between(SUBJ, OBJ, "caused by")``) is the hard "for some occurrence"
turned into a max over windows: ``max_i match[b, k, i] * c(b, i)``, where ``c`` is the predicate's positional
constraint (1, ``count_value`` or 0) written once with broadcasting, so every rule runs over the whole batch
as tensor operations; there is no Python loop over sentences or (rule, sentence) pairs. Sub-formulas shared by
rules (``left(SUBJ, OBJ)``) are computed once per batch.

Deterministic functions the relaxation does not touch -- NER / POS / chunk / lexicon tests, dependency
distance, anything over the question or inside ``at(...)`` -- are *fallbacks*: the smallest bool sub-formula
holding them is executed once per corpus by the hard interpreter and enters the batch as a 0/1 column
(:attr:`SoftBatch.fallback`). So with :class:`ExactMatcher` and ``count_window = 0`` soft execution equals hard
execution everywhere (tested on random logical forms), and with soft counting on, the score is 1 exactly where
the hard rule fires for every rule without negation.

>>> from nle.logic.forms import Call, Lit, Var
>>> from nle.matching.corpus import AnnotatedCorpus, AnnotatedExample
>>> ex = AnnotatedExample.from_tags("s", "smoke is caused by the fire".split(), roles={"SUBJ": (0, 1), "OBJ": (5, 6)})
>>> rules = SoftRules([Call("between", (Var("SUBJ"), Var("OBJ"), Lit("caused by")))])
>>> data = SoftCorpus.build(AnnotatedCorpus.from_examples([ex]), rules)
>>> rules.execute(data.batch([0]), ExactMatcher()).tolist()
[[1.0]]
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch

from nle.logic.forms import Call, Lit, LogicalForm, Var
from nle.matching.corpus import AnnotatedCorpus
from nle.matching.execute import Executor
from nle.matching.semantics import check, phrase_tokens

UNK = "<unk>"
PAD = -1
LOGIC = ("and", "all", "or", "any", "not", "none")
COMPARE = ("eq", "ne", "lt", "le", "gt", "ge")
POSITIONAL = ("left", "right", "directly_before", "directly_after", "left_within", "right_within", "within",
              "apart", "between", "sandwich", "in", "exists", "equals", "contains", "starts_with", "ends_with")
TEXT_PREDICATES = ("equals", "contains", "starts_with", "ends_with")  # soft only as (variable, phrase)
SPAN_VARS = ("SUBJ", "OBJ", "X", "Y", "Z", "ANS", "TERM", "Context")
MAX_PHRASES = 2  # phrase arguments per predicate executed softly (the window product is (B, L, L))


@dataclass(frozen=True)
class SoftConfig:
    """Soft counting: a count constraint missed by 1..``count_window`` words scores ``count_value``."""

    count_window: int = 7
    count_value: float = 0.5

    def __post_init__(self) -> None:
        if self.count_window < 0 or not 0.0 <= self.count_value <= 1.0:
            raise ValueError(f"count_window must be >= 0 and count_value in [0, 1], got {self}")


@dataclass(frozen=True)
class Vocab:
    """Lowercased words -> ids; id 0 is ``<unk>``; ``PAD = -1`` pads word tensors (never a word id)."""

    words: tuple[str, ...]
    index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.words or self.words[0] != UNK:
            raise ValueError(f"a Vocab starts with {UNK!r}")
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words)})

    @classmethod
    def build(cls, *word_lists: Collection[str]) -> Vocab:
        """A vocabulary over every word of ``word_lists`` (lowercased), in first-seen order after ``<unk>``."""
        seen: dict[str, None] = {UNK: None}
        for words in word_lists:
            for w in words:
                seen.setdefault(w.lower(), None)
        return cls(tuple(seen))

    def __len__(self) -> int:
        return len(self.words)

    def ids(self, words: Sequence[str]) -> list[int]:
        return [self.index.get(w.lower(), 0) for w in words]


@dataclass(frozen=True, eq=False)
class SoftBatch:
    """B sentences as tensors: ``words`` (B, L) vocab ids (``PAD`` after ``lengths``), ``lengths`` (B,),
    ``roles[name]`` (B, 2) word span ``[start, end)`` or ``-1``, ``fallback`` (B, F) 0/1 values of the rules'
    fallback sub-formulas (:attr:`SoftRules.fallbacks`), and the rules' keywords in the same vocabulary,
    ``keywords`` (K, n_max) and ``keyword_lengths`` (K,) (:meth:`SoftRules.keyword_tensors`)."""

    words: torch.Tensor
    lengths: torch.Tensor
    roles: Mapping[str, torch.Tensor]
    fallback: torch.Tensor
    keywords: torch.Tensor
    keyword_lengths: torch.Tensor

    @property
    def size(self) -> int:
        return int(self.words.shape[0])

    def to(self, device: torch.device | str) -> SoftBatch:
        return SoftBatch(self.words.to(device), self.lengths.to(device),
                         {k: v.to(device) for k, v in self.roles.items()}, self.fallback.to(device),
                         self.keywords.to(device), self.keyword_lengths.to(device))

    def select(self, rows: Sequence[int] | torch.Tensor) -> SoftBatch:
        """The sub-batch of ``rows`` (trimmed to its longest sentence)."""
        idx = torch.as_tensor(rows, dtype=torch.long, device=self.words.device)
        lengths = self.lengths[idx]
        width = max(int(lengths.max()) if len(idx) else 0, 1)
        return SoftBatch(self.words[idx, :width], lengths, {k: v[idx] for k, v in self.roles.items()},
                         self.fallback[idx], self.keywords, self.keyword_lengths)


class StringMatcher(Protocol):
    """``match(words (B, L), lengths (B,), keywords (K, n_max), keyword_lengths (K,)) -> (B, K, L)`` in [0, 1]:
    the score of keyword ``k`` occupying words ``i .. i + n_k - 1``; 0 where the window leaves the sentence."""

    def __call__(self, words: torch.Tensor, lengths: torch.Tensor, keywords: torch.Tensor,
                 keyword_lengths: torch.Tensor) -> torch.Tensor: ...


def window_fits(lengths: torch.Tensor, keyword_lengths: torch.Tensor, width: int) -> torch.Tensor:
    """(B, K, L) bool: the window of keyword ``k`` starting at word ``i`` lies inside sentence ``b``."""
    start = torch.arange(width, device=lengths.device)
    return (start[None, None, :] + keyword_lengths[None, :, None]) <= lengths[:, None, None]


def occurs(words: torch.Tensor, lengths: torch.Tensor, phrases: torch.Tensor,
           phrase_lengths: torch.Tensor) -> torch.Tensor:
    """(..., L) bool: phrase ``(..., n_max)`` (PAD after ``phrase_lengths``) occurs at word ``i`` of ``words``
    ``(..., L)``; leading dimensions broadcast (``exact_match`` pairs every sentence with every keyword,
    ``LearnedMatcher.find_loss`` each sentence with its own query)."""
    L, n_max = words.shape[-1], phrases.shape[-1]
    padded = torch.nn.functional.pad(words, (0, n_max), value=PAD)
    start = torch.arange(L, device=words.device)
    out = (start + phrase_lengths[..., None]) <= lengths[..., None]  # the window lies inside the sentence
    for j in range(n_max):  # loop over word offsets inside a phrase (at most a few)
        out = out & ((padded[..., j:j + L] == phrases[..., j, None]) | (j >= phrase_lengths)[..., None])
    return out


def exact_match(words: torch.Tensor, lengths: torch.Tensor, keywords: torch.Tensor,
                keyword_lengths: torch.Tensor) -> torch.Tensor:
    """(B, K, L) bool: the words of keyword ``k`` occur at ``i`` (the hard string match)."""
    return occurs(words[:, None, :], lengths[:, None], keywords[None], keyword_lengths[None])


class ExactMatcher:
    """The hard limit of string matching: 1 where the keyword's words occur, else 0 (no parameters)."""

    def __call__(self, words: torch.Tensor, lengths: torch.Tensor, keywords: torch.Tensor,
                 keyword_lengths: torch.Tensor) -> torch.Tensor:
        return exact_match(words, lengths, keywords, keyword_lengths).float()


# ---- values during soft evaluation --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _VarSpan:
    s: torch.Tensor  # (B,)
    e: torch.Tensor
    ok: torch.Tensor  # (B,) bool: bound


@dataclass(frozen=True, eq=False)
class _Phrase:
    k: int  # keyword index
    n: int  # number of words


@dataclass(frozen=True, eq=False)
class _Int:
    v: torch.Tensor  # (B,) long
    ok: torch.Tensor  # (B,) bool


def _miss(op: str, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """How many units ``op(x, y)`` is short of holding (<= 0: it holds)."""
    if op == "le":
        return x - y
    if op == "lt":
        return x - y + 1
    if op == "ge":
        return y - x
    if op == "gt":
        return y - x + 1
    if op == "eq":
        return (x - y).abs()
    big = torch.iinfo(torch.long).max // 4  # ne: no partial credit
    return torch.where(x != y, torch.zeros_like(x), torch.full_like(x, big))


def _constraint(op: str, sp: list[tuple[torch.Tensor, torch.Tensor]], n: torch.Tensor | None
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A span predicate's positional test on broadcast starts/ends: (base bool, miss or None).

    The predicate holds where ``base & (miss <= 0)`` -- the registry's semantics, mirroring ``Executor.p_<op>``;
    ``miss`` is the count constraint's shortfall (soft counting), ``None`` for predicates without one.
    """
    (xs, xe), *rest = sp
    if op == "exists":
        return torch.ones_like(xs, dtype=torch.bool), None
    ys, ye = rest[0]
    if op == "left":
        return xe <= ys, None
    if op == "right":
        return xs >= ye, None
    if op == "directly_before":
        return xe == ys, None
    if op == "directly_after":
        return xs == ye, None
    if op == "left_within":
        return xe <= ys, ys - xe + 1 - n
    if op == "right_within":
        return xs >= ye, xs - ye + 1 - n
    if op in ("within", "apart"):
        gap = torch.where(xe <= ys, ys - xe, xs - ye)
        base = (xe <= ys) | (ye <= xs)
        return base, (gap + 1 - n) if op == "within" else (gap - n).abs()
    if op == "in":
        return (xs >= ys) & (xe <= ye), None
    if op == "equals":
        return (xs == ys) & (xe == ye), None
    if op == "contains":
        return (xs <= ys) & (ye <= xe), None
    if op == "starts_with":
        return (xs == ys) & (ye <= xe), None
    if op == "ends_with":
        return (xe == ye) & (ys >= xs), None
    zs, ze = rest[1]
    lo, hi = torch.minimum(xe, ye), torch.maximum(xs, ys)
    if op == "between":
        return (lo <= zs) & (ze <= hi), None
    if op == "sandwich":
        return (hi >= lo) & (zs == lo) & (ze == hi), None
    raise AssertionError(op)  # pragma: no cover - guarded by _soft_ok


def _split_args(args: Sequence[LogicalForm]) -> tuple[list[LogicalForm], list[LogicalForm]]:
    """A span predicate's arguments: (span arguments, int arguments) -- ints are int literals and int calls."""
    spans: list[LogicalForm] = []
    ints: list[LogicalForm] = []
    for x in args:
        (ints if isinstance(x, Call) or (isinstance(x, Lit) and x.type == "int") else spans).append(x)
    return spans, ints


class SoftRules:
    """R logical forms compiled for soft execution: their keywords, their fallback sub-formulas.

    ``execute(batch, matcher) -> (B, R)`` scores in [0, 1]. Keywords are the phrase literals the soft
    predicates read (:attr:`keywords`, K of them, as lowercased word tuples); the matcher scores them all in one
    call. :attr:`fallbacks` are the bool sub-formulas executed by the hard interpreter (see module doc).
    """

    def __init__(self, forms: Sequence[LogicalForm], config: SoftConfig = SoftConfig(),
                 lexicons: Mapping[str, Collection[str]] | None = None) -> None:
        self.forms = list(forms)
        self.config = config
        self.lexicons = dict(lexicons or {})
        for i, lf in enumerate(self.forms):
            try:
                check(lf, self.lexicons)
            except ValueError as err:
                raise type(err)(f"rule {i}: {err}") from err
        self._soft_memo: dict[LogicalForm, bool] = {}
        self.keywords: list[tuple[str, ...]] = []
        self.fallbacks: list[LogicalForm] = []
        self._kw: dict[tuple[str, ...], int] = {}
        self._fb: dict[LogicalForm, int] = {}
        self.rule_keywords: list[tuple[int, ...]] = []
        """Per rule, the indices into :attr:`keywords` of the phrases it reads softly (first-seen order)."""
        for lf in self.forms:
            used: dict[int, None] = {}
            self._collect(lf, used)
            self.rule_keywords.append(tuple(used))

    # ---- compilation --------------------------------------------------------------------------------------------
    @staticmethod
    def _is_phrase(lf: LogicalForm) -> bool:
        return isinstance(lf, Lit) and lf.type == "str"

    def _soft_ok(self, lf: LogicalForm) -> bool:
        """Whether ``lf`` evaluates softly (else it is a fallback, or inside one)."""
        hit = self._soft_memo.get(lf)
        if hit is None:
            hit = self._soft_memo[lf] = self._soft_ok_uncached(lf)
        return hit

    def _soft_ok_uncached(self, lf: LogicalForm) -> bool:
        if isinstance(lf, Lit):
            return lf.type in ("int", "str")
        if isinstance(lf, Var):
            return lf.name in SPAN_VARS
        op, a = lf.op, lf.args
        if op in LOGIC:
            return True  # children that are not soft become fallbacks themselves
        if op in COMPARE:
            return all(self._soft_int(x) for x in a)
        if op in POSITIONAL:
            spans, ints = _split_args(a)
            if not all(self._soft_ok(x) for x in spans) or not all(self._soft_int(x) for x in ints):
                return False
            if sum(self._is_phrase(x) for x in spans) > MAX_PHRASES:
                return False
            if op in TEXT_PREDICATES:
                return isinstance(a[0], Var) and self._is_phrase(a[1])
            if op == "sandwich":
                return self._is_phrase(a[2])
            return True
        return False

    def _soft_int(self, lf: LogicalForm) -> bool:
        if isinstance(lf, Lit):
            return lf.type == "int"
        if isinstance(lf, Call) and lf.op == "count_between":
            return all(isinstance(x, Var) and x.name in SPAN_VARS for x in lf.args)
        if isinstance(lf, Call) and lf.op == "length":
            return self._is_phrase(lf.args[0]) or (isinstance(lf.args[0], Var) and lf.args[0].name in SPAN_VARS)
        return False

    def _collect(self, lf: LogicalForm, used: dict[int, None]) -> None:
        if not isinstance(lf, Call):
            return
        if lf.op in LOGIC:
            for x in lf.args:
                self._collect(x, used)
            return
        if not self._soft_ok(lf):
            if lf not in self._fb:
                self._fb[lf] = len(self.fallbacks)
                self.fallbacks.append(lf)
            return
        for x in lf.args:
            if self._is_phrase(x):
                words = phrase_tokens(str(x.value))
                if words not in self._kw:
                    self._kw[words] = len(self.keywords)
                    self.keywords.append(words)
                used[self._kw[words]] = None

    def keyword_tensors(self, vocab: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
        """``(keywords (K, n_max) ids padded with PAD, keyword_lengths (K,))`` in ``vocab``.

        A keyword word missing from ``vocab`` gets id -2, which no sentence word has (it never matches exactly).
        """
        n_max = max((len(k) for k in self.keywords), default=1)
        ids = torch.full((len(self.keywords), n_max), PAD, dtype=torch.long)
        for i, kw in enumerate(self.keywords):
            ids[i, :len(kw)] = torch.tensor([vocab.index.get(w, -2) for w in kw], dtype=torch.long)
        return ids, torch.tensor([len(k) for k in self.keywords], dtype=torch.long)

    def hard_fallbacks(self, corpus: AnnotatedCorpus) -> np.ndarray:
        """(N, F) bool: every fallback sub-formula executed by the hard interpreter on ``corpus``."""
        run = Executor(corpus, self.lexicons)
        out = np.zeros((corpus.n, len(self.fallbacks)), dtype=bool)
        for j, lf in enumerate(self.fallbacks):
            out[:, j] = run(lf).fires
        return out

    # ---- execution ----------------------------------------------------------------------------------------------
    def execute(self, batch: SoftBatch, matcher: StringMatcher, rules: Sequence[int] | None = None,
                match: torch.Tensor | None = None) -> torch.Tensor:
        """(B, R) soft scores of the rules (all, or the indices ``rules``) on ``batch``.

        ``match`` (B, K, L) replaces the matcher call (when the caller already scored the keywords).
        """
        if batch.keywords.shape[0] != len(self.keywords):
            raise ValueError(f"the batch carries {batch.keywords.shape[0]} keywords, these rules have "
                             f"{len(self.keywords)}: build the SoftCorpus with these rules")
        if match is None and len(self.keywords):
            match = matcher(batch.words, batch.lengths, batch.keywords, batch.keyword_lengths)
        elif match is None:
            match = batch.words.new_zeros((batch.size, 0, batch.words.shape[1]), dtype=torch.float)
        ctx = _Context(self, batch, match)
        picked = range(len(self.forms)) if rules is None else rules
        cols = [ctx.bool(self.forms[i]) for i in picked]
        return torch.stack(cols, dim=1) if cols else match.new_zeros((batch.size, 0))


class _Context:
    """One batch's evaluation: memoised values of sub-formulas."""

    def __init__(self, rules: SoftRules, batch: SoftBatch, match: torch.Tensor) -> None:
        self.r, self.b, self.match = rules, batch, match
        self.cfg = rules.config
        self.memo: dict[LogicalForm, Any] = {}
        self.B, self.L = batch.words.shape
        self.dev = batch.words.device

    def bool(self, lf: LogicalForm) -> torch.Tensor:
        hit = self.memo.get(lf)
        if hit is None:
            hit = self.memo[lf] = self._bool(lf)
        return hit

    def _bool(self, lf: LogicalForm) -> torch.Tensor:
        if lf in self.r._fb:
            return self.b.fallback[:, self.r._fb[lf]].to(self.match.dtype)
        assert isinstance(lf, Call)
        op = lf.op
        if op in LOGIC:
            vals = torch.stack([self.bool(x) for x in lf.args])  # (k, B)
            if op in ("and", "all"):
                return (vals.sum(0) - (len(lf.args) - 1)).clamp_min(0.0)
            if op in ("or", "any"):
                return vals.amax(0)
            return 1.0 - vals.amax(0)  # not, none
        if op in COMPARE:
            x, y = self.int(lf.args[0]), self.int(lf.args[1])
            return self._counted(None, _miss(op, x.v, y.v)) * (x.ok & y.ok)
        return self._positional(lf)

    def _counted(self, base: torch.Tensor | None, miss: torch.Tensor | None) -> torch.Tensor:
        """1 where base holds and miss <= 0; ``count_value`` where base holds and 0 < miss <= window; else 0."""
        dtype = self.match.dtype
        ok = torch.ones((), dtype=torch.bool, device=self.dev) if base is None else base
        if miss is None:
            return ok.to(dtype)
        full = ok & (miss <= 0)
        part = ok & (miss > 0) & (miss <= self.cfg.count_window)
        return full.to(dtype) + part.to(dtype) * self.cfg.count_value

    def int(self, lf: LogicalForm) -> _Int:
        hit = self.memo.get(lf)
        if hit is None:
            hit = self.memo[lf] = self._int(lf)
        return hit

    def _int(self, lf: LogicalForm) -> _Int:
        ones = torch.ones(self.B, dtype=torch.bool, device=self.dev)
        if isinstance(lf, Lit):
            return _Int(torch.full((self.B,), int(lf.value), dtype=torch.long, device=self.dev), ones)
        assert isinstance(lf, Call)
        if lf.op == "length":
            if isinstance(lf.args[0], Lit):
                n = len(phrase_tokens(str(lf.args[0].value)))
                return _Int(torch.full((self.B,), n, dtype=torch.long, device=self.dev), ones)
            v = self.span(lf.args[0])
            return _Int(torch.where(v.ok, v.e - v.s, 0), v.ok)
        x, y = self.span(lf.args[0]), self.span(lf.args[1])  # count_between of two variables
        gap = torch.where(x.e <= y.s, y.s - x.e, x.s - y.e)
        ok = x.ok & y.ok & ((x.e <= y.s) | (y.e <= x.s))
        return _Int(torch.where(ok, gap, 0), ok)

    def span(self, lf: LogicalForm) -> _VarSpan:
        assert isinstance(lf, Var)
        if lf.name == "Context":
            zeros = torch.zeros(self.B, dtype=torch.long, device=self.dev)
            return _VarSpan(zeros, self.b.lengths.long(), torch.ones(self.B, dtype=torch.bool, device=self.dev))
        r = self.b.roles.get(lf.name)
        if r is None:
            zeros = torch.zeros(self.B, dtype=torch.long, device=self.dev)
            return _VarSpan(zeros, zeros, torch.zeros(self.B, dtype=torch.bool, device=self.dev))
        return _VarSpan(r[:, 0].long(), r[:, 1].long(), r[:, 0] >= 0)

    def _positional(self, lf: Call) -> torch.Tensor:
        span_args, int_args = _split_args(lf.args)
        n_phr = sum(SoftRules._is_phrase(x) for x in span_args)
        shape = (self.B,) + (1,) * n_phr
        score = torch.ones(shape, dtype=self.match.dtype, device=self.dev)
        pos: list[tuple[torch.Tensor, torch.Tensor]] = []
        axis = 0
        for x in span_args:
            if SoftRules._is_phrase(x):
                k = self.r._kw[phrase_tokens(str(x.value))]
                n = len(self.r.keywords[k])
                view = [1] * (1 + n_phr)
                view[1 + axis] = self.L
                start = torch.arange(self.L, device=self.dev).view(view)
                pos.append((start, start + n))
                view[0] = self.B
                score = score * self.match[:, k, :].reshape(view)
                axis += 1
            else:
                v = self.span(x)
                pos.append((v.s.view(shape), v.e.view(shape)))
                score = score * v.ok.view(shape).to(score.dtype)
        n = None
        if int_args:
            iv = self.int(int_args[0])
            n = iv.v.view(shape)
            score = score * iv.ok.view(shape).to(score.dtype)
        base, miss = _constraint(lf.op, pos, n)
        value = score * self._counted(base, miss)
        return value.flatten(1).amax(1) if n_phr else value.reshape(self.B)


class SoftCorpus:
    """A whole annotated corpus as padded tensors for soft execution; :meth:`batch` selects rows.

    ``words`` (N, L) ids in ``vocab`` (lowercased words), ``lengths`` (N,), ``roles`` (N, 2) per role, and
    ``fallback`` (N, F) -- the rules' fallback sub-formulas run once by the hard interpreter.
    """

    def __init__(self, words: torch.Tensor, lengths: torch.Tensor, roles: Mapping[str, torch.Tensor],
                 fallback: torch.Tensor, keywords: torch.Tensor, keyword_lengths: torch.Tensor, vocab: Vocab,
                 ids: Sequence[str]) -> None:
        self.words, self.lengths, self.roles, self.fallback = words, lengths, dict(roles), fallback
        self.keywords, self.keyword_lengths = keywords, keyword_lengths
        self.vocab, self.ids = vocab, list(ids)

    @classmethod
    def build(cls, corpus: AnnotatedCorpus, rules: SoftRules, vocab: Vocab | None = None) -> SoftCorpus:
        """Tensors of ``corpus`` for ``rules`` (``vocab`` defaults to the corpus words plus the keywords)."""
        strings = list(corpus.strings)
        if vocab is None:
            vocab = Vocab.build(strings, [w for kw in rules.keywords for w in kw])
        sid = np.array(vocab.ids([s.lower() for s in strings]) or [0], dtype=np.int64)
        lengths = corpus.lengths.astype(np.int64)
        width = max(int(lengths.max(initial=0)), 1)
        words = np.full((corpus.n, width), PAD, dtype=np.int64)
        off = corpus.offsets.astype(np.int64)
        row = np.repeat(np.arange(corpus.n), lengths)
        col = np.arange(int(off[-1])) - off[:-1][row]
        words[row, col] = sid[corpus.lower.astype(np.int64)]
        roles = {r: torch.from_numpy(a.astype(np.int64)) for r, a in corpus.roles.items()}
        fallback = torch.from_numpy(rules.hard_fallbacks(corpus).astype(np.float32))
        kw, kw_len = rules.keyword_tensors(vocab)
        return cls(torch.from_numpy(words), torch.from_numpy(lengths), roles, fallback, kw, kw_len, vocab, corpus.ids)

    def __len__(self) -> int:
        return int(self.words.shape[0])

    def batch(self, rows: Sequence[int] | torch.Tensor) -> SoftBatch:
        """The rows as a :class:`SoftBatch` (trimmed to the longest of them)."""
        full = SoftBatch(self.words, self.lengths, self.roles, self.fallback, self.keywords, self.keyword_lengths)
        return full.select(rows)
