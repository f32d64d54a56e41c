"""Trajectory benchmarks: write overhead per event, read+validate throughput, offline replay.

    .venv/bin/python bench/trajectories_bench.py [--events 20000] [--replay-steps 1000]

Prints a table (medians of 3 runs); targets: write <= 50 us/event, read+validate >= 50,000 events/s,
offline replay of a 1,000-step trajectory < 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from trajectories import TrajectoryWriter, load
from trajectories.sample import emit_sample_run

REPEAT = 3  # each measurement is the median of 3 runs (the machine is shared)
# CPU time of this process (user + system, so the write syscalls count): other jobs on a
# shared 2-core machine inflate wall time; --wall measures wall time instead.
CLOCK = time.process_time


def _events_of_a_step(step: int, parent: int) -> list[tuple[str, dict]]:
    """model_call, tool_call, tool_result of a typical step (short texts, as in real runs)."""
    return [
        (
            "model_call",
            dict(
                step=step,
                request={"n_messages": 2 * step, "sha256": "ab" * 32},
                response={
                    "role": "assistant",
                    "content": "Looking at the failing test next.",
                    "tool_calls": [
                        {
                            "id": f"call_{step}",
                            "type": "function",
                            "function": {"name": "bash", "arguments": '{"command": "pytest -x -q"}'},
                        }
                    ],
                },
                finish_reason="tool_calls",
                usage={"prompt_tokens": 1200, "completion_tokens": 40, "cached_tokens": 800},
                cost_usd=0.00021,
                latency_ms=900.0,
                attempts=1,
                response_id=f"chatcmpl-{step}",
            ),
        ),
        (
            "tool_call",
            dict(
                step=step,
                parent=parent,
                tool_call_id=f"call_{step}",
                name="bash",
                arguments={"command": "pytest -x -q"},
                arguments_raw='{"command": "pytest -x -q"}',
            ),
        ),
        (
            "tool_result",
            dict(
                step=step,
                parent=parent + 1,
                tool_call_id=f"call_{step}",
                name="bash",
                ok=True,
                content="....F\nFAILED tests/test_slug.py::test_dash - AssertionError\n1 failed, 4 passed",
                exit_code=1,
                timed_out=False,
                truncated=False,
                duration_ms=812.0,
            ),
        ),
    ]


def bench_write(tmp: Path, n_events: int, name: str = "write.jsonl") -> tuple[float, Path]:
    path = tmp / name
    os.environ.setdefault("BENCH_FAKE_API_KEY", "sk-bench-0123456789abcdefghij")  # redaction is on
    steps = n_events // 3
    plan = [ev for s in range(1, steps + 1) for ev in _events_of_a_step(s, 1 + 3 * (s - 1))]
    with TrajectoryWriter(path, "bench", redact=True) as w:
        emit_sample_run(_First(w), steps=5)  # only its run_start goes through (see _First)
        t0 = CLOCK()
        for type_, payload in plan:
            w.emit(type_, **payload)
        elapsed = CLOCK() - t0
    return elapsed / len(plan) * 1e6, path


class _First:
    """Lets only the first event (run_start) of a sample run through to a recorder."""

    def __init__(self, rec: TrajectoryWriter):
        self.rec = rec
        self.done = False

    def emit(self, type: str, **kw: object) -> int:
        if not self.done:
            self.done = True
            return self.rec.emit(type, **kw)  # type: ignore[arg-type]
        return -1


def bench_read(path: Path) -> tuple[float, int]:
    t0 = CLOCK()
    traj = load(path)
    elapsed = CLOCK() - t0
    return len(traj.events) / elapsed, len(traj.events)


def record_agent_run(tmp: Path, steps: int) -> Path:
    """A real ``steps``-step run of the agent loop (scripted model, a pure-Python tool,
    LocalSandbox on a one-file git repo), written by the real writer."""
    import json
    import subprocess

    from agent.config import AgentConfig, RunConfig
    from agent.loop import Agent
    from agent.models.scripted import ScriptedModel
    from agent.task import Task
    from sandbox.local import LocalSandbox
    from tools import ToolRegistry, tool

    @tool
    def note(text: str) -> str:
        """Write a note down (returns it)."""
        return f"noted: {text}"

    repo = tmp / "repo"
    repo.mkdir()
    (repo / "notes.txt").write_text("notes\n")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=b@b", "-c", "user.name=b", "commit", "-qm", "seed"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    replies = [
        {
            "role": "assistant",
            "content": f"step {i}",
            "tool_calls": [
                {
                    "id": f"c{i}",
                    "type": "function",
                    "function": {"name": "note", "arguments": json.dumps({"text": f"n{i}"})},
                }
            ],
        }
        for i in range(steps - 1)
    ]
    replies.append(
        {
            "role": "assistant",
            "content": "done",
            "tool_calls": [{"id": "s", "type": "function", "function": {"name": "submit", "arguments": "{}"}}],
        }
    )
    registry = ToolRegistry.with_builtins()
    registry.register(note)
    config = AgentConfig(step_limit=steps + 10, cost_limit=None, time_limit_s=None)
    path = tmp / "replay-src.jsonl"
    with TrajectoryWriter(path, "replay-src", redact=False) as writer, LocalSandbox(repo) as sandbox:
        Agent(
            ScriptedModel(replies, cost_usd=0.0001),
            registry,
            sandbox,
            config,
            writer,
            run_id="replay-src",
            run_config=RunConfig(agent=config).model_dump(mode="json"),
        ).run(Task(text="take notes"))
    return path


def bench_replay(tmp: Path, steps: int) -> tuple[float | None, str]:
    try:
        from agent.replay import replay_offline
    except ImportError as exc:
        return None, f"agent.replay not importable ({exc})"
    path = record_agent_run(tmp, steps)
    times = []
    for _ in range(REPEAT):
        t0 = CLOCK()
        report = replay_offline(path)
        times.append(CLOCK() - t0)
    n = len(report.events)
    return statistics.median(times), f"{n} events, " + ("identical" if report.identical else "DIFFERS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--replay-steps", type=int, default=1000)
    parser.add_argument("--wall", action="store_true", help="measure wall time instead of CPU time")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        writes = [bench_write(tmp, args.events, f"write{i}.jsonl") for i in range(REPEAT)]
        write_us = statistics.median(w for w, _ in writes)
        path = writes[0][1]
        reads = [bench_read(path) for _ in range(REPEAT)]
        read_rate, n = statistics.median(r for r, _ in reads), reads[0][1]
        replay_s, replay_note = bench_replay(tmp, args.replay_steps)
    rows: list[tuple[str, str, str, bool | None]] = [
        ("write overhead per event (validate+redact+write+flush)", f"{write_us:.1f} us", "<= 50 us", write_us <= 50),
        (
            f"read + validate throughput ({n} events)",
            f"{read_rate:,.0f} events/s",
            ">= 50,000 events/s",
            read_rate >= 50_000,
        ),
    ]
    if replay_s is None:
        rows.append((f"offline replay, {args.replay_steps} steps", "n/a", "< 2 s", None))
    else:
        rows.append(
            (f"offline replay, {args.replay_steps} steps ({replay_note})", f"{replay_s:.2f} s", "< 2 s", replay_s < 2)
        )
    print(f"clock: {'wall' if CLOCK is time.perf_counter else 'CPU time of this process'}, median of {REPEAT}")
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark'.ljust(width)}  {'measured':>20}  {'target':>20}  ok")
    for name, value, target, ok in rows:
        mark = "n/a" if ok is None else ("yes" if ok else "NO")
        print(f"{name.ljust(width)}  {value:>20}  {target:>20}  {mark}")
    if replay_s is None:
        print(f"note: {replay_note}")


if __name__ == "__main__":
    main()
