"""Shared helpers for end-to-end runs of the project entry points on tiny models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE = str(ROOT / "projects/next_tacred/configs/smoke.yaml")


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.fixture
def run_root(tmp_path: Path) -> Path:
    return tmp_path / "runs"
