"""DockerSandbox faults on the real engine: each one from the issue's list, each in its own
container (they break or limit the container on purpose)."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable

import pytest

from sandbox import ContainerGoneError, DockerSandbox, SandboxClosedError, SandboxError
from sandbox.engine import connect
from sandbox.errors import SandboxGoneError

pytestmark = pytest.mark.docker


def _state(container_id: str) -> dict | None:
    from docker.errors import NotFound

    client = connect()
    try:
        return client.api.inspect_container(container_id)
    except NotFound:
        return None
    finally:
        client.close()


def test_container_is_locked_down_and_labelled(docker_ready: str, run_id: str) -> None:
    with DockerSandbox(docker_ready, run_id=run_id, labels={"team": "x"}) as sbx:
        info = _state(sbx.container_id)
        assert info is not None
        host = info["HostConfig"]
        assert host["NetworkMode"] == "none"
        assert host["Memory"] == 4 * 1024**3
        assert host["MemorySwap"] == 4 * 1024**3
        assert host["NanoCpus"] == 2_000_000_000
        assert host["PidsLimit"] == 512
        assert host["Init"] is True
        labels = info["Config"]["Labels"]
        assert labels["patchloop.managed"] == "1"
        assert labels["patchloop.run_id"] == run_id
        assert labels["team"] == "x"
        assert sbx.execute("pwd").output == "/testbed\n"


def test_fork_bomb_is_contained_and_the_sandbox_recovers(docker_ready: str, run_id: str) -> None:
    with DockerSandbox(docker_ready, run_id=run_id, pids=64, memory="512m") as sbx:
        sbx.execute("cd /tmp")
        bomb = sbx.execute(":(){ :|:& };:", timeout=5)
        assert not bomb.timed_out  # the classic bomb backgrounds itself and returns
        notes = [bomb.output]  # the limit may already show in the bomb's own result
        for _ in range(5):  # the probe notices the limit was hit and resets the shell
            result = sbx.execute("echo alive; cat /sys/fs/cgroup/pids/pids.max", timeout=10)
            notes.append(result.output)
            if any("process limit" in note for note in notes):
                break
        assert any("hit its process limit (pids=64)" in note for note in notes), notes
        clean = sbx.execute("pwd; cat /sys/fs/cgroup/pids/pids.current; ps -e | wc -l")
        lines = clean.output.split()
        assert lines[0] == "/tmp"  # restarted in the same folder
        assert int(lines[1]) < 20  # nothing of the bomb is left
        assert "fork" not in clean.output
        # A bomb in the foreground: timed out, every process killed, still usable.
        started = time.monotonic()
        foreground = sbx.execute("bash -c ':(){ :|:& };:; sleep 100'", timeout=2)
        assert foreground.timed_out
        assert time.monotonic() - started < 4
        assert sbx.execute("echo fine").output.startswith("fine")
        assert int(sbx.execute("cat /sys/fs/cgroup/pids/pids.current").output.split()[0]) < 20
    # the host never noticed
    assert subprocess.run(["true"], timeout=5).returncode == 0


def test_memory_hog_is_killed_and_reported(docker_ready: str, run_id: str) -> None:
    with DockerSandbox(docker_ready, run_id=run_id, memory="64m") as sbx:
        hog = 'python3 -c "x = []\nwhile True: x.append(bytearray(10**6))"'
        result = sbx.execute(hog, timeout=60)
        assert result.exit_code == 137
        assert result.oom_killed
        assert not result.timed_out
        assert "ran out of memory (limit 64m)" in result.output
        after = sbx.execute("echo ok")
        assert after.output == "ok\n" and not after.oom_killed
        killed_by_hand = sbx.execute("sleep 10 & kill -9 $!; wait $!")
        assert killed_by_hand.exit_code == 137 and not killed_by_hand.oom_killed


def test_a_child_killed_for_memory_is_reported_whatever_the_exit_code(docker_ready: str, run_id: str) -> None:
    """oom_killed comes from the cgroup's counter over the command, not from exit 137: a
    test runner whose worker was OOM-killed and that exits 0 (or 1) is still reported."""
    with DockerSandbox(docker_ready, run_id=run_id, memory="64m") as sbx:
        hog = 'python3 -c "x = []\nwhile True: x.append(bytearray(10**6))"'
        result = sbx.execute(f"{hog} || true; echo survived", timeout=60)
        assert (result.exit_code, result.oom_killed) == (0, True)
        assert "survived" in result.output and "ran out of memory (limit 64m)" in result.output
        # bash's own notice names the command that died (not the session's wrapper)
        assert "Killed" in result.output and "python3" in result.output
        assert not sbx.execute("echo calm").oom_killed


def test_container_killed_from_outside_mid_command(docker_ready: str, run_id: str) -> None:
    sbx = DockerSandbox(docker_ready, run_id=run_id)
    client = connect()
    killer = threading.Timer(1.0, client.api.kill, args=(sbx.container_id,))
    killer.start()
    started = time.monotonic()
    with pytest.raises(ContainerGoneError, match="stopped or was removed"):
        sbx.execute("sleep 100", timeout=60)
    assert time.monotonic() - started < 5
    killer.join()
    with pytest.raises(ContainerGoneError):
        sbx.execute("true")
    with pytest.raises(ContainerGoneError):
        sbx.read_file("/etc/hostname")
    sbx.close()
    sbx.close()
    client.close()
    assert _state(sbx.container_id) is None


def test_a_removal_already_in_progress_is_a_gone_container(docker_ready: str, run_id: str) -> None:
    """Docker's 409 "removal of container ... is already in progress" (another remover got
    there first: the runner's reaper, a cleanup) is a gone container, not a raw API error:
    close() waits for it and returns; a command gets ContainerGoneError. 60,000 files in
    the container's layer make the other removal last long enough to meet it."""
    from docker.errors import APIError

    sbx = DockerSandbox(docker_ready, run_id=run_id)
    assert sbx.execute("mkdir -p /var/pl && cd /var/pl && seq 60000 | xargs touch", timeout=120).exit_code == 0
    client = connect()
    other: list[BaseException] = []

    def remove() -> None:
        try:
            client.api.remove_container(sbx.container_id, force=True)
        except APIError as exc:
            other.append(exc)

    remover = threading.Thread(target=remove)
    remover.start()
    time.sleep(0.15)
    try:
        with pytest.raises(SandboxGoneError):
            sbx.write_file("/tmp/x", b"x")
        started = time.monotonic()
        sbx.close()  # was: APIError 409 Conflict raised from close()
        assert time.monotonic() - started < 10
    finally:
        remover.join(30)
        client.close()
    assert other == [] and _state(sbx.container_id) is None


def test_close_is_idempotent_and_the_container_is_gone(docker_ready: str, run_id: str) -> None:
    sbx = DockerSandbox(docker_ready, run_id=run_id)
    sbx.execute("sleep 1000 &")
    assert _state(sbx.container_id) is not None
    sbx.close()
    assert _state(sbx.container_id) is None  # gone when close returns, not "stopping"
    sbx.close()
    with pytest.raises(SandboxClosedError):
        sbx.execute("true")
    with pytest.raises(SandboxClosedError):
        sbx.write_file("x", b"")


def test_exec_mode(docker_ready: str, run_id: str) -> None:
    with DockerSandbox(docker_ready, run_id=run_id, mode="exec", init_script="export PL_INIT=ready") as sbx:
        result = sbx.execute("echo $PL_INIT; cd /tmp; pwd; echo err >&2; exit 4")
        assert result.output == "ready\n/tmp\nerr\n"
        assert result.exit_code == 4
        assert sbx.execute("pwd").output == "/testbed\n"  # nothing persists in exec mode
        assert sbx.execute("pwd; echo $A", cwd="/etc", env={"A": "b"}).output == "/etc\nb\n"
        long = "echo start\n" + "true\n" * 40_000 + "echo $PL_INIT end"  # beyond argv size
        assert sbx.execute(long).output == "start\nready end\n"
        assert "patchloop-cmd" not in sbx.execute("ls -a /tmp").output  # cleaned up
        started = time.monotonic()
        slow = sbx.execute("sleep 1000 | cat & sleep 1000; echo never", timeout=1)
        assert slow.timed_out and slow.exit_code == -1
        assert "never" not in slow.output
        assert time.monotonic() - started < 3
        sbx.execute("ps -eo args= > /tmp/ps.txt")
        assert "sleep 1000" not in sbx.read_file("/tmp/ps.txt").decode()
        flood = sbx.execute("yes", timeout=1)
        assert flood.timed_out and flood.truncated
        started = time.monotonic()
        assert sbx.execute("sleep 30 & echo bg").output == "bg\n"
        assert time.monotonic() - started < 2


def test_exec_mode_interrupted_command_is_killed(
    docker_ready: str, run_id: str, interrupt_after: Callable[[float], None]
) -> None:
    with DockerSandbox(docker_ready, run_id=run_id, mode="exec") as sbx:
        interrupt_after(0.5)
        with pytest.raises(KeyboardInterrupt):
            sbx.execute("sleep 1000")
        sbx.execute("ps -eo args= > /tmp/ps.txt")
        assert "sleep 1000" not in sbx.read_file("/tmp/ps.txt").decode()
        assert sbx.execute("echo next").output == "next\n"


def test_exec_mode_interrupted_at_any_point_leaves_nothing(
    docker_ready: str, run_id: str, interrupt_after: Callable[[float], None]
) -> None:
    """Ctrl-C while the exec is being started, before its pid is known, or while it runs:
    nothing of it keeps running. (13 of 30 such interrupts left the command running: the
    kill waited for a pid, and the engine may start the process after exec_start returns.)"""
    with DockerSandbox(docker_ready, run_id=run_id, mode="exec") as sbx:
        for i in range(12):
            interrupt_after(0.003 + 0.004 * i)
            try:
                sbx.execute(f"sleep 1000.{i}")
            except KeyboardInterrupt:
                pass
            interrupt_after(0)
            assert sbx.execute(f"pgrep -f 'bash sleep 1000.{i}$' || echo none").output == "none\n", i


def test_init_script_runs_once_per_session_and_after_restarts(docker_ready: str, run_id: str) -> None:
    init = "export PL_INIT=$((PL_COUNT + 1)); touch /tmp/init-ran-$$"
    with DockerSandbox(docker_ready, run_id=run_id, init_script=init) as sbx:
        assert sbx.execute("echo $PL_INIT; ls /tmp | grep -c init-ran").output == "1\n1\n"
        sbx.execute("exit 1")  # the session restarts and runs init again
        assert sbx.execute("echo $PL_INIT; ls /tmp | grep -c init-ran").output == "1\n2\n"


def test_failing_init_script_is_a_clear_error_and_leaks_nothing(docker_ready: str, run_id: str) -> None:
    from sandbox.cleanup import leftover_containers

    with pytest.raises(SandboxError, match="init_script failed with exit code 7"):
        DockerSandbox(docker_ready, run_id=run_id, init_script="echo broken; (exit 7)")
    with pytest.raises(SandboxError, match="shell exited with code 5.*\n.*gone"):
        DockerSandbox(docker_ready, run_id=run_id, init_script="echo gone; exit 5")
    assert leftover_containers(run_id) == []


def test_close_from_another_thread_ends_a_running_command(docker_ready: str, run_id: str) -> None:
    sbx = DockerSandbox(docker_ready, run_id=run_id)
    closer = threading.Timer(0.5, sbx.close)
    closer.start()
    started = time.monotonic()
    with pytest.raises(SandboxClosedError, match="closed while it was in use"):
        sbx.execute("sleep 100", timeout=60)
    assert time.monotonic() - started < 3
    closer.join()
    assert _state(sbx.container_id) is None


def test_network_can_be_enabled_and_limits_lifted(docker_ready: str, run_id: str) -> None:
    with DockerSandbox(docker_ready, run_id=run_id, network=True, memory=None, pids=None) as sbx:
        host = (_state(sbx.container_id) or {})["HostConfig"]
        assert host["NetworkMode"] != "none"
        assert host["Memory"] == 0
        assert not host["PidsLimit"]
        assert "eth0" in sbx.execute("ls /sys/class/net").output


def test_impossible_limits_are_a_clear_error(docker_ready: str, run_id: str) -> None:
    with pytest.raises(SandboxError, match="refused to create a container.*cpus=64"):
        DockerSandbox(docker_ready, run_id=run_id, cpus=64)


def test_bad_limits_are_a_typed_error(docker_ready: str, run_id: str) -> None:
    with pytest.raises(SandboxError, match=r"invalid container limits \(memory='lots'"):
        DockerSandbox(docker_ready, run_id=run_id, memory="lots")  # was docker-py's own error


def test_bad_env_is_refused_before_any_container_and_secrets_are_warned_about(
    docker_ready: str, run_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    from sandbox.cleanup import leftover_containers

    with pytest.raises(ValueError, match="invalid environment variable name '1A'"):
        DockerSandbox(docker_ready, run_id=run_id, env={"1A": "x"})  # docker took it
    with pytest.raises(TypeError, match="environment variable A must be a str"):
        DockerSandbox(docker_ready, run_id=run_id, env={"A": None})  # type: ignore[dict-item]
    assert leftover_containers(run_id) == []
    with (
        caplog.at_level("WARNING", logger="sandbox"),
        DockerSandbox(docker_ready, run_id=run_id, env={"ANTHROPIC_API_KEY": "k"}) as sbx,
    ):
        assert sbx.execute("echo $ANTHROPIC_API_KEY").output == "k\n"
        with pytest.raises(TypeError, match="must be a str"):
            sbx.execute("echo $B", env={"B": None})  # type: ignore[dict-item]
        assert sbx.execute("echo still").output == "still\n"
    assert "ANTHROPIC_API_KEY" in caplog.text
