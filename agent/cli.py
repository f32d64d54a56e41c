"""``python -m agent run``: one task on one local git repository.

Only argparse is imported at module level, so ``--help`` is fast; everything heavy is
imported inside ``run``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_SUBMITTED = 0
EXIT_NOT_SUBMITTED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m agent",
        description="Run the patchloop agent on a task in a local git repository.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="solve one task in a repository; prints the exit status, the patch and the trajectory path",
        description="Copy the repository into a sandbox, run the agent on the task, print the patch.",
    )
    run.add_argument("--repo", required=True, type=Path, help="local git repository (history is copied along)")
    task = run.add_mutually_exclusive_group(required=True)
    task.add_argument("--task", help="the task text")
    task.add_argument("--task-file", type=Path, help="file holding the task text")
    run.add_argument(
        "--model",
        help="scripted:PATH, replay:PATH or a litellm model name (default: model.name / $PATCHLOOP_MODEL)",
    )
    run.add_argument("--sandbox", choices=("docker", "local"), help="where commands run (default: sandbox.kind)")
    run.add_argument("--image", help="Docker image (default: sandbox.image, patchloop-base:bookworm)")
    run.add_argument(
        "--in-place",
        action="store_true",
        help="with --sandbox local: work in the repository itself instead of a scratch copy",
    )
    run.add_argument(
        "--allow-dirty",
        action="store_true",
        help="start from the repository's uncommitted changes (they become part of the patch); default: refuse",
    )
    run.add_argument(
        "--plugin", action="append", default=[], metavar="X", help="tool plugin: module, pkg.mod:attr or .py file"
    )
    run.add_argument(
        "--tools",
        type=_names,
        metavar="A,B",
        help="the tools the agent sees, comma-separated, e.g. bash,submit (default: tools.names, else all)",
    )
    run.add_argument(
        "--config",
        type=Path,
        action="append",
        default=[],
        help="YAML config merged over configs/default.yaml (one file; -c for more)",
    )
    run.add_argument(
        "-c",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config value, e.g. -c agent.step_limit=50 (value read as YAML)",
    )
    run.add_argument(
        "--output", type=Path, default=Path("runs"), help="folder for the trajectory and patch (default: runs)"
    )
    run.add_argument("--run-id", help="run id (default: time + random suffix)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        if len(args.config) > 1:
            print(
                f"error: --config given {len(args.config)} times; agent run takes one config file "
                "(merge them, or add -c key=value overrides)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        from agent.runner import RunOptions, UsageError, progress_printer, run_single

        options = RunOptions(
            repo=args.repo,
            task=args.task,
            task_file=args.task_file,
            model=args.model,
            sandbox=args.sandbox,
            image=args.image,
            in_place=args.in_place,
            allow_dirty=args.allow_dirty,
            plugins=args.plugin,
            tools=args.tools,
            config=args.config[0] if args.config else None,
            overrides=args.overrides,
            output=args.output,
            run_id=args.run_id,
        )
        try:
            callbacks = [] if args.quiet else [progress_printer(_stderr)]
            outcome = run_single(options, log=_stderr, callbacks=callbacks)
        except UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:
            print("interrupted before the run started", file=sys.stderr)
            return EXIT_INTERRUPTED
        result = outcome.result
        print(f"exit status: {result.exit_status}")
        print(f"reason: {result.reason}")
        print(f"steps: {result.steps}  cost: {_money(result.cost_usd)}  wall: {result.wall_s:.1f} s")
        print(f"patch ({len(result.submission)} chars): {outcome.patch_path}")
        if result.submission:
            print(result.submission, end="" if result.submission.endswith("\n") else "\n")
        print(f"trajectory: {outcome.trajectory_path}")
        if result.exit_status == "submitted":
            return EXIT_SUBMITTED
        if result.exit_status == "interrupted":
            return EXIT_INTERRUPTED
        return EXIT_NOT_SUBMITTED
    return EXIT_USAGE  # pragma: no cover - argparse requires a command


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one tool name, e.g. --tools bash,submit")
    return names


def _money(cost: float | None) -> str:
    return "unknown" if cost is None else f"${cost:.4f}"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
