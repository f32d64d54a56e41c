"""``python -m trajectories replay``: 0 when the replay matches, 1 when it differs or fails."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from agent.replay.modes import replay_execute, replay_fork, replay_offline
from agent.replay.script import ReplayError


def replay_cli(args: argparse.Namespace, out: TextIO) -> int:
    from trajectories.errors import TrajectoryError

    try:
        if args.from_step is not None:
            report = replay_fork(
                args.file, from_step=args.from_step, model=args.model, repo=args.repo, output=args.output
            )
        elif args.execute:
            report = replay_execute(args.file, repo=args.repo, output=args.output)
        else:
            report = replay_offline(args.file, output=args.output)
    except (ReplayError, TrajectoryError) as exc:
        print(f"replay failed: {exc}", file=sys.stderr)
        return 1
    print(report.summary(), file=out)
    if report.mode == "offline":
        return 0 if report.identical else 1
    if report.mode == "execute":
        return 0 if not report.observations and report.patch_matches else 1
    return 0
