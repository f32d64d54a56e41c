"""``python -m trajectories``: validate, show, stats, export, schema, replay.

Exit codes: 0 success, 1 a problem with a file (each named as file:line), 2 bad usage.
rich and the agent are imported only by the commands that need them, so --help is fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import TextIO

from trajectories.errors import TrajectoryError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trajectories",
        description="Inspect, check, export and replay patchloop JSONL trajectories.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check files against the schema; non-zero exit on any problem")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")

    p = sub.add_parser("show", help="readable rendering of a run (or one step in full)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--step", type=int, metavar="N", help="show step N in full: the request and every event")
    p.add_argument("--max-chars", type=int, default=400, metavar="K", help="truncate texts to K chars (default 400)")

    p = sub.add_parser("stats", help="exit statuses, steps, tokens and cost over many files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")

    p = sub.add_parser("export", help="convert to ATIF, SWE-agent .traj or mini-swe-agent .traj.json")
    p.add_argument("--format", required=True, choices=("atif", "swe-agent", "mini"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("-o", "--output", type=Path, metavar="OUT", help="write here instead of standard output")

    sub.add_parser("schema", help="print the JSON Schema of one event line")

    p = sub.add_parser(
        "replay",
        help="replay a run: offline (default), --execute in a fresh sandbox, or fork --from-step N --model M",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--execute", action="store_true", help="run the recorded replies in a fresh sandbox")
    p.add_argument("--from-step", type=int, metavar="N", help="replay steps 1..N, then --model continues")
    p.add_argument("--model", metavar="M", help="model that continues a fork (scripted:PATH, litellm name)")
    p.add_argument("--repo", type=Path, metavar="PATH", help="repository root for runs recorded in a local sandbox")
    p.add_argument("-o", "--output", type=Path, metavar="OUT", help="write the new trajectory here")
    return parser


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = stdout or sys.stdout
    command = {
        "validate": cmd_validate,
        "show": cmd_show,
        "stats": cmd_stats,
        "export": cmd_export,
        "schema": cmd_schema,
        "replay": cmd_replay,
    }[args.command]
    return command(args, out)


def _new_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot become a new trajectory file (its folder is made), or None."""
    if path.is_dir():
        return "is a folder; give the path of the new trajectory file"
    if path.exists():
        return "exists; a trajectory is never overwritten: choose a new path"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot make its folder {path.parent}: {exc.strerror or exc}"
    return None


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _load_quiet(path: Path):  # -> Trajectory, torn warning turned into the flag only
    from trajectories.reader import TornLineWarning, load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TornLineWarning)
        return load(path)


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from trajectories.checks import check_links

    failed = 0
    for path in args.files:
        try:
            traj = _load_quiet(path)
        except TrajectoryError as exc:
            print(f"{exc}", file=out)
            failed += 1
            continue
        problems = check_links(traj)
        for problem in problems:
            label = "" if problem.fatal else "note: "
            print(f"{path}:{problem.line}: {label}{problem.reason}", file=out)
        if traj.torn:
            print(f"{path}:{traj.torn_line}: torn final line (the writer was killed mid-line)", file=out)
        if any(p.fatal for p in problems) or traj.torn:
            failed += 1
            continue
        note = "" if traj.finished else " (unfinished: no run_end)"
        print(f"{path}: ok, {len(traj.events)} events{note}", file=out)
    if failed:
        print(f"{failed} of {len(args.files)} file(s) have problems", file=out)
    return 1 if failed else 0


def _console(out: TextIO):
    from rich.console import Console

    # Piped or redirected output is read by scripts and grep: 80 columns would fold the
    # tables (file names split over lines), so it gets a wide page instead.
    wide = None if getattr(out, "isatty", lambda: False)() else 160
    return Console(file=out, highlight=False, soft_wrap=False, width=wide)


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from trajectories import view

    try:
        traj = _load_quiet(args.file)
        console = _console(out)
        if args.step is not None:
            view.show_step(traj, args.step, console)
        else:
            view.show(traj, console, limit=args.max_chars)
    except TrajectoryError as exc:
        _err(str(exc))
        return 1
    return 0


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    from trajectories import view

    rows = []
    failures: dict[str, str] = {}
    for path in args.files:
        try:
            rows.append(view.file_stats(_load_quiet(path), path))
        except TrajectoryError as exc:
            failures[str(path)] = exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}"
    if rows or failures:
        view.render_stats(rows, failures, _console(out))
    return 1 if failures else 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from trajectories.export import exporter

    try:
        data = exporter(args.format)(_load_quiet(args.file))
    except TrajectoryError as exc:
        _err(str(exc))
        return 1
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _err(f"cannot write -o {args.output}: {exc.strerror or exc}")
            return 2
    else:
        out.write(text)
    return 0


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from trajectories.schema import schema_text

    out.write(schema_text())
    return 0


def cmd_replay(args: argparse.Namespace, out: TextIO) -> int:
    if (args.from_step is None) != (args.model is None):
        _err("--from-step N and --model M go together (fork: replay N steps, then M continues)")
        return 2
    if args.execute and args.from_step is not None:
        _err("--execute and --from-step are separate modes; a fork already runs in a fresh sandbox")
        return 2
    if args.output is not None:
        problem = _new_file_problem(args.output)
        if problem:
            _err(f"-o {args.output}: {problem}")
            return 2
    try:
        from agent.replay import replay_cli
    except ImportError as exc:
        _err(f"replay needs the agent package (agent/replay/), which cannot be imported here: {exc}")
        return 1
    return replay_cli(args, out)
