"""Attribution for text classifiers: one ``attribute`` verb, differentiable where training needs it.

Methods: saliency (gradient, gradient norm), input × gradient, integrated gradients, occlusion, SOC (Jin et al.
2020), input marginalization (Kim et al. 2020), span interactions; language models for SOC and marginalization;
explanation regularisers (Kennedy et al. 2020; Yao et al. 2021); erasure faithfulness and agreement with human
rationales (DeYoung et al. 2020; Atanasova et al. 2020); hierarchical explanations; HTML heatmaps. See ``api.attribute``.
The perturbation methods (occlusion, SOC, marginalization) explain several classes from one set of perturbed forward
passes when given a (B, K) target (``SEVERAL_TARGETS``).
"""

from nle.attribution.agreement import token_auprc, token_f1
from nle.attribution.api import ALIASES, SEVERAL_TARGETS, SPAN_METHODS, Method, attribute, resolve_method
from nle.attribution.faithfulness import ERASER_FRACTIONS, aopc, erasure_scores
from nle.attribution.hierarchy import Level, agglomerate
from nle.attribution.html import heatmap_examples, write_heatmaps
from nle.attribution.interaction import interaction
from nle.attribution.lm import (
    ContextSampler,
    HFMaskedLM,
    LSTMLanguageModel,
    TokenDistribution,
    corpus_vocabulary,
    train_lm,
)
from nle.attribution.model import TextClassifier, as_classifier, target_score
from nle.attribution.regularizers import explanation_penalty, suppression_loss, target_loss
from nle.attribution.result import Attribution
from nle.attribution.words import aggregate_words, encode_words, piece_masks, span_masks, word_spans

__all__ = [
    "ALIASES", "ERASER_FRACTIONS", "SEVERAL_TARGETS", "SPAN_METHODS", "Attribution", "ContextSampler", "HFMaskedLM", "LSTMLanguageModel",
    "Level", "Method", "TextClassifier", "TokenDistribution", "agglomerate", "aggregate_words", "aopc", "as_classifier", "attribute",
    "corpus_vocabulary", "encode_words", "erasure_scores", "explanation_penalty", "heatmap_examples", "interaction",
    "piece_masks", "resolve_method", "span_masks", "suppression_loss", "target_loss", "target_score",
    "token_auprc", "token_f1", "train_lm", "word_spans", "write_heatmaps",
]
