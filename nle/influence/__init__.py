"""Influence of training examples on predictions: task contract, per-example gradients, TracIn, gradient
similarity, influence functions with exact / CG / LiSSA inverse Hessians, EK-FAC, and score storage (all fp32).

Sign convention everywhere: positive = proponent (removing or not training on the point would raise the query's
loss). See ``influence.py`` for the equation and the leave-one-out relation Δm ≈ score / N.
"""

from nle.influence.grads import ParamSpace, iter_batches, per_example_grads, per_example_grads_loop
from nle.influence.hessian import damped_solve, exact_hessian
from nle.influence.ihvp import HVP, conjugate_gradient, lissa
from nle.influence.influence import InverseHessian, influence_scores, inverse_hvp
from nle.influence.projection import RandomProjection
from nle.influence.similarity import gradient_similarity, similarity
from nle.influence.storage import (
    ScoreMetadata,
    concat_shards,
    data_hash,
    load_scores,
    save_scores,
    sha256_file,
    shard,
    shard_range,
)
from nle.influence.task import Batch, ClassificationTask, InfluenceTask, select_parameters
from nle.influence.tracin import load_state_dict, tracin_scores

__all__ = [
    "HVP", "Batch", "ClassificationTask", "InfluenceTask", "InverseHessian", "ParamSpace", "RandomProjection",
    "ScoreMetadata", "concat_shards", "conjugate_gradient", "damped_solve", "data_hash", "exact_hessian",
    "gradient_similarity", "influence_scores", "inverse_hvp", "iter_batches", "lissa", "load_scores",
    "load_state_dict", "per_example_grads", "per_example_grads_loop", "save_scores", "select_parameters", "sha256_file", "shard",
    "shard_range", "similarity", "tracin_scores",
]
