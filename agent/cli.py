"""``python -m agent run``: one task on one local git repository.

Only argparse (and patchloop's flag types) are imported at module level, so ``--help`` is
fast; everything heavy is imported inside ``main``. Bad input is one ``error:`` line and
exit 2; SIGINT, SIGTERM and SIGHUP end a run ``interrupted`` (agent/signals.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

EXIT_SUBMITTED = 0
EXIT_NOT_SUBMITTED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one ``error:`` line (exit 2), like every other bad input."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m agent",
        description="Run the patchloop agent on a task in a local git repository.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
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
        help="a litellm model name, scripted:PATH, replay:PATH or human (you type each reply); "
        "default: model.name / $PATCHLOOP_MODEL",
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
        type=_tool_names,
        metavar="A,B",
        help="the tools the agent sees, comma-separated, e.g. bash,submit (default: tools.names, else all)",
    )
    run.add_argument(
        "--config",
        type=Path,
        action="append",
        default=[],
        help="YAML config merged over configs/default.yaml; give it again to merge more files, in order",
    )
    run.add_argument(
        "-c",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config value after the files, e.g. -c agent.step_limit=50 (value read as YAML)",
    )
    run.add_argument(
        "--output", type=Path, default=Path("runs"), help="folder for the trajectory and patch (default: runs)"
    )
    run.add_argument("--run-id", type=_run_id, help="run id (default: time + random suffix)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "run":  # pragma: no cover - argparse requires a command
        return EXIT_USAGE
    from agent.runner import RunOptions, UsageError, progress_printer, run_single
    from agent.signals import stop_on_signals
    from patchloop.cancel import Cancel

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
        config=args.config,
        overrides=args.overrides,
        output=args.output,
        run_id=args.run_id,
    )
    cancel = Cancel()
    with stop_on_signals(cancel) as stop:
        try:
            callbacks = [stop.settle_at_run_end] + ([] if args.quiet else [progress_printer(_stderr)])
            outcome = run_single(options, log=_stderr, callbacks=callbacks, cancel=cancel)
        except UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:
            print(f"interrupted before the run started ({cancel.reason or 'SIGINT'})", file=sys.stderr)
            return stop.exit_code or EXIT_INTERRUPTED
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
        return stop.exit_code or EXIT_INTERRUPTED
    return EXIT_NOT_SUBMITTED


def _tool_names(text: str) -> list[str]:
    from patchloop.values import name_list  # pydantic, imported only when the flag is used

    return name_list("tool names", example="--tools bash,submit")(text)


def _run_id(text: str) -> str:
    from patchloop.values import component

    return component("--run-id")(text)


def _money(cost: float | None) -> str:
    return "unknown" if cost is None else f"${cost:.4f}"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
