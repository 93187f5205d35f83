"""The HateXplain classifier: an ``NLEModule`` (encoder + pooled linear head) selected on dev macro-F1.

A thin subclass so that the project's defaults live in one place: ``mean`` pooling (all-MiniLM-L6-v2 was trained
with mean pooling) and metrics ``macro_f1`` (first: it selects the checkpoint) then ``accuracy``. The checkpoint
is a plain ``NLEModule`` checkpoint, so ``nle.attribution.diagnose`` loads it with its default ``class_path``.

The SOC / REMOTE explanation regularisers (``nle.attribution.regularizers.explanation_penalty``) come in a later
step: they need word ids and marked spans in the batch, which this baseline's data does not carry yet.
"""

from __future__ import annotations

from typing import Any

from nle.training.module import NLEModule


class HateClassifier(NLEModule):
    """``NLEModule`` with mean pooling and macro-F1 model selection."""

    def __init__(self, pooling: str = "mean", metrics: list[str] | None = None, **kwargs: Any):
        super().__init__(pooling=pooling, metrics=metrics or ["macro_f1", "accuracy"], **kwargs)
