"""LocalSandbox: the same protocol over host subprocesses, files confined to the root."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.procs import host_pids, unique_sleep, wait_gone, wait_present

from sandbox import LocalSandbox, PathEscapeError, Sandbox, SandboxClosedError, SandboxError
from sandbox.errors import SandboxFileNotFoundError


@pytest.fixture
def local(tmp_path: Path) -> LocalSandbox:
    root = tmp_path / "root"
    root.mkdir()
    with LocalSandbox(root, output_limit=10_000) as sandbox:
        yield sandbox


def test_is_a_sandbox(local: LocalSandbox) -> None:
    assert isinstance(local, Sandbox)
    assert local.workdir == str(local.root)


def test_output_exit_code_and_stderr_interleaved(local: LocalSandbox) -> None:
    result = local.execute("echo out; echo err >&2; exit 3")
    assert result.output == "out\nerr\n"
    assert result.exit_code == 3
    assert not result.timed_out and not result.truncated


def test_cd_and_exports_persist(local: LocalSandbox) -> None:
    """One persistent shell now (issue 10 item 7): exports carry over like the folder (they
    did not while every command was a fresh bash)."""
    local.execute("mkdir -p a/b && cd a/b && export ONLY_HERE=1")
    result = local.execute('pwd; echo "[$ONLY_HERE]"')
    assert result.output == f"{local.root}/a/b\n[1]\n"


def test_per_command_cwd_and_env_do_not_persist(local: LocalSandbox) -> None:
    (local.root / "sub").mkdir()
    result = local.execute("pwd; echo $GREETING", cwd="sub", env={"GREETING": "hi there"})
    assert result.output == f"{local.root}/sub\nhi there\n"
    assert local.execute("pwd").output == f"{local.root}\n"


def test_host_secrets_are_not_passed(local: LocalSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    sandbox = LocalSandbox(local.root)
    assert sandbox.execute('echo "[$OPENAI_API_KEY]"').output == "[]\n"


def test_timeout_kills_the_whole_process_tree(local: LocalSandbox) -> None:
    child = unique_sleep()
    started = time.monotonic()
    result = local.execute(f"sleep {child} & sleep 1000", timeout=1)
    assert result.timed_out
    assert result.exit_code == -1
    assert time.monotonic() - started < 3
    assert wait_gone(child, 2) == []
    assert local.execute("echo still usable").output == "still usable\n"


def test_endless_output_is_capped(local: LocalSandbox) -> None:
    result = local.execute("yes", timeout=1)
    assert result.timed_out and result.truncated
    assert len(result.output) < 12_000
    assert result.output.startswith("y\ny\n")


def test_background_process_holding_stdout_does_not_block(local: LocalSandbox) -> None:
    started = time.monotonic()
    result = local.execute("sleep 30 & echo started")
    assert result.output == "started\n"
    assert time.monotonic() - started < 2


def test_binary_output_is_decoded_with_replacement(local: LocalSandbox) -> None:
    result = local.execute("printf 'a\\xff\\xfeb'")
    assert result.output == "a\ufffd\ufffdb"


def test_files_roundtrip_binary_with_parents_and_mode(local: LocalSandbox) -> None:
    data = bytes(range(256)) * 10
    local.write_file("deep/er/file.bin", data)
    assert local.read_file("deep/er/file.bin") == data
    assert local.file_mode("deep/er/file.bin") == 0o644
    local.write_file("run.sh", b"#!/bin/sh\necho hi\n", mode=0o755)
    local.write_file("run.sh", b"#!/bin/sh\necho bye\n")  # mode None keeps 0o755
    assert local.file_mode("run.sh") == 0o755
    assert local.execute("./run.sh").output == "bye\n"
    assert local.file_mode("missing") is None
    with pytest.raises(SandboxFileNotFoundError):
        local.read_file("missing")
    with pytest.raises(SandboxFileNotFoundError):
        local.read_file("deep")


@pytest.mark.parametrize(
    "path",
    ["../outside.txt", "a/../../outside.txt", "/etc/passwd", "/tmp/x"],
)
def test_paths_escaping_the_root_are_refused(local: LocalSandbox, path: str) -> None:
    with pytest.raises(PathEscapeError, match="outside the sandbox root"):
        local.read_file(path)
    with pytest.raises(PathEscapeError):
        local.write_file(path, b"x")
    with pytest.raises(PathEscapeError):
        local.file_mode(path)


def test_sibling_prefix_and_symlinks_are_refused(local: LocalSandbox) -> None:
    sibling = Path(str(local.root) + "-evil")
    sibling.mkdir()
    (sibling / "f").write_text("secret")
    with pytest.raises(PathEscapeError):
        local.read_file(str(sibling / "f"))
    (local.root / "link").symlink_to(sibling)
    with pytest.raises(PathEscapeError):
        local.read_file("link/f")
    with pytest.raises(PathEscapeError):
        local.write_file("link/new", b"x")
    assert not (sibling / "new").exists()
    (local.root / "inside").write_text("ok")
    (local.root / "good-link").symlink_to(local.root / "inside")
    assert local.read_file("good-link") == b"ok"
    assert local.read_file(str(local.root / "inside")) == b"ok"


def test_close_kills_background_processes_and_is_idempotent(tmp_path: Path) -> None:
    sandbox = LocalSandbox(tmp_path)
    background = unique_sleep()
    sandbox.execute(f"sleep {background} &")
    assert wait_present(lambda: host_pids(background))
    sandbox.close()
    sandbox.close()
    assert wait_gone(background, 2) == []
    with pytest.raises(SandboxClosedError):
        sandbox.execute("true")


def test_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="create it first"):
        LocalSandbox(tmp_path / "nope")


def test_long_commands_work(local: LocalSandbox) -> None:
    body = "".join(f"line {i} 'quoted' $not_expanded\n" for i in range(20_000))  # ~600 kB
    result = local.execute(f"cat > long.txt <<'END'\n{body}END\nwc -l < long.txt")
    assert result.output == "20000\n"
    assert local.read_file("long.txt").decode() == body


def test_write_file_refuses_folders_and_writes_through_symlinks(local: LocalSandbox) -> None:
    (local.root / "d").mkdir()
    with pytest.raises(SandboxError, match="is a folder"):
        local.write_file("d", b"x")
    with pytest.raises(SandboxError, match="is a folder"):
        local.write_file(".", b"x")
    local.write_file("d/real", b"old", mode=0o600)
    (local.root / "link").symlink_to(local.root / "d" / "real")
    local.write_file("link", b"new")
    assert (local.root / "link").is_symlink()
    assert (local.root / "d" / "real").read_bytes() == b"new"
    assert local.file_mode("d/real") == 0o600


# ---------------------------------------------------------------- review: bad input and faults


@pytest.mark.parametrize("timeout", [float("inf"), 1e12])
def test_a_huge_timeout_means_no_real_limit(local: LocalSandbox, timeout: float) -> None:
    result = local.execute("echo hi", timeout=timeout)  # used to overflow select()
    assert (result.output, result.exit_code, result.timed_out) == ("hi\n", 0, False)


@pytest.mark.parametrize(
    ("timeout", "error"),
    [(float("nan"), ValueError), (0, ValueError), (-1, ValueError), ("5", TypeError), (True, TypeError)],
)
def test_a_timeout_that_is_not_a_positive_number_is_refused(
    local: LocalSandbox, timeout: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match="timeout must be"):
        local.execute("true", timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", [-1, 0o10000, 1.5, True])
def test_write_file_refuses_a_mode_that_is_not_permission_bits(local: LocalSandbox, mode: object) -> None:
    with pytest.raises(ValueError, match="mode must be permission bits"):
        local.write_file("f", b"x", mode=mode)  # type: ignore[arg-type]
    assert not (local.root / "f").exists()


def test_paths_with_a_nul_byte_or_not_a_str_are_refused(local: LocalSandbox) -> None:
    with pytest.raises(ValueError, match="NUL byte"):
        local.write_file("a\0b", b"x")
    with pytest.raises(TypeError, match="path must be a str"):
        local.read_file(Path("a"))  # type: ignore[arg-type]


def test_read_file_of_a_folder_says_it_is_a_folder(local: LocalSandbox) -> None:
    (local.root / "sub").mkdir()
    with pytest.raises(SandboxFileNotFoundError, match="is a folder, not a regular file"):
        local.read_file("sub")


def test_escapes_through_symlinks_and_dotdot_are_refused_on_write(local: LocalSandbox, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (local.root / "sub").mkdir()
    (local.root / "link").symlink_to(outside)  # a file link pointing out
    (local.root / "dirlink").symlink_to(tmp_path)  # a folder link pointing out
    (local.root / "dangling").symlink_to(tmp_path / "not-yet")  # would create outside
    for path in ["link", "dirlink/new.txt", "dangling", "sub/../../x", str(tmp_path / "x")]:
        with pytest.raises(PathEscapeError):
            local.write_file(path, b"pwned")
    assert outside.read_text() == "secret"
    assert not (tmp_path / "new.txt").exists() and not (tmp_path / "not-yet").exists()
    local.write_file("sub/../inside", b"1")  # `..` that stays inside is fine
    local.write_file(str(local.root / "abs"), b"2")  # so is an absolute path inside the root
    assert (local.root / "inside").read_bytes() == b"1" and (local.root / "abs").read_bytes() == b"2"


def test_an_interrupted_command_is_killed(local: LocalSandbox, interrupt_after: Callable[[float], None]) -> None:
    """Ctrl-C mid-command must not leave it running: the command runs in its own session,
    so the terminal's SIGINT never reaches it."""
    sleeper = unique_sleep(30)
    interrupt_after(0.5)
    with pytest.raises(KeyboardInterrupt):
        local.execute(f"sleep {sleeper}")
    assert wait_gone(sleeper, 5) == []
    assert local.execute("echo next").output == "next\n"


def test_env_values_must_be_text_and_names_shell_names(local: LocalSandbox, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="environment variable A must be a str"):
        local.execute("echo $A", env={"A": None})  # type: ignore[dict-item]  # ran with "None"
    with pytest.raises(ValueError, match="invalid environment variable name '1A'"):
        LocalSandbox(tmp_path, env={"1A": "x"})
    with pytest.raises(TypeError, match="env must be a dict"):
        LocalSandbox(tmp_path, env=["A=1"])  # type: ignore[arg-type]
    assert local.execute("echo $N", env={"N": 3}).output == "3\n"  # numbers are fine


def test_secret_looking_env_names_are_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level("WARNING", logger="sandbox"),
        LocalSandbox(tmp_path, env={"OPENAI_API_KEY": "sk-x", "GH_TOKEN": "t", "LANG": "C"}) as sbx,
    ):
        assert sbx.execute("echo $GH_TOKEN").output == "t\n"  # passed: it is only a warning
    [record] = caplog.records
    assert "GH_TOKEN, OPENAI_API_KEY" in record.getMessage() and "LANG" not in record.getMessage()
    assert "the model" in record.getMessage()


def test_a_shell_killed_by_a_signal_reports_128_plus_n_like_docker(local: LocalSandbox) -> None:
    result = local.execute("echo a; kill -9 $$")
    assert (result.output, result.exit_code) == ("a\n", 137)  # was -9
    assert local.execute("kill -TERM $$").exit_code == 143


def test_file_operations_after_close_and_a_removed_root(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "r"
    root.mkdir()
    (root / "f").write_bytes(b"x")
    sbx = LocalSandbox(root)
    shutil.rmtree(root)
    with pytest.raises(SandboxError, match="no longer exists"):
        sbx.execute("pwd")  # was a bare FileNotFoundError from subprocess
    with pytest.raises(SandboxError, match="no longer exists"):
        sbx.read_file("f")
    root.mkdir()
    (root / "f").write_bytes(b"x")
    sbx.close()
    for operation in (lambda: sbx.read_file("f"), lambda: sbx.write_file("f", b"y"), lambda: sbx.file_mode("f")):
        with pytest.raises(SandboxClosedError):
            operation()  # they went on working after close
    assert (root / "f").read_bytes() == b"x"


def test_a_sandbox_dropped_without_close_cleans_up(tmp_path: Path) -> None:
    """Its shell, what it started and its state folder go when it is collected (or at exit)."""
    import gc

    sandbox = LocalSandbox(tmp_path)
    state = Path(sandbox._host.state_dir)
    sleeper = unique_sleep()
    sandbox.execute(f"setsid sleep {sleeper} &")
    assert state.is_dir() and wait_present(lambda: host_pids(sleeper))
    del sandbox
    gc.collect()
    assert wait_gone(sleeper, 3) == []
    assert not state.exists()
