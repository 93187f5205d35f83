"""Reading a JSON file whose top level must be a list, with errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nle.data.errors import DataFormatError


def read_json_list(path: Path, expected: str) -> list[Any]:
    """The top-level list of ``path``; ``DataFormatError`` for invalid JSON (with its line) or another top level."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataFormatError(path, err.lineno, "json", "valid JSON", err.msg) from err
    if not isinstance(data, list):
        raise DataFormatError(path, 1, "<root>", expected, type(data).__name__)
    return data
