"""The three replay modes, each one run of the real loop through ``agent.build.run_agent``.

- offline: the recorded model outcomes and tool results served back, the submission from
  the recording (no model, no sandbox); the new events are compared event for event;
- execute: the recorded replies against a fresh sandbox; diverging observations and the
  final patch are reported;
- fork: steps 1..N replayed in a fresh sandbox, then a live model continues.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.build import Parts, run_agent
from agent.models.base import ModelError
from agent.prompts import Prompts
from agent.replay.compare import (
    compare_events,
    diverging_observations,
    request_divergences,
    unverifiable_steps,
)
from agent.replay.report import ReplayReport
from agent.replay.script import NoSandbox, RecordedModel, RecordedTools, ReplayError, VerbatimObservation
from agent.replay.sources import (
    Tee,
    default_output,
    load_recording,
    load_registry,
    new_run_id,
    run_config_of,
    sandbox_for,
    task_of,
)
from agent.submission import RecordedSubmission
from trajectories.events import hash_is_exact


def replay_offline(path: str | Path, *, output: Path | None = None) -> ReplayReport:
    """Recorded replies and tool results through the real loop; compares event for event."""
    path = Path(path)
    traj = load_recording(path)
    config = run_config_of(traj)
    notes: list[str] = []
    missing: list[str] = []
    if traj.run_start.plugins:
        _, missing = load_registry(traj, config)
        if missing:
            notes.append("plugins not installed here (not needed offline): " + ", ".join(missing))
    if traj.run_end is None:
        notes.append("the recording has no run_end (unfinished or torn): the end cannot match")
    skip = set() if hash_is_exact(traj.run_start.v) else unverifiable_steps(traj)
    if skip:
        notes.append(
            f"schema v1 recording: the request hashes of steps {_ranges(sorted(skip))} were computed before its "
            "writer redacted a secret, so they cannot be checked"
        )
    run_id = new_run_id(traj, "offline")
    # wall time does not repeat in a replay; every other limit is kept as recorded
    config = config.model_copy(update={"agent": config.agent.model_copy(update={"time_limit_s": None})})
    parts = Parts(
        config,
        RecordedModel(traj, path),
        RecordedTools(traj),
        VerbatimObservation(config.agent.templates),
        run_config=traj.run_start.config,
    )
    recorded_patch = traj.run_end.submission if traj.run_end else ""
    tee = Tee(run_id, output)
    try:
        result = run_agent(
            parts,
            task_of(traj),
            run_id=run_id,
            sandbox=NoSandbox(traj),
            recorder=tee,
            submission=RecordedSubmission(traj.run_start.task.base_commit, recorded_patch),
        )
    finally:
        tee.close()
    if traj.run_end is not None and traj.run_end.exit_status == "time_limit" and result.exit_status != "time_limit":
        notes.append("the original run hit its wall-time limit, which a replay cannot reproduce")
    return ReplayReport(
        mode="offline",
        source=path,
        run_id=run_id,
        output=output,
        events=tee.events,
        exit_status=result.exit_status,
        submission=result.submission,
        recorded_submission=traj.run_end.submission if traj.run_end else None,
        differences=compare_events(traj.events, tee.events, skip_hash=skip),
        missing_plugins=missing,
        notes=notes,
    )


def replay_execute(path: str | Path, *, repo: Path | None = None, output: Path | None = None) -> ReplayReport:
    """Recorded replies against a fresh sandbox; reports diverging observations and the patch."""
    path = Path(path)
    traj = load_recording(path)
    config = run_config_of(traj)
    registry = _registry(traj, config, "replay again")
    run_id = new_run_id(traj, "execute")
    output = output or default_output(path, run_id, "execute")
    factory = sandbox_for(traj, config, repo, run_id)
    parts = Parts(
        config, RecordedModel(traj, path), registry, Prompts(config.agent.templates), run_config=traj.run_start.config
    )
    result, tee = _run(parts, traj, run_id, factory, Tee(run_id, output))
    start = next(e for e in tee.events if e.type == "run_start")
    notes = []
    workdir = start.sandbox.workdir
    if workdir != traj.run_start.sandbox.workdir:
        notes.append(
            f"the workdir is {workdir}, not the recorded {traj.run_start.sandbox.workdir}: the prompts differ by it"
        )
    diverged = request_divergences(traj.events, tee.events)
    if diverged:
        notes.append(f"requests differed from the recorded ones from step {diverged[0]} on (steps {_ranges(diverged)})")
    return ReplayReport(
        mode="execute",
        source=path,
        run_id=run_id,
        output=output,
        events=tee.events,
        exit_status=result.exit_status,
        submission=result.submission,
        recorded_submission=traj.run_end.submission if traj.run_end else None,
        observations=diverging_observations(traj.events, tee.events),
        notes=notes,
    )


def replay_fork(
    path: str | Path, *, from_step: int, model: str, repo: Path | None = None, output: Path | None = None
) -> ReplayReport:
    """Steps 1..from_step replayed in a fresh sandbox, then ``model`` continues."""
    from agent.models.factory import make_model
    from agent.replay.script import ForkModel

    path = Path(path)
    traj = load_recording(path)
    steps = [s.number for s in traj.steps() if s.model_call is not None]
    last = steps[-1] if steps else 0
    if not 0 <= from_step <= last:
        raise ReplayError(f"--from-step {from_step} is outside the recorded steps 0..{last}")
    config = run_config_of(traj)
    registry = _registry(traj, config, "fork again")
    try:
        live = make_model(model, config.model)
    except ModelError as exc:
        raise ReplayError(f"--model {model}: {exc}") from None
    run_id = new_run_id(traj, "fork")
    output = output or default_output(path, run_id, f"fork{from_step}")
    forked_from = {"path": str(path), "run_id": traj.run_id, "step": from_step}
    fork = ForkModel(RecordedModel(traj, path, through_step=from_step), live, from_step)
    factory = sandbox_for(traj, config, repo, run_id)
    parts = Parts(config, fork, registry, Prompts(config.agent.templates), run_config=traj.run_start.config)
    result, tee = _run(parts, traj, run_id, factory, Tee(run_id, output, forked_from=forked_from))
    replayed = [e for e in tee.events if e.step is None or e.step <= from_step]
    recorded = [e for e in traj.events if e.step is None or e.step <= from_step]
    return ReplayReport(
        mode="fork",
        source=path,
        run_id=run_id,
        output=output,
        events=tee.events,
        exit_status=result.exit_status,
        submission=result.submission,
        recorded_submission=None,
        observations=diverging_observations(recorded, replayed),
        notes=[f"steps 1..{from_step} replayed from the recording, then {live.name} continued"],
    )


def _registry(traj: Any, config: Any, what: str) -> Any:
    registry, missing = load_registry(traj, config)
    if missing:
        raise ReplayError(
            "the run used plugins that cannot be loaded here: "
            + "; ".join(missing)
            + f". Install them (or give their files) and {what}"
        )
    return registry


def _run(parts: Parts, traj: Any, run_id: str, factory: Any, tee: Tee) -> tuple[Any, Tee]:
    try:
        return run_agent(parts, task_of(traj), run_id=run_id, open_sandbox=factory, recorder=tee), tee
    finally:
        tee.close()


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:20]) + (" …" if len(numbers) > 20 else "")
