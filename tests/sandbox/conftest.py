"""Fixtures for the sandbox tests: one shared container per module where sharing cannot
weaken a test, and a cleanup of everything a module's run id labelled."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Callable, Iterator

import pytest

from sandbox import DockerSandbox, SandboxError
from sandbox.cleanup import cleanup


@pytest.fixture(scope="module")
def module_run_id() -> Iterator[str]:
    run_id = f"test-sbx-{uuid.uuid4().hex[:10]}"
    yield run_id
    try:
        cleanup(run_id)
    except SandboxError:  # no engine answers: nothing of ours can be left
        pass


@pytest.fixture(scope="module")
def shared_sandbox(docker_ready: str, module_run_id: str) -> Iterator[DockerSandbox]:
    """A session-mode sandbox shared by the tests of one module (small limits)."""
    sandbox = DockerSandbox(docker_ready, run_id=module_run_id, memory="512m", pids=256)
    yield sandbox
    sandbox.close()


@pytest.fixture
def sbx(shared_sandbox: DockerSandbox) -> DockerSandbox:
    """The shared sandbox, returned to its working folder (tests may cd around)."""
    shared_sandbox.execute(f"cd {shared_sandbox.workdir}")
    return shared_sandbox


@pytest.fixture
def interrupt_after() -> Iterator[Callable[[float], None]]:
    """``interrupt_after(s)``: a KeyboardInterrupt is raised in the main thread s seconds
    later, as Ctrl-C raises it (through SIGALRM, so the terminal is not involved)."""

    def ctrl_c(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, ctrl_c)
    try:
        yield lambda seconds: signal.setitimer(signal.ITIMER_REAL, seconds)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
