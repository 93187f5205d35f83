"""``python -m projects.next_tacred.tables [--runs DIR] [--out DIR] [--format md|latex|both]``.

Renders every table of ``tables.yaml`` from the ``results.json`` records under ``runs/next_tacred``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nle.results import tables_main

SPECS = Path(__file__).parent / "tables.yaml"


def main(argv: list[str] | None = None) -> int:
    return tables_main("next_tacred", SPECS, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
