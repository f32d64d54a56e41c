"""One wiring (agent/build.py): prepare once, run per task; run_agent owns every resource it
opens (the sandbox from a factory, the trajectory writer) and closes them whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers.agent import FIX_COMMAND, bash, submit

from agent.build import UsageError, prepare, run_agent
from agent.config import ConfigError, load_config, load_run_config
from agent.models.scripted import ScriptedModel
from agent.task import Task
from patchloop.cancel import Cancel
from sandbox.local import LocalSandbox
from trajectories.reader import load


def factory(root: Path, log: list[str]):
    @contextmanager
    def opened() -> Iterator[LocalSandbox]:
        log.append("opened")
        try:
            with LocalSandbox(root) as sandbox:
                yield sandbox
        finally:
            log.append("closed")

    return opened


def test_prepare_once_then_run_per_task_with_a_model_per_run(git_repo: Path, tmp_path: Path) -> None:
    parts = prepare(load_config(), model=ScriptedModel([submit()]), tools=["bash", "submit"])
    assert parts.registry.names() == ["bash", "submit"] and parts.config.tools.names == ["bash", "submit"]
    log: list[str] = []
    per_run = ScriptedModel([bash("c1", FIX_COMMAND), submit()])
    result = run_agent(
        parts,
        Task(text="t", instance_id="i-1"),
        run_id="i-1",
        open_sandbox=factory(git_repo, log),
        trajectory=tmp_path / "i-1" / "trajectory.jsonl",
        model=per_run,
    )
    assert result.exit_status == "submitted" and "+    return a + b" in result.submission
    assert log == ["opened", "closed"]
    trajectory = load(tmp_path / "i-1" / "trajectory.jsonl")
    assert trajectory.run_id == "i-1" and trajectory.run_start.config["tools"]["names"] == ["bash", "submit"]


def test_a_bug_during_the_run_still_closes_the_sandbox_and_the_file(git_repo: Path, tmp_path: Path) -> None:
    def broken(event) -> None:
        if event.type == "tool_result":
            raise RuntimeError("a callback bug")

    log: list[str] = []
    parts = prepare(load_config(), model=ScriptedModel([bash("c1", "ls"), submit()]))
    with pytest.raises(RuntimeError, match="a callback bug"):
        run_agent(
            parts,
            Task(text="t"),
            run_id="r",
            open_sandbox=factory(git_repo, log),
            trajectory=tmp_path / "t.jsonl",
            callbacks=[broken],
        )
    assert log == ["opened", "closed"]
    errors = [e for e in load(tmp_path / "t.jsonl").events if e.type == "error"]
    assert errors[-1].where == "agent" and "a callback bug" in errors[-1].message


def test_a_sandbox_that_fails_to_start_leaves_no_trajectory(tmp_path: Path) -> None:
    @contextmanager
    def failing() -> Iterator[LocalSandbox]:
        raise UsageError("no such image")
        yield  # pragma: no cover

    parts = prepare(load_config(), model=ScriptedModel([submit()]))
    with pytest.raises(UsageError):
        run_agent(parts, Task(text="t"), run_id="r", open_sandbox=failing, trajectory=tmp_path / "out" / "t.jsonl")
    assert not (tmp_path / "out").exists()


def test_a_cancel_reaches_the_run(git_repo: Path, tmp_path: Path) -> None:
    cancel = Cancel()
    cancel.cancel("instance timeout", status="time_limit")
    parts = prepare(load_config(), model=ScriptedModel([submit()]))
    with LocalSandbox(git_repo) as sandbox:
        result = run_agent(
            parts, Task(text="t"), run_id="r", sandbox=sandbox, trajectory=tmp_path / "t.jsonl", cancel=cancel
        )
    assert result.exit_status == "time_limit" and "instance timeout" in result.reason
    assert load(tmp_path / "t.jsonl").run_end.exit_status == "time_limit"


def test_usage_errors_come_from_prepare_before_any_sandbox() -> None:
    with pytest.raises(UsageError, match="unknown tool 'nope'"):
        prepare(load_config(), model=ScriptedModel([submit()]), tools=["bash", "nope"])
    with pytest.raises(ValueError, match="either open_sandbox"):
        run_agent(prepare(load_config(), model=ScriptedModel([])), Task(text="t"), run_id="r", trajectory="x")


def test_several_config_files_merge_one_way_everywhere(tmp_path: Path) -> None:
    from runners.swebench.agent_phase import load_run_config as runners_copy

    first = tmp_path / "first.yaml"
    first.write_text("agent:\n  step_limit: 7\n  cost_limit: 1.5\nmodel:\n  kwargs: {top_p: 0.5}\n")
    second = tmp_path / "second.yaml"
    second.write_text("agent:\n  step_limit: 9\nmodel:\n  kwargs: {seed: 3}\n  temperature: 0.2\n")
    merged = load_config([first, second], ["agent.cost_limit=2"])
    assert merged == load_run_config([str(first), str(second)], ["agent.cost_limit=2"])
    assert merged == runners_copy([str(first), str(second)], ["agent.cost_limit=2"])  # the runner's copy agrees
    assert (merged.agent.step_limit, merged.agent.cost_limit) == (9, 2.0)
    assert merged.model.kwargs == {"top_p": 0.5, "seed": 3} and merged.model.temperature == 0.2


@pytest.mark.parametrize(
    "override",
    [
        "agent.cost_limit=.nan",
        "agent.time_limit_s=.inf",
        "model.timeout_s=-1",
        "model.call_timeout_s=.nan",
        "model.max_tokens=0",
        "model.retry.max_identical=1",
        "model.kwargs={max_tokens: 5}",
    ],
)
def test_numbers_are_checked(override: str) -> None:
    with pytest.raises(ConfigError, match=override.split("=")[0].replace("model.kwargs", "kwargs")):
        load_config(None, [override])


def test_parts_for_a_model_per_run_make_no_shared_model(git_repo: Path, tmp_path: Path) -> None:
    """The runner's oracle: one model per instance, none shared (model.name may be unset)."""
    parts = prepare(load_config(), per_run_model=True)
    assert parts.model is None
    with LocalSandbox(git_repo) as sandbox:
        with pytest.raises(ValueError, match="pass model="):
            run_agent(parts, Task(text="t"), run_id="r", sandbox=sandbox, trajectory=tmp_path / "a.jsonl")
        result = run_agent(
            parts,
            Task(text="t"),
            run_id="r",
            sandbox=sandbox,
            trajectory=tmp_path / "b.jsonl",
            model=ScriptedModel([submit()]),
        )
    assert result.exit_status == "submitted"
