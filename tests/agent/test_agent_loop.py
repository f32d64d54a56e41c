"""The loop end to end on a LocalSandbox with scripted models: every exit status it can
reach locally, the submission, the recorded trajectory and the callbacks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.agent import FIX_COMMAND, bash, call, git, make_agent, run, submit

from agent.config import AgentConfig, load_config
from agent.models.base import NO_CONTEXT, request_sha256
from agent.models.scripted import ScriptedModel
from agent.task import Task
from sandbox.local import LocalSandbox
from trajectories.reader import load
from trajectories.recorder import MemoryRecorder
from trajectories.writer import TrajectoryWriter


def types(recorder: MemoryRecorder) -> list[str]:
    return [event.type for event in recorder.events]


def test_fixes_the_bug_and_submits_the_diff_with_new_files(git_repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    replies = [
        bash("c1", "cat calc.py"),
        bash("c2", f"{FIX_COMMAND} && printf 'notes\\n' > NOTES.md && python3 -m pytest -q test_calc.py"),
        submit(),
    ]
    with TrajectoryWriter(path, "run-1") as writer:
        result, _ = run(git_repo, replies, recorder=writer)
    assert result.exit_status == "submitted"
    assert result.steps == 3
    assert "+    return a + b" in result.submission
    assert "+++ b/NOTES.md" in result.submission  # a new, untracked file is part of the patch
    assert "__pycache__" not in result.submission
    # The repository's own index is untouched: NOTES.md is still untracked.
    assert git(git_repo, "status", "--porcelain").splitlines() == [" M calc.py", "?? NOTES.md"]

    trajectory = load(path)
    start, end = trajectory.run_start, trajectory.run_end
    assert end.exit_status == "submitted" and end.submission == result.submission
    assert start.task.base_commit == git(git_repo, "rev-parse", "HEAD").strip()
    assert {t["function"]["name"] for t in start.tools} >= {"bash", "submit"}
    assert start.versions["python"] and start.versions["litellm"] and start.versions["pydantic"]
    assert start.sandbox.kind == "local" and start.sandbox.workdir == str(git_repo.resolve())
    assert start.config["agent"]["step_limit"] == 100
    assert [m["role"] for m in start.messages] == ["system", "user"]
    assert "make add() add" in start.messages[1]["content"]
    # Every request hash matches the messages the trajectory rebuilds for that step.
    for step in trajectory.steps():
        assert step.model_call.request.sha256 == request_sha256(trajectory.messages_at(step.number))
    results = [e for e in trajectory.events if e.type == "tool_result"]
    assert "return a - b" in results[0].content
    assert "1 passed" in results[1].content
    calls = {e.seq: e for e in trajectory.events if e.type == "tool_call"}
    assert all(calls[r.parent].tool_call_id == r.tool_call_id for r in results)


def test_step_limit_ends_with_the_partial_diff(git_repo: Path) -> None:
    replies = [bash("c1", FIX_COMMAND), bash("c2", "ls"), bash("c3", "ls")]
    result, recorder = run(git_repo, replies, step_limit=2)
    assert result.exit_status == "step_limit"
    assert "agent.step_limit=2" in result.reason
    assert result.steps == 2
    assert "+    return a + b" in result.submission
    assert recorder.events[-1].type == "run_end" and recorder.events[-1].exit_status == "step_limit"


def test_cost_limit_holds_before_the_call_that_would_exceed_it(git_repo: Path) -> None:
    model = ScriptedModel([bash(f"c{i}", "true") for i in range(5)], cost_usd=0.5)
    result, recorder = run(git_repo, [], model=model, cost_limit=1.2)
    assert result.exit_status == "cost_limit"
    assert result.steps == 2 and result.cost_usd == pytest.approx(1.0)
    assert "agent.cost_limit" in result.reason
    assert recorder.events[-1].final_metrics.total_cost_usd == pytest.approx(1.0)


def test_wall_time_limit(git_repo: Path) -> None:
    result, _ = run(git_repo, [bash("c1", "sleep 0.4"), bash("c2", "ls")], time_limit_s=0.3)
    assert result.exit_status == "time_limit"
    assert "agent.time_limit_s" in result.reason and result.steps == 1


def test_consecutive_command_timeouts(git_repo: Path) -> None:
    replies = [bash("c1", "sleep 5", timeout=0.2), bash("c2", "sleep 5", timeout=0.2), bash("c3", "ls")]
    result, recorder = run(git_repo, replies, max_consecutive_timeouts=2)
    assert result.exit_status == "time_limit"
    assert "agent.max_consecutive_timeouts=2" in result.reason
    timed_out = [e.timed_out for e in recorder.events if e.type == "tool_result"]
    assert timed_out == [True, True]


def test_format_errors_get_feedback_then_cap(git_repo: Path) -> None:
    replies = [
        {"role": "assistant", "content": "I think the bug is in calc.py"},
        {"role": "assistant", "content": None, "tool_calls": [call("c1", "bash", "{not json")]},
        {"role": "assistant", "content": None, "tool_calls": [call("c2", "no_such_tool", {})]},
        bash("c3", "ls"),
    ]
    result, recorder = run(git_repo, replies, max_format_errors=3)
    assert result.exit_status == "format_errors"
    assert "agent.max_format_errors=3" in result.reason
    errors = [e for e in recorder.events if e.type == "error" and e.where == "format"]
    assert [e.attempt for e in errors] == [1, 2, 3]
    assert errors[0].feedback and "no tool call" in errors[0].message
    assert errors[2].feedback is None  # the last one ends the run, nothing is sent
    tool_results = [e for e in recorder.events if e.type == "tool_result"]
    assert "not valid JSON" in tool_results[0].content
    tool_calls = [e for e in recorder.events if e.type == "tool_call"]
    assert tool_calls[0].arguments is None and tool_calls[0].arguments_raw == "{not json"


def test_a_good_call_resets_the_format_error_count(git_repo: Path) -> None:
    nothing = {"role": "assistant", "content": "hmm"}
    replies = [nothing, nothing, bash("c1", "ls"), nothing, nothing, submit()]
    result, recorder = run(git_repo, replies, max_format_errors=3)
    assert result.exit_status == "submitted"
    feedback = [e.feedback for e in recorder.events if e.type == "error" and e.where == "format"]
    assert len(feedback) == 4 and all(feedback)


def test_model_error_when_the_scripted_model_runs_out(git_repo: Path) -> None:
    result, recorder = run(git_repo, [bash("c1", FIX_COMMAND)])
    assert result.exit_status == "model_error"
    assert "no reply left" in result.reason
    assert "+    return a + b" in result.submission
    error = [e for e in recorder.events if e.type == "error" and e.where == "model"][-1]
    assert error.retryable is False


def test_keyboard_interrupt_from_a_callback_ends_interrupted_with_a_full_trajectory(
    git_repo: Path, tmp_path: Path
) -> None:
    def interrupt(event) -> None:
        if event.type == "tool_result" and event.step == 2:
            raise KeyboardInterrupt

    path = tmp_path / "t.jsonl"
    replies = [bash("c1", FIX_COMMAND), bash("c2", "ls"), submit()]
    with TrajectoryWriter(path, "run-i") as writer:
        result, _ = run(git_repo, replies, recorder=writer, callbacks=[interrupt])
    assert result.exit_status == "interrupted"
    assert "+    return a + b" in result.submission
    trajectory = load(path)
    assert trajectory.finished and trajectory.run_end.exit_status == "interrupted"
    assert trajectory.run_end.final_metrics.total_steps == 2


def test_keyboard_interrupt_from_the_model(git_repo: Path) -> None:
    class Interrupting(ScriptedModel):
        def query(self, messages, tools, context=NO_CONTEXT):
            if len(messages) > 3:
                raise KeyboardInterrupt
            return super().query(messages, tools, context)

    result, recorder = run(git_repo, [], model=Interrupting([bash("c1", FIX_COMMAND), submit()]))
    assert result.exit_status == "interrupted" and result.steps == 2
    assert recorder.events[-1].type == "run_end"


def test_sandbox_closed_mid_run_is_a_sandbox_error(git_repo: Path) -> None:
    with LocalSandbox(git_repo) as sandbox:

        def close(event) -> None:
            if event.type == "tool_call":
                sandbox.close()

        agent = make_agent(ScriptedModel([bash("c1", "ls"), submit()]), sandbox, MemoryRecorder(), [close])
        result = agent.run(Task(text="x"))
    assert result.exit_status == "sandbox_error"
    assert "SandboxClosedError" in result.reason and result.submission == ""


def test_callbacks_see_every_event_in_order(git_repo: Path) -> None:
    seen = []
    _result, recorder = run(git_repo, [bash("c1", "ls"), submit()], callbacks=[seen.append])
    assert [e.seq for e in seen] == list(range(len(recorder.events)))
    assert [e.type for e in seen] == types(recorder)
    assert seen[-1].payload["exit_status"] == "submitted"


def test_parallel_tool_calls_all_run_in_order(git_repo: Path) -> None:
    reply = {
        "role": "assistant",
        "content": None,
        "tool_calls": [call("a", "bash", {"command": "echo one"}), call("b", "bash", {"command": "echo two"})],
    }
    _result, recorder = run(git_repo, [reply, submit()])
    outputs = [e.content for e in recorder.events if e.type == "tool_result"]
    assert outputs[:2] == ["one\n", "two\n"] or [o.strip() for o in outputs[:2]] == ["one", "two"]


def test_binary_and_non_utf8_changes_round_trip_through_the_patch(git_repo: Path, tmp_path: Path) -> None:
    command = (
        "printf 'a\\000b\\377' > blob.bin && printf 'caf\\351\\n' > latin1.txt && "
        "printf 'x = 1\\n' > pkg.py && mkdir -p __pycache__ && printf junk > __pycache__/m.pyc"
    )
    result, _ = run(git_repo, [bash("c1", command), submit()])
    patch = result.submission
    assert "GIT binary patch" in patch and "__pycache__" not in patch
    patch.encode("ascii")  # the non-UTF-8 file made every change a binary patch: exact and JSON-safe
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(git_repo), str(clone)], check=True)
    (tmp_path / "p.diff").write_text(patch)
    subprocess.run(["git", "apply", "--binary", str(tmp_path / "p.diff")], cwd=clone, check=True)
    for name in ("blob.bin", "latin1.txt", "pkg.py"):
        assert (clone / name).read_bytes() == (git_repo / name).read_bytes()


def test_run_start_records_no_secret_and_the_sandbox_sees_none(git_repo: Path, monkeypatch) -> None:
    secret = "sk-test-SECRET-value-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("MY_SERVICE_TOKEN", secret + "-2")
    recorder = MemoryRecorder(redact=False)  # nothing hidden after the fact: it must never get in
    _result, _ = run(git_repo, [bash("c1", "env; echo HOME=$HOME"), submit()], recorder=recorder)
    dumped = "\n".join(event.model_dump_json() for event in recorder.events)
    assert "HOME=" in dumped  # the command did print the environment
    assert secret not in dumped
    assert "OPENAI_API_KEY" not in dumped and "MY_SERVICE_TOKEN" not in dumped


def test_workdir_outside_git_ends_with_a_reason_and_no_submission(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    result, _ = run(folder, [submit()])
    assert result.exit_status == "submitted" and result.submission == ""
    assert "not a git repository" in result.reason


def test_agent_config_defaults_match_default_yaml() -> None:
    assert load_config().agent == AgentConfig()


def test_trajectory_lines_are_json(git_repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with TrajectoryWriter(path, "r") as writer:
        run(git_repo, [submit()], recorder=writer)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == list(range(len(lines)))


def test_interrupt_while_reading_the_base_commit_still_records_run_start(git_repo: Path) -> None:
    class InterruptOnce(LocalSandbox):
        def __init__(self, root):
            super().__init__(root)
            self.first = True

        def execute(self, command, **kwargs):
            if self.first:
                self.first = False
                raise KeyboardInterrupt
            return super().execute(command, **kwargs)

    recorder = MemoryRecorder()
    with InterruptOnce(git_repo) as sandbox:
        result = make_agent(ScriptedModel([submit()]), sandbox, recorder).run(Task(text="t"))
    assert result.exit_status == "interrupted" and result.steps == 0
    assert types(recorder) == ["run_start", "run_end"]
    assert "no submission" in result.reason


def test_a_backends_own_subclass_of_the_gone_error_ends_the_run_after_one_call(git_repo: Path) -> None:
    """The loop tells a dead sandbox by exception type: a backend's subclass of
    ContainerGoneError is as fatal as the base class (it used to cost a paid model call
    per remaining step, matched by qualified name)."""
    from sandbox.errors import ContainerGoneError

    class RemoteGone(ContainerGoneError):
        pass

    class DyingSandbox(LocalSandbox):
        def execute(self, command: str, **kwargs: object):  # type: ignore[override]
            if command == "true":  # the model's command; the loop's own git calls still work
                raise RemoteGone("the remote sandbox was reaped")
            return super().execute(command, **kwargs)  # type: ignore[arg-type]

    model = ScriptedModel([bash(f"c{i}", "true") for i in range(5)])
    recorder = MemoryRecorder()
    with DyingSandbox(git_repo) as sandbox:
        result = make_agent(model, sandbox, recorder).run(Task(text="t"))
    assert result.exit_status == "sandbox_error" and result.steps == 1
    assert model.remaining == 4
    [error] = [e for e in recorder.events if e.type == "error" and e.where == "sandbox"]
    assert error.error_type.endswith("RemoteGone")
