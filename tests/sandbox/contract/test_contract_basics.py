"""The contract every backend keeps: state, timeouts that kill, output caps, binary files,
no network, per-command cwd/env."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from helpers.contract import Contract
from helpers.procs import unique_sleep


def _wait_gone(contract: Contract, sandbox: object, needle: str, timeout: float = 3.0) -> list[int | str]:
    deadline = time.monotonic() + timeout
    while (left := contract.processes(sandbox, needle)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_state_persists_and_per_command_options_do_not(contract: Contract) -> None:
    sandbox = contract.open()
    sandbox.execute("mkdir -p /tmp/pl-state/x && cd /tmp/pl-state/x && export PL_A='a b' && pl_f() { echo fn; }")
    result = sandbox.execute('pwd; echo "$PL_A"; pl_f')
    if contract.persistent:
        assert result.output == "/tmp/pl-state/x\na b\nfn\n"
    else:
        assert result.output.startswith(f"{sandbox.workdir}\n\n")  # nothing carries over
    once = sandbox.execute('pwd; echo "[$PL_ONE]"', cwd="/tmp", env={"PL_ONE": "1"})
    assert once.output == "/tmp\n[1]\n"
    assert "[]" in sandbox.execute('echo "[$PL_ONE]"').output


@pytest.mark.parametrize(
    "detach",
    [
        "setsid bash -c 'while :; do :; done; : {needle}' &",  # the busy loop that kept 73% CPU
        "( ( exec sleep {needle} ) & ) &",  # a double fork
        "setsid nohup sleep {needle} >/dev/null 2>&1 </dev/null &",  # a daemon's way
        "sleep {needle} | cat &",  # plain background pipeline
    ],
    ids=["setsid-busy-loop", "double-fork", "setsid-nohup", "background"],
)
def test_a_timeout_kills_everything_the_command_started(contract: Contract, detach: str) -> None:
    sandbox = contract.open()
    needle = unique_sleep()
    started = time.monotonic()
    result = sandbox.execute(detach.format(needle=needle) + "\nsleep 1000; echo never", timeout=1)
    assert result.timed_out and result.exit_code == -1
    assert "never" not in result.output.replace("timed out", "")
    assert time.monotonic() - started < 4
    assert _wait_gone(contract, sandbox, needle) == []
    after = sandbox.execute("echo fine")
    assert (after.output, after.exit_code) == ("fine\n", 0)


def test_a_builtin_loop_times_out_and_state_survives(contract: Contract) -> None:
    sandbox = contract.open()
    sandbox.execute("cd /tmp && export PL_KEEP=kept")
    started = time.monotonic()
    result = sandbox.execute("while :; do :; done", timeout=1)
    assert result.timed_out and time.monotonic() - started < 4
    expected = "/tmp\nkept\n" if contract.persistent else f"{sandbox.workdir}\n\n"
    assert sandbox.execute('pwd; echo "$PL_KEEP"').output == expected


def test_output_is_capped_head_and_tail(contract: Contract) -> None:
    sandbox = contract.open()
    flood = sandbox.execute("echo FIRST; head -c 3000000 /dev/zero | tr '\\0' a; echo; echo LAST", timeout=60)
    assert flood.exit_code == 0 and flood.truncated and not flood.timed_out
    assert flood.output.startswith("FIRST\naaa") and flood.output.endswith("aaa\nLAST\n")
    assert len(flood.output) < 100_000 + 500
    endless = sandbox.execute("yes", timeout=2)
    assert endless.timed_out and endless.truncated and endless.output.startswith("y\ny\n")


def test_binary_files_and_modes(contract: Contract) -> None:
    sandbox = contract.open()
    data = bytes(range(256)) * 64
    sandbox.write_file("blob/deep/data.bin", data)
    assert sandbox.read_file("blob/deep/data.bin") == data
    assert sandbox.file_mode("blob/deep/data.bin") == 0o644
    size = sandbox.execute("wc -c < blob/deep/data.bin")
    assert size.output.strip() == str(len(data))
    sandbox.write_file("run.sh", b"#!/bin/sh\necho ran\n", mode=0o755)
    sandbox.write_file("run.sh", b"#!/bin/sh\necho again\n")  # mode None keeps 0o755
    assert sandbox.file_mode("run.sh") == 0o755
    assert sandbox.execute("./run.sh").output == "again\n"
    printed = sandbox.execute("head -c 2000 /dev/urandom; printf '\\xff\\xfe\\x00end'")
    assert printed.exit_code == 0 and printed.output.endswith("\ufffd\ufffd\x00end")


@pytest.fixture
def host_server() -> Iterator[int]:
    """A TCP server on the host's 127.0.0.1 that answers "hello" (the sandbox must not reach it)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"hello\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


def test_no_network(contract: Contract, host_server: int) -> None:
    if not contract.isolated:
        pytest.skip(f"{contract.name} shares the host's network by design")
    sandbox = contract.open()
    reach = sandbox.execute(
        f"exec 3<>/dev/tcp/127.0.0.1/{host_server} && head -n 1 <&3 || echo UNREACHABLE", timeout=10
    )
    assert "hello" not in reach.output and "UNREACHABLE" in reach.output
    interfaces = sandbox.execute("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")
    assert interfaces.output.split() == ["lo"]


def test_the_host_server_is_reachable_from_the_host(host_server: int) -> None:
    """The server above answers: the network test's refusal is the sandbox's doing."""
    with socket.create_connection(("127.0.0.1", host_server), timeout=2) as conn:
        assert conn.recv(16) == b"hello\n"
