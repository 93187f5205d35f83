"""Hard matching: spaCy-annotated corpora, a whitelisted vectorised rule interpreter, label matrices, analysis.

``annotate`` (examples -> columnar corpus, cached) -> ``apply_rules`` (R rules -> N x R label matrix with fault
counts) -> ``analyse`` (coverage / overlap / conflict / accuracy) and ``majority_vote`` / ``fit_label_model``.
``execute_one`` is the per-example reference interpreter (the oracle of the tests).
"""

from nle.matching.aggregate import LabelModel, accuracies_from_dev, fit_label_model, majority_vote
from nle.matching.analysis import Analysis, RuleStats, analyse
from nle.matching.annotate import annotate
from nle.matching.apply import LabelMatrix, apply_rules
from nle.matching.corpus import AnnotatedCorpus, AnnotatedExample
from nle.matching.execute import Execution, Executor, execute
from nle.matching.reference import compile_one, execute_one
from nle.matching.semantics import ExecutionError

__all__ = [
    "AnnotatedCorpus", "AnnotatedExample", "Analysis", "Execution", "ExecutionError", "Executor", "LabelMatrix",
    "LabelModel", "RuleStats", "accuracies_from_dev", "analyse", "annotate", "apply_rules", "compile_one", "execute",
    "execute_one", "fit_label_model", "majority_vote",
]
