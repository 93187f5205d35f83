"""The supervised relation classifier: encoder + entity markers + entity-start pooling (``NLEModule``)."""

from __future__ import annotations

from typing import Any

from nle.training.module import NLEModule


class RelationClassifier(NLEModule):
    """``NLEModule`` with entity-start pooling and the official relation metric first (it selects checkpoints)."""

    def __init__(self, pooling: str = "entity_start", metrics: list[str] | None = None, **kwargs: Any):
        super().__init__(pooling=pooling, metrics=metrics or ["semeval_f1", "accuracy"], **kwargs)
