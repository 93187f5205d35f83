"""``python -m projects.next_tacred.train [--config FILE ...]``: fit, evaluate the best checkpoint, record.

With no arguments it runs ``configs/base.yaml``: the supervised relation classifier on the built-in sample.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nle.results import ResultRecord
from nle.training.cli import train_main
from projects.next_tacred.data import NextRelationData
from projects.next_tacred.model import RelationClassifier

CONFIG_DIR = Path(__file__).parent / "configs"
MODEL_CLASS, DATA_CLASS = RelationClassifier, NextRelationData


def main(args: Any = None) -> ResultRecord | None:
    return train_main(MODEL_CLASS, DATA_CLASS, project="next_tacred",
                      default_config_files=[CONFIG_DIR / "base.yaml"], args=args)


if __name__ == "__main__":
    main()
