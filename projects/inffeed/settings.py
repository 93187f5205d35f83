"""The settings of the InfFeed protocol (``model.init_args.protocol`` in a config): which parts run, the feedback
rules and their tuning grid, the influence estimator, and the dataset-extension split and curve.

They sit on the model, as a method's settings do in this codebase (``NExTClassifier.method``), so every config
parses with the shared ``NLECLI``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects.inffeed.feedback import FeedbackRule


@dataclass(frozen=True)
class InfFeedSettings:
    """What the protocol runs.

    Args:
        feedback, extension: run part (a) / part (b).
        rules: the feedback rules reported as they are (no tuning).
        tune_k, tune_rank_by, tune_confidence: the grid of ``feedback_tuned`` (cross-fitted on dev halves).
        inverse: ``exact`` | ``cg`` | ``lissa`` inverse Hessian (damping = the model's ``l2``).
        influence_params: parameters influence is taken over (``["head"]``).
        influence_batch_size: examples per per-example-gradient batch.
        extension_fraction: share of train that becomes the silver extension set.
        curve_fractions: fractions of the extension set re-annotated for the curve (ranked and random).
        influence_dev_fraction: share of dev whose gold labels give the extension influence (the rest reports).
    """

    feedback: bool = True
    extension: bool = True
    rules: list[FeedbackRule] = field(default_factory=list)
    tune_k: list[int] = field(default_factory=lambda: [1, 3, 5, 10, 25])
    tune_rank_by: list[str] = field(default_factory=lambda: ["proponents", "opponents", "magnitude"])
    tune_confidence: list[float] = field(default_factory=lambda: [0.0, 0.55, 0.6, 0.7, 0.8, 1.0])
    inverse: str = "exact"
    influence_params: list[str] = field(default_factory=lambda: ["head"])
    influence_batch_size: int = 256
    extension_fraction: float = 0.5
    curve_fractions: list[float] = field(default_factory=lambda: [0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0])
    influence_dev_fraction: float = 0.5
