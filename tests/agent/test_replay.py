"""The replay engine (agent/replay.py) on real runs: recorded by the real loop on a
LocalSandbox (Docker in the marked tests), then replayed offline, executed and forked."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.agent import BUGGY, FIX_COMMAND, bash, call, git, submit

from agent.config import AgentConfig, RunConfig
from agent.loop import Agent
from agent.models.base import (
    NO_CONTEXT,
    AttemptFailure,
    CallContext,
    ContextWindowError,
    ModelCallError,
    ModelReply,
    Usage,
)
from agent.models.scripted import ScriptedModel
from agent.replay import ReplayError, replay_execute, replay_fork, replay_offline
from agent.task import Task
from sandbox.local import LocalSandbox
from tools import ToolRegistry
from trajectories import TrajectoryWriter, load
from trajectories.checks import check_links

REPO = Path(__file__).resolve().parents[2]

PLUGIN = '''
from tools import tool

@tool
def shout(text: str) -> str:
    """Return the text in capitals."""
    return text.upper()
'''


def malformed(call_id: str) -> dict:
    return {"role": "assistant", "content": "oops", "tool_calls": [call(call_id, "bash", "{not json")]}


def record(
    repo: Path,
    out: Path,
    model: Any,
    *,
    registry: ToolRegistry | None = None,
    config: AgentConfig | None = None,
    run_id: str = "orig",
) -> Path:
    """Run the real loop on a scratch copy of ``repo`` and write the trajectory to ``out``."""
    work = out.parent / f"work-{run_id}"
    shutil.copytree(repo, work)
    config = config or AgentConfig(cost_limit=None)
    with TrajectoryWriter(out, run_id, redact=False) as writer, LocalSandbox(work) as sandbox:
        Agent(
            model,
            registry or ToolRegistry.with_builtins(),
            sandbox,
            config,
            writer,
            run_id=run_id,
            run_config=RunConfig(agent=config).model_dump(mode="json"),
        ).run(Task(text="make add() add"))
    return out


def fix_run(git_repo: Path, tmp_path: Path) -> Path:
    replies = [
        bash("c1", "cat calc.py"),
        malformed("c2"),
        bash("c3", FIX_COMMAND),
        bash("c4", "python3 -c 'import calc; print(calc.add(2, 3))'"),
        submit(),
    ]
    return record(git_repo, tmp_path / "orig.jsonl", ScriptedModel(replies, cost_usd=0.001))


# ----------------------------------------------------------------------------- offline


def test_offline_replay_reproduces_a_real_run_event_for_event(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    report = replay_offline(path, output=tmp_path / "replayed.jsonl")
    assert report.identical, report.summary()
    assert "identical" in report.summary()
    assert len(report.events) == len(load(path).events)
    assert report.submission == load(path).run_end.submission != ""
    replayed = load(tmp_path / "replayed.jsonl")
    assert check_links(replayed) == []


def test_offline_replay_says_where_it_differs(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    step3 = next(i for i, e in enumerate(lines) if e["type"] == "model_call" and e["step"] == 3)
    lines[step3]["request"]["sha256"] = "0" * 64  # as if the model had seen something else
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    report = replay_offline(path)
    assert not report.identical
    first = report.differences[0]
    assert (first.index, first.type, first.step, first.path) == (step3, "model_call", 3, "request.sha256")
    assert f"event {step3} (model_call, step 3) field request.sha256" in report.summary()


def test_offline_replay_notices_a_changed_config(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[0]["config"]["agent"]["step_limit"] = 2  # the recording now claims a limit it did not obey
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    report = replay_offline(path)
    assert report.exit_status == "step_limit"
    assert any(d.type == "run_end" or d.path == "" for d in report.differences)


class FlakyModel:
    """Real-loop fixture: retried attempts, a context-window error, then replies."""

    kind = "flaky"
    mode = "tools"

    def __init__(self, replies: list[dict]) -> None:
        self.name = "flaky-model"
        self.params: dict = {}
        self._replies = list(replies)
        self._n = 0

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        self._n += 1
        if self._n == 2:
            context.retried(AttemptFailure("RateLimitError", "slow down", 1, 0.5))
            context.retried(AttemptFailure("RateLimitError", "slow down", 2, 1.0))
        if self._n == 4:
            raise ContextWindowError("maximum context length exceeded")
        if not self._replies:
            raise ModelCallError("upstream said no", retryable=False, attempts=1, error_type="BadRequestError")
        return ModelReply(
            message=self._replies.pop(0),
            usage=Usage(prompt_tokens=100 * self._n, completion_tokens=7),
            cost_usd=None,
            latency_ms=12.5 * self._n,
            attempts=3 if self._n == 2 else 1,
            response_id=f"r{self._n}",
            finish_reason="tool_calls",
        )


def test_offline_replay_reproduces_retries_compaction_and_a_model_error(git_repo: Path, tmp_path: Path):
    big = "python3 -c 'print(\"x\" * 3000)'"
    replies = [bash("c1", big), bash("c2", big), bash("c3", big), bash("c4", "ls")]
    config = AgentConfig(cost_limit=None, context={"keep_recent": 1, "min_chars": 100})
    path = record(git_repo, tmp_path / "flaky.jsonl", FlakyModel(replies), config=config)
    traj = load(path)
    types = [(e.type, getattr(e, "where", None)) for e in traj.events]
    assert ("context", None) in types and types.count(("error", "model")) == 4  # 2 retries, window, final
    assert traj.run_end.exit_status == "model_error"
    report = replay_offline(path)
    assert report.identical, report.summary()


class TextModeModel(ScriptedModel):
    """A scripted model that says it works in text mode (fenced bash blocks), as litellm
    models without function calling do: the loop renders other prompts for it."""

    mode = "text"

    @property
    def params(self) -> dict:
        return {**super().params, "mode": "text"}


def test_offline_replay_of_a_text_mode_run(git_repo: Path, tmp_path: Path):
    path = record(git_repo, tmp_path / "text.jsonl", TextModeModel([bash("c1", "ls"), submit()]))
    assert "```bash" in load(path).run_start.messages[0]["content"]
    report = replay_offline(path)
    assert report.identical, report.summary()


def test_offline_replay_of_a_torn_recording_reports_the_missing_end(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b"\n", 0, len(data) - 1) + 20])  # cut inside run_end
    report = replay_offline(path)
    assert not report.identical
    assert any("no run_end" in note for note in report.notes)
    assert report.differences[-1].path == ""  # the replay has a run_end the recording lacks


def test_recorded_plugins_are_loaded_or_named(git_repo: Path, tmp_path: Path):
    plugin = tmp_path / "shout_plugin.py"
    plugin.write_text(PLUGIN)
    registry = ToolRegistry.with_builtins()
    registry.load(str(plugin))
    replies = [{"role": "assistant", "content": None, "tool_calls": [call("c1", "shout", {"text": "hi"})]}, submit()]
    path = record(git_repo, tmp_path / "plug.jsonl", ScriptedModel(replies), registry=registry)
    start = load(path).run_start
    assert [p.source for p in start.plugins] == [f"file {plugin.resolve()}"]
    report = replay_execute(path, repo=git_repo)  # the plugin loads again: its tool really runs
    assert not report.observations, report.summary()
    assert next(e for e in report.events if e.type == "tool_result").content == "HI"
    plugin.unlink()
    with pytest.raises(ReplayError, match=r"plugins that cannot be loaded here: .*shout_plugin"):
        replay_execute(path, repo=git_repo)
    offline = replay_offline(path)  # offline needs no tool: it says what is missing and goes on
    assert offline.identical and "shout_plugin" in " ".join(offline.notes)


# ----------------------------------------------------------------------------- execute


def test_execute_replay_in_a_fresh_local_sandbox(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    report = replay_execute(path, repo=git_repo)
    assert report.observations == [], report.summary()
    assert report.patch_matches and "same as recorded" in report.summary()
    assert report.output is not None and load(report.output).run_end.exit_status == "submitted"


def test_execute_replay_reports_each_diverging_observation(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    other = tmp_path / "other"
    shutil.copytree(git_repo, other)
    (other / "calc.py").write_text(BUGGY.replace("a - b", "b - a"))
    git(other, "commit", "-qam", "a different bug")
    report = replay_execute(path, repo=other, output=tmp_path / "exec.jsonl")
    steps = [o.step for o in report.observations]
    assert steps[0] == 1 and 4 in steps  # cat shows the other code; the check prints another number
    assert "b - a" in report.observations[0].replayed and "a - b" in report.observations[0].recorded
    assert not report.patch_matches and "DIFFERS" in report.summary()


def test_execute_replay_of_a_local_run_needs_the_repo(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    with pytest.raises(ReplayError, match="--repo PATH"):
        replay_execute(path)
    from agent.runner import RunOptions, run_single

    script = tmp_path / "replies.jsonl"
    script.write_text(json.dumps(submit()) + "\n")
    outcome = run_single(
        RunOptions(repo=git_repo, task="t", model=f"scripted:{script}", sandbox="local", output=tmp_path / "cli")
    )
    with pytest.raises(ReplayError, match=f"give --repo PATH \\(e.g. --repo {git_repo}, where it ran\\)"):
        replay_execute(outcome.trajectory_path)  # the CLI recorded where the repository was


# ----------------------------------------------------------------------------- fork


def test_fork_from_a_step_with_a_scripted_model(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    script = tmp_path / "continue.jsonl"
    script.write_text(
        "".join(json.dumps(m) + "\n" for m in [bash("n1", "sed -i 's/a - b/b + a/' calc.py"), submit("n2")])
    )
    report = replay_fork(path, from_step=1, model=f"scripted:{script}", repo=git_repo, output=tmp_path / "fork.jsonl")
    fork = load(tmp_path / "fork.jsonl")
    assert fork.run_start.forked_from.model_dump() == {"path": str(path), "run_id": "orig", "step": 1}
    assert fork.run_start.model.kind == "fork"
    assert fork.step(1).model_call.response == load(path).step(1).model_call.response  # replayed
    assert fork.step(2).tool_calls[0].arguments["command"].startswith("sed -i 's/a - b/b + a/'")  # live
    assert report.exit_status == "submitted" and "b + a" in report.submission
    assert report.observations == []
    assert check_links(fork) == []


def test_fork_step_out_of_range(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    with pytest.raises(ReplayError, match="outside the recorded steps 0..5"):
        replay_fork(path, from_step=9, model="scripted:x.jsonl", repo=git_repo)


# ----------------------------------------------------------------------------- CLI


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trajectories", "replay", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_cli_replay_exit_codes(git_repo: Path, tmp_path: Path):
    path = fix_run(git_repo, tmp_path)
    ok = cli(str(path))
    assert ok.returncode == 0 and "identical" in ok.stdout
    executed = cli(str(path), "--execute", "--repo", str(git_repo), "-o", str(tmp_path / "e.jsonl"))
    assert executed.returncode == 0, executed.stderr
    assert "every observation matches" in executed.stdout
    missing = cli(str(path), "--execute")
    assert missing.returncode == 1 and "--repo PATH" in missing.stderr
    lines = path.read_text().splitlines()
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(lines[:-1]) + "\n" + lines[-1].replace('"submitted"', '"step_limit"') + "\n")
    differs = cli(str(tampered))
    assert differs.returncode == 1 and "differs from the recording" in differs.stdout
    assert "recorded 'run_end', replay 'error'" in differs.stdout  # submit no longer ended the run


# ----------------------------------------------------------------------------- Docker


def run_agent_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agent", "run", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


@pytest.mark.docker
@pytest.mark.slow
def test_docker_run_replayed_offline_executed_and_forked(git_repo: Path, tmp_path: Path, base_image: str, run_id: str):
    replies = tmp_path / "replies.jsonl"
    replies.write_text(
        "".join(
            json.dumps(m) + "\n"
            for m in [
                bash("c1", "cat calc.py"),
                bash("c2", FIX_COMMAND),
                bash("c3", "python3 -m pytest -q 2>&1 | tail -1 | cut -d' ' -f1-2"),
                submit(),
            ]
        )
    )
    out = tmp_path / "runs"
    done = run_agent_cli(
        "--repo",
        str(git_repo),
        "--task",
        "fix add",
        "--model",
        f"scripted:{replies}",
        "--sandbox",
        "docker",
        "--image",
        base_image,
        "--output",
        str(out),
        "--run-id",
        run_id,
    )
    assert done.returncode == 0, done.stderr
    path = out / f"{run_id}.jsonl"
    start = load(path).run_start
    assert start.sandbox.kind == "docker" and start.sandbox.image == base_image

    assert replay_offline(path).identical
    with pytest.raises(ReplayError, match=f"give --repo PATH \\(e.g. --repo {git_repo}\\)"):
        replay_execute(path)  # the image alone does not hold the copied repository

    report = replay_execute(path, repo=git_repo, output=tmp_path / "exec.jsonl")
    assert report.observations == [], report.summary()
    assert report.patch_matches and "+    return a + b" in report.submission
    assert load(tmp_path / "exec.jsonl").run_start.sandbox.image == base_image

    script = tmp_path / "continue.jsonl"
    script.write_text(json.dumps(submit("n1")) + "\n")
    fork = replay_fork(path, from_step=2, model=f"scripted:{script}", repo=git_repo, output=tmp_path / "fork.jsonl")
    assert fork.exit_status == "submitted" and "+    return a + b" in fork.submission
    assert load(tmp_path / "fork.jsonl").run_start.forked_from.step == 2


@pytest.mark.docker
def test_init_script_is_recorded_and_run_again_by_execute_replay(
    git_repo: Path, tmp_path: Path, base_image: str, run_id: str
):
    """A SWE-bench run activates its conda env in init_script: run_start records it, and
    a replay's fresh sandbox runs it again, so the observations match."""
    from contextlib import ExitStack

    from agent.runner import open_sandbox

    script = "export PATCHLOOP_ENV_MARK=activated"
    config = RunConfig(agent=AgentConfig(cost_limit=None)).model_copy(deep=True)
    config.sandbox.image = base_image
    out = tmp_path / "init.jsonl"
    model = ScriptedModel([bash("c1", "echo mark=$PATCHLOOP_ENV_MARK"), submit()])
    with ExitStack() as stack:
        sandbox = open_sandbox(config, git_repo, run_id, stack, init_script=script)
        writer = stack.enter_context(TrajectoryWriter(out, run_id, redact=False))
        Agent(
            model,
            ToolRegistry.with_builtins(),
            sandbox,
            config.agent,
            writer,
            run_id=run_id,
            run_config=config.model_dump(mode="json"),
        ).run(Task(text="t"))
    recorded = load(out)
    assert recorded.run_start.sandbox.init_script == script
    assert "mark=activated" in next(e for e in recorded.events if e.type == "tool_result").content

    report = replay_execute(out, repo=git_repo, output=tmp_path / "exec.jsonl")
    assert report.observations == [], report.summary()
    assert load(tmp_path / "exec.jsonl").run_start.sandbox.init_script == script
