"""``python -m projects.hate_refine.tables [--runs DIR] [--out DIR] [--format md|latex|both]``.

Renders every table of ``tables.yaml`` from the ``results.json`` records under ``runs/hate_refine``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nle.results import tables_main

SPECS = Path(__file__).parent / "tables.yaml"


def main(argv: list[str] | None = None) -> int:
    return tables_main("hate_refine", SPECS, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
