"""Lifecycle the runner relies on: cleanup by run id, a gone sandbox is a SandboxGoneError
(within a bound, mid-command or between commands), close is idempotent and final."""

from __future__ import annotations

import threading
import time

import pytest
from helpers.contract import Contract
from helpers.procs import unique_sleep, wait_present

from sandbox.errors import SandboxClosedError, SandboxGoneError

GONE_BOUND_S = 5.0


def test_cleanup_by_run_id_leaves_nothing_running(contract: Contract) -> None:
    sandbox = contract.open()
    needle = unique_sleep()
    sandbox.execute(f"setsid sleep {needle} >/dev/null 2>&1 &")
    assert wait_present(lambda: contract.processes(sandbox, needle))
    removed = contract.cleanup()
    assert removed  # it says what it removed
    deadline = time.monotonic() + 3
    while contract.processes(sandbox, needle) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert contract.processes(sandbox, needle) == []


def test_close_is_idempotent_and_final(contract: Contract) -> None:
    sandbox = contract.open()
    needle = unique_sleep()
    sandbox.execute(f"setsid sleep {needle} &")
    sandbox.close()
    sandbox.close()
    assert contract.processes(sandbox, needle) == []
    with pytest.raises(SandboxClosedError):
        sandbox.execute("true")
    with pytest.raises(SandboxGoneError):
        sandbox.write_file("x", b"")


def test_close_from_another_thread_ends_a_running_command(contract: Contract) -> None:
    """The runner's instance timeout closes a sandbox while a command runs: the command
    ends at once (it used to run to its end on the local backend), and nothing is left."""
    sandbox = contract.open()
    needle = unique_sleep()
    closer = threading.Timer(0.5, sandbox.close)
    closer.start()
    started = time.monotonic()
    with pytest.raises(SandboxClosedError):
        sandbox.execute(f"sleep {needle}; echo never", timeout=60)
    closer.join()
    assert time.monotonic() - started < 3
    assert contract.processes(sandbox, needle) == []


def test_gone_between_commands(contract: Contract) -> None:
    sandbox = contract.open()
    sandbox.execute("echo up")
    contract.kill_from_outside(sandbox)
    started = time.monotonic()
    with pytest.raises(SandboxGoneError):
        sandbox.execute("echo still")
    assert time.monotonic() - started < GONE_BOUND_S


def test_gone_mid_command(contract: Contract) -> None:
    sandbox = contract.open()
    sandbox.execute("echo up")
    killer = threading.Timer(0.5, contract.kill_from_outside, args=(sandbox,))
    killer.start()
    started = time.monotonic()
    try:
        # a local root removed mid-command is seen when the command ends; a lost container at once
        result_or_error: object = sandbox.execute("sleep 2; echo done", timeout=60)
    except SandboxGoneError as exc:
        result_or_error = exc
    finally:
        killer.join()
    if not isinstance(result_or_error, SandboxGoneError):
        with pytest.raises(SandboxGoneError):
            sandbox.execute("true")
    assert time.monotonic() - started < GONE_BOUND_S
