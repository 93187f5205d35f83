"""Metrics equal to the official scorers, each registered by name with ``higher_is_better``.

All scores are fractions in ``[0, 1]`` (the official scripts print percent).
"""

from nle.metrics.classification import classification_scores, confusion_matrix
from nle.metrics.registry import METRICS, Metric, compute_metrics, get_metric, higher_is_better, resolve_metric_name
from nle.metrics.relation import SEMEVAL_LABELS, SEMEVAL_OTHER, SEMEVAL_RELATIONS, semeval2010_official, tacred_f1
from nle.metrics.squad import exact_match_score, f1_score, normalize_answer, squad_scores

__all__ = [
    "METRICS",
    "SEMEVAL_LABELS",
    "SEMEVAL_OTHER",
    "SEMEVAL_RELATIONS",
    "Metric",
    "classification_scores",
    "compute_metrics",
    "confusion_matrix",
    "exact_match_score",
    "f1_score",
    "get_metric",
    "higher_is_better",
    "normalize_answer",
    "resolve_metric_name",
    "semeval2010_official",
    "squad_scores",
    "tacred_f1",
]
