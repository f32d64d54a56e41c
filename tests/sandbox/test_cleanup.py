"""Containers are removed at interpreter exit, on a default-disposition SIGTERM, after a
Ctrl-C has unwound, and by the cleanup CLI."""

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
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
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


def test_cli_help_is_quick_and_plain() -> None:
    """--help imports neither pydantic nor docker (it took 0.4 s; now about 0.06 s) and its
    text carries no reStructuredText markup."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sandbox", "cleanup", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert not {"pydantic", "docker"} & imported
    assert "--run-id" in done.stdout and "``" not in done.stdout
    assert "runs still going" in " ".join(done.stdout.split())  # says what a cleanup without --run-id removes


def test_lazy_exports_resolve() -> None:
    import sandbox
    from sandbox.local import LocalSandbox

    assert sandbox.LocalSandbox is LocalSandbox
    assert set(sandbox.__all__) <= set(dir(sandbox))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        sandbox.Nope  # noqa: B018


@pytest.mark.docker
def test_cleanup_cli_removes_only_its_run(docker_ready: str, run_id: str) -> None:
    mine = [DockerSandbox(docker_ready, run_id=run_id) for _ in range(2)]
    other = DockerSandbox(docker_ready, run_id=run_id + "-other")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sandbox", "cleanup", "--run-id", run_id],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"removed 2 patchloop containers of run {run_id}"
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
def test_ctrl_c_unwinds_with_the_container_alive_and_exit_removes_it(docker_ready: str, run_id: str) -> None:
    """SIGINT is not intercepted: KeyboardInterrupt reaches the program while its container
    still runs (so it can take a diff), and the atexit hook removes it afterwards."""
    child = _python(f"""
        import signal, time
        from sandbox import DockerSandbox
        sbx = DockerSandbox({docker_ready!r}, run_id={run_id!r})
        print(signal.getsignal(signal.SIGINT) is signal.default_int_handler, flush=True)
        try:
            time.sleep(60)
        except KeyboardInterrupt:
            print(sbx.execute("echo still-here").output, end="", flush=True)
            raise
    """)  # no close(): exit must remove it
    assert child.stdout is not None
    assert child.stdout.readline() == "True\n"  # the handler is Python's own
    assert len(leftover_containers(run_id)) == 1
    os.kill(child.pid, signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert out == "still-here\n", err
    assert "KeyboardInterrupt" in err
    assert child.returncode == -signal.SIGINT  # Python re-raises an unhandled Ctrl-C
    assert leftover_containers(run_id) == []


@pytest.mark.docker
def test_ctrl_c_inside_a_with_block_closes_the_sandbox(docker_ready: str, run_id: str) -> None:
    child = _python(f"""
        import time
        from sandbox import DockerSandbox
        from sandbox.reaper import reaper
        try:
            with DockerSandbox({docker_ready!r}, run_id={run_id!r}):
                print("ready", flush=True)
                time.sleep(60)
        except KeyboardInterrupt:
            print("live after unwind:", len(reaper().live()), flush=True)
    """)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    os.kill(child.pid, signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert out == "live after unwind: 0\n", err  # closed by __exit__, not by the exit hook
    assert child.returncode == 0
    assert leftover_containers(run_id) == []


@pytest.mark.docker
def test_a_sigterm_handler_of_the_program_decides_and_exit_reaps(
    docker_ready: str, run_id: str, tmp_path: Path
) -> None:
    """A program's own SIGTERM handler is left in place (a graceful stop keeps its
    containers); when it exits, atexit removes them."""
    flag = tmp_path / "handler-ran"
    child = _python(f"""
        import signal, sys, time
        stop = []
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
        from sandbox import DockerSandbox
        sbx = DockerSandbox({docker_ready!r}, run_id={run_id!r})
        print("ready", flush=True)
        while not stop:
            time.sleep(0.05)
        open({str(flag)!r}, "w").write(sbx.execute("echo alive").output)
        sys.exit(3)
    """)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    assert len(leftover_containers(run_id)) == 1
    os.kill(child.pid, signal.SIGTERM)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 3, err
    assert flag.read_text() == "alive\n"  # the container outlived the signal
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


def test_cleanup_cli_refuses_an_empty_run_id() -> None:
    """`--run-id "$RUN_ID"` with an unset variable is a usage error: it used to filter on an
    empty label, find nothing and print "removed 0 patchloop containers", as a cleanup of
    every run would."""
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "cleanup", "--run-id", " "],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--run-id is empty" in done.stderr
    assert "Traceback" not in done.stderr
