"""Property tests: the parser raises nothing but ParseFailure and never executes code."""

import random
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from nle.logic import registry as P
from nle.logic.forms import Call, Lit, Var, from_json, to_json
from nle.parsing.parser import ParseFailure, parse

PHRASES = sorted({ph.text for p in P.PREDICATES.values() for ph in p.phrases})
VARS = ["SUBJ", "OBJ", "X", "Y", "the answer", "the question"]
WORDS = PHRASES + VARS + ['"of"', "'was born'", "3", "two", "words", "and", "or", "the", "is", "__import__('os')"]


def _try(text, domain):
    try:
        cands = parse(text, domain=domain, beam=4)
    except ParseFailure as err:
        assert err.explanation_id == "" and isinstance(err.unrecognised, tuple)
        return
    for c in cands:
        assert from_json(to_json(c.logical_form)) == c.logical_form
        _well_typed(c.logical_form)


def _well_typed(lf):
    if isinstance(lf, Call):
        pred = P.get(lf.op)
        assert pred.variadic or len(lf.args) == pred.arity
        for a in lf.args:
            _well_typed(a)
    else:
        assert isinstance(lf, (Var, Lit))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80), st.sampled_from(["relation", "mrc", "remote"]))
def test_random_strings_only_raise_parse_failure(text, domain):
    _try(text, domain)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), st.sampled_from(["relation", "mrc", "remote"]))
def test_random_registry_sentences_only_raise_parse_failure(words, domain):
    _try(" ".join(words), domain)


_WATCHED = ("exec", "compile", "import", "os.system", "os.exec", "os.posix_spawn", "subprocess.Popen",
            "pickle.find_class", "ctypes.dlopen")
_SEEN: list[tuple[str, tuple]] | None = None


def _audit(event, args):
    if _SEEN is not None and event.startswith(_WATCHED):
        _SEEN.append((event, args))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only while _SEEN is a list


def _events_during(fn):
    """The audited code-execution, import and process events raised while ``fn()`` runs (CPython audit hooks:
    ``exec``/``compile`` for eval, exec and compile, ``import`` for any import statement or ``__import__``)."""
    global _SEEN
    _SEEN = []
    try:
        fn()
        return list(_SEEN)
    finally:
        _SEEN = None


def test_the_audit_hook_detects_eval_exec_and_import():
    """The positive control: the detector itself fails on the things it must catch."""
    assert any(e == "exec" or e == "compile" for e, _ in _events_during(lambda: eval("1 + 1")))  # noqa: S307

    def fresh_import():
        try:
            __import__("nle_no_such_module_for_the_audit_test")
        except ImportError:
            pass
    assert any(e == "import" for e, _ in _events_during(fresh_import))


def test_no_code_is_executed_and_nothing_imported():
    texts = [" ".join(random.Random(k).choice(WORDS) for _ in range(8)) + ' "__import__(\'os\').system(\'x\')"'
             for k in range(50)]
    texts.append('"__import__(\'os\')" is between SUBJ and OBJ')
    for domain in ("relation", "mrc", "remote"):
        _try(texts[0], domain)  # warm: lexicon tables are built on first use
    events = _events_during(lambda: [_try(t, d) for t in texts for d in ("relation", "mrc", "remote")])
    assert events == []
    lf = parse(texts[-1], domain="relation")[0].logical_form
    assert lf.args[2] == Lit("__import__('os')", "str")
