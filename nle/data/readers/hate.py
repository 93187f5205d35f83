"""Readers for the hate-speech sets of the refinement experiments: HatEval 2019, GHC, Stormfront, IPTTS, identity terms.

Each reader takes the original file by path (relative paths are also looked up under ``$NLE_DATA_DIR``) and
returns ``list[Example]`` in file order, with labels kept as the dataset's own strings (documented per reader)
and ``meta["line"]`` the 1-based line where the record starts.

>>> exs = read_hateval2019("hateval2019_en/original_copy/hateval2019_en_dev.csv")  # doctest: +SKIP
>>> exs[0].label, sorted(exs[0].meta)  # doctest: +SKIP
('0', ['AG', 'TR', 'line'])
"""

from __future__ import annotations

import os
from pathlib import Path

from nle.data.errors import DataFormatError, resolve
from nle.data.readers.classification import (
    check_choice,
    check_header,
    check_width,
    iter_csv,
    iter_lines,
    json_object,
    labelled_example,
    parse_bit,
    read_decoded,
)
from nle.types import Example

PathLike = str | os.PathLike[str]

STORMFRONT_LABELS = frozenset({"hate", "noHate", "relation", "idk/skip"})
_HATEVAL_HEADER = ("id", "text", "HS", "TR", "AG")
_SENTROPY_HEADER = ("id", "HS", "TR", "AG", "HS_original")
_GHC_HEADER = ("text", "hd", "cv", "vo")
_STORMFRONT_META = ("file_id", "user_id", "subforum_id", "num_contexts", "label")
_STORMFRONT_TSV = (*_STORMFRONT_META, "sampled_split", "text")


def read_hateval2019(path: PathLike, relabeled: PathLike | None = None) -> list[Example]:
    """HatEval 2019 English CSV ``id,text,HS,TR,AG`` (quoted text may span lines).

    Label: the ``HS`` column as a string, ``"1"`` hate speech / ``"0"`` not. ``meta`` keeps ``TR`` (targeted
    individual = 1 vs group = 0) and ``AG`` (aggressive) as ints. With ``relabeled`` (the Sentropy file
    ``id,HS,TR,AG,HS_original`` of the same split) label, TR and AG come from that file, matched by ``id``,
    and ``meta["HS_original"]`` keeps the original HS.

    >>> [e.label for e in read_hateval2019("hateval2019_en_train.csv")][:1]  # doctest: +SKIP
    ['1']
    """
    path = resolve(path)
    fix_path = resolve(relabeled) if relabeled is not None else None
    fix = _read_sentropy(fix_path) if fix_path is not None else None
    rows = iter_csv(path, read_decoded(path))
    _, header = next(rows, (1, []))
    check_header(path, header, _HATEVAL_HEADER)
    out = []
    for line, row in rows:
        check_width(path, line, row, 5)
        id_, text, hs, tr, ag = row
        if not id_.strip():
            raise DataFormatError(path, line, "id", "a non-empty id", got=id_)
        meta = {"TR": parse_bit(path, line, "TR", tr), "AG": parse_bit(path, line, "AG", ag), "line": line}
        label = str(parse_bit(path, line, "HS", hs))
        if fix is not None:
            if id_ not in fix:
                raise DataFormatError(fix_path, None, "id", f"a row for id {id_} of {path}", got="no such id")
            label, tr_i, ag_i, hs_orig = fix[id_]
            meta.update(TR=tr_i, AG=ag_i, HS_original=hs_orig)
        out.append(labelled_example(id_, text, label, meta))
    return out


def _read_sentropy(path: Path) -> dict[str, tuple[str, int, int, int]]:
    """id -> (HS label string, TR, AG, HS_original) from a Sentropy relabeled CSV."""
    rows = iter_csv(path, read_decoded(path))
    _, header = next(rows, (1, []))
    check_header(path, header, _SENTROPY_HEADER)
    out = {}
    for line, row in rows:
        check_width(path, line, row, 5)
        id_, hs, tr, ag, hs_orig = row
        out[id_] = (str(parse_bit(path, line, "HS", hs)), parse_bit(path, line, "TR", tr),
                    parse_bit(path, line, "AG", ag), parse_bit(path, line, "HS_original", hs_orig))
    return out


def read_ghc(path: PathLike) -> list[Example]:
    """Gab Hate Corpus: the OSF TSV ``text<TAB>hd<TAB>cv<TAB>vo`` or the Kennedy et al. (2020) JSONL split.

    Label (both formats): ``"1"`` if ``hd`` (assault on human dignity) or ``cv`` (call for violence) is 1,
    else ``"0"`` -- Kennedy et al.'s definition of hate. ``meta`` keeps ``hd``, ``cv``, ``vo`` and, for the
    JSONL, every other binary column (``im``, ``ex``, ..., moral-foundation columns). Ids: the JSONL
    ``text_id``; the TSV has none, so ``f"{file stem}:{line}"``. The format is chosen by the first character
    of the file (``{`` means JSONL).
    """
    path = resolve(path)
    text = read_decoded(path)
    return _read_ghc_jsonl(path, text) if text.lstrip().startswith("{") else _read_ghc_tsv(path, text)


def _read_ghc_tsv(path: Path, text: str) -> list[Example]:
    rows = iter_csv(path, text, delimiter="\t")
    _, header = next(rows, (1, []))
    check_header(path, header, _GHC_HEADER)
    out = []
    for line, row in rows:
        check_width(path, line, row, 4)
        bits = {k: parse_bit(path, line, k, v) for k, v in zip(_GHC_HEADER[1:], row[1:])}
        label = "1" if bits["hd"] or bits["cv"] else "0"
        out.append(labelled_example(f"{path.stem}:{line}", row[0], label, {**bits, "line": line}))
    return out


def _read_ghc_jsonl(path: Path, text: str) -> list[Example]:
    out = []
    for line, raw in iter_lines(text):
        if not raw.strip():
            continue
        rec = json_object(path, line, raw)
        for key in ("text_id", "Text", "hd", "cv"):
            if key not in rec:
                raise DataFormatError(path, line, key, "a key present in every record", got=sorted(rec))
        if not isinstance(rec["Text"], str):
            raise DataFormatError(path, line, "Text", "a string", got=rec["Text"])
        meta = {k: parse_bit(path, line, k, v) for k, v in rec.items() if k not in ("text_id", "Text")}
        label = "1" if meta["hd"] or meta["cv"] else "0"
        out.append(labelled_example(str(rec["text_id"]), rec["Text"], label, {**meta, "line": line}))
    return out


def read_stormfront(path: PathLike, annotations: PathLike | None = None, split: str | None = None) -> list[Example]:
    """Stormfront sentences (de Gibert et al. 2018): the derived TSV, or a folder of original ``.txt`` files.

    * TSV ``file_id, user_id, subforum_id, num_contexts, label, sampled_split, text`` (a text holding ``"``
      is CSV-quoted, as pandas wrote it);
      ``split="train"``/``"test"`` keeps only the rows of the balanced ``sampled_train``/``sampled_test`` sets.
    * A folder (``all_files/``, ``sampled_train/``, ...) of ``<commentID>_<sentenceNo>.txt`` files, one sentence
      each, with ``annotations`` = ``annotations_metadata.csv`` (``file_id,user_id,subforum_id,num_contexts,label``);
      the examples follow the annotation file's order, restricted to the files in the folder.

    Label: the dataset's own string, one of ``hate``, ``noHate``, ``relation``, ``idk/skip``. Id: ``file_id``.
    ``meta``: ``user_id``, ``subforum_id``, ``num_contexts`` (strings as in the file), ``sampled_split`` (TSV
    only: ``"train"``, ``"test"`` or ``""``) and ``line``.
    """
    if split not in (None, "train", "test"):
        raise ValueError(f"read_stormfront: split must be None, 'train' or 'test', got {split!r}")
    path = resolve(path)
    if path.is_dir():
        if annotations is None:
            raise ValueError(f"read_stormfront: reading the folder {path} needs annotations=<annotations_metadata.csv>")
        if split is not None:
            raise ValueError("read_stormfront: split= applies to the derived TSV; for files, pass the sampled_* folder")
        return _read_stormfront_files(path, resolve(annotations))
    rows = iter_csv(path, read_decoded(path), delimiter="\t")
    _, header = next(rows, (1, []))
    check_header(path, header, _STORMFRONT_TSV)
    out = []
    for line, row in rows:
        check_width(path, line, row, 7)
        file_id, user_id, subforum_id, num_contexts, label, sampled, text = row
        check_choice(path, line, "label", label, STORMFRONT_LABELS)
        check_choice(path, line, "sampled_split", sampled, ("", "train", "test"))
        if split is not None and sampled != split:
            continue
        meta = {"user_id": user_id, "subforum_id": subforum_id, "num_contexts": num_contexts,
                "sampled_split": sampled, "line": line}
        out.append(labelled_example(file_id, text, label, meta))
    return out


def _read_stormfront_files(folder: Path, annotations: Path) -> list[Example]:
    rows = iter_csv(annotations, read_decoded(annotations))
    _, header = next(rows, (1, []))
    check_header(annotations, header, _STORMFRONT_META)
    present = {p.stem for p in folder.glob("*.txt")}
    out, seen = [], set()
    for line, row in rows:
        check_width(annotations, line, row, 5)
        file_id, user_id, subforum_id, num_contexts, label = row
        check_choice(annotations, line, "label", label, STORMFRONT_LABELS)
        if file_id not in present:
            continue
        seen.add(file_id)
        text = read_decoded(folder / f"{file_id}.txt")
        meta = {"user_id": user_id, "subforum_id": subforum_id, "num_contexts": num_contexts, "line": line}
        out.append(labelled_example(file_id, text, label, meta))
    missing = sorted(present - seen)
    if missing:
        raise DataFormatError(annotations, None, "file_id", f"a row for every file in {folder}",
                              got=f"{len(missing)} without one, e.g. {missing[:3]}")
    return out


def read_iptts_madlibs(path: PathLike) -> list[Example]:
    """IPTTS ``bias_madlibs_77k.csv`` (Dixon et al. 2018): ``Text,Label,Template``.

    Label: ``"BAD"`` (toxic template) or ``"NOT_BAD"``; ``meta["template"]`` names the template
    (``name_adj``, ``verb_adj``, ...). Id: ``f"{file stem}:{line}"``.
    """
    path = resolve(path)
    rows = iter_csv(path, read_decoded(path))
    _, header = next(rows, (1, []))
    check_header(path, header, ("Text", "Label", "Template"))
    out = []
    for line, row in rows:
        check_width(path, line, row, 3)
        text, label, template = row
        check_choice(path, line, "Label", label, ("BAD", "NOT_BAD"))
        out.append(labelled_example(f"{path.stem}:{line}", text, label, {"template": template, "line": line}))
    return out


def read_identity_terms(path: PathLike) -> dict[str, float]:
    """Group-identifier terms with weights, ``term<TAB>weight`` per line, no header (Kennedy et al. 2020).

    Returns ``{term: weight}`` in file order.

    >>> read_identity_terms("kennedy2020_contextualizing_hate_speech/data/identity.csv")["muslim"]  # doctest: +SKIP
    3.161219
    """
    path = resolve(path)
    out: dict[str, float] = {}
    for line, raw in iter_lines(read_decoded(path)):
        if not raw.strip():
            continue
        parts = raw.split("\t")
        check_width(path, line, parts, 2)
        term, weight = parts[0].strip(), parts[1].strip()
        if not term:
            raise DataFormatError(path, line, "term", "a non-empty term", got=raw)
        try:
            out[term] = float(weight)
        except ValueError as err:
            raise DataFormatError(path, line, "weight", "a float", got=weight) from err
    return out

