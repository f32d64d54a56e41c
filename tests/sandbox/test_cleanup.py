"""Containers are removed at interpreter exit, on SIGTERM/SIGINT, and by the cleanup CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sandbox import DockerSandbox
from sandbox.cleanup import leftover_containers

REPO = Path(__file__).resolve().parents[2]


def _python(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_importing_the_package_installs_nothing() -> None:
    child = _python("""
        import signal, sys
        import sandbox, sandbox.docker, sandbox.local, sandbox.reaper
        print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL,
              signal.getsignal(signal.SIGINT) is signal.default_int_handler,
              "docker" in sys.modules)
    """)
    out, err = child.communicate(timeout=60)
    assert out.split() == ["True", "True", "False"], err


@pytest.mark.docker
def test_cleanup_cli_removes_only_its_run(docker_ready: str, run_id: str) -> None:
    mine = [DockerSandbox(docker_ready, run_id=run_id) for _ in range(2)]
    other = DockerSandbox(docker_ready, run_id=run_id + "-other")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sandbox", "cleanup", "--run-id", run_id],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"removed 2 patchloop container(s) of run {run_id}"
        assert leftover_containers(run_id) == []
        assert leftover_containers(run_id + "-other") == [other.container_id]
    finally:
        for sandbox in [*mine, other]:
            sandbox.close()  # already removed: close stays quiet


@pytest.mark.docker
def test_containers_are_removed_at_interpreter_exit(docker_ready: str, run_id: str) -> None:
    child = _python(f"""
        from sandbox import DockerSandbox
        sbx = DockerSandbox({docker_ready!r}, run_id={run_id!r})
        print(sbx.execute("echo up").output, end="", flush=True)
    """)  # exits without close()
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out == "up\n"
    assert leftover_containers(run_id) == []


@pytest.mark.docker
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_containers_are_removed_on_signals_and_handlers_chain(
    docker_ready: str, run_id: str, tmp_path: Path, signum: signal.Signals
) -> None:
    flag = tmp_path / "previous-handler-ran"
    child = _python(f"""
        import signal, sys, time
        def previous(signum, frame):
            open({str(flag)!r}, "w").write(str(signum))
            sys.exit(3)
        signal.signal({int(signum)}, previous)
        from sandbox import DockerSandbox
        sbx = DockerSandbox({docker_ready!r}, run_id={run_id!r})
        print("ready", flush=True)
        time.sleep(60)
    """)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    assert len(leftover_containers(run_id)) == 1
    os.kill(child.pid, signum)
    child.wait(timeout=30)
    assert child.returncode == 3  # the previous handler ran after ours
    assert flag.read_text() == str(int(signum))
    assert leftover_containers(run_id) == []


@pytest.mark.docker
def test_default_sigterm_still_terminates(docker_ready: str, run_id: str) -> None:
    child = _python(f"""
        import time
        from sandbox import DockerSandbox
        sbx = DockerSandbox({docker_ready!r}, run_id={run_id!r})
        print("ready", flush=True)
        time.sleep(60)
    """)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    child.terminate()
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGTERM
    assert leftover_containers(run_id) == []
