"""``python -m nle.data verify [NAME ...]``: check the sha256 of every declared file under ``$NLE_DATA_DIR``.

``python -m nle.data list`` prints the declared benchmarks with their splits. Exit status 1 when a file is
missing or differs (files of sets that have no checksums, such as TACRED, are not checked).
"""

from __future__ import annotations

import argparse
import sys

from nle.data.benchmarks import BENCHMARKS, get_benchmark, verify
from nle.data.errors import DataNotFoundError, data_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nle.data", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ver = sub.add_parser("verify", help="check the sha256 of the declared files")
    ver.add_argument("names", nargs="*", help="benchmarks to check (default: all)")
    sub.add_parser("list", help="list the declared benchmarks")
    args = parser.parse_args(argv)

    if args.command == "list":
        for name, bench in BENCHMARKS.items():
            blind = f"  blind: {', '.join(bench.blind_splits)}" if bench.blind_splits else ""
            print(f"{name:32s} {', '.join(bench.splits)}{blind}")
        return 0

    try:
        root = data_dir()
        names = args.names or list(BENCHMARKS)
        for name in names:
            get_benchmark(name)
    except (DataNotFoundError, KeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        for rel, ok in verify(name).items():
            status = "ok" if ok else ("MISSING" if not (root / rel).is_file() else "MISMATCH")
            failed += not ok
            if not ok or len(names) == 1:
                print(f"{status:8s} {name}: {rel}")
    print(f"{failed} file(s) failed under {root}" if failed else f"all declared files verified under {root}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
