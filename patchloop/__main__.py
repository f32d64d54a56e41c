"""``python -m patchloop plugins [--json]``: the installed plugins and registered backends."""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m patchloop", description="patchloop's plugins and backends.")
    sub = parser.add_subparsers(dest="command", required=True)
    plugins = sub.add_parser("plugins", help="list installed plugins and registered backends")
    plugins.add_argument("--json", action="store_true", help="print the listing as JSON")
    args = parser.parse_args(argv)
    from patchloop.listing import format_listing, listing

    data = listing()
    print(json.dumps(data, indent=2) if args.json else format_listing(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
