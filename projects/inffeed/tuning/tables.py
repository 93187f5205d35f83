"""``python -m projects.inffeed.tuning.tables [--runs DIR] [--out DIR] [--format md|latex|both]``.

Renders the tables of ``tables.yaml`` from the ``results.json`` records under ``<runs>/inffeed`` (the training
entry point writes them to ``runs/inffeed/tuning_<data>_<method>/seed=<s>/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from nle.results import tables_main

SPECS = Path(__file__).parent / "tables.yaml"


def main(argv: list[str] | None = None) -> int:
    return tables_main("inffeed", SPECS, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
