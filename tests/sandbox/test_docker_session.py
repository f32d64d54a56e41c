"""DockerSandbox in session mode on the real engine: one container shared by this module.

Every test here leaves the shared sandbox usable (that is part of what they check).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from sandbox import DockerSandbox, Sandbox
from sandbox.errors import SandboxError, SandboxFileNotFoundError

pytestmark = pytest.mark.docker


def _processes(sbx: DockerSandbox) -> list[str]:
    """Command lines of the container's processes, read from a file so that a job-status
    notice of the shell ("bash: line 3: 27 Killed  sleep 1000") cannot be mistaken for one."""
    sbx.execute("ps -eo args= > /tmp/ps.txt")
    return sbx.read_file("/tmp/ps.txt").decode().splitlines()


def _running(sbx: DockerSandbox, needle: str) -> list[str]:
    return [line for line in _processes(sbx) if needle in line and "ps -eo" not in line]


def test_is_a_sandbox_and_runs_commands(sbx: DockerSandbox) -> None:
    assert isinstance(sbx, Sandbox)
    result = sbx.execute("echo out; echo err >&2; false")
    assert result.output == "out\nerr\n"
    assert result.exit_code == 1
    assert not result.timed_out and not result.truncated and not result.oom_killed


def test_cd_and_export_persist(sbx: DockerSandbox) -> None:
    sbx.execute("mkdir -p /tmp/persist/x && cd /tmp/persist/x && export PL_FOO='a b'")
    result = sbx.execute('pwd; echo "$PL_FOO"')
    assert result.output == "/tmp/persist/x\na b\n"
    assert sbx.cwd == "/tmp/persist/x"


def test_per_command_cwd_and_env_apply_to_that_command_only(sbx: DockerSandbox) -> None:
    result = sbx.execute("pwd; echo $PL_ONE", cwd="/tmp", env={"PL_ONE": "1"})
    assert result.output == "/tmp\n1\n"
    assert sbx.execute('pwd; echo "[$PL_ONE]"').output == f"{sbx.workdir}\n[]\n"


def test_syntax_errors_and_quotes_are_just_commands(sbx: DockerSandbox) -> None:
    result = sbx.execute("echo 'unterminated")
    assert result.exit_code != 0
    assert sbx.execute("printf '%s\\n' \"it's\" '$HOME' `echo x`").output == "it's\n$HOME\nx\n"
    heredoc = sbx.execute("cat <<'EOF'\nline with EOF inside\nEOF")
    assert heredoc.output == "line with EOF inside\n"


def test_long_commands_go_through_a_file(sbx: DockerSandbox) -> None:
    body = "".join(f"line {i} with 'quotes' and $dollars\n" for i in range(20_000))  # ~600 kB
    result = sbx.execute(f"cat > /tmp/long.txt <<'END'\n{body}END\nwc -l < /tmp/long.txt")
    assert result.output == "20000\n"
    assert sbx.read_file("/tmp/long.txt").decode() == body
    sbx.execute("cd /tmp")
    assert sbx.execute("pwd").output == "/tmp\n"  # still the same session


def test_commands_do_not_read_the_session_stdin(sbx: DockerSandbox) -> None:
    result = sbx.execute("cat; echo done", timeout=5)
    assert result.output == "done\n"
    assert not result.timed_out


def test_sleep_forever_times_out_kills_the_tree_and_the_state_survives(
    sbx: DockerSandbox,
) -> None:
    sbx.execute("cd /tmp && export PL_KEEP=kept && pl_fn() { echo fn; } && alias pl_al='echo al'")
    started = time.monotonic()
    result = sbx.execute("sleep 1000 | cat & sleep 1000", timeout=1)
    elapsed = time.monotonic() - started
    assert result.timed_out
    assert result.exit_code == -1
    assert 1 <= elapsed < 3  # within timeout + 2 s
    assert _running(sbx, "sleep 1000") == []
    # a fresh shell, with the folder, exported variables, functions and aliases restored
    after = sbx.execute('pwd; echo "$PL_KEEP"; pl_fn; shopt -s expand_aliases; eval pl_al')
    assert after.output == "/tmp\nkept\nfn\nal\n"


def test_timeout_aborts_the_rest_of_the_command(sbx: DockerSandbox) -> None:
    result = sbx.execute("sleep 1000; echo NEVER > /tmp/never.txt; echo never", timeout=1)
    assert result.timed_out
    assert "never" not in result.output.replace("timed out", "")
    time.sleep(0.3)
    assert sbx.file_mode("/tmp/never.txt") is None


def test_a_builtin_loop_times_out_too(sbx: DockerSandbox) -> None:
    sbx.execute("cd /usr/lib")
    started = time.monotonic()
    result = sbx.execute("while :; do :; done", timeout=1)
    assert result.timed_out
    assert result.exit_code == -1
    assert time.monotonic() - started < 3
    assert sbx.execute("pwd").output == "/usr/lib\n"
    shells = _running(sbx, "bash --noprofile --norc")
    assert len(shells) == 2, shells  # the new session and the control shell: nothing left over


def test_exit_restarts_the_session_transparently(sbx: DockerSandbox) -> None:
    sbx.execute("cd /etc")
    result = sbx.execute("echo bye; exit 3")
    assert result.output == "bye\n"
    assert result.exit_code == 3
    assert sbx.execute("pwd").output == "/etc\n"


def test_endless_output_keeps_head_and_tail(sbx: DockerSandbox) -> None:
    started = time.monotonic()
    result = sbx.execute("yes", timeout=2)
    assert result.timed_out and result.truncated
    assert time.monotonic() - started < 4
    assert result.output.startswith("y\ny\n")
    assert len(result.output) < sbx.output_limit + 500
    assert _running(sbx, "yes") == []


def test_200_mb_of_output_is_read_through_and_capped(sbx: DockerSandbox) -> None:
    result = sbx.execute("echo FIRST; head -c 200000000 /dev/zero | tr '\\0' a; echo; echo LAST", timeout=120)
    assert result.exit_code == 0
    assert not result.timed_out
    assert result.truncated
    assert result.output.startswith("FIRST\naaaa")
    assert result.output.endswith("aaaa\nLAST\n")
    total = len("FIRST\n") + 200_000_000 + len("\nLAST\n")
    assert f"[... {total - sbx.output_limit} bytes of output omitted" in result.output


def test_binary_output_never_raises(sbx: DockerSandbox) -> None:
    result = sbx.execute("head -c 4096 /dev/urandom; printf '\\xff\\xfe\\x00end'")
    assert result.exit_code == 0
    assert result.output.endswith("\ufffd\ufffd\x00end")


def test_background_process_holding_stdout_does_not_block(sbx: DockerSandbox) -> None:
    started = time.monotonic()
    result = sbx.execute("sleep 30 & echo started")  # the sleep keeps stdout open
    assert result.output == "started\n"
    assert time.monotonic() - started < 2
    assert sbx.execute("echo next").exit_code == 0
    sbx.execute("kill %1")


def test_network_calls_fail(sbx: DockerSandbox) -> None:
    script = (
        "import socket\n"
        "s = socket.socket(); s.settimeout(3)\n"
        "try:\n"
        "    s.connect(('1.1.1.1', 80)); print('CONNECTED')\n"
        "except OSError as e:\n"
        "    print('FAILED', e)\n"
    )
    sbx.write_file("/tmp/net.py", script.encode())
    result = sbx.execute("python3 /tmp/net.py", timeout=20)
    assert "FAILED" in result.output and "CONNECTED" not in result.output
    assert sbx.execute("cat /sys/class/net/*/operstate; ls /sys/class/net").output.split()[-1] == "lo"


def test_files_roundtrip_binary_with_parents_and_modes(sbx: DockerSandbox) -> None:
    data = bytes(range(256)) * 1000
    sbx.write_file("fresh/deeper/blob.bin", data)
    assert sbx.read_file(f"{sbx.workdir}/fresh/deeper/blob.bin") == data
    assert sbx.execute("sha256sum fresh/deeper/blob.bin").exit_code == 0
    assert sbx.file_mode("fresh/deeper/blob.bin") == 0o644
    sbx.write_file("/tmp/tool.sh", b"#!/bin/sh\necho one\n", mode=0o750)
    sbx.write_file("/tmp/tool.sh", b"#!/bin/sh\necho two\n")  # mode None keeps 0o750
    assert sbx.file_mode("/tmp/tool.sh") == 0o750
    assert sbx.execute("/tmp/tool.sh").output == "two\n"
    sbx.execute("chmod 4755 /tmp/tool.sh")
    assert sbx.file_mode("/tmp/tool.sh") == 0o4755


def test_files_follow_symlinks_and_report_missing(sbx: DockerSandbox) -> None:
    sbx.execute("mkdir -p /tmp/ln && echo target > /tmp/ln/t && ln -sf t /tmp/ln/rel")
    assert sbx.read_file("/tmp/ln/rel") == b"target\n"
    assert sbx.file_mode("/tmp/ln/rel") == 0o644
    assert sbx.file_mode("/no/such/file") is None
    with pytest.raises(SandboxFileNotFoundError, match="/no/such/file"):
        sbx.read_file("/no/such/file")
    with pytest.raises(SandboxFileNotFoundError, match="is a folder, not a regular file"):
        sbx.read_file("/tmp")
    started = time.monotonic()
    with pytest.raises(SandboxFileNotFoundError, match="is a folder"):
        sbx.read_file("/usr")  # was packed whole first: 10 s here
    assert time.monotonic() - started < 3
    sbx.execute("mkfifo /tmp/ln/fifo 2>/dev/null; true")
    with pytest.raises(SandboxFileNotFoundError, match="not a regular file"):
        sbx.read_file("/tmp/ln/fifo")
    with pytest.raises(TypeError, match="bytes"):
        sbx.write_file("/tmp/x", "text")  # type: ignore[arg-type]


def test_bad_arguments_are_clear_errors(sbx: DockerSandbox) -> None:
    with pytest.raises(ValueError, match="timeout"):
        sbx.execute("true", timeout=0)
    with pytest.raises(ValueError, match="NUL"):
        sbx.execute("echo \x00")


def test_late_background_output_shows_with_the_next_command(sbx: DockerSandbox) -> None:
    sbx.execute("(sleep 0.2; echo late) &")
    time.sleep(0.5)
    assert sbx.execute("echo now").output == "late\nnow\n"


def test_non_utf8_file_names_round_trip(sbx: DockerSandbox) -> None:
    sbx.execute("mkdir -p /tmp/names && cd /tmp/names && touch $'caf\\xe9'")
    listed = sbx.execute("ls /tmp/names").output  # the byte 0xe9 comes back replaced
    assert listed == "caf\ufffd\n"
    name = b"caf\xe9".decode("utf-8", "surrogateescape")  # how Python spells that name
    assert sbx.execute(f"ls /tmp/names/{name}").exit_code == 0


def test_write_file_goes_through_symlinks_and_refuses_folders(sbx: DockerSandbox) -> None:
    sbx.execute("mkdir -p /tmp/w && printf old > /tmp/w/real && chmod 600 /tmp/w/real && ln -sf real /tmp/w/link")
    sbx.write_file("/tmp/w/link", b"new")
    assert sbx.execute("readlink /tmp/w/link; cat /tmp/w/real").output == "real\nnew"
    assert sbx.file_mode("/tmp/w/real") == 0o600
    with pytest.raises(SandboxError, match="is a folder"):
        sbx.write_file("/tmp/w", b"x")
    assert sbx.execute("test -d /tmp/w && echo still-a-folder").output == "still-a-folder\n"
    with pytest.raises(SandboxError, match="parent folders a file"):
        sbx.write_file("/tmp/w/real/child", b"x")
    with pytest.raises(SandboxError):
        sbx.read_file("/tmp/w/real/child")


def test_a_huge_timeout_and_bad_file_arguments(sbx: DockerSandbox) -> None:
    result = sbx.execute("echo hi", timeout=float("inf"))  # used to overflow the socket wait
    assert (result.output, result.timed_out) == ("hi\n", False)
    with pytest.raises(ValueError, match="timeout must be"):
        sbx.execute("true", timeout=float("nan"))  # used to run with no timeout at all
    with pytest.raises(ValueError, match="mode must be permission bits"):
        sbx.write_file("/tmp/m", b"x", mode=-1)  # used to become 0o7777 (setuid, setgid...)
    with pytest.raises(ValueError, match="NUL byte"):
        sbx.write_file("/tmp/a\0b", b"x")
    assert sbx.file_mode("/tmp/m") is None


def test_an_interrupted_command_does_not_leave_the_session_out_of_step(
    sbx: DockerSandbox, interrupt_after: Callable[[float], None]
) -> None:
    """Ctrl-C mid-command: the next command must get its own output, not the interrupted
    one's, and the interrupted command must be killed."""
    sbx.execute("cd /tmp && export KEEP=kept")
    interrupt_after(0.5)
    with pytest.raises(KeyboardInterrupt):
        sbx.execute("sleep 2.5; echo interrupted-output")
    result = sbx.execute("echo next; pwd; echo $KEEP")
    assert result.output == "next\n/tmp\nkept\n"
    time.sleep(2.5)
    assert sbx.execute("echo after").output == "after\n"  # nothing late from the old one
    assert _running(sbx, "sleep 2.5") == []
