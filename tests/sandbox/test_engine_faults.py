"""Faults of the engine itself end as typed errors within a bound, never as hangs (issue 10
item 8): a real second dockerd that these tests start, kill, restart and wedge."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from helpers.dockerd import EngineUnavailable, SecondEngine

from sandbox import DockerSandbox
from sandbox.errors import SandboxGoneError

pytestmark = pytest.mark.docker
BOUND_S = 10.0  # every fault below must surface within this


@pytest.fixture(scope="module")
def engine(docker_ready: str) -> Iterator[SecondEngine]:
    try:
        started = SecondEngine.start([docker_ready])
    except EngineUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the second dockerd must start in CI: {exc}")
        pytest.skip(f"no second dockerd here: {exc}")
    yield started
    started.stop()


@pytest.fixture
def live(engine: SecondEngine) -> SecondEngine:
    """The engine, running (a test before may have killed it)."""
    if engine.process is None or engine.process.poll() is not None:
        engine.launch()
    return engine


def _sandbox(engine: SecondEngine, image: str, run_id: str) -> DockerSandbox:
    return DockerSandbox(image, run_id=run_id, memory="256m", client=engine.client())


def test_the_engine_dies_mid_command(live: SecondEngine, docker_ready: str, run_id: str) -> None:
    sbx = _sandbox(live, docker_ready, run_id)
    assert sbx.execute("echo up").output == "up\n"
    killer = threading.Timer(1.0, live.kill)
    killer.start()
    started = time.monotonic()
    with pytest.raises(SandboxGoneError):
        sbx.execute("sleep 100", timeout=60)
    killer.join()
    assert time.monotonic() - started < 1.0 + BOUND_S
    started = time.monotonic()
    with pytest.raises(SandboxGoneError):
        sbx.read_file("/etc/hostname")
    sbx.close()  # quiet, bounded: the engine cannot be asked
    assert time.monotonic() - started < BOUND_S


def test_the_engine_dies_between_commands(live: SecondEngine, docker_ready: str, run_id: str) -> None:
    sbx = _sandbox(live, docker_ready, run_id)
    sbx.execute("cd /tmp")
    live.kill()
    started = time.monotonic()
    with pytest.raises(SandboxGoneError):
        sbx.execute("pwd", timeout=60)
    with pytest.raises(SandboxGoneError):
        sbx.execute("pwd", timeout=60)  # and it stays gone
    sbx.close()
    assert time.monotonic() - started < BOUND_S


def test_the_engine_restarts_between_commands(live: SecondEngine, docker_ready: str, run_id: str) -> None:
    """A restarted engine stops its containers: the sandbox is gone, not silently new."""
    sbx = _sandbox(live, docker_ready, run_id)
    sbx.execute("echo before > /tmp/state")
    live.kill()
    live.launch()
    started = time.monotonic()
    with pytest.raises(SandboxGoneError):
        sbx.execute("cat /tmp/state", timeout=60)
    sbx.close()
    assert time.monotonic() - started < BOUND_S


def test_a_wedged_engine_is_a_gone_error_within_the_client_timeout(
    live: SecondEngine, docker_ready: str, run_id: str
) -> None:
    """An engine that stops answering (SIGSTOP: the socket accepts, nothing replies) ends
    each call at the client's timeout as DockerUnavailableError (it was a raw ReadTimeout)."""
    from sandbox.errors import DockerUnavailableError

    sbx = DockerSandbox(docker_ready, run_id=run_id, memory="256m", client=live.client(timeout=3))
    assert sbx.execute("echo up").output == "up\n"
    assert live.process is not None
    os.kill(live.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(DockerUnavailableError):
            sbx.read_file("/etc/hostname")
        assert time.monotonic() - started < 3 + BOUND_S
    finally:
        os.kill(live.process.pid, signal.SIGCONT)
    sbx.close()
