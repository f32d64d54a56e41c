"""Framework overhead per agent step: patchloop's loop vs mini-swe-agent's DefaultAgent.

Both run a scripted model whose every reply is one no-op action, so what is measured is
the loop itself (model reply handling, tool dispatch, observation rendering, message
bookkeeping, trajectory writing); no sandbox time. mini-swe-agent (from PyPI, in
bench/.envs/mini) runs in its own interpreter through subprocess, in the same run.

    .venv/bin/python bench/agent_bench.py            # 100 and 1000 steps
    .venv/bin/python bench/agent_bench.py --steps 100 1000 5000

Set-up of the comparison env (once):
    python3 -m venv bench/.envs/mini && bench/.envs/mini/bin/pip install mini-swe-agent
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI_PYTHON = ROOT / "bench" / ".envs" / "mini" / "bin" / "python"

MINI_SCRIPT = r'''
import json, sys, tempfile, time
from pathlib import Path
from minisweagent.agents.default import DefaultAgent
from minisweagent.models.test_models import DeterministicModel, make_output
import minisweagent

class NoopEnv:
    """No command runs: sandbox time is excluded, as on the patchloop side."""
    config = None
    def execute(self, action, cwd="", **kw):
        return {"output": "ok", "returncode": 0, "exception_info": ""}
    def get_template_vars(self, **kw):
        return {}
    def serialize(self):
        return {}

class LeanDeterministicModel(DeterministicModel):
    """DeterministicModel dumps its whole script (all N+1 outputs) into the template
    variables every step and into every save; this variant leaves the script out, so
    the numbers show the agent loop rather than the size of the test script."""
    def get_template_vars(self, **kw):
        return self.config.model_dump(exclude={"outputs"})
    def serialize(self):
        data = super().serialize()
        data["info"]["config"]["model"].pop("outputs", None)
        return data

class Timed(DefaultAgent):
    def step(self):
        out = super().step()
        self.stamps.append(time.perf_counter())
        return out

def once(n, save, lean):
    outputs = [make_output("noop", [{"command": "true"}], cost=0.0) for _ in range(n + 1)]
    model = (LeanDeterministicModel if lean else DeterministicModel)(outputs=outputs, cost_per_call=0.0)
    out = Path(tempfile.mkdtemp()) / "t.traj.json" if save else None
    agent = Timed(model, NoopEnv(), system_template="You are a bot.", instance_template="{{task}}",
                  step_limit=n, cost_limit=0, output_path=out)
    agent.stamps = []
    start = time.perf_counter()
    agent.run("do nothing")
    return start, agent.stamps

result = {"version": minisweagent.__version__}
for n in map(int, sys.argv[1:]):
    for save in (False, True):
        for lean in (False, True):
            start, stamps = once(n, save, lean)
            result[f"{n}:{save}:{lean}"] = [start, stamps]
print("@@RESULT@@" + json.dumps(result))
'''


def per_step_ms(start: float, stamps: list[float]) -> tuple[float, float, float]:
    """(mean over the run, mean of the first 10%, mean of the last 10%) in ms per step."""
    times = [b - a for a, b in zip([start, *stamps[:-1]], stamps, strict=True)]
    tenth = max(1, len(times) // 10)
    return (
        1000 * sum(times) / len(times),
        1000 * statistics.fmean(times[:tenth]),
        1000 * statistics.fmean(times[-tenth:]),
    )


def patchloop_run(
    n: int, *, write: bool, keep: Path | None = None, replay: Path | None = None, workdir: Path | None = None
) -> tuple[float, list[float]]:
    """One run of n no-op steps: scripted replies, or (``replay``) the replies of a recorded
    trajectory through ReplayModel with its strict request check; ``keep`` saves the file.
    A replay needs the recorded ``workdir`` (the prompts name it)."""
    from pydantic import BaseModel

    from agent.config import load_config
    from agent.loop import Agent
    from agent.models.scripted import ScriptedModel
    from agent.task import Task
    from sandbox.local import LocalSandbox
    from tools.base import Tool, ToolContext
    from tools.registry import ToolRegistry
    from trajectories.recorder import NullRecorder
    from trajectories.writer import TrajectoryWriter

    class NoopParams(BaseModel):
        pass

    class Noop(Tool):
        name = "noop"
        description = "Does nothing."
        Params = NoopParams

        def run(self, params: NoopParams, ctx: ToolContext) -> str:
            return "ok"

    registry = ToolRegistry()
    registry.register(Noop)
    call = {"id": "c", "type": "function", "function": {"name": "noop", "arguments": "{}"}}
    model = ScriptedModel([{"role": "assistant", "content": "noop", "tool_calls": [call]}] * (n + 1), cost_usd=0.0)
    if replay is not None:
        from agent.models.replay import ReplayModel

        model = ReplayModel(replay, strict=True, name=model.name)  # type: ignore[assignment]
    config = load_config(None, [f"agent.step_limit={n}", "agent.time_limit_s=null"]).agent
    stamps: list[float] = []
    marks: dict[str, float] = {}

    def clock(event) -> None:
        if event.type == "run_start":
            marks["start"] = time.perf_counter()
        elif event.type == "tool_result":
            stamps.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as tmp:
        workdir = workdir or Path(tmp) / "w"
        workdir.mkdir(exist_ok=True)
        recorder = TrajectoryWriter(keep or Path(tmp) / "t.jsonl", "bench") if write else NullRecorder()
        with LocalSandbox(workdir) as sandbox:
            Agent(model, registry, sandbox, config, recorder, [clock]).run(Task(text="do nothing"))
        if isinstance(recorder, TrajectoryWriter):
            recorder.close()
    return marks["start"], stamps


def help_wall_s(repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent", "--help"], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    rows = []
    for n in args.steps:
        patchloop_run(min(n, 50), write=True)  # warm-up (imports, caches)
        for write in (False, True):
            # The median of 3 runs (by mean): this machine is shared, single runs are noisy.
            runs = sorted((per_step_ms(*patchloop_run(n, write=write)) for _ in range(3)), key=lambda r: r[0])
            mean, first, last = runs[1]
            label = "patchloop Agent, JSONL trajectory" if write else "patchloop Agent, no recorder"
            rows.append((label, n, mean, first, last))

    for n in args.steps:
        with tempfile.TemporaryDirectory() as tmp:
            recorded, workdir = Path(tmp) / "recorded.jsonl", Path(tmp) / "w"
            patchloop_run(n, write=True, keep=recorded, workdir=workdir)
            runs = sorted(
                (per_step_ms(*patchloop_run(n, write=False, replay=recorded, workdir=workdir)) for _ in range(3)),
                key=lambda r: r[0],
            )
            rows.append(("patchloop Agent, ReplayModel strict, no recorder", n, *runs[1]))

    mini_version = "not installed"
    if MINI_PYTHON.exists():
        proc = subprocess.run(
            [str(MINI_PYTHON), "-c", MINI_SCRIPT, *map(str, args.steps)],
            capture_output=True,
            text=True,
            env={**os.environ, "MSWEA_SILENT_STARTUP": "1"},
        )
        marker = [line for line in proc.stdout.splitlines() if line.startswith("@@RESULT@@")]
        if proc.returncode != 0 or not marker:
            print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
            return 1
        data = json.loads(marker[0].removeprefix("@@RESULT@@"))
        mini_version = data["version"]
        for n in args.steps:
            for save in (False, True):
                for lean in (False, True):
                    mean, first, last = per_step_ms(*data[f"{n}:{save}:{lean}"])
                    label = (
                        "mini DefaultAgent"
                        + (", lean model" if lean else "")
                        + (", .traj.json saved" if save else ", no save")
                    )
                    rows.append((label, n, mean, first, last))

    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, mini-swe-agent {mini_version}")
    print("patchloop: median of 3 runs; mini-swe-agent (mini): one run each (its saved 1000-step runs take minutes)")
    print(f"{'loop':48} {'steps':>6} {'ms/step':>9} {'first 10%':>10} {'last 10%':>9}")
    for label, n, mean, first, last in sorted(rows, key=lambda r: (r[0].startswith("mini"), r[0], r[1])):
        print(f"{label:48} {n:>6} {mean:>9.3f} {first:>10.3f} {last:>9.3f}")
    print(f"\npython -m agent --help: {help_wall_s() * 1000:.0f} ms wall (median of 7)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
