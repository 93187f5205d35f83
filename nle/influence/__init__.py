"""Influence of training examples on predictions: task contract, per-example gradients (hooks on Linear /
LayerNorm layers, or vmap), TracIn, gradient similarity, influence functions with exact / CG / LiSSA / K-FAC /
EK-FAC inverse Hessians, score storage, and a sharded runner (``python -m nle.influence.run``), all fp32.

Sign convention everywhere: positive = proponent (removing or not training on the point would raise the query's
loss). See ``influence.py`` for the equation and the leave-one-out relation Δm ≈ score / N.
"""

from nle.influence.grads import (
    ParamSpace,
    iter_batches,
    iter_grad_dots,
    iter_per_example_grads,
    per_example_grads,
    per_example_grads_loop,
)
from nle.influence.hessian import damped_solve, exact_hessian
from nle.influence.ihvp import HVP, conjugate_gradient, lissa
from nle.influence.influence import InverseHessian, influence_scores, inverse_hvp, preconditioned_queries
from nle.influence.kfac import KFAC, fit_kfac
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
    "HVP", "KFAC", "Batch", "ClassificationTask", "InfluenceTask", "InverseHessian", "ParamSpace", "RandomProjection",
    "ScoreMetadata", "concat_shards", "conjugate_gradient", "damped_solve", "data_hash", "exact_hessian", "fit_kfac",
    "gradient_similarity", "influence_scores", "inverse_hvp", "iter_batches", "iter_grad_dots", "iter_per_example_grads", "lissa",
    "load_scores",
    "load_state_dict", "per_example_grads", "per_example_grads_loop", "preconditioned_queries", "save_scores", "select_parameters", "sha256_file", "shard",
    "shard_range", "similarity", "tracin_scores",
]
