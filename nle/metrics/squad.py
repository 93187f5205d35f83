"""SQuAD v1.1 exact match and token F1, equal to the official ``evaluate-v1.1.py``.

The official script prints ``100 * mean``; every function here returns fractions in ``[0, 1]``.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """Lower-case, drop ASCII punctuation, drop the articles a/an/the, collapse whitespace (official v1.1 order).

    >>> normalize_answer("  The Denver  Broncos, an NFL team!")
    'denver broncos nfl team'
    """
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match_score(prediction: str, ground_truth: str) -> float:
    """1.0 when both normalise to the same string, else 0.0.

    >>> exact_match_score("the Broncos.", "Broncos")
    1.0
    """
    return float(normalize_answer(prediction) == normalize_answer(ground_truth))


def f1_score(prediction: str, ground_truth: str) -> float:
    """Bag-of-tokens F1 between the normalised strings: ``overlap = |pred ∩ gold|`` (multiset),
    ``P = overlap / |pred|``, ``R = overlap / |gold|``, ``F1 = 2PR / (P + R)``; 0.0 when the overlap is empty
    (so, as in v1.1, two answers that both normalise to ``""`` score F1 0 although their exact match is 1).

    >>> round(f1_score("the cat sat on the mat", "a cat sat on a red mat"), 4)  # P = 4/4, R = 4/5
    0.8889
    """
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(ground_truth).split()
    overlap = sum((Counter(pred_tokens) & Counter(gold_tokens)).values())
    if overlap == 0:
        return 0.0
    precision = overlap / len(pred_tokens)
    recall = overlap / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def squad_scores(predictions: Mapping[str, str], answers: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Mean over the questions of ``answers`` of the best EM / F1 against any of the question's gold answers.

    ``exact_match = (1/N) sum_q max_{g in answers[q]} EM(pred_q, g)``, same for ``f1``; ``N = len(answers)``.
    As in the official script, a question without a prediction scores 0 (and still counts in ``N``), and
    predictions for ids not in ``answers`` are ignored. The official script prints ``100 *`` these values.

    Args:
        predictions: question id -> predicted answer text.
        answers: question id -> the gold answer texts (at least one each).

    >>> answers = {"q1": ["Broncos", "Denver Broncos"], "q2": ["Denver Broncos"]}
    >>> squad_scores({"q1": "Denver Broncos", "q2": "Denver"}, answers)
    {'exact_match': 0.5, 'f1': 0.8333333333333333}
    """
    if not answers:
        raise ValueError("answers is empty: nothing to score")
    em_total = f1_total = 0.0
    for qid, golds in answers.items():
        if isinstance(golds, str) or len(golds) == 0:
            raise ValueError(f"answers[{qid!r}]: expected a non-empty sequence of answer strings, got {golds!r}")
        if qid not in predictions:
            continue
        pred = predictions[qid]
        em_total += max(exact_match_score(pred, g) for g in golds)
        f1_total += max(f1_score(pred, g) for g in golds)
    return {"exact_match": em_total / len(answers), "f1": f1_total / len(answers)}
