"""``python -m projects.hate_refine.train [--config FILE ...]``: fit, evaluate the best checkpoint, record.

With no arguments it runs ``configs/base.yaml``: a MiniLM classifier on the built-in HateXplain-format sample.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nle.results import ResultRecord
from nle.training.cli import train_main
from projects.hate_refine.data import WordClassificationData
from projects.hate_refine.model import HateClassifier

CONFIG_DIR = Path(__file__).parent / "configs"
MODEL_CLASS, DATA_CLASS = HateClassifier, WordClassificationData  # data: HateXplainData or MovieReviewData


def main(args: Any = None) -> ResultRecord | None:
    return train_main(MODEL_CLASS, DATA_CLASS, project="hate_refine",
                      default_config_files=[CONFIG_DIR / "base.yaml"], args=args)


if __name__ == "__main__":
    main()
