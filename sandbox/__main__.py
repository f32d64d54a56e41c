"""python -m sandbox cleanup [--run-id ID]: remove containers patchloop left behind."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Manage the Docker containers patchloop sandboxes create.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    clean = commands.add_parser(
        "cleanup",
        help="force-remove containers labelled patchloop.managed=1",
        description="Force-remove containers labelled patchloop.managed=1: those a killed "
        "or crashed run left behind. Without --run-id this includes the containers of runs "
        "still going on this engine; pass --run-id to remove only one run's.",
    )
    clean.add_argument("--run-id", help="only containers labelled patchloop.run_id=ID")
    args = parser.parse_args(argv)
    if args.run_id is not None and not args.run_id.strip():
        clean.error("--run-id is empty; give the run's id, or omit --run-id to remove every run's containers")

    from sandbox.cleanup import cleanup
    from sandbox.errors import SandboxError

    try:
        removed = cleanup(args.run_id)
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    scope = f" of run {args.run_id}" if args.run_id else ""
    print(f"removed {removed} patchloop container{'' if removed == 1 else 's'}{scope}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
