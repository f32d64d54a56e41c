"""python -m sandbox cleanup [--run-id ID]: remove containers patchloop left behind."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Manage what patchloop sandboxes leave behind (Docker containers, local processes).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    clean = commands.add_parser(
        "cleanup",
        help="force-remove containers labelled patchloop.managed=1 (and local leftovers)",
        description="Force-remove containers labelled patchloop.managed=1, and kill processes local "
        "sandboxes left: what a killed or crashed run left behind, through every registered sandbox "
        "backend. Without --run-id this includes the containers of runs still going on this engine; "
        "pass --run-id to remove only one run's.",
    )
    clean.add_argument("--run-id", help="only containers labelled patchloop.run_id=ID")
    args = parser.parse_args(argv)
    if args.run_id is not None and not args.run_id.strip():
        clean.error("--run-id is empty; give the run's id, or omit --run-id to remove every run's containers")

    return cleanup_all(args.run_id)


# What each backend's cleanup removes, for the summary line.
_NOUNS = {"docker": ("container", "containers"), "local": ("process", "processes")}


def cleanup_all(run_id: str | None) -> int:
    """Every registered backend's cleanup; a line for Docker always, for others when they
    removed something; exit 1 if any backend could not be asked."""
    from patchloop.errors import PatchloopError
    from patchloop.plugins import backends, plugin_manager

    status = 0
    scope = f" of run {run_id}" if run_id else ""
    for backend in backends(plugin_manager(), "sandbox", lambda b: b.name):
        try:
            removed = backend().cleanup(run_id)
        except PatchloopError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        one, many = _NOUNS.get(backend.name, (f"{backend.name} sandbox", f"{backend.name} sandboxes"))
        if removed or backend.name == "docker":
            print(f"removed {len(removed)} patchloop {one if len(removed) == 1 else many}{scope}")
    return status


if __name__ == "__main__":
    sys.exit(main())
