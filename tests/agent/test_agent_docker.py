"""The loop and `python -m agent run` in Docker (the real engine, the test base image)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.agent import FIX_COMMAND, bash, git, interrupt_cli, make_agent, submit, write_replies

from agent.models.scripted import ScriptedModel
from agent.runner import RunOptions, run_single
from agent.task import Task
from trajectories.reader import load
from trajectories.recorder import MemoryRecorder

pytestmark = pytest.mark.docker
REPO_ROOT = Path(__file__).resolve().parents[2]


def containers_with(run_id: str) -> list:
    import docker

    client = docker.from_env()
    try:
        return client.containers.list(all=True, filters={"label": f"patchloop.run_id={run_id}"})
    finally:
        client.close()


def test_run_single_in_docker_fixes_the_bug(base_image: str, git_repo: Path, tmp_path: Path, run_id: str) -> None:
    replies = write_replies(
        tmp_path / "r.jsonl",
        [
            bash("c1", "pwd && git log --oneline | wc -l && cat calc.py"),
            bash("c2", f"{FIX_COMMAND} && python3 -m pytest -q test_calc.py"),
            submit(),
        ],
    )
    outcome = run_single(
        RunOptions(
            repo=git_repo,
            task="add() subtracts",
            model=f"scripted:{replies}",
            sandbox="docker",
            image=base_image,
            output=tmp_path / "out",
            run_id=run_id,
        )
    )
    result = outcome.result
    assert result.exit_status == "submitted", result.reason
    assert "+    return a + b" in result.submission
    events = load(outcome.trajectory_path).events
    outputs = [e.content for e in events if e.type == "tool_result"]
    assert outputs[0].startswith("/testbed\n1\n")  # the history came along
    assert "1 passed" in outputs[1]
    start = events[0]
    assert start.sandbox.kind == "docker" and start.sandbox.image == base_image
    assert outcome.patch_path.read_text() == result.submission
    assert containers_with(run_id) == []  # removed at the end


def test_killed_container_ends_sandbox_error(base_image: str, git_repo: Path, run_id: str) -> None:
    from sandbox.docker import DockerSandbox

    sandbox = DockerSandbox(base_image, run_id=run_id)
    try:

        def kill(event) -> None:
            if event.type == "tool_call" and event.step == 2:
                containers_with(run_id)[0].kill()

        model = ScriptedModel([bash("c1", "git init -q . && echo hi"), bash("c2", "ls"), submit()])
        recorder = MemoryRecorder()
        result = make_agent(model, sandbox, recorder, [kill]).run(Task(text="x"))
    finally:
        sandbox.close()
    assert result.exit_status == "sandbox_error"
    assert "ContainerGoneError" in result.reason
    assert result.submission == ""
    errors = [e for e in recorder.events if e.type == "error" and e.where == "sandbox"]
    assert errors and errors[0].error_type == "sandbox.errors.ContainerGoneError"
    assert recorder.events[-1].type == "run_end"


def test_secrets_stay_out_of_the_container(
    base_image: str, git_repo: Path, tmp_path: Path, run_id: str, monkeypatch
) -> None:
    secret = "sk-docker-SECRET-0123456789abcdefgh"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", "env | sort"), submit()])
    outcome = run_single(
        RunOptions(
            repo=git_repo,
            task="t",
            model=f"scripted:{replies}",
            sandbox="docker",
            image=base_image,
            output=tmp_path / "out",
            run_id=run_id,
        )
    )
    text = outcome.trajectory_path.read_text()
    assert "PATH=" in text and "OPENAI_API_KEY" not in text and secret not in text


@pytest.mark.slow
def test_cli_fixes_a_seeded_bug_in_docker(base_image: str, git_repo: Path, tmp_path: Path, run_id: str) -> None:
    replies = write_replies(
        tmp_path / "fix.jsonl",
        [
            bash("c1", "python3 -m pytest -q test_calc.py; cat calc.py"),
            bash("c2", f"{FIX_COMMAND} && python3 -m pytest -q test_calc.py"),
            submit(),
        ],
    )
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "PATCHLOOP_MODEL"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "add() must add",
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
            "-c",
            "agent.step_limit=10",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "exit status: submitted" in proc.stdout
    assert "+    return a + b" in proc.stdout
    assert f"trajectory: {out / (run_id + '.jsonl')}" in proc.stdout
    trajectory = load(out / f"{run_id}.jsonl")
    assert trajectory.run_end.exit_status == "submitted"
    assert trajectory.run_start.config["agent"]["step_limit"] == 10
    # The patch fixes the host repository too.
    git(git_repo, "apply", str(out / f"{run_id}.patch"))
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    check = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_calc.py"],
        cwd=git_repo,
        capture_output=True,
        text=True,
        env=clean_env,
    )
    assert check.returncode == 0, check.stdout
    assert containers_with(run_id) == []


@pytest.mark.slow
def test_ctrl_c_in_docker_keeps_the_container_until_the_diff_is_taken(
    base_image: str, git_repo: Path, tmp_path: Path, run_id: str
) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", "echo '# edited' >> calc.py; sleep 8"), submit()])

    def edited(lines: list[str]) -> bool:
        (container,) = containers_with(run_id)
        return container.exec_run(["grep", "-q", "edited", "/testbed/calc.py"]).exit_code == 0

    code, out = interrupt_cli(
        [
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            f"scripted:{replies}",
            "--sandbox",
            "docker",
            "--image",
            base_image,
            "--output",
            str(tmp_path / "out"),
            "--run-id",
            run_id,
        ],
        edited,
    )
    assert code == 130 and "exit status: interrupted" in out
    assert "+# edited" in out  # the diff was taken from the container before it was removed
    assert load(tmp_path / "out" / f"{run_id}.jsonl").run_end.exit_status == "interrupted"
    assert containers_with(run_id) == []


def test_a_missing_image_is_one_line_exit_2_and_writes_nothing(
    base_image: str, git_repo: Path, tmp_path: Path, run_id: str
) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [submit()])
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            f"scripted:{replies}",
            "--sandbox",
            "docker",
            "--image",
            "patchloop-no-such-image:never",
            "--output",
            str(out),
            "--run-id",
            run_id,
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "patchloop-no-such-image:never" in lines[0], proc.stderr
    assert not out.exists() and containers_with(run_id) == []
