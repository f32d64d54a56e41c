"""SIGTERM and SIGHUP end `python -m agent run` like Ctrl-C: real signals to a real process.
The run ends ``interrupted`` with ``run_end`` and the patch; the scratch copy (local) or
the container (Docker) is removed; a model call in flight is cut and its connection closed."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from helpers.agent import bash, signal_cli, submit, write_replies
from helpers.http_faults import FaultServer

from trajectories.reader import load

SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGHUP, id="SIGHUP")]


def scratch_of(lines: list[str]) -> Path | None:
    found = [line.split(": ", 1)[1].strip() for line in lines if line.startswith("working in a scratch copy")]
    return Path(found[0]) if found else None


def edited(lines: list[str]) -> bool:
    scratch = scratch_of(lines)
    return scratch is not None and "edited" in (scratch / "calc.py").read_text()


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_during_a_command_ends_the_local_run_like_ctrl_c(git_repo: Path, tmp_path: Path, signum: int) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", "echo '# edited' >> calc.py; sleep 60"), submit()])
    out = tmp_path / "out"
    args = ["--repo", str(git_repo), "--task", "t", "--model", f"scripted:{replies}", "--sandbox", "local"]
    done = signal_cli([*args, "--output", str(out), "--run-id", "sig"], edited, signum=signum)
    name = signal.Signals(signum).name
    print(f"\nstop time, {name} during a command (local): {done.stop_s:.2f} s")
    assert done.code == 128 + signum, done.stderr
    assert "exit status: interrupted" in done.stdout and "+# edited" in done.stdout
    trajectory = load(out / "sig.jsonl")
    assert trajectory.run_end is not None and trajectory.run_end.exit_status == "interrupted"
    assert f"interrupted ({name})" in trajectory.run_end.reason and "+# edited" in trajectory.run_end.submission
    scratch = scratch_of(done.stderr)
    assert scratch is not None and not scratch.exists() and not scratch.parent.exists()  # the scratch copy is gone
    assert done.stop_s < 10


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_during_a_model_call_cuts_it_and_closes_the_connection(
    git_repo: Path, tmp_path: Path, signum: int
) -> None:
    server = FaultServer("hang")
    try:
        out = tmp_path / "out"
        args = ["--repo", str(git_repo), "--task", "t", "--model", "openai/served", "--sandbox", "local"]
        overrides = ["-c", f"model.api_base={server.api_base}", "-c", "model.timeout_s=300"]
        ready = lambda _lines: bool(server.requests)  # noqa: E731
        done = signal_cli([*args, *overrides, "--output", str(out), "--run-id", "m"], ready, signum=signum)
        name = signal.Signals(signum).name
        print(f"\nstop time, {name} during a hanging model call: {done.stop_s:.2f} s")
        assert done.code == 128 + signum, done.stderr
        closed = server.closed_after(server.requests[0])
        assert closed is not None  # the server saw the connection closed
        end = load(out / "m.jsonl").run_end
        assert end is not None and end.exit_status == "interrupted" and f"({name})" in end.reason
        assert done.stop_s < 10
    finally:
        server.close()


def containers_with(run_id: str) -> list:
    import docker

    client = docker.from_env()
    try:
        return client.containers.list(all=True, filters={"label": f"patchloop.run_id={run_id}"})
    finally:
        client.close()


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_ends_a_docker_run_and_removes_its_container(
    base_image: str, git_repo: Path, tmp_path: Path, run_id: str, signum: int
) -> None:
    # the Docker session finishes an interrupted command before the diff (a known sandbox limit): a short one
    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", "echo '# edited' >> calc.py; sleep 8"), submit()])
    out = tmp_path / "out"
    args = ["--repo", str(git_repo), "--task", "t", "--model", f"scripted:{replies}", "--sandbox", "docker"]
    args += ["--image", base_image, "--output", str(out), "--run-id", run_id]

    def running(lines: list[str]) -> bool:
        return any(line.startswith("step 1: bash") for line in lines) and bool(containers_with(run_id))

    done = signal_cli(args, running, signum=signum)
    print(f"\nstop time, {signal.Signals(signum).name} during a command (docker): {done.stop_s:.2f} s")
    assert done.code == 128 + signum, done.stderr
    end = load(out / f"{run_id}.jsonl").run_end
    assert end is not None and end.exit_status == "interrupted" and "+# edited" in end.submission
    assert containers_with(run_id) == []
